"""Growth: every figure of a counter's day at two sizes of one database, so what grows with it shows.

``python -m benchmarks --scale 1000000`` is the overnight run: one SQLite file and one PostgreSQL
database (when it answers) are seeded through the bulk write path (``seed_demo``) to a tenth of the
scale, measured, seeded on to the full scale and measured again — 100k and 1M. ``--scale N --quick``
is the variant CI runs (``--scale 10000 --quick``: 1k and 10k, fewer repeats, a few minutes).

At each size, against the bare building block in the same run (the ratio) and against the smaller
size (the growth, ours at the larger size over ours at the smaller; flat is 1):

* registration: ``register_case`` one by one against a bare INSERT + COMMIT of one full case row;
* the list's first page, every filter, each kind of search term alone and with every filter:
  ``list_cases`` against the same page as plain SQL (``benchmarks.search``);
* the deadline watcher's steady tick against its own indexed probe (``benchmarks.watcher``);
* the case list's first painted page, offscreen, against an empty table painted
  (``benchmarks.gui_list``);
* a receipt (``issue_document``) against the same texts as plain ReportLab paragraphs, and a batch of
  case records (``print_batch``) against one plain document of the same texts
  (``benchmarks.printing``).

Each size's registrations and prints add to the database, as a counter's day would.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import registration, search, watcher
from benchmarks.databases import START, StepClock, add_staff, open_desk, pg_scratch, sqlite_url
from benchmarks.timing import median, ratio, rounded, sample
from kesu_desktop import services
from kesu_desktop.devtools.seed import default_workers, seed_demo
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Actor, CaseFilter, Desk
from kesu_desktop.services.watch import BATCH


@dataclass(frozen=True)
class Sizes:
    """How much each size measures: the full run and the quick one CI makes."""

    registrations: int
    repeat: int
    ticks: int
    gui_repeat: int
    letters: int
    batch: int
    #: Untimed registrations before the timed ones (see ``_registration``): enough to meet every category.
    catch_up: int


FULL = Sizes(registrations=200, repeat=7, ticks=15, gui_repeat=5, letters=20, batch=500, catch_up=80)
QUICK = Sizes(registrations=40, repeat=3, ticks=5, gui_repeat=2, letters=5, batch=20, catch_up=20)
#: Receipts printed before the timed ones (fonts, certificate, statement caches).
WARM_LETTERS = 2


@dataclass
class Bench:
    """One database under test: its desk, clock, staff, and the bare connection beside it."""

    kind: str
    url: str
    folder: Path
    desk: Desk
    clock: StepClock
    admin: Actor
    clerk: Actor
    front: Actor
    supervisor: Actor
    bare: search._Bare
    probe_ms: Callable[[], float]
    #: Run after each load: on PostgreSQL, what autovacuum would have done within a minute of it.
    after_load: Callable[[], None] = lambda: None
    seeded: int = 0
    printed: int = 0


def steps(scale: int) -> list[int]:
    """A tenth of the scale, then the scale (the 100k and 1M of the overnight run)."""
    return [max(scale // 10, 1), scale]


def _progress(what: str) -> None:
    print(f"… {what}", file=sys.stderr, flush=True)


@contextmanager
def _sqlite_bench(folder: Path) -> Iterator[Bench]:
    path = folder / "scale.db"
    clock = StepClock(START)
    desk, admin = open_desk(sqlite_url(folder, path.name), clock)
    conn = sqlite3.connect(path)
    try:
        bare = search._Bare(lambda sql, params: conn.execute(sql, params).fetchall(), "?", "sqlite")

        def probe() -> float:
            return watcher._probe_ms(path, watcher._stored_instant(desk))

        yield _bench("sqlite", f"sqlite:///{path}", folder, desk, clock, admin, bare, probe)
    finally:
        conn.close()
        desk.close()


@contextmanager
def _pg_bench(admin_url: str, folder: Path) -> Iterator[Bench]:
    with pg_scratch(admin_url, "scale") as url:
        clock = StepClock(START)
        desk, admin = open_desk(url, clock)
        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        try:
            bare = search._Bare(lambda sql, params: conn.execute(sql, params).fetchall(), "%s", "postgresql")

            def probe() -> float:
                sql = watcher.PROBE.replace("?", "%s")
                params = (desk.clock.now(), BATCH)
                conn.execute(sql, params).fetchall()
                started = time.perf_counter()
                conn.execute(sql, params).fetchall()
                return (time.perf_counter() - started) * 1000

            bench = _bench("postgresql", url, folder, desk, clock, admin, bare, probe)
            bench.after_load = lambda: conn.execute("ANALYZE") and None
            yield bench
        finally:
            conn.close()
            desk.close()


def _bench(
    kind: str,
    url: str,
    folder: Path,
    desk: Desk,
    clock: StepClock,
    admin: Actor,
    bare: search._Bare,
    probe: Callable[[], float],
) -> Bench:
    return Bench(
        kind=kind,
        url=url,
        folder=folder,
        desk=desk,
        clock=clock,
        admin=admin,
        clerk=add_staff(desk, admin, search.CLERK, Role.SPECIALIST),
        front=add_staff(desk, admin, "bench_scale_front", Role.FRONT_DESK),
        supervisor=add_staff(desk, admin, "bench_scale_lead", Role.SUPERVISOR),
        bare=bare,
        probe_ms=probe,
    )


# -- the figures at one size ------------------------------------------------------------------------


def _seed_to(b: Bench, size: int) -> dict[str, Any]:
    """Seed on to ``size`` cases in all (what this size's measurements added counts too)."""
    have = int(b.bare.counted("SELECT count(*) FROM cases", [])[0][0])
    more = max(size - have, 0)
    _progress(f"{b.kind}: seeding {more:,} cases to reach {size:,}")
    started = time.perf_counter()
    made = seed_demo(b.desk, b.admin, count=more, seed=size) if more else 0
    seconds = time.perf_counter() - started
    b.after_load()
    b.seeded += made
    return {
        "cases": made,
        "seconds": rounded(seconds, 2),
        "cases_per_s": round(made / seconds) if made else None,
        "workers": default_workers(more, b.desk.db.kind) if more else 0,
    }


def _registration(b: Bench, n: int, catch_up: int, size: int) -> dict[str, Any]:
    """Timed after an untimed catch-up: the seeded cases never went through the mass-complaint rule
    (seeding bypasses it, as a legacy import does), so the first general complaint of each category
    finds every general case of its week ungrouped and raises them all, once. A database that grew
    by registration never holds more than the rule's count of them; the steady state is the figure,
    the catch-up is reported beside it."""
    started = time.perf_counter()
    registration.register_timed(b.desk, b.front, b.clock, registration.payloads(catch_up, seed=size + 1))
    catch_up_s = time.perf_counter() - started
    complaints = registration.payloads(n, seed=size)
    ours = registration.register_timed(b.desk, b.front, b.clock, complaints)
    if b.kind == "sqlite":
        bare = registration.bare_sqlite_inserts(b.folder / "bare_register.db", complaints)
    else:
        bare = registration.bare_pg_inserts(b.url, complaints)
    return {**registration.summary(ours, bare), "catch_up": catch_up, "catch_up_s": rounded(catch_up_s, 2)}


def _first_page(b: Bench, repeat: int) -> dict[str, Any]:
    everything = search.Filter("none", {})
    mine, rows = sample(lambda: services.list_cases(b.desk, b.clerk, CaseFilter(limit=50)), repeat=repeat)
    theirs, hits = sample(lambda: b.bare.page(b.clerk, everything, None), repeat=repeat)
    return {
        "hits": len(rows),
        "bare_hits": hits,
        "median_ms": rounded(median(mine)),
        "bare_median_ms": rounded(median(theirs)),
        "ratio": ratio(median(mine), median(theirs)),
    }


def _gui_first_page(b: Bench, repeat: int) -> dict[str, Any]:
    from benchmarks import gui_list  # Qt, offscreen: only when this figure is measured
    from kesu_desktop.ui.base import fonts

    app = gui_list.QApplication.instance() or gui_list.QApplication([])
    fonts.register_bundled_font(app)
    return gui_list.startup(b.desk, b.clerk, repeat)


def _unprinted_cases(b: Bench, n: int) -> list[str]:
    """``n`` case numbers from the middle of the database that no earlier figure printed."""
    offset = b.printed + (b.seeded // 2)
    rows = b.bare.counted(
        "SELECT case_no FROM cases WHERE office_code = {p} ORDER BY id LIMIT {p} OFFSET {p}",
        [b.admin.office_code, n, offset],
    )
    b.printed += n
    return [row[0] for row in rows]


def _printing(b: Bench, s: Sizes) -> dict[str, Any]:
    from benchmarks import printing
    from kesu_desktop.printing import certificates

    certificates.signing_identity(b.desk)  # every desk has made it by its second print; untimed
    cases = _unprinted_cases(b, WARM_LETTERS + s.letters + s.batch)
    warm, letters, batch = (
        cases[:WARM_LETTERS],
        cases[WARM_LETTERS : WARM_LETTERS + s.letters],
        cases[WARM_LETTERS + s.letters :],
    )
    return {
        "letters": printing.letters_after_warmup(b.desk, b.front, b.clock, warm, letters),
        "batch": printing.batch_of_records(b.desk, b.supervisor, b.clock, batch),
    }


def measure_size(b: Bench, size: int, s: Sizes) -> dict[str, Any]:
    """Every figure at this size, after seeding on to it."""
    out: dict[str, Any] = {"seeding": _seed_to(b, size)}
    out["cases"] = int(b.bare.counted("SELECT count(*) FROM cases", [])[0][0])
    _progress(f"{b.kind} at {size:,}: registration, list, filters and search")
    out["registration"] = _registration(b, s.registrations, s.catch_up, size)
    out["first_page"] = _first_page(b, s.repeat)
    out["search"] = search._measure(b.desk, b.clerk, b.bare, s.repeat)
    _progress(f"{b.kind} at {size:,}: watcher tick, painted first page, printing")
    out["watcher"] = watcher.ticks(b.desk, b.clock, b.probe_ms, s.ticks)
    out["gui_first_page"] = _gui_first_page(b, s.gui_repeat)
    out["printing"] = _printing(b, s)
    return out


def run_database(bench: Bench, scale: int, s: Sizes) -> dict[str, Any]:
    return {str(size): measure_size(bench, size, s) for size in steps(scale)}


def run(scale: int, *, quick: bool, folder: Path, pg_url: str | None, sqlite: bool = True) -> dict[str, Any]:
    """SQLite (unless not ``sqlite``) and PostgreSQL (when ``pg_url``), every figure at each of
    ``steps(scale)``."""
    s = QUICK if quick else FULL
    out: dict[str, Any] = {"steps": steps(scale), "sizes": vars(s)}
    if sqlite:
        with _sqlite_bench(folder) as bench:
            out["sqlite"] = run_database(bench, scale, s)
    if pg_url:
        with _pg_bench(pg_url, folder) as bench:
            out["postgresql"] = run_database(bench, scale, s)
    return out


# -- the growth table --------------------------------------------------------------------------------


def figures(at: dict[str, Any]) -> list[tuple[str, float | None, float | None]]:
    """Every figure at one size as (label, ours ms, bare ms), in the order the report shows them."""
    reg, page = at["registration"], at["first_page"]
    rows: list[tuple[str, float | None, float | None]] = [
        ("register_case p50", reg["kesu_p50_ms"], reg["bare_p50_ms"]),
        ("register_case mean", reg["kesu_ms_per_op"], reg["bare_ms_per_op"]),
        ("list: first page", page["median_ms"], page["bare_median_ms"]),
    ]
    found = at["search"]
    rows += [(f"filter {f['filter']}", f["median_ms"], f["bare_median_ms"]) for f in found["filters"]]
    rows += [(f"search {t['label']}", t["median_ms"], t["bare_median_ms"]) for t in found["terms"]]
    combos = found["combinations"]
    if combos:
        worst = max(combos, key=lambda c: c["median_ms"])
        rows.append(
            (
                f"slowest term+filter: {worst['label']} + {worst['filter']}",
                worst["median_ms"],
                worst["bare_median_ms"],
            )
        )
        rows.append(("term+filter, median of all", median([c["median_ms"] for c in combos]), None))
    tick, gui = at["watcher"], at["gui_first_page"]
    rows += [
        ("watcher steady tick", tick["tick_median_ms"], tick["probe_median_ms"]),
        ("case list painted (offscreen)", gui["list_median_ms"], gui["bare_median_ms"]),
    ]
    letters, batch = at["printing"]["letters"], at["printing"]["batch"]
    rows += [
        ("receipt", letters["kesu_median_ms"], letters["bare_median_ms"]),
        (f"batch of {batch['records']}, per record", batch["ms_per_record"], batch["bare_ms_per_record"]),
    ]
    return rows


def over(at: dict[str, Any], limit_ms: float = 50.0) -> int:
    """Searches (terms, filters, term+filter pairs) slower than ``limit_ms`` at this size."""
    found = at["search"]
    every = [*found["terms"], *found["filters"], *found["combinations"]]
    return sum(1 for f in every if f["median_ms"] > limit_ms)


def searches(at: dict[str, Any]) -> int:
    return sum(len(at["search"][k]) for k in ("terms", "filters", "combinations"))


def render(result: dict[str, Any]) -> str:
    from benchmarks.__main__ import _fmt, _table

    small, large = (str(n) for n in result["steps"])
    out: list[str] = []
    for db in ("sqlite", "postgresql"):
        sizes = result.get(db)
        if not sizes:
            continue
        a, b = sizes[small], sizes[large]
        rows = []
        for (label, ours_a, bare_a), (_l, ours_b, bare_b) in zip(figures(a), figures(b), strict=True):
            rows.append(
                [
                    label,
                    ours_a,
                    ratio(ours_a, bare_a) if ours_a and bare_a else None,
                    ours_b,
                    ratio(ours_b, bare_b) if ours_b and bare_b else None,
                    ratio(ours_b, ours_a) if ours_a and ours_b else None,
                ]
            )
        seed = b["seeding"]
        out += [
            f"Growth on {db}: {a['cases']:,} then {b['cases']:,} cases (ms; ratio = ours / bare in the same "
            f"run; growth = ours at the larger size / at the smaller)",
            _table(
                ["figure", f"ms @{a['cases']:,}", "ratio", f"ms @{b['cases']:,}", "ratio", "growth"], rows
            ),
            f"searches over 50 ms: {over(a)} at {a['cases']:,}, {over(b)} at {b['cases']:,} "
            f"(of {searches(a)}); "
            f"seeding on to {b['cases']:,}: {_fmt(seed['cases_per_s'])} cases/s",
            "",
        ]
    return "\n".join(out)
