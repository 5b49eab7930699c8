"""``kesu office add|list``, ``kesu user add --office`` and ``kesu admin branch-credentials``, run
in-process through cli.main.main on both databases."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kesu_desktop.cli.main import main
from kesu_desktop.services import Desk
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS

#: Offices are not reset between tests on the shared PostgreSQL database, and roles are the server's.
CODE = f"C{os.getpid() % 10**7:07d}"


@pytest.fixture
def kesu(
    desk: Desk,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Any]:
    """``kesu(*argv, user=…)`` → (exit code, stdout, stderr), signed in with the seeded passwords."""
    monkeypatch.setenv("KESU_NODE_ID", "cli-offices")
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    passwords = {"admin": ADMIN_PASSWORD, **{name: p for name, (_r, _d, p) in STANDARD_USERS.items()}}

    def run(*argv: str, user: str = "admin") -> tuple[int, str, str]:
        monkeypatch.setenv("KESU_PASSWORD", passwords[user])
        code = main(["--db", db_url, "--user", user, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run
    with desk.db.write() as session:
        session.execute(text("DELETE FROM offices WHERE code = :c"), {"c": CODE})
    if db_url.startswith("postgresql"):
        role = f"kesu_branch_{CODE.lower()}"
        with psycopg.connect(db_url, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f"DROP OWNED BY {role}")
                conn.execute(f"DROP ROLE {role}")


def test_office_add_and_list(kesu: Any) -> None:
    code, out, err = kesu("office", "add", CODE.lower(), "--name", "深圳分部", "--timezone", "Asia/Hong_Kong")
    assert code == 0 and CODE in out and "Asia/Hong_Kong" in out, err
    code, out, _err = kesu("--json", "office", "list", user="alice")
    assert code == 0
    listed = {o["code"]: o for o in json.loads(out)}
    assert listed[CODE]["name"] == "深圳分部" and listed[CODE]["timezone"] == "Asia/Hong_Kong"
    assert listed[CODE]["created_at"].endswith("+08:00")  # in the reader's office zone
    code, out, _err = kesu("office", "list", user="alice")
    assert code == 0 and "BJ01" in out and CODE in out


def test_office_refusals(kesu: Any) -> None:
    assert kesu("office", "add", CODE, "--name", "x", user="carol")[0] == 3
    code, _out, err = kesu("office", "add", CODE, "--name", "深圳分部", "--timezone", "Asia/Atlantis")
    assert code == 2 and err.startswith("timezone: "), err
    code, _out, err = kesu("office", "add", "深圳", "--name", "深圳分部")
    assert code == 2 and err.startswith("code: "), err
    assert kesu("office", "add", CODE, "--name", "深圳分部")[0] == 0
    code, _out, err = kesu("office", "add", CODE, "--name", "又一个")
    assert code == 2 and err.startswith("code: ") and "已存在" in err, err
    code, out, _err = kesu("--json", "office", "list")
    assert [o["name"] for o in json.loads(out) if o["code"] == CODE] == ["深圳分部"]


def test_user_add_places_the_user_in_an_office(kesu: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert kesu("office", "add", CODE, "--name", "深圳分部")[0] == 0
    monkeypatch.setenv("KESU_NEW_PASSWORD", "sz-pass-123")
    code, out, err = kesu(
        "--json", "user", "add", "sz_clerk", "--role", "front_desk", "--office", CODE.lower()
    )
    assert code == 0, err
    assert json.loads(out)["office"] == CODE
    code, _out, err = kesu("user", "add", "lost", "--role", "front_desk", "--office", "ZZ99")
    assert code == 2 and err.startswith("office: "), err
    code, out, _err = kesu("--json", "user", "add", "bj_clerk", "--role", "front_desk")
    assert json.loads(out)["office"] == "BJ01"


def test_branch_credentials(kesu: Any, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert kesu("office", "add", CODE, "--name", "深圳分部")[0] == 0
    assert kesu("admin", "branch-credentials", CODE, user="carol")[0] == 3
    code, _out, err = kesu("admin", "branch-credentials", CODE, "--password-env", "NO_SUCH_VAR")
    assert code == 2 and err.startswith("password-env: "), err
    if db_url.startswith("sqlite"):
        code, _out, err = kesu("admin", "branch-credentials", CODE)
        assert code == 2 and err.startswith("db: "), err
        return
    code, _out, err = kesu("admin", "branch-credentials", "ZZ99")
    assert code == 2 and err.startswith("office: "), err
    code, out, err = kesu("--json", "admin", "branch-credentials", CODE)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["role"] == f"kesu_branch_{CODE.lower()}" and shown["office"] == CODE
    url = make_url(shown["url"])
    assert url.username == shown["role"] and url.password and "postgres@" not in shown["url"]
    assert "妥善保管" in err
    monkeypatch.setenv("BRANCH_PW", "chosen-pass-123")
    code, out, err = kesu("admin", "branch-credentials", CODE, "--password-env", "BRANCH_PW")
    assert code == 0 and shown["role"] in out and "chosen-pass-123" in out, err
    engine = create_engine(out.splitlines()[-1].replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT kesu_branch_office()")).scalar() == CODE
            assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 0
    finally:
        engine.dispose()
