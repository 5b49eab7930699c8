"""``python -m benchmarks.sync``: N events branch → central and back, and a bundle of them, against
``COPY`` of the same event rows into PostgreSQL in the same run.

What is timed:

- **push**: ``sync_now`` on a SQLite branch holding N freshly seeded events (its own), all new to the
  central: batches read from the branch feed, validated, applied on the central through the office's
  role (cases re-projected, feed entries written), checkpoints on both sides, the final digest check;
- **pull**: a second, empty SQLite branch created for the office (``init_branch``), which pulls all
  N events back (reference data included: a few dozen rows);
- **bundle**: the central's full export of the office to a file, and a new branch made from it
  (``init_from_bundle``);
- **copy**: the raw building block, ``COPY case_events`` of the same rows into an empty table of the
  same shape (median of three).

The ratio printed is ours / COPY in rows per second (the issue aims at ≥ ⅓ for push and pull).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import func, select

from benchmarks.databases import PASSWORD, START, StepClock, open_desk, pg_admin_url, pg_scratch
from benchmarks.timing import median
from kesu_desktop import services
from kesu_desktop.devtools.seed import seed_demo
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Desk
from kesu_desktop.services.offices import add_office
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.storage.models import CaseEvent
from kesu_desktop.sync.branch import init_branch
from kesu_desktop.sync.bundle import export_bundle, init_from_bundle
from kesu_desktop.sync.network import sync_now

OFFICE = "SB01"


def _branch(folder: Path, name: str, clock: StepClock) -> Desk:
    desk = Desk(db=Database(f"sqlite:///{folder / name}"), clock=clock, node_id=f"bench-{name}")
    upgrade(desk.db)
    return desk


def _events(desk: Desk) -> int:
    with desk.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(CaseEvent)) or 0)


def _copy_rows_per_s(url: str, repeat: int = 3) -> tuple[float, int]:
    """COPY the central's case_events rows into an empty table of the same shape; median rows/s."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn:
        rows = [
            tuple(Jsonb(v) if isinstance(v, dict) else v for v in row)
            for row in conn.execute("SELECT * FROM case_events").fetchall()
        ]
        columns = [d.name for d in conn.execute("SELECT * FROM case_events LIMIT 0").description]
    rates = []
    for _ in range(repeat):
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS bench_copy")
            conn.execute("CREATE TABLE bench_copy (LIKE case_events INCLUDING ALL)")
            start = time.perf_counter()
            statement = f"COPY bench_copy ({', '.join(columns)}) FROM STDIN"
            with conn.transaction(), conn.cursor() as cur, cur.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            elapsed = time.perf_counter() - start
            conn.execute("DROP TABLE bench_copy")
        rates.append(len(rows) / elapsed)
    return median(rates), len(rows)


def run(events: int) -> dict[str, Any]:
    clock = StepClock(START)
    with tempfile.TemporaryDirectory() as tmp, pg_scratch(pg_admin_url(), "sync") as central_url:
        folder = Path(tmp)
        central, admin = open_desk(central_url, clock)
        add_office(central, admin, OFFICE, "基准分部")
        services.add_user(
            central, admin, username="lead", password=PASSWORD, role=Role.SUPERVISOR, office_code=OFFICE
        )
        central.close()
        first = _branch(folder, "a.db", clock)
        init_branch(first, central_url, OFFICE, "admin", PASSWORD)
        lead = services.login(first, "lead", PASSWORD)
        clock.advance(timedelta(days=1))
        seed_demo(first, lead, count=max(1, events // 6), workers=0)  # about six events a case
        seeded = _events(first)

        start = time.perf_counter()
        pushed = sync_now(first, lead)
        push_s = time.perf_counter() - start
        first.close()

        second = _branch(folder, "b.db", clock)
        start = time.perf_counter()
        pulled = init_branch(second, central_url, OFFICE, "admin", PASSWORD).report
        pull_s = time.perf_counter() - start
        second.close()

        central = Desk.open(central_url, clock=clock, node_id="bench-central")
        admin = services.login(central, "admin", PASSWORD)
        bundle = folder / "office.kesu"
        start = time.perf_counter()
        exported = export_bundle(central, admin, bundle, office=OFFICE)
        export_s = time.perf_counter() - start
        central.close()
        third = _branch(folder, "c.db", clock)
        start = time.perf_counter()
        imported = init_from_bundle(third, bundle, OFFICE, "admin", PASSWORD)
        import_s = time.perf_counter() - start
        third.close()
        bundle_bytes = bundle.stat().st_size

        copy_rate, copy_rows = _copy_rows_per_s(central_url)

    push_rate = seeded / push_s
    pull_rate = pulled.local_events / pull_s
    return {
        "events": seeded,
        "push": {"seconds": round(push_s, 2), "rows_per_s": round(push_rate), "agree": pushed.agree},
        "pull": {"seconds": round(pull_s, 2), "rows_per_s": round(pull_rate), "agree": pulled.agree},
        "bundle": {
            "bytes": bundle_bytes,
            "rows": exported.items,
            "export_seconds": round(export_s, 2),
            "import_seconds": round(import_s, 2),
            "events": imported.applied_events,
        },
        "copy": {"rows": copy_rows, "rows_per_s": round(copy_rate)},
        "push_vs_copy": round(push_rate / copy_rate, 3),
        "pull_vs_copy": round(pull_rate / copy_rate, 3),
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.sync", description=__doc__)
    p.add_argument("--events", type=int, default=100_000, help="events on the branch (100000)")
    args = p.parse_args(argv)
    print(json.dumps(run(args.events), indent=1))


if __name__ == "__main__":
    main()
