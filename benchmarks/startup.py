"""Start-up: ``kesu --help``, ``kesu list --limit 1`` and the desktop's first painted window, as processes.

A script that calls ``kesu`` in a loop pays the start-up on every call, and a clerk waits for it each
morning, so the figure is a whole process from ``exec`` to exit (or to the painted window), against
the bare building block every one of them needs: ``python -c "import sqlalchemy"``. Each command is
run in rounds (one of each per round, so a load spike on the shared machine hits all of them alike);
the medians are compared within the run.

Bytecode is written to a cache in the run's folder (``PYTHONPYCACHEPREFIX``) and one warm-up round
fills it, so the figures are those of an installed copy, not of compiling every module each time
(``PYTHONDONTWRITEBYTECODE`` is dropped for the children for the same reason).

The desktop is measured by a probe (``python -m benchmarks.startup --desktop-probe``) that walks the
steps of ``kesu_desktop.app._run`` offscreen and stamps each: imports, Qt application, database open
(with the migration check), sign-in, main window built, first paint, first page of cases loaded, the
loaded page painted. Times are from the moment the parent starts the process.

``python -m benchmarks.startup [--repeat N] [--cases N]`` prints the JSON; ``startup(folder, repeat)``
returns it for ``benchmarks/__main__.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import median, ratio, rounded

ROOT = Path(__file__).resolve().parent.parent
USER = "admin"
#: Cases in the seeded file: enough for a full first page and real indexes, quick to seed.
DEFAULT_CASES = 2000
#: Give up on a desktop probe that has not painted its list by then (the figure is then null).
PROBE_TIMEOUT_S = 120
#: The desktop's stamps, in the order they happen.
DESKTOP_STEPS = (
    "imports",
    "qt_application",
    "database_open",
    "signed_in",
    "window_built",
    "first_paint",
    "first_query",
    "list_painted",
)


def _seed(folder: Path, cases: int) -> tuple[str, str]:
    """A migrated, initialised SQLite file with ``cases`` demo cases; returns its URL and the password."""
    from benchmarks.databases import PASSWORD, START, StepClock, open_desk, sqlite_url
    from kesu_desktop.devtools.seed import seed_demo

    url = sqlite_url(folder, "startup.db")
    desk, admin = open_desk(url, StepClock(START))
    try:
        seed_demo(desk, admin, count=cases, seed=1)
    finally:
        desk.close()
    return url, PASSWORD


def _environment(folder: Path, url: str, password: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("KESU_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        KESU_DATABASE_URL=url,
        KESU_PASSWORD=password,
        KESU_DATA_DIR=str(folder / "data"),
        KESU_NODE_ID="bench-startup",
        PYTHONPYCACHEPREFIX=str(folder / "pycache"),
        PYTHONIOENCODING="utf-8",
        QT_QPA_PLATFORM="offscreen",
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )
    return env


def _commands() -> dict[str, list[str]]:
    python = sys.executable
    return {
        "import_sqlalchemy": [python, "-c", "import sqlalchemy"],
        "kesu_help": [python, "-m", "kesu_desktop", "--help"],
        "kesu_list": [python, "-m", "kesu_desktop", "--user", USER, "list", "--limit", "1"],
    }


def _timed(argv: list[str], env: dict[str, str]) -> float:
    """Wall-clock milliseconds of one process; a failing command stops the benchmark (it measured nothing)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=PROBE_TIMEOUT_S)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return elapsed


def _desktop(env: dict[str, str], folder: Path) -> dict[str, float]:
    """One desktop probe: each step's time (ms) since the process was started."""
    out = folder / "desktop-probe.json"
    out.unlink(missing_ok=True)
    started = time.time()
    argv = [sys.executable, "-m", "benchmarks.startup", "--desktop-probe", str(out), str(started)]
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=PROBE_TIMEOUT_S)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"desktop probe exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return {k: float(v) for k, v in json.loads(out.read_text(encoding="utf-8")).items()}


def startup(folder: Path, repeat: int, cases: int = DEFAULT_CASES) -> dict[str, Any]:
    """Medians of ``repeat`` rounds (plus one warm-up) of each command and of the desktop probe."""
    url, password = _seed(folder, cases)
    env = _environment(folder, url, password)
    commands = _commands()
    samples: dict[str, list[float]] = {name: [] for name in commands}
    desktop: list[dict[str, float]] = []
    for round_no in range(repeat + 1):
        times = {name: _timed(argv, env) for name, argv in commands.items()}
        probe = _desktop(env, folder)
        if round_no == 0:
            continue  # the warm-up round: bytecode written, files in the page cache
        for name, ms in times.items():
            samples[name].append(ms)
        desktop.append(probe)
    bare = median(samples["import_sqlalchemy"])
    result: dict[str, Any] = {
        "cases": cases,
        "repeat": repeat,
        "bare_import_sqlalchemy_ms": rounded(bare, 1),
    }
    for name in ("kesu_help", "kesu_list"):
        ms = median(samples[name])
        result[name] = {
            "median_ms": rounded(ms, 1),
            "samples_ms": [rounded(s, 1) for s in samples[name]],
            "ratio": ratio(ms, bare),
        }
    steps = {step: rounded(median([d[step] for d in desktop]), 1) for step in DESKTOP_STEPS}
    split, before = {}, 0.0
    for step in DESKTOP_STEPS:  # each step's own share, from the medians of the stamps
        split[step] = rounded(max(steps[step] - before, 0.0), 1)
        before = max(before, steps[step])
    result["desktop"] = {
        "since_start_ms": steps,
        "step_ms": split,
        "first_paint_ms": steps["first_paint"],
        "list_painted_ms": steps["list_painted"],
        "ratio_list_painted": ratio(steps["list_painted"], bare),
    }
    return result


# --- the desktop probe (runs in its own process) -------------------------------------------------------


def _desktop_probe(out: Path, started: float) -> int:
    """Walk ``app._run``'s steps offscreen, stamping each; writes the stamps (ms since ``started``)."""
    stamps: dict[str, float] = {}

    def stamp(step: str) -> None:
        stamps.setdefault(step, (time.time() - started) * 1000)

    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from kesu_desktop import (
        app,  # the desktop's own start-up module: what ``kesu-desk`` imports first
        paths,
        services,
    )
    from kesu_desktop.i18n import _
    from kesu_desktop.ui.base import tasks
    from kesu_desktop.ui.base.fonts import register_bundled_font
    from kesu_desktop.ui.base.language import apply_language, resolve_language
    from kesu_desktop.ui.main_window import MainWindow

    stamp("imports")
    opts = app.parse_options(["--user", USER])
    qapp = QApplication(["kesu-desk", *opts.qt_args])
    qapp.setOrganizationName(paths.APP_AUTHOR)
    qapp.setApplicationName(paths.APP_NAME)
    qapp.setApplicationDisplayName(_("客诉台 Kesu Desk"))
    register_bundled_font(qapp)
    apply_language(resolve_language(opts.language, None, None))
    stamp("qt_application")
    desk = tasks.wait(lambda: services.Desk.open(opts.db_url))
    stamp("database_open")
    actor = tasks.wait(lambda: services.login(desk, opts.user or "", opts.password or ""))
    apply_language(resolve_language(opts.language, actor.username, actor.language))
    stamp("signed_in")
    window = MainWindow(desk, actor, remember_layout=False)
    stamp("window_built")

    loop = QEventLoop()

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                stamp("first_paint")
                if "first_query" in stamps:
                    stamp("list_painted")
                    loop.quit()
            return False

    watcher = Painted()
    viewport = window.case_list.table.viewport()
    viewport.installEventFilter(watcher)
    window.installEventFilter(watcher)

    def loaded(_rows: int) -> None:
        stamp("first_query")
        viewport.update()  # the page just loaded is painted on the next pass

    window.sig_cases_loaded.connect(loaded)
    window.sig_load_failed.connect(lambda _msg: loop.quit())
    QTimer.singleShot(PROBE_TIMEOUT_S * 1000, loop.quit)
    window.show()
    window.resize_and_fit(*app.SCREENSHOT_SIZE)
    loop.exec()
    out.write_text(json.dumps(stamps), encoding="utf-8")
    missing = [step for step in DESKTOP_STEPS if step not in stamps]
    if missing:
        print(f"desktop probe: no {', '.join(missing)}", file=sys.stderr)
    window.close()
    tasks.wait_for_idle()
    desk.close()
    sys.stdout.flush()
    os._exit(1 if missing else 0)  # skip interpreter teardown: not part of start-up, and Qt may hang in it


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    p.add_argument("--repeat", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    p.add_argument("--cases", type=int, default=DEFAULT_CASES, help="cases in the seeded SQLite file")
    p.add_argument("--desktop-probe", nargs=2, metavar=("OUT", "STARTED"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.desktop_probe:
        return _desktop_probe(Path(args.desktop_probe[0]), float(args.desktop_probe[1]))
    with tempfile.TemporaryDirectory(prefix="kesu-bench-startup-") as tmp:
        print(json.dumps(startup(Path(tmp), args.repeat, args.cases), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
