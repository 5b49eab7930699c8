"""The case list on a big database: first painted page and filter/search latency, offscreen.

What a clerk notices: how long after the window opens the list shows cases, and how long after a
filter click or a search the rows change. Both are timed end to end through the real widget (model,
worker thread, services, SQLite, paint), against the bare building blocks in the same run:

* start-up: ``QMainWindow`` + ``CaseListView`` until the first page is painted, against a bare
  ``QMainWindow`` with an empty ``QTableView`` shown and painted (the ratio is what the list costs);
* each filter or search: from the change in the filter bar to the new rows painted, against the same
  ``services.list_cases`` call made directly (the ratio is what the GUI round trip adds).

The database is seeded once by ``seed_demo`` into ``benchmarks/results/gui_list_<N>.db`` and reused by
later runs (seeding a million cases takes far longer than measuring them). Any timing over the 200 ms
budget is reported with SQLite's plan for the exact statement the services ran.

Standalone: ``python -m benchmarks.gui_list [--cases N] [--quick] [--repeat R] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported: no display needed

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
from sqlalchemy import event

from benchmarks.databases import OFFICE, PASSWORD, START, StepClock, add_staff, open_desk
from benchmarks.timing import rounded
from kesu_desktop import services
from kesu_desktop.devtools.demo_data import SEARCH_SAMPLES
from kesu_desktop.devtools.seed import seed_demo
from kesu_desktop.domain.enums import Role, Status
from kesu_desktop.domain.errors import AuthenticationFailed
from kesu_desktop.services import CaseFilter, Desk
from kesu_desktop.ui.base import fonts, tasks
from kesu_desktop.ui.cases.case_list import CaseListView
from kesu_desktop.ui.cases.case_table_model import PAGE_SIZE

RESULTS = Path(__file__).resolve().parent / "results"
#: The issue's budget for the first page and every filter change.
BUDGET_MS = 200.0
DEFAULT_CASES, QUICK_CASES = 1_000_000, 20_000
STAFF = "bench_list"
TIMEOUT_MS = 120_000


# --- the database ---------------------------------------------------------------------------------


def database_file(cases: int) -> Path:
    return RESULTS / f"gui_list_{cases}.db"


def _count(path: Path) -> int | None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return int(conn.execute("SELECT count(*) FROM cases").fetchone()[0])
    except sqlite3.Error:
        return None


def ensure_database(cases: int) -> tuple[Path, dict[str, Any]]:
    """The seeded file for ``cases``: reused when one of the right size exists, else seeded now."""
    path = database_file(cases)
    if path.exists() and _count(path) == cases:
        return path, {"cases": cases, "reused": True, "seconds": None, "cases_per_s": None}
    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    desk, admin = open_desk(f"sqlite:///{partial}", StepClock(START))
    started = time.perf_counter()
    try:
        made = seed_demo(desk, admin, count=cases, seed=1, progress=_seed_progress(cases))
    finally:
        desk.close()
    seconds = time.perf_counter() - started
    partial.replace(path)  # only a complete file is ever found under the reusable name
    return path, {
        "cases": made,
        "reused": False,
        "seconds": rounded(seconds, 1),
        "cases_per_s": round(made / seconds),
    }


def _seed_progress(total: int) -> Callable[[int, int], None]:
    last = [time.perf_counter()]

    def show(done: int, _total: int) -> None:
        if time.perf_counter() - last[0] >= 30:
            last[0] = time.perf_counter()
            print(f"… seeded {done:,} of {total:,}", file=sys.stderr, flush=True)

    return show


def staff(desk: Desk) -> services.Actor:
    """A specialist of the seeded office: sees the office's cases with full phone numbers."""
    try:
        return services.get_actor(desk, STAFF)
    except AuthenticationFailed:  # not there yet: made once, kept in the reusable file
        return add_staff(desk, services.login(desk, "admin", PASSWORD), STAFF, Role.SPECIALIST)


# --- Qt plumbing ----------------------------------------------------------------------------------


def wait_for(signal: Any, done: Callable[[], bool]) -> None:
    """Run the event loop until ``signal`` fires and ``done()`` holds (a non-busy wait)."""
    if done():
        return
    loop = QEventLoop()

    def check(*_args: Any) -> None:
        if done():
            loop.quit()

    signal.connect(check)
    timer = QTimer(singleShot=True, interval=TIMEOUT_MS)
    timer.timeout.connect(loop.quit)
    timer.start()
    loop.exec()
    signal.disconnect(check)
    if not done():
        raise TimeoutError(f"no answer within {TIMEOUT_MS} ms")


def painted(table: QTableView) -> None:
    """Lay out and paint what is visible now, synchronously (what the user would see next frame)."""
    QApplication.processEvents()
    table.viewport().repaint()


@contextmanager
def captured_sql(desk: Desk) -> Iterator[list[tuple[str, Any]]]:
    """The statements the services run meanwhile (to explain a slow one with its real parameters)."""
    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM cases" in statement:
            seen.append((statement, parameters))

    event.listen(desk.db.engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(desk.db.engine, "before_cursor_execute", keep)


def query_plan(path: Path, statement: str, parameters: Any) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return [row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]


# --- the measurements -----------------------------------------------------------------------------


def bare_start() -> float:
    started = time.perf_counter()
    window = QMainWindow()
    table = QTableView()
    window.setCentralWidget(table)
    window.resize(1400, 800)
    window.show()
    painted(table)
    ms = (time.perf_counter() - started) * 1000
    window.close()
    window.deleteLater()
    return ms


def list_start(desk: Desk, actor: services.Actor) -> tuple[float, int]:
    started = time.perf_counter()
    window = QMainWindow()
    view = CaseListView(desk, actor)
    window.setCentralWidget(view)
    window.resize(1400, 800)
    window.show()
    wait_for(view.model.sig_page_loaded, lambda: view.model.rowCount() > 0)
    painted(view.table)
    ms = (time.perf_counter() - started) * 1000
    fetched = view.model.rows_fetched
    window.close()
    window.deleteLater()
    tasks.wait_for_idle()
    return ms, fetched


def startup(desk: Desk, actor: services.Actor, repeat: int) -> dict[str, Any]:
    """Cold first, then warm runs alternating bare and list, so neither side gets the warmer cache."""
    cold_bare = bare_start()
    cold_list, fetched = list_start(desk, actor)
    bare, ours = [], []
    for _ in range(repeat):
        bare.append(bare_start())
        ms, fetched = list_start(desk, actor)
        ours.append(ms)
        QApplication.processEvents()
    median_bare, median_ours = statistics.median(bare), statistics.median(ours)
    return {
        "cold_list_ms": rounded(cold_list, 1),
        "cold_bare_ms": rounded(cold_bare, 1),
        "list_median_ms": rounded(median_ours, 1),
        "list_max_ms": rounded(max(ours), 1),
        "bare_median_ms": rounded(median_bare, 1),
        "ratio": round(median_ours / median_bare, 1) if median_bare > 0 else None,
        "extra_ms": rounded(median_ours - median_bare, 1),
        "rows_fetched": fetched,
    }


class Change:
    """One thing a clerk does in the filter bar, and how to undo it."""

    def __init__(
        self,
        label: str,
        flt: CaseFilter,
        apply: Callable[[CaseListView], None],
        undo: Callable[[CaseListView], None],
    ) -> None:
        self.label, self.flt, self.apply, self.undo = label, flt, apply, undo


def _search(text: str) -> Callable[[CaseListView], None]:
    def apply(view: CaseListView) -> None:
        view.search.setText(text)
        view.on_filter_changed()  # what Enter does (the 300 ms typing pause is not part of the latency)

    return apply


def changes(desk: Desk, actor: services.Actor) -> list[Change]:
    pick = services.list_cases(desk, actor, CaseFilter(limit=1000))[500]
    last4 = pick.phone[-4:]

    def combo(name: str, data: str) -> Callable[[CaseListView], None]:
        return lambda v: getattr(v, name).setCurrentIndex(getattr(v, name).findData(data))

    def reset(name: str) -> Callable[[CaseListView], None]:
        return lambda v: getattr(v, name).setCurrentIndex(0)

    clear = _search("")
    return [
        Change(
            "status 已分派",
            CaseFilter(status=Status.ASSIGNED),
            combo("status_combo", "assigned"),
            reset("status_combo"),
        ),
        Change(
            "category 产品质量",
            CaseFilter(category="product_quality"),
            combo("category_combo", "product_quality"),
            reset("category_combo"),
        ),
        Change(
            "overdue 已超时",
            CaseFilter(overdue=True),
            lambda v: v.overdue_check.setChecked(True),
            lambda v: v.overdue_check.setChecked(False),
        ),
        Change(
            f"search 1 char {SEARCH_SAMPLES['surname']}",
            CaseFilter(search=SEARCH_SAMPLES["surname"]),
            _search(SEARCH_SAMPLES["surname"]),
            clear,
        ),
        Change(
            f"search 2 chars {SEARCH_SAMPLES['word']}",
            CaseFilter(search=SEARCH_SAMPLES["word"]),
            _search(SEARCH_SAMPLES["word"]),
            clear,
        ),
        Change(f"search phone last 4 {last4}", CaseFilter(search=last4), _search(last4), clear),
    ]


def _timed_change(view: CaseListView, act: Callable[[CaseListView], None]) -> float:
    requests = view.model.requests
    started = time.perf_counter()
    act(view)
    wait_for(view.model.sig_page_loaded, lambda: view.model.requests > requests and not view.model.loading)
    painted(view.table)
    return (time.perf_counter() - started) * 1000


def latencies(path: Path, desk: Desk, actor: services.Actor, repeat: int) -> list[dict[str, Any]]:
    window = QMainWindow()
    view = CaseListView(desk, actor)
    window.setCentralWidget(view)
    window.resize(1400, 800)
    window.show()
    wait_for(view.model.sig_page_loaded, lambda: view.model.rowCount() > 0)
    # Names and the first page share the one worker, names first: the combos are filled by now.
    assert view.category_combo.count() > 1
    results = []
    for change in changes(desk, actor):
        samples = []
        for _ in range(repeat):
            samples.append(_timed_change(view, change.apply))
            rows = view.model.rowCount()
            _timed_change(view, change.undo)
        flt = CaseFilter(**{**change.flt.__dict__, "limit": PAGE_SIZE})
        with captured_sql(desk) as seen:
            direct = []
            for _ in range(repeat):
                started = time.perf_counter()
                services.list_cases(desk, actor, flt)
                direct.append((time.perf_counter() - started) * 1000)
        median_gui, median_direct = statistics.median(samples), statistics.median(direct)
        entry: dict[str, Any] = {
            "label": change.label,
            "rows": rows,
            "median_ms": rounded(median_gui, 1),
            "max_ms": rounded(max(samples), 1),
            "service_median_ms": rounded(median_direct, 1),
            "ratio": round(median_gui / median_direct, 2) if median_direct > 0 else None,
            "within_budget": median_gui < BUDGET_MS,
            "plan": None,
        }
        if median_gui >= BUDGET_MS and seen:
            statement, parameters = seen[-1]
            entry["sql"] = statement
            entry["plan"] = query_plan(path, statement, parameters)
        results.append(entry)
    window.close()
    window.deleteLater()
    tasks.wait_for_idle()
    return results


def run(cases: int, quick: bool, repeat: int | None = None) -> dict[str, Any]:
    """Seed (or reuse) ``cases`` demo cases, then time start-up and filter/search latency offscreen."""
    repeat = repeat or (3 if quick else 7)
    app = QApplication.instance() or QApplication([])
    fonts.register_bundled_font(app)  # the app's own font: same glyph costs as a real start
    path, seeding = ensure_database(cases)
    desk = Desk.open(f"sqlite:///{path}", clock=services.FixedClock(START), node_id="bench")
    try:
        actor = staff(desk)
        assert actor.office_code == OFFICE
        result = {
            "cases": cases,
            "quick": quick,
            "repeat": repeat,
            "seeding": seeding,
            "budget_ms": BUDGET_MS,
            "startup": startup(desk, actor, repeat),
            "filters": latencies(path, desk, actor, repeat),
        }
    finally:
        tasks.wait_for_idle()
        desk.close()
    return result


# --- output ---------------------------------------------------------------------------------------


def render(result: dict[str, Any]) -> str:
    s, seed = result["startup"], result["seeding"]
    seeded = "reused" if seed["reused"] else f"seeded in {seed['seconds']} s ({seed['cases_per_s']}/s)"
    out = [
        f"Case list, {result['cases']:,} cases ({seeded}); medians of {result['repeat']} runs, offscreen",
        "",
        "Start-up to first painted page            median ms   max ms   cold ms",
        f"  QMainWindow + CaseListView             {s['list_median_ms']:>9}  {s['list_max_ms']:>7}"
        f"  {s['cold_list_ms']:>8}",
        f"  bare QMainWindow + empty QTableView    {s['bare_median_ms']:>9}  {'':>7}  {s['cold_bare_ms']:>8}",
        f"  ratio {s['ratio']}, {s['extra_ms']} ms more; rows fetched from services: {s['rows_fetched']}",
        "",
        "Filter / search → rows painted      rows   median ms   max ms   service ms   ratio   < 200 ms",
    ]
    for f in result["filters"]:
        out.append(
            f"  {f['label']:<32} {f['rows']:>4}   {f['median_ms']:>9}  {f['max_ms']:>7}   "
            f"{f['service_median_ms']:>10}  {f['ratio']!s:>6}   {'yes' if f['within_budget'] else 'NO'}"
        )
    for f in result["filters"]:
        if f["plan"]:
            out += ["", f"Over budget: {f['label']} — SQLite plan:", *(f"  {line}" for line in f["plan"])]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.gui_list", description=__doc__.splitlines()[0])
    p.add_argument(
        "--cases", type=int, default=None, help=f"cases in the database (default {DEFAULT_CASES:,})"
    )
    p.add_argument("--quick", action="store_true", help=f"{QUICK_CASES:,} cases and fewer runs")
    p.add_argument("--repeat", type=int, default=None, help="timed runs per measurement (default 7, quick 3)")
    p.add_argument("--json", action="store_true", help="print the JSON result instead of the table")
    args = p.parse_args(argv)
    cases = args.cases or (QUICK_CASES if args.quick else DEFAULT_CASES)
    result = run(cases, args.quick, args.repeat)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    (RESULTS / "gui_list.json").write_text(text + "\n", encoding="utf-8")
    print(text if args.json else render(result), end="" if not args.json else "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
