"""``kesu template list|set`` and ``kesu phrase list|add|set``, in-process on both databases."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kesu_desktop.cli.main import main
from kesu_desktop.services import Desk
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS


@pytest.fixture
def kesu(
    desk: Desk,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """``kesu(*argv, user=…, stdin=…)`` → (exit code, stdout, stderr)."""
    monkeypatch.setenv("KESU_NODE_ID", "cli-templates")
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    passwords = {"admin": ADMIN_PASSWORD, **{name: p for name, (_r, _d, p) in STANDARD_USERS.items()}}

    def run(*argv: str, user: str = "admin", stdin: str | None = None) -> tuple[int, str, str]:
        monkeypatch.setenv("KESU_PASSWORD", passwords[user])
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--db", db_url, "--user", user, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run


def test_template_list_and_set(kesu: Any, tmp_path: Path) -> None:
    code, out, err = kesu("--json", "template", "list")
    assert code == 0, err
    listed = {t["kind"]: t for t in json.loads(out)}
    assert listed["acceptance"]["kind_label"] == "受理告知" and "{case_no}" in listed["acceptance"]["body"]

    body = tmp_path / "closure.txt"
    body.write_text("尊敬的{customer_name}：\n您的投诉（{case_no}）已处理完毕。\n", encoding="utf-8")
    code, out, err = kesu("template", "set", "closure", str(body), "--name", "结案通知")
    assert code == 0 and "结案通知" in out, err
    code, out, err = kesu("--json", "template", "set", "progress", "-", stdin="{customer_name}您好：处理中。")
    assert code == 0 and json.loads(out)["body"] == "{customer_name}您好：处理中。", err
    code, out, _err = kesu("--json", "template", "list")
    listed = {t["kind"]: t for t in json.loads(out)}
    assert listed["closure"]["name"] == "结案通知"
    assert listed["closure"]["body"] == "尊敬的{customer_name}：\n您的投诉（{case_no}）已处理完毕。"
    code, out, _err = kesu("template", "list")
    assert code == 0 and "closure" in out and "结案通知" in out


def test_template_refusals(kesu: Any) -> None:
    code, _out, err = kesu("template", "set", "closure", "-", stdin="{客户}您好")
    assert code == 2 and err.startswith("body: ") and "{客户}" in err, err
    code, _out, err = kesu("template", "set", "thanks", "--name", "x")
    assert code == 2 and err.startswith("kind: "), err
    code, _out, err = kesu("template", "set", "closure")
    assert code == 2 and err.startswith("file: "), err
    assert kesu("template", "set", "closure", "--name", "x", user="carol")[0] == 3
    assert kesu("template", "list", user="alice")[0] == 3
    code, out, _err = kesu("--json", "template", "list")
    assert {t["kind"]: t["name"] for t in json.loads(out)}["closure"] == "结案回复"


def test_phrase_add_set_and_list(kesu: Any) -> None:
    code, out, err = kesu(
        "--json", "phrase", "add", "forbidden", "不归我管", "--suggestion", "我帮您联系负责的同事"
    )
    assert code == 0, err
    added = json.loads(out)
    assert added["active"] and added["suggestion"] == "我帮您联系负责的同事"
    code, _out, err = kesu("phrase", "add", "forbidden", "不归我管")
    assert code == 2 and err.startswith("text: ") and "已有" in err, err
    code, _out, err = kesu("phrase", "add", "polite", "您好")
    assert code == 2 and err.startswith("kind: "), err

    code, out, err = kesu("phrase", "set", added["id"], "--inactive")
    assert code == 0 and "已停用" in out, err
    code, out, _err = kesu("--json", "phrase", "list", "--kind", "forbidden")
    shown = next(p for p in json.loads(out) if p["id"] == added["id"])
    assert shown["active"] is False
    code, _out, err = kesu("phrase", "set", added["id"])
    assert code == 2 and err.startswith("id: "), err
    code, _out, err = kesu("phrase", "set", "not-an-id", "--active")
    assert code == 2 and err.startswith("id: "), err
    assert kesu("phrase", "set", added["id"], "--active", user="mia")[0] == 3
    code, out, _err = kesu("phrase", "list")
    assert code == 0 and "不归我管" in out and "recommended" in out
