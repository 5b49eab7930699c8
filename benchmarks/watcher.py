"""One deadline-watcher tick on databases of growing size: the cost must stay flat.

What matters to a desk: the watcher ticks every 30 seconds for as long as the app runs, on a database
that only ever grows, and almost all of it is closed cases or deadlines far away. So a tick must cost
what is due now, not what the database holds. Measured per size, on a copy of a ``seed_demo`` file:

* the backlog: the first ticks at the seeding instant announce every deadline already overdue (each
  tick takes at most ``BATCH`` cases); reported, not part of the ratio;
* the steady state: ``repeat`` ticks, the clock moved on by the watch interval before each (as the
  timer would), after one warm-up tick; the median is the figure;
* busy ticks: the clock moved on by an hour before each of three ticks, so the deadlines of that hour
  come due at once; these grow with the work due (more cases, more deadlines per hour), which is
  the point: a tick costs what is due, not what is stored;
* the bare building block: the tick's own indexed probe (``case_watch.next_alert_at <= now``, first
  batch) through sqlite3, on the same file, at the same instants: what no tick can go below.

The seeded files are kept as ``benchmarks/results/watcher_<N>.db`` and never ticked themselves (each
run works on a scratch copy), so every run starts from the same state.

Standalone: ``python -m benchmarks.watcher [--quick] [--repeat R] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from benchmarks.databases import START, StepClock, open_desk
from benchmarks.timing import rounded
from kesu_desktop import services
from kesu_desktop.devtools.seed import seed_demo
from kesu_desktop.services.watch import BATCH, watch_tick

RESULTS = Path(__file__).resolve().parent / "results"
SIZES, QUICK_SIZES = (1_000, 10_000, 100_000), (1_000, 5_000)
INTERVAL = timedelta(seconds=30)
#: Backlog ticks at most (a database whose overdue backlog needs more is reported as not drained).
MAX_DRAIN_TICKS = 1_000
BUSY_TICKS = 3
PROBE = "SELECT case_id FROM case_watch WHERE next_alert_at <= ? ORDER BY next_alert_at LIMIT ?"


def database_file(cases: int) -> Path:
    return RESULTS / f"watcher_{cases}.db"


def _count(path: Path) -> int | None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    except sqlite3.Error:
        return None


def _seed_progress(total: int) -> Callable[[int, int], None]:
    last = [time.perf_counter()]

    def show(done: int, _total: int) -> None:
        if time.perf_counter() - last[0] >= 30:
            last[0] = time.perf_counter()
            print(f"… seeded {done:,} of {total:,}", file=sys.stderr, flush=True)

    return show


def ensure_database(cases: int) -> tuple[Path, dict[str, Any]]:
    """The pristine seeded file for ``cases``: reused when one of the right size exists, else seeded."""
    path = database_file(cases)
    if path.exists() and _count(path) == cases:
        return path, {"reused": True, "seconds": None}
    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    desk, admin = open_desk(f"sqlite:///{partial}", StepClock(START))
    started = time.perf_counter()
    try:
        seed_demo(desk, admin, count=cases, seed=1, progress=_seed_progress(cases))
    finally:
        desk.close()
    seconds = time.perf_counter() - started
    with closing(sqlite3.connect(partial)) as conn:  # one self-contained file to copy, no -wal beside it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    partial.replace(path)
    return path, {"reused": False, "seconds": rounded(seconds, 1)}


def _open_cases(path: Path) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT count(*) FROM cases WHERE status <> 'closed'").fetchone()[0])


def _probe_ms(path: Path, at: str) -> float:
    """The bare indexed probe a tick starts with, through sqlite3 (connection already open)."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(PROBE, (at, BATCH)).fetchall()  # warm the statement cache and pages
        started = time.perf_counter()
        conn.execute(PROBE, (at, BATCH)).fetchall()
        return (time.perf_counter() - started) * 1000


def _stored_instant(desk: services.Desk) -> str:
    """``now`` as storage writes instants into SQLite (naive UTC text), so the bare probe compares alike."""
    return desk.clock.now().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def measure(cases: int, repeat: int, folder: Path) -> dict[str, Any]:
    seeded, seeding = ensure_database(cases)
    path = folder / f"watcher_{cases}.db"
    shutil.copy(seeded, path)
    clock = StepClock(START)
    desk = services.Desk.open(f"sqlite:///{path}", clock=clock, node_id="bench")
    try:
        figures = ticks(desk, clock, lambda: _probe_ms(path, _stored_instant(desk)), repeat)
    finally:
        desk.close()
    return {"cases": cases, "open_cases": _open_cases(path), "seeding": seeding, **figures}


def ticks(
    desk: services.Desk, clock: StepClock, probe_ms: Callable[[], float], repeat: int
) -> dict[str, Any]:
    """Drain the backlog, then ``repeat`` steady ticks (each beside the bare probe) and the busy ticks."""
    drain_ticks, drain_alerts, drain_escalated = 0, 0, 0
    started = time.perf_counter()
    while drain_ticks < MAX_DRAIN_TICKS:
        result = watch_tick(desk)
        drain_ticks += 1
        drain_alerts += len(result.new_alerts)
        drain_escalated += len(result.escalated)
        if result.examined < BATCH:
            break
    drain_s = time.perf_counter() - started

    clock.advance(INTERVAL)
    watch_tick(desk)  # warm-up: statement caches and pages, as after the app's first minute
    steady, probes, examined, alerts = [], [], [], 0
    for _ in range(repeat):
        clock.advance(INTERVAL)
        probes.append(probe_ms())
        t0 = time.perf_counter()
        result = watch_tick(desk)
        steady.append((time.perf_counter() - t0) * 1000)
        examined.append(result.examined)
        alerts += len(result.new_alerts)
    busy, busy_examined = [], []
    for _ in range(BUSY_TICKS):
        clock.advance(timedelta(hours=1))
        t0 = time.perf_counter()
        result = watch_tick(desk)
        busy.append((time.perf_counter() - t0) * 1000)
        busy_examined.append(result.examined)
    tick_ms, probe = statistics.median(steady), statistics.median(probes)
    return {
        "backlog": {
            "ticks": drain_ticks,
            "seconds": rounded(drain_s, 2),
            "alerts": drain_alerts,
            "escalated": drain_escalated,
        },
        "tick_median_ms": rounded(tick_ms, 2),
        "tick_max_ms": rounded(max(steady), 2),
        "examined_per_tick": rounded(statistics.mean(examined), 1),
        "alerts_in_timed_ticks": alerts,
        "busy_tick_median_ms": rounded(statistics.median(busy), 2),
        "busy_examined_per_tick": rounded(statistics.mean(busy_examined), 1),
        "probe_median_ms": rounded(probe, 3),
        "ratio_to_probe": round(tick_ms / probe, 1) if probe > 0 else None,
    }


def run(quick: bool, repeat: int | None = None) -> dict[str, Any]:
    """Seed (or reuse) each size, then time the watcher's steady-state tick on a scratch copy."""
    sizes = QUICK_SIZES if quick else SIZES
    repeat = repeat or (10 if quick else 30)
    with tempfile.TemporaryDirectory(prefix="kesu_bench_watcher_") as tmp:
        rows = [measure(n, repeat, Path(tmp)) for n in sizes]
    smallest, largest = rows[0], rows[-1]
    return {
        "quick": quick,
        "repeat": repeat,
        "interval_s": INTERVAL.total_seconds(),
        "batch": BATCH,
        "sizes": rows,
        "ratio_largest_to_smallest": (
            round(largest["tick_median_ms"] / smallest["tick_median_ms"], 2)
            if smallest["tick_median_ms"] > 0
            else None
        ),
    }


def render(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    out = [
        f"Deadline watcher: one tick every {result['interval_s']:.0f} s, medians of {result['repeat']} ticks "
        f"after the backlog and one warm-up tick (SQLite)",
        "",
        "                                               steady tick (+30 s)                        "
        "busy tick (+1 h)",
        "   cases    open   backlog ticks/s/alerts   median ms   max ms   examined   bare probe ms   ratio"
        "   median ms   examined",
    ]
    for r in sizes:
        b = r["backlog"]
        backlog = f"{b['ticks']} / {b['seconds']} / {b['alerts']}"
        out.append(
            f"{r['cases']:>8,} {r['open_cases']:>7,}   {backlog:>22}   {r['tick_median_ms']:>9}  "
            f"{r['tick_max_ms']:>7}   {r['examined_per_tick']:>8}   {r['probe_median_ms']:>13}   "
            f"{r['ratio_to_probe']!s:>5}   {r['busy_tick_median_ms']:>9}   {r['busy_examined_per_tick']:>8}"
        )
    out += [
        "",
        f"tick {sizes[-1]['cases']:,} / {sizes[0]['cases']:,} cases: "
        f"{result['ratio_largest_to_smallest']} (steady tick; flat is 1)",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.watcher", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1,000 and 5,000 cases, fewer ticks")
    p.add_argument("--repeat", type=int, default=None, help="timed ticks per size (default 30, quick 10)")
    p.add_argument("--json", action="store_true", help="print the JSON result instead of the table")
    args = p.parse_args(argv)
    result = run(args.quick, args.repeat)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    (RESULTS / "watcher.json").write_text(text + "\n", encoding="utf-8")
    print(text if args.json else render(result), end="" if not args.json else "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
