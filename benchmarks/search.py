"""Search latency on a large database: ``services.list_cases`` with a search term, a filter, or both,
each against a bare SQL query of the same page.

The database is filled by ``seed_demo`` (so seeding throughput is measured on the way), or an already
seeded one is reused (``--sqlite-file``, ``--pg-url``: seeding a million cases takes longer than the
searches; it is migrated first, timed). Then:

* each kind of term a counter clerk types, alone: a one-character surname, a two-character word, a
  longer product phrase, the last four digits of a phone, a full case number;
* each filter the list offers (``CaseFilter``: status, priority, category, department, office, "mine",
  overdue), alone — for the coded ones both the commonest and the rarest value, and for the category
  also the one the word meets least, the case that made a common word with a filter slow;
* every term with every filter.

The bare side is the building block a naive implementation would use, straight through the driver:
the same filter and scope as SQL conditions, ``LIKE`` on the column the term lives in, newest fifty
first. Ratios are ours / bare in the same run; ``list_ratio`` compares a search with a filter to the
bare page of that filter alone (what the clerk had on screen before typing). ``python -m
benchmarks.search --help`` runs it alone.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.databases import (
    PASSWORD,
    START,
    StepClock,
    add_staff,
    open_desk,
    pg_admin_url,
    pg_scratch,
    sqlite_url,
)
from benchmarks.timing import median, p95, ratio, rounded, sample
from kesu_desktop import services
from kesu_desktop.devtools.demo_data import SEARCH_SAMPLES
from kesu_desktop.devtools.seed import default_workers, seed_demo
from kesu_desktop.domain.enums import Priority, Role, Status
from kesu_desktop.domain.errors import AuthenticationFailed
from kesu_desktop.services import Actor, CaseFilter, Desk

_COLUMNS = (
    "id, case_no, status, customer_name, phone, category, severity, priority, department_code, "
    "assignee, created_at, next_due_at"
)
CLERK = "bench_search"
#: Bare runs of a term with a filter: a naive LIKE over a filter the term never meets reads every
#: case, seconds at a million; three samples are enough for a reference point.
BARE_COMBINATION_REPEAT = 3


@dataclass(frozen=True)
class Term:
    label: str
    term: str
    column: str  # where the bare LIKE looks
    pattern: str  # the bare LIKE pattern


@dataclass(frozen=True)
class Filter:
    """One list filter: what ``CaseFilter`` gets, and the same as bare SQL conditions."""

    label: str
    fields: dict[str, Any]
    sql: list[str] = field(default_factory=list)  # with {p} for each placeholder
    params: list[Any] = field(default_factory=list)


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


class _Bare:
    """The driver connection of the bare side, with its placeholder."""

    def __init__(
        self, execute: Callable[[str, list[Any]], list[Any]], placeholder: str, dialect: str
    ) -> None:
        self.execute, self.placeholder, self.dialect = execute, placeholder, dialect

    def instant(self, at: datetime) -> Any:
        """A timestamp as the database holds it (SQLite: SQLAlchemy's naive UTC text)."""
        if self.dialect == "sqlite":
            return at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return at

    def page(self, actor: Actor, flt: Filter, term: Term | None) -> int:
        conditions = ["deleted_at IS NULL", "office_code = {p}", *flt.sql]
        params: list[Any] = [actor.office_code, *flt.params]
        if term is not None:
            conditions.append(f"{term.column} LIKE {{p}}")
            params.append(term.pattern)
        where = " AND ".join(conditions).format(p=self.placeholder)
        sql = f"SELECT {_COLUMNS} FROM cases WHERE {where} ORDER BY created_at DESC, id DESC LIMIT 50"
        return len(self.execute(sql, params))

    def counted(self, sql: str, params: list[Any]) -> list[Any]:
        return self.execute(sql.format(p=self.placeholder), params)


def filters(bare: _Bare, actor: Actor, now: datetime) -> list[Filter]:
    """Every filter of the list: coded ones at their commonest and rarest value in this database."""
    out: list[Filter] = []

    def extremes(column: str, label: str, key: str, convert: Callable[[str], Any]) -> None:
        counts = bare.counted(
            f"SELECT {column}, count(*) FROM cases WHERE office_code = {{p}} AND {column} IS NOT NULL "
            f"GROUP BY {column} ORDER BY count(*) DESC, {column}",
            [actor.office_code],
        )
        chosen = [counts[0], counts[-1]] if len(counts) > 1 else counts
        for value, n in chosen:
            out.append(
                Filter(f"{label}={value} ({n})", {key: convert(value)}, [f"{column} = {{p}}"], [value])
            )

    extremes("status", "status", "status", Status)
    extremes("priority", "priority", "priority", Priority)
    extremes("category", "category", "category", str)
    # The category the word meets least: 退款 is in none of the staff-attitude complaints.
    word = SEARCH_SAMPLES["word"]
    least = bare.counted(
        "SELECT category, count(*), sum(CASE WHEN description LIKE {p} THEN 1 ELSE 0 END) AS hits "
        "FROM cases WHERE office_code = {p} GROUP BY category ORDER BY hits, count(*) DESC, category",
        [f"%{word}%", actor.office_code],
    )
    if least:
        value, n, hits = least[0]
        label = f"category={value} ({n}, {hits} with {word})"
        if all(f.fields != {"category": value} for f in out):
            out.append(Filter(label, {"category": value}, ["category = {p}"], [value]))
    extremes("department_code", "department", "department", str)
    out.append(
        Filter(
            f"office={actor.office_code}",
            {"office": actor.office_code},
            ["office_code = {p}"],
            [actor.office_code],
        )
    )
    out.append(Filter("mine", {"assigned_to_me": True}, ["assignee_id = {p}"], [_driver_uuid(bare, actor)]))
    out.append(Filter("overdue", {"overdue": True}, ["next_due_at < {p}"], [bare.instant(now)]))
    return out


def _driver_uuid(bare: _Bare, actor: Actor) -> Any:
    return actor.id.hex if bare.dialect == "sqlite" else actor.id


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


def _timed(ours: Callable[[], Any], bare: Callable[[], int], repeat: int, bare_repeat: int) -> dict[str, Any]:
    mine, rows = sample(ours, repeat=repeat)
    theirs, bare_hits = sample(bare, repeat=bare_repeat, warmup=1)
    return {
        "hits": len(rows),
        "bare_hits": bare_hits,
        "median_ms": rounded(median(mine)),
        "p95_ms": rounded(p95(mine)),
        "bare_median_ms": rounded(median(theirs)),
        "ratio": ratio(median(mine), median(theirs)),
    }


def _measure(
    desk: Desk, actor: Actor, bare: _Bare, repeat: int, *, combinations: bool = True
) -> dict[str, list[dict[str, Any]]]:
    """Terms alone, filters alone, and (with ``combinations``) each term with each filter."""
    items, flts = terms(desk, actor), filters(bare, actor, desk.clock.now())
    everything = Filter("none", {})
    out: dict[str, list[dict[str, Any]]] = {"terms": [], "filters": [], "combinations": []}
    for t in items:
        flt = CaseFilter(search=t.term, limit=50)
        result = _timed(
            lambda flt=flt: services.list_cases(desk, actor, flt),
            lambda t=t: bare.page(actor, everything, t),
            repeat,
            repeat,
        )
        out["terms"].append({"label": t.label, "term": t.term, **result})
    lists: dict[str, float] = {}
    for f in flts:
        flt = CaseFilter(limit=50, **f.fields)
        result = _timed(
            lambda flt=flt: services.list_cases(desk, actor, flt),
            lambda f=f: bare.page(actor, f, None),
            repeat,
            repeat,
        )
        lists[f.label] = result["bare_median_ms"]
        out["filters"].append({"filter": f.label, **result})
    if not combinations:
        return out
    for f in flts:
        for t in items:
            flt = CaseFilter(search=t.term, limit=50, **f.fields)
            result = _timed(
                lambda flt=flt: services.list_cases(desk, actor, flt),
                lambda f=f, t=t: bare.page(actor, f, t),
                repeat,
                min(repeat, BARE_COMBINATION_REPEAT),
            )
            result["list_ratio"] = ratio(result["median_ms"], lists[f.label])
            out["combinations"].append({"filter": f.label, "label": t.label, "term": t.term, **result})
    return out


def _sqlite_bare(path: Path) -> tuple[_Bare, Callable[[], None]]:
    conn = sqlite3.connect(path)
    return _Bare(lambda sql, params: conn.execute(sql, params).fetchall(), "?", "sqlite"), conn.close


@contextmanager
def _open(url: str) -> Iterator[tuple[Desk, Actor]]:
    """A desk on an existing database (migrated if needed) and the benchmark's clerk."""
    desk = Desk.open(url, clock=StepClock(START), node_id="bench")
    try:
        try:
            clerk = services.get_actor(desk, CLERK)
        except AuthenticationFailed:  # a database seeded elsewhere: add the clerk
            clerk = add_staff(desk, services.login(desk, "admin", PASSWORD), CLERK, Role.SPECIALIST)
        yield desk, clerk
    finally:
        desk.close()


def sqlite_search(
    folder: Path, n: int, repeat: int, *, path: Path | None = None, combinations: bool = True
) -> dict[str, Any]:
    """Seed ``n`` cases in a new file in ``folder`` (or reuse the seeded file ``path``) and measure.

    Returns ``seeding`` (None when reused), ``terms`` (as before), ``filters`` and ``combinations``.
    """
    seeding = None
    if path is None:
        path = folder / "search.db"
        desk, admin = open_desk(sqlite_url(folder, "search.db"), StepClock(START))
        try:
            seeding = _seed(desk, admin, n)
            add_staff(desk, admin, CLERK, Role.SPECIALIST)
        finally:
            desk.close()
    migrate_s = _migration_seconds(f"sqlite:///{path}")
    with _open(f"sqlite:///{path}") as (desk, clerk):
        bare, close = _sqlite_bare(path)
        try:
            found = _measure(desk, clerk, bare, repeat, combinations=combinations)
        finally:
            close()
    return {"seeding": seeding, "migration_s": migrate_s, **found}


def postgresql_search(
    admin_url: str, n: int, repeat: int, *, url: str | None = None, combinations: bool = True
) -> dict[str, Any]:
    """As ``sqlite_search`` on a scratch PostgreSQL database, or on the seeded database ``url``."""
    if url is not None:
        return _pg_measure(url, None, repeat, combinations)
    with pg_scratch(admin_url, "search") as scratch:
        desk, admin = open_desk(scratch, StepClock(START))
        try:
            seeding = _seed(desk, admin, n)
            add_staff(desk, admin, CLERK, Role.SPECIALIST)
        finally:
            desk.close()
        return _pg_measure(scratch, seeding, repeat, combinations)


def _pg_measure(url: str, seeding: dict[str, Any] | None, repeat: int, combinations: bool) -> dict[str, Any]:
    migrate_s = _migration_seconds(url)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        # Autovacuum would have analysed a table this size within a minute; measure that steady state.
        conn.execute("ANALYZE")
        bare = _Bare(lambda sql, params: conn.execute(sql, params).fetchall(), "%s", "postgresql")
        with _open(url) as (desk, clerk):
            found = _measure(desk, clerk, bare, repeat, combinations=combinations)
    return {"seeding": seeding, "migration_s": migrate_s, **found}


def _migration_seconds(url: str) -> float | None:
    """Bring a reused database to this release's schema, timed (None when nothing was to do)."""
    from kesu_desktop.storage.database import Database
    from kesu_desktop.storage.migrate import upgrade

    db = Database(url)
    try:
        start = time.perf_counter()
        applied = upgrade(db)
        seconds = time.perf_counter() - start
    finally:
        db.dispose()
    return rounded(seconds, 1) if applied else None


# -- running it alone --------------------------------------------------------------------------------


def _table(rows: list[dict[str, Any]], keys: list[str]) -> str:
    lines = ["\t".join(keys)]
    lines += ["\t".join(str(r.get(k)) for k in keys) for r in rows]
    return "\n".join(lines)


def render(result: dict[str, Any]) -> str:
    out = []
    for db, found in result.items():
        if not found:
            continue
        out += [f"== {db}: seeding {found['seeding']}, migration {found['migration_s']} s", "-- terms"]
        out.append(_table(found["terms"], ["label", "hits", "median_ms", "bare_median_ms", "ratio"]))
        out += [
            "-- filters",
            _table(found["filters"], ["filter", "hits", "median_ms", "bare_median_ms", "ratio"]),
        ]
        if found["combinations"]:
            keys = ["filter", "label", "hits", "median_ms", "p95_ms", "bare_median_ms", "ratio", "list_ratio"]
            out += ["-- term with filter", _table(found["combinations"], keys)]
            slowest = max(found["combinations"], key=lambda r: r["median_ms"])
            out.append(f"slowest: {slowest['label']} with {slowest['filter']}: {slowest['median_ms']} ms")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.search", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--cases", type=int, default=20_000, help="cases to seed (ignored with --sqlite-file/--pg-url)"
    )
    p.add_argument("--repeat", type=int, default=5, help="timed runs of each search")
    p.add_argument(
        "--sqlite-file", type=Path, help="reuse this seeded SQLite file (migrated first if needed)"
    )
    p.add_argument("--pg-url", help="reuse this seeded PostgreSQL database (SQLAlchemy URL)")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--no-pg", action="store_true")
    p.add_argument("--no-combinations", action="store_true", help="terms and filters alone only")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    combinations = not args.no_combinations
    result: dict[str, Any] = {"sqlite": None, "postgresql": None}
    with tempfile.TemporaryDirectory(prefix="kesu_bench_") as tmp:
        if not args.no_sqlite:
            result["sqlite"] = sqlite_search(
                Path(tmp), args.cases, args.repeat, path=args.sqlite_file, combinations=combinations
            )
    if not args.no_pg:
        result["postgresql"] = postgresql_search(
            pg_admin_url(), args.cases, args.repeat, url=args.pg_url, combinations=combinations
        )
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
