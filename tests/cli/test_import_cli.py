"""``kesu import``: the JSON report, exit codes, a saved mapping, and the imported mark on ``kesu show``.

In-process (``cli.main.main``) on both databases, against the seeded users; the row rules themselves
are tested in tests/services/test_legacy_import.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from kesu_desktop.cli.main import main
from kesu_desktop.services import Desk
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS

HEADERS = ["投诉编号", "受理时间", "姓名", "电话", "渠道", "类别", "问题描述", "状态"]


@pytest.fixture
def kesu(
    desk: Desk,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """``kesu(*argv, user=…)`` → (exit code, stdout, stderr)."""
    monkeypatch.setenv("KESU_NODE_ID", "cli-import")
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    passwords = {"admin": ADMIN_PASSWORD, **{name: p for name, (_r, _d, p) in STANDARD_USERS.items()}}

    def run(*argv: str, user: str = "admin") -> tuple[int, str, str]:
        monkeypatch.setenv("KESU_PASSWORD", passwords[user])
        code = main(["--db", db_url, "--user", user, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """Six rows with their own numbers (投诉编号): row 4 has a bad phone, row 6 an unknown category."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for i in range(1, 7):
        phone = "12345" if i == 3 else f"1390013{i:04d}"
        category = "火星问题" if i == 5 else "物流履约"
        status = "已结案" if i % 2 else "处理中"
        sheet.append(
            [
                f"LG-{i:03d}",
                datetime(2026, 3, i, 10, 0),
                f"客户{i}",
                phone,
                "电话",
                category,
                "快递丢件",
                status,
            ]
        )
    path = tmp_path / "登记表.xlsx"
    book.save(path)
    return path


def test_dry_run_then_import_then_again(kesu: Any, register: Path, tmp_path: Path) -> None:
    code, out, _err = kesu("import", str(register), "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["rows"], report["valid"], report["imported"], report["duplicates"]) == (6, 4, 0, 0)
    assert [(e["row"], e["field"]) for e in report["invalid"]] == [(4, "phone"), (6, "category")]

    code, out, err = kesu("import", str(register), "--all-or-nothing", "--json")
    assert code == 2 and json.loads(out)["imported"] == 0
    assert "row 4 phone: " in err and "row 6 category: " in err

    code, out, _err = kesu("import", str(register), "--save-mapping", str(tmp_path / "m.json"))
    assert code == 0
    assert out.splitlines()[0].startswith("已导入 4 件")
    assert any(line.startswith("第 4 行 phone：") for line in out.splitlines())
    mapping = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert mapping["columns"]["投诉编号"] == "case_ref" and mapping["columns"]["受理时间"] == "registered_at"

    code, out, _err = kesu("import", str(register), "--mapping", str(tmp_path / "m.json"), "--json")
    again = json.loads(out)
    assert code == 0 and again["imported"] == 0 and again["duplicates"] == 4


def test_show_says_the_case_was_imported(kesu: Any, register: Path) -> None:
    code, out, _err = kesu("import", str(register), "--json")
    first = json.loads(out)["case_nos"][0]
    assert first.startswith("20260301-BJ01-")
    code, out, _err = kesu("show", first, "--json")
    case = json.loads(out)
    assert code == 0 and case["status"] == "closed"
    code, out, _err = kesu("show", first)
    assert "自旧登记表导入：登记表.xlsx 第 2 行" in out


def test_only_leads_may_import(kesu: Any, register: Path) -> None:
    code, _out, err = kesu("import", str(register), "--dry-run", user="alice")
    assert code == 3 and "导入" in err


def test_a_mapping_naming_a_missing_column_is_bad_input(kesu: Any, register: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text(json.dumps({"columns": {"客户": "customer_name"}}), encoding="utf-8")
    code, _out, err = kesu("import", str(register), "--mapping", str(tmp_path / "bad.json"))
    assert code == 2 and err.startswith("mapping.columns: ")
    code, _out, err = kesu("import", str(tmp_path / "nowhere.xlsx"))
    assert code == 2 and err.startswith("file: ")
