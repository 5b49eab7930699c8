"""The collector during a ``kesu`` process's start (kesu_desktop/cli/collector.py).

Off while the command's libraries load, on (with the start-up's objects frozen) once the database is
open, so a long command still collects its cycles; and ``main()`` called from other code (a script,
these tests) never touches its caller's collector.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from kesu_desktop.cli.main import EXIT_NOT_ALLOWED, main

_PROBE = """
import gc, json, sys
from kesu_desktop.cli import collector, commands
from kesu_desktop.cli.main import _options, build_parser

collector.starting()
off = not gc.isenabled()
desk = commands.open_desk(_options(build_parser().parse_args(["--db", sys.argv[1], "list"])))
print(json.dumps({"off_while_loading": off, "on_once_open": gc.isenabled(), "frozen": gc.get_freeze_count()}))
desk.close()
"""


def test_a_kesu_process_collects_again_once_its_database_is_open(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kesu.db'}"
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, url], capture_output=True, text=True, check=True, timeout=120
    )
    state = json.loads(out.stdout)
    assert state["off_while_loading"]
    assert state["on_once_open"], "a long command (an import, a batch) would never collect its cycles"
    assert state["frozen"] > 10_000  # SQLAlchemy and the models, out of every later collection


def test_main_called_in_process_leaves_the_callers_collector_alone(tmp_path: Path) -> None:
    frozen = gc.get_freeze_count()
    code = main(["--db", f"sqlite:///{tmp_path / 'kesu.db'}", "list"])
    assert code == EXIT_NOT_ALLOWED  # no --user: refused, after the database was opened
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
