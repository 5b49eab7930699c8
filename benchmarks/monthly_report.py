"""``python -m benchmarks.monthly_report``: the monthly analysis report over a seeded database.

Times, medians of ``--repeat`` runs on the same reusable seeded SQLite file as ``benchmarks.gui_list``
(a year of demo cases at one office, worked through the workflow): the report's figures
(``services.monthly_report``), its PDF, the staff figures, and — as the raw building block in the same
run — one bare ``sqlite3`` GROUP BY of the month's cases by category. The issue's aim: the report over
100k cases in under 5 s.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.databases import PASSWORD, StepClock, add_staff
from benchmarks.gui_list import START, ensure_database
from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import AuthenticationFailed
from kesu_desktop.printing.report import monthly_report_pdf
from kesu_desktop.services import Desk
from kesu_desktop.storage.database import Database

MONTH = "2026-10"  # a whole month inside the seeded year (the seed ends on 2026-11-23)
MANAGER = "bench_manager"


def _median_ms(fn: Any, repeat: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1), result


def _bare_group_by(path: str) -> list[tuple[str, int]]:
    tz = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 10, 1, tzinfo=tz).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    end = datetime(2026, 11, 1, tzinfo=tz).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT category, count(*) FROM cases WHERE created_at >= ? AND created_at < ? GROUP BY category",
            (start, end),
        ).fetchall()


def run(cases: int, repeat: int) -> dict[str, Any]:
    path, seeding = ensure_database(cases)
    desk = Desk(db=Database(f"sqlite:///{path}"), clock=StepClock(START), node_id="bench-report")
    try:
        try:
            manager = services.get_actor(desk, MANAGER)
        except AuthenticationFailed:
            manager = add_staff(desk, services.login(desk, "admin", PASSWORD), MANAGER, Role.MANAGER)
        figures_ms, figures = _median_ms(lambda: services.monthly_report(desk, manager, MONTH), repeat)
        pdf_ms, (pdf, pages) = _median_ms(lambda: monthly_report_pdf(figures, "bench"), repeat)
        staff_ms, _staff = _median_ms(lambda: services.staff_figures(desk, manager, MONTH), repeat)
        bare_ms, bare = _median_ms(lambda: _bare_group_by(str(path)), repeat)
        assert dict(bare) == figures.by_category, "the bare count and the report disagree"
    finally:
        desk.close()
    return {
        "cases": cases,
        "seeding": seeding,
        "month": MONTH,
        "month_cases": figures.total,
        "figures_ms": figures_ms,
        "pdf_ms": pdf_ms,
        "pdf_pages": pages,
        "pdf_bytes": len(pdf),
        "report_total_ms": round(figures_ms + pdf_ms, 1),
        "staff_ms": staff_ms,
        "bare_group_by_ms": bare_ms,
        "figures_to_bare": round(figures_ms / bare_ms, 1) if bare_ms else None,
        "repeat": repeat,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.monthly_report", description=__doc__)
    p.add_argument("--cases", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    result = run(args.cases, args.repeat)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
