"""``kesu`` and the desktop load only what they need to start (issue 16, fast start).

A script calling ``kesu list`` a thousand times, or a person typing ``kesu --help``, waits for every
module the command imports; the libraries of other commands (PDF, workbooks, Qt, phone metadata, the
migration tool) must stay unloaded. The desktop's main window, built for an administrator (the 管理
menu included), must not load printing (ReportLab, pyHanko, PDFium), sync or their dialogs: they load
when first used. On SQLite neither loads SQLAlchemy's PostgreSQL dialect. Each case runs in a fresh
interpreter and reports which modules it ended with; the times themselves are measured in
``benchmarks/startup.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.data import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
from kesu_desktop.cli.main import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""

_DESKTOP_PROBE = """
import json, sys
from PySide6.QtWidgets import QApplication
from kesu_desktop import app, services  # what kesu-desk imports first: main_window and the dialogs before it
from kesu_desktop.ui.main_window import MainWindow

qapp = QApplication(["kesu-desk"])
desk = services.Desk.open(sys.argv[2])
window = MainWindow(desk, services.login(desk, "admin", sys.argv[3]), remember_layout=False)
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"admin_menu": window.menu_admin is not None, "modules": sorted(sys.modules)}, out)
"""

#: Never needed to list cases or to print help.
FOREIGN = (
    "PySide6",
    "reportlab",
    "pyhanko",
    "openpyxl",
    "qrcode",
    "alembic",
    "phonenumbers",
    "kesu_desktop.ui",
    "kesu_desktop.printing",
    "kesu_desktop.sync",
    "kesu_desktop.services.exports",
    "kesu_desktop.services.legacy_import",
    "kesu_desktop.services.reports",
    "kesu_desktop.services.replies",
    "kesu_desktop.services.registration",
)
#: Not needed on SQLite: SQLAlchemy's PostgreSQL dialect and driver.
POSTGRESQL = ("sqlalchemy.dialects.postgresql", "psycopg")
#: Not needed before a command opens a database.
DATABASE = ("sqlalchemy", "argon2", "psycopg", "kesu_desktop.storage")


def _probe(tmp_path: Path, probe: str, *argv: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``probe`` in a fresh interpreter (no KESU_ settings of ours leak in); the JSON it wrote."""
    report = tmp_path / "modules.json"
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("KESU_")}
    run_env.update(KESU_DATA_DIR=str(tmp_path / "data"), **env)
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(report), *argv],
        capture_output=True,
        text=True,
        env=run_env,
        cwd=ROOT,
        timeout=120,
    )
    assert report.exists(), proc.stderr
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return result


def _loaded(tmp_path: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    result = _probe(tmp_path, _PROBE, *argv, env={"KESU_NODE_ID": "cli-test", **(env or {})})
    return result["code"], set(result["modules"])


def _matching(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("list", "--help"), ("print", "--help"), ("list", "--limit", "many")],
    ids=["help", "list-help", "print-help", "bad-argument"],
)
def test_help_and_argument_errors_load_no_database_printing_or_qt(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    code, modules = _loaded(tmp_path, *argv)
    assert code in (0, 2)
    assert _matching(modules, FOREIGN + DATABASE) == []
    services_loaded = [m for m in modules if m.startswith("kesu_desktop.services.")]
    assert services_loaded == []


def test_list_loads_the_database_but_no_other_commands_libraries(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = tmp_path / "kesu.db"
    shutil.copy(sqlite_template, db)
    code, modules = _loaded(
        tmp_path,
        "--db",
        f"sqlite:///{db}",
        "--user",
        "admin",
        "list",
        "--limit",
        "1",
        env={"KESU_PASSWORD": ADMIN_PASSWORD},
    )
    assert code == 0
    assert "kesu_desktop.services.queries" in modules  # it did list
    assert _matching(modules, FOREIGN + POSTGRESQL) == []


#: Loaded when something is printed, previewed, signed or synced, or an admin dialog opened; not to start.
DESKTOP_LATER = (
    "reportlab",
    "pyhanko",
    "pypdfium2",
    "PIL",
    "openpyxl",
    "qrcode",
    "alembic",
    "PySide6.QtPrintSupport",
    "kesu_desktop.printing",
    "kesu_desktop.sync",
    "kesu_desktop.ui.printing.pdf_view",
    "kesu_desktop.ui.printing.signature_pad",
    "kesu_desktop.ui.admin.certificate_dialog",
    "kesu_desktop.ui.admin.users_dialog",
)


def test_building_the_main_window_loads_no_printing_sync_or_admin_dialogs(
    tmp_path: Path, sqlite_template: Path
) -> None:
    db = tmp_path / "kesu.db"
    shutil.copy(sqlite_template, db)
    result = _probe(
        tmp_path,
        _DESKTOP_PROBE,
        f"sqlite:///{db}",
        ADMIN_PASSWORD,
        env={"KESU_NODE_ID": "desk-test", "QT_QPA_PLATFORM": "offscreen"},
    )
    modules = set(result["modules"])
    assert result["admin_menu"]  # the admin's window: the 管理 menu is built too
    assert "kesu_desktop.ui.main_window" in modules and "PySide6.QtWidgets" in modules  # it did build
    assert _matching(modules, DESKTOP_LATER + POSTGRESQL) == []
