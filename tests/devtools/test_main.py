"""``python -m kesu_desktop.devtools seed-demo``: the developer entry point, out of the product's CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kesu_desktop.cli.main import build_parser
from kesu_desktop.devtools.__main__ import main
from kesu_desktop.services import Desk
from kesu_desktop.storage.models import Case
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def quiet_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("KESU_DATABASE_URL", "KESU_NOW", "KESU_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KESU_NODE_ID", "devtools-test")


def cases(desk: Desk) -> int:
    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_seed_demo_fills_the_database(
    desk: Desk, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KESU_PASSWORD", ADMIN_PASSWORD)
    code = main(["seed-demo", "--db", db_url, "--user", "admin", "--count", "25", "--seed", "2", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {"created": 25}
    assert cases(desk) == 25


def test_bad_input_and_not_allowed_keep_the_cli_exit_codes(
    desk: Desk, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KESU_PASSWORD", ADMIN_PASSWORD)
    assert main(["seed-demo", "--db", db_url, "--user", "admin", "--count", "0"]) == 2
    assert capsys.readouterr().err.startswith("count: ")
    monkeypatch.setenv("KESU_PASSWORD", STANDARD_USERS["alice"][2])
    assert main(["seed-demo", "--db", db_url, "--user", "alice", "--count", "5"]) == 3  # front desk
    assert "not allowed" in capsys.readouterr().err
    assert cases(desk) == 0


def test_the_product_cli_has_no_seed_demo_and_the_module_runs() -> None:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert "seed-demo" not in sub.choices and "watch" in sub.choices
    done = subprocess.run(
        [sys.executable, "-m", "kesu_desktop.devtools", "seed-demo", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0 and "--count" in done.stdout
