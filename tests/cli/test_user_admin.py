"""``kesu user set|list``, ``kesu office set``, ``kesu department|category`` and ``kesu admin changes``,
run in-process through cli.main.main on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kesu_desktop import services
from kesu_desktop.cli.main import main
from kesu_desktop.services import Desk
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS, complaint
from tests.helpers.printing import pdf_text


@pytest.fixture
def kesu(
    desk: Desk,
    tmp_path: Path,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """``kesu(*argv, user=…)`` → (exit code, stdout, stderr), signed in with the seeded passwords."""
    monkeypatch.setenv("KESU_NODE_ID", "cli-user-admin")
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    passwords = {"admin": ADMIN_PASSWORD, **{name: p for name, (_r, _d, p) in STANDARD_USERS.items()}}

    def run(*argv: str, user: str = "admin", password: str | None = None) -> tuple[int, str, str]:
        monkeypatch.setenv("KESU_PASSWORD", password or passwords[user])
        code = main(["--db", db_url, "--user", user, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run


def test_user_set_and_list(kesu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = kesu("--json", "user", "set", "alice", "--role", "department", "--department", "as")
    assert code == 0, err
    assert json.loads(out)["role"] == "department" and json.loads(out)["department"] == "AS"
    code, out, err = kesu("--json", "user", "list", user="mia")
    assert code == 0, err
    listed = {u["username"]: u for u in json.loads(out)}
    assert listed["alice"]["department"] == "AS" and listed["admin"]["role"] == "admin"
    code, out, _err = kesu("user", "list")
    assert code == 0 and "alice" in out and "责任部门" in out
    assert kesu("user", "list", user="alice", password="alice-pass-1")[0] == 3  # a clerk may not

    code, _out, err = kesu("user", "set", "bob", "--reset-password")
    assert code == 2 and err.startswith("KESU_NEW_PASSWORD: "), err
    monkeypatch.setenv("KESU_NEW_PASSWORD", "bob-new-pass-1")
    assert kesu("user", "set", "bob", "--reset-password")[0] == 0
    assert kesu("user", "list", user="bob", password="bob-pass-12")[0] == 3  # the old one is gone
    code, _out, err = kesu("user", "set", "carol", "--office", "zz99", "--department", "QQ")
    assert code == 2 and {line.split(":")[0] for line in err.splitlines()} == {"office", "department"}, err
    code, _out, err = kesu("user", "set", "admin", "--active", "false")
    assert code == 2 and err.startswith("active: ") and "最后一位" in err, err


def test_a_deactivated_user_cannot_sign_in(kesu: Any) -> None:
    assert kesu("--json", "office", "list", user="alice")[0] == 0
    code, out, err = kesu("user", "set", "alice", "--active", "false")
    assert code == 0 and "已停用" in out, err
    code, _out, err = kesu("--json", "office", "list", user="alice")
    assert code == 3 and err.startswith("not allowed: "), err
    assert kesu("user", "set", "alice", "--active", "true")[0] == 0
    assert kesu("--json", "office", "list", user="alice")[0] == 0


def test_office_set_contact_is_printed_on_the_receipt(
    kesu: Any, desk: Desk, people: Any, tmp_path: Path
) -> None:
    code, out, err = kesu(
        "--json",
        "office",
        "set",
        "bj01",
        "--contact",
        "400-810-8888",
        "--organisation",
        "北京客诉服务有限公司",
    )
    assert code == 0, err
    assert json.loads(out)["contact"] == "400-810-8888"
    code, _out, err = kesu("office", "set", "BJ01", "--contact", "12345")
    assert code == 2 and err.startswith("contact: "), err
    code, out, _err = kesu("--json", "office", "list", user="alice")
    (office,) = [o for o in json.loads(out) if o["code"] == "BJ01"]
    assert office["contact"] == "400-810-8888" and office["organisation"] == "北京客诉服务有限公司"
    case = services.register_case(desk, people.alice, complaint())
    target = tmp_path / "receipt.pdf"
    code, _out, err = kesu("print", "receipt", case.case_no, "-o", str(target), user="alice")
    assert code == 0, err
    text = pdf_text(target.read_bytes())
    assert "400-810-8888" in text and "北京客诉服务有限公司" in text


def test_departments_categories_and_the_change_record(kesu: Any) -> None:
    assert kesu("department", "add", "qa", "--name", "质量管理部")[0] == 0
    code, _out, err = kesu("department", "add", "QA", "--name", "又一个")
    assert code == 2 and err.startswith("code: "), err
    code, out, err = kesu(
        "--json", "category", "add", "packaging", "--name", "包装破损", "--department", "QA"
    )
    assert code == 0 and json.loads(out)["department"] == "QA", err
    code, _out, err = kesu("category", "add", "Bad Code", "--name", "x")
    assert code == 2 and err.startswith("code: "), err
    assert kesu("category", "set", "packaging", "--active", "false")[0] == 0
    code, out, _err = kesu("--json", "category", "list")
    assert {c["code"]: c["active"] for c in json.loads(out)}["packaging"] is False
    code, _out, err = kesu("department", "set", "AS", "--active", "false")  # categories still go there
    assert code == 2 and err.startswith("active: "), err
    code, out, _err = kesu("department", "list")
    assert "质量管理部" in out and "在用" in out
    assert kesu("department", "add", "QB", "--name", "x", user="mia")[0] == 3

    code, out, err = kesu("--json", "admin", "changes", "--entity", "category", user="mia")
    assert code == 0, err
    changes = json.loads(out)
    assert [(c["key"], c["after"].get("active")) for c in changes] == [
        ("packaging", False),
        ("packaging", True),
    ]
    assert changes[0]["before"] == {"active": True} and changes[0]["actor"] == "admin"
    assert changes[0]["at"].endswith("+08:00")
    code, out, _err = kesu("admin", "changes", "--entity", "department", "--key", "QA")
    assert code == 0 and "质量管理部" in out and "QA" in out
    assert kesu("admin", "changes", user="alice")[0] == 3


def test_office_add_with_a_contact(kesu: Any) -> None:
    code, _out, err = kesu("office", "add", "SZ01", "--name", "深圳分部", "--contact", "12345")
    assert code == 2 and err.startswith("contact: "), err
    code, out, err = kesu(
        "--json", "office", "add", "SZ01", "--name", "深圳分部", "--contact", "0755-12345678"
    )
    assert code == 0 and json.loads(out)["contact"] == "0755-12345678", err
