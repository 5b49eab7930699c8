"""Search latency on a large database: ``services.list_cases`` with a search term against a bare LIKE scan.

The database is filled by ``seed_demo`` (so seeding throughput is measured on the way), then each
kind of term a counter clerk types is searched many times: a one-character surname, a two-character
word, a longer product phrase, the last four digits of a phone, a full case number. The bare side is
the building block a naive implementation would use: ``LIKE`` on the column the term lives in, newest
fifty first.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.databases import START, StepClock, add_staff, open_desk, pg_scratch, sqlite_url
from benchmarks.timing import median, p95, ratio, rounded, sample
from kesu_desktop import services
from kesu_desktop.devtools.demo_data import SEARCH_SAMPLES
from kesu_desktop.devtools.seed import default_workers, seed_demo
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Actor, CaseFilter, Desk

_SELECT = (
    "SELECT id, case_no, status, customer_name, phone, category, severity, priority, department_code, "
    "assignee, created_at, next_due_at FROM cases WHERE {column} LIKE {placeholder} "
    "ORDER BY created_at DESC LIMIT 50"
)


@dataclass(frozen=True)
class Term:
    label: str
    term: str
    column: str  # where the bare LIKE looks
    pattern: str  # the bare LIKE pattern


def terms(desk: Desk, actor: Actor) -> list[Term]:
    """The five kinds of search, with the phone and case number taken from a real row mid-list."""
    rows = services.list_cases(desk, actor, CaseFilter(limit=1000))
    pick = rows[len(rows) // 2]
    last4 = pick.phone[-4:]
    return [
        Term(
            "1 char (surname)", SEARCH_SAMPLES["surname"], "customer_name", f"%{SEARCH_SAMPLES['surname']}%"
        ),
        Term("2 chars", SEARCH_SAMPLES["word"], "description", f"%{SEARCH_SAMPLES['word']}%"),
        Term("4+ chars (product)", SEARCH_SAMPLES["phrase"], "description", f"%{SEARCH_SAMPLES['phrase']}%"),
        Term("phone last 4", last4, "phone", f"%{last4}"),
        Term("case number", pick.case_no, "case_no", f"{pick.case_no}%"),
    ]


def _seed(desk: Desk, admin: Actor, n: int) -> dict[str, Any]:
    start = time.perf_counter()
    made = seed_demo(desk, admin, count=n, seed=1)
    seconds = time.perf_counter() - start
    return {
        "cases": made,
        "seconds": rounded(seconds, 2),
        "cases_per_s": round(made / seconds),
        "workers": default_workers(n, desk.db.kind),
    }


def _measure(
    desk: Desk, actor: Actor, items: list[Term], bare: Callable[[Term], int], repeat: int
) -> list[dict[str, Any]]:
    results = []
    for t in items:
        flt = CaseFilter(search=t.term, limit=50)
        ours, rows = sample(lambda flt=flt: services.list_cases(desk, actor, flt), repeat=repeat)
        theirs, bare_hits = sample(lambda t=t: bare(t), repeat=repeat)
        results.append(
            {
                "label": t.label,
                "term": t.term,
                "hits": len(rows),
                "bare_hits": bare_hits,
                "median_ms": rounded(median(ours)),
                "p95_ms": rounded(p95(ours)),
                "bare_median_ms": rounded(median(theirs)),
                "bare_p95_ms": rounded(p95(theirs)),
                "ratio": ratio(median(ours), median(theirs)),
            }
        )
    return results


def sqlite_search(folder: Path, n: int, repeat: int) -> dict[str, Any]:
    url = sqlite_url(folder, "search.db")
    desk, admin = open_desk(url, StepClock(START))
    try:
        seeding = _seed(desk, admin, n)
        clerk = add_staff(desk, admin, "bench_search", Role.SPECIALIST)
        items = terms(desk, clerk)
        conn = sqlite3.connect(folder / "search.db")
        try:

            def bare(t: Term) -> int:
                sql = _SELECT.format(column=t.column, placeholder="?")
                return len(conn.execute(sql, (t.pattern,)).fetchall())

            results = _measure(desk, clerk, items, bare, repeat)
        finally:
            conn.close()
    finally:
        desk.close()
    return {"seeding": seeding, "terms": results}


def postgresql_search(admin_url: str, n: int, repeat: int) -> dict[str, Any]:
    with pg_scratch(admin_url, "search") as url:
        desk, admin = open_desk(url, StepClock(START))
        try:
            seeding = _seed(desk, admin, n)
            with psycopg.connect(url, autocommit=True) as conn:
                # Autovacuum would have analysed a table this size within a minute; measure that steady state.
                conn.execute("ANALYZE")

                def bare(t: Term) -> int:
                    sql = _SELECT.format(column=t.column, placeholder="%s")
                    return len(conn.execute(sql, (t.pattern,)).fetchall())

                clerk = add_staff(desk, admin, "bench_search", Role.SPECIALIST)
                results = _measure(desk, clerk, terms(desk, clerk), bare, repeat)
        finally:
            desk.close()
    return {"seeding": seeding, "terms": results}
