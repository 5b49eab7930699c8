"""``python -m benchmarks.export``: exporting the case list to .xlsx against a bare openpyxl dump.

A scratch SQLite database (PostgreSQL too with ``--pg``, when it answers) is filled by ``seed_demo``
(the bulk write path), then, alternating, medians of ``--repeat`` runs of:

- **ours**: ``services.export_cases`` of every case to .xlsx as a manager (scope, filter, streaming from
  the database, names for codes, local times, phone masking, defanging, temporary file and rename, the
  ``admin_changes`` record);
- **bare**: the same rows, already fetched into memory as tuples of the very cell values, appended to an
  openpyxl write-only sheet and saved: the floor any streaming .xlsx export pays.

The issue's aim: ``ratio`` (ours / bare) at most 1.5 for 100 000 cases. The .csv export is timed as well
for reference (no bare side: writing CSV is not where the time goes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.databases import (
    START,
    StepClock,
    add_staff,
    open_desk,
    pg_admin_url,
    pg_reachable,
    pg_scratch,
)
from benchmarks.databases import sqlite_url as sqlite_file_url
from kesu_desktop import services
from kesu_desktop.devtools.seed import default_workers, seed_demo
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import CaseFilter, Desk
from kesu_desktop.services import exports as export_module
from kesu_desktop.storage.models import Case

DEFAULT_CASES = 5_000
#: The issue's bound on ours / bare.
BUDGET_RATIO = 1.5


def _median_ms(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def in_memory_rows(desk: Desk, actor: services.Actor) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The header and every row exactly as the export writes them, fetched into memory beforehand."""
    with desk.db.read() as session:
        shaper = export_module._Shaper(session, actor)
        query = select(*export_module._COLUMNS).order_by(Case.created_at.desc(), Case.id.desc())
        rows = [tuple(shaper.row(r)) for r in session.execute(query)]
    return export_module._headers(), rows


def bare_dump(path: Path, header: list[str], rows: list[tuple[Any, ...]]) -> None:
    """openpyxl's write-only mode at its plainest: append the tuples, save."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def measure(desk: Desk, admin: services.Actor, folder: Path, cases: int, repeat: int) -> dict[str, Any]:
    manager = add_staff(desk, admin, "bench_export", Role.MANAGER)
    started = time.perf_counter()
    seed_demo(desk, admin, count=cases, seed=1)
    seeding_s = time.perf_counter() - started
    header, rows = in_memory_rows(desk, manager)
    ours_xlsx, bare, ours_csv = [], [], []
    result = None
    for n in range(repeat):  # alternating, so a slow spell of the machine hits both sides alike
        target = folder / f"ours{n}.xlsx"
        started = time.perf_counter()
        result = services.export_cases(desk, manager, CaseFilter(), target)
        ours_xlsx.append((time.perf_counter() - started) * 1000)
        bare_path = folder / f"bare{n}.xlsx"
        bare.append(_median_ms(lambda p=bare_path: bare_dump(p, header, rows)))
        ours_csv.append(
            _median_ms(lambda n=n: services.export_cases(desk, manager, CaseFilter(), folder / f"o{n}.csv"))
        )
    assert result is not None and result.rows == len(rows) == cases, "the export and the seed disagree"
    ours_ms, bare_ms = statistics.median(ours_xlsx), statistics.median(bare)
    return {
        "cases": cases,
        "seeding_s": round(seeding_s, 1),
        "seeding_workers": default_workers(cases, desk.db.kind),
        "export_xlsx_ms": round(ours_ms, 1),
        "bare_openpyxl_ms": round(bare_ms, 1),
        "ratio": round(ours_ms / bare_ms, 2) if bare_ms else None,
        "within_budget": bool(bare_ms) and ours_ms / bare_ms <= BUDGET_RATIO,
        "export_csv_ms": round(statistics.median(ours_csv), 1),
        "xlsx_kb": round((folder / "ours0.xlsx").stat().st_size / 1024),
        "rows_per_s": round(cases / (ours_ms / 1000)) if ours_ms else None,
        "samples": {"export_xlsx_ms": [round(s) for s in ours_xlsx], "bare_ms": [round(s) for s in bare]},
    }


def run(cases: int, repeat: int, pg: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"budget_ratio": BUDGET_RATIO, "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="kesu-bench-export-") as scratch:
        folder = Path(scratch)
        desk, admin = open_desk(sqlite_file_url(folder, "export.db"), StepClock(START))
        try:
            out["sqlite"] = measure(desk, admin, folder, cases, repeat)
        finally:
            desk.close()
        if pg:
            admin_url = pg_admin_url()
            if pg_reachable(admin_url) is None:
                out["postgresql"] = None
            else:
                with pg_scratch(admin_url, "export") as url:
                    desk, admin = open_desk(url, StepClock(START))
                    try:
                        out["postgresql"] = measure(desk, admin, folder, cases, repeat)
                    finally:
                        desk.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.export", description=__doc__.splitlines()[0])
    p.add_argument(
        "--cases", type=int, default=DEFAULT_CASES, help=f"cases seeded (default {DEFAULT_CASES:,})"
    )
    p.add_argument("--repeat", type=int, default=3, help="timed runs of each side (the median is reported)")
    p.add_argument("--pg", action="store_true", help="also on a scratch PostgreSQL database (KESU_BENCH_PG)")
    args = p.parse_args(argv)
    json.dump(run(args.cases, args.repeat, args.pg), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
