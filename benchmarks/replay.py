"""Registration's own SQL, replayed through bare sqlite3: how much of a registration is the database.

``benchmarks/registration.py`` compares ``register_case`` with one bare INSERT + COMMIT. That ratio
mixes two costs: the statements a registration must send (the case, its event, the search index, the
watch row, the serial, the chain head, the sync feed, and the indexes behind them) and the Python
that decides and sends them (validation, the rules, the ORM, the view returned). This splits them:
every statement of each timed registration is captured (``before_cursor_execute``) and then replayed,
in the same order and transaction, through a plain ``sqlite3`` connection on a copy of the file as it
was before them. The replay is what the database alone costs, so ``ours / replay`` is what the
application's code adds, and ``replay / bare`` is the floor no rewrite of that code can go under.

``python -m benchmarks.replay [--warm N] [--timed N]`` prints the JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks import registration
from benchmarks.databases import START, StepClock, add_staff, open_desk, sqlite_url
from benchmarks.timing import median, ratio, rounded
from kesu_desktop import services
from kesu_desktop.domain.enums import Role

_TRANSACTION = ("BEGIN", "COMMIT", "ROLLBACK")

Statements = list[tuple[str, Any, bool]]


def _copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")


def _count_cases(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])


def _replay(path: Path, registrations: list[Statements]) -> list[float]:
    """Each registration's statements in one transaction of a bare connection; ms per registration."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # as the application's engine
        samples = []
        for statements in registrations:
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            for sql, params, many in statements:
                if not sql.lstrip().upper().startswith(_TRANSACTION):
                    (conn.executemany if many else conn.execute)(sql, params)
            conn.execute("COMMIT")
            samples.append((time.perf_counter() - start) * 1000)
        return samples
    finally:
        conn.close()


def replay(folder: Path, warm: int = 200, timed: int = 300) -> dict[str, Any]:
    """``warm`` registrations untimed, then ``timed`` ones captured and replayed; the three figures."""
    complaints = registration.payloads(warm + timed)
    clock = StepClock(START)
    path = folder / "replay.db"
    desk, admin = open_desk(sqlite_url(folder, path.name), clock)
    try:
        clerk = add_staff(desk, admin, "bench_front", Role.FRONT_DESK)
        registration.register_timed(desk, clerk, clock, complaints[:warm])
        copy = folder / "replay_copy.db"
        _copy_database(path, copy)
        captured: list[Statements] = []

        def capture(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool) -> None:
            captured[-1].append((sql, params, many))

        event.listen(desk.db.engine, "before_cursor_execute", capture)
        ours = []
        for c in complaints[warm:]:
            clock.advance(registration.GAP)
            captured.append([])
            start = time.perf_counter()
            services.register_case(desk, clerk, registration.registration_data(c))
            ours.append((time.perf_counter() - start) * 1000)
        event.remove(desk.db.engine, "before_cursor_execute", capture)
    finally:
        desk.close()
    replayed = _replay(copy, captured)
    cases = [_count_cases(f) for f in (path, copy)]
    bare = registration.bare_sqlite_inserts(folder / "bare_replay.db", complaints[warm:])
    ours_mean, replay_mean, bare_mean = (sum(s) / len(s) for s in (ours, replayed, bare))
    return {
        "n": timed,
        # the replay is faithful when it leaves the copy with the cases the real run made
        "cases": cases[0],
        "cases_after_replay": cases[1],
        "statements_median": median([float(len(s)) for s in captured]),
        "statements_max": max(len(s) for s in captured),
        "kesu_mean_ms": rounded(ours_mean),
        "kesu_p50_ms": rounded(median(ours)),
        "replay_mean_ms": rounded(replay_mean),
        "replay_p50_ms": rounded(median(replayed)),
        "bare_mean_ms": rounded(bare_mean),
        "bare_p50_ms": rounded(median(bare)),
        "kesu_over_replay": ratio(ours_mean, replay_mean),
        "replay_over_bare": ratio(replay_mean, bare_mean),
        "kesu_over_bare": ratio(ours_mean, bare_mean),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.replay", description=__doc__)
    p.add_argument("--warm", type=int, default=200, help="registrations before the timed ones")
    p.add_argument("--timed", type=int, default=300, help="registrations timed, captured and replayed")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kesu_replay_") as tmp:
        print(json.dumps(replay(Path(tmp), args.warm, args.timed), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
