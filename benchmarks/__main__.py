"""``python -m benchmarks``: run every benchmark, print a table, write benchmarks/results/latest.json.

PostgreSQL is measured when it answers (``KESU_BENCH_PG``, default the local server); otherwise its
figures are null and the run says why, because a benchmark that fails for want of a server would
simply stop being run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.databases import pg_admin_url, pg_reachable
from benchmarks.printing import (
    DEFAULT_BATCH,
    DEFAULT_FIRST,
    DEFAULT_LETTERS,
    QUICK_BATCH,
    QUICK_FIRST,
    QUICK_LETTERS,
    libraries,
    sqlite_printing,
)
from benchmarks.registration import postgresql_registration, sqlite_registration
from benchmarks.search import postgresql_search, sqlite_search

RESULTS = Path(__file__).resolve().parent / "results"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--cases", type=int, default=100_000, help="cases seeded for the search benchmark")
    p.add_argument("--register", type=int, default=500, help="registrations timed one by one")
    p.add_argument(
        "--repeat", type=int, default=None, help="timed runs per search term (default 20, quick 5)"
    )
    p.add_argument(
        "--letters", type=int, default=None, help=f"receipts timed one by one (default {DEFAULT_LETTERS})"
    )
    p.add_argument(
        "--batch", type=int, default=None, help=f"case records in the batch print (default {DEFAULT_BATCH})"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"small sizes for a smoke test (2000 cases, 100 registrations, {QUICK_LETTERS} letters, "
        f"a batch of {QUICK_BATCH})",
    )
    p.add_argument(
        "--scale",
        type=int,
        default=None,
        metavar="N",
        help="the growth run instead: every figure at N/10 and at N cases (overnight: 1000000; with "
        "--quick fewer repeats, as CI runs it with 10000)",
    )
    p.add_argument("--no-pg", action="store_true", help="skip PostgreSQL even if it is reachable")
    p.add_argument(
        "--no-sqlite",
        action="store_true",
        help="growth run on PostgreSQL only (a million cases on each takes a night apiece)",
    )
    p.add_argument("--json", action="store_true", help="print the JSON result instead of the table")
    p.add_argument(
        "--output", type=Path, default=RESULTS / "latest.json", help="where to write the JSON result"
    )
    args = p.parse_args(argv)
    if args.no_sqlite and (args.scale is None or args.no_pg):
        p.error("--no-sqlite needs --scale, and PostgreSQL to measure")
    if args.scale is not None:
        if args.scale < 1000:
            p.error("--scale must be at least 1000")
        if args.output == RESULTS / "latest.json":
            args.output = RESULTS / f"scale_{args.scale}{'_quick' if args.quick else ''}.json"
        return args
    if args.quick:
        args.cases, args.register = 2000, 100
    if args.repeat is None:
        args.repeat = 5 if args.quick else 20
    if args.letters is None:
        args.letters = QUICK_LETTERS if args.quick else DEFAULT_LETTERS
    if args.batch is None:
        args.batch = QUICK_BATCH if args.quick else DEFAULT_BATCH
    if args.cases < 1000 or min(args.register, args.repeat, args.letters, args.batch) < 1:
        p.error("--cases must be at least 1000, --register, --repeat, --letters and --batch at least 1")
    return args


def run(args: argparse.Namespace) -> dict[str, Any]:
    pg_url = pg_admin_url()
    pg_version = None if args.no_pg else pg_reachable(pg_url)
    started = time.perf_counter()
    result: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "cases": args.cases,
            "register": args.register,
            "repeat": args.repeat,
            "letters": args.letters,
            "batch": args.batch,
            "first": QUICK_FIRST if args.quick else DEFAULT_FIRST,
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "postgresql": pg_version,
            **libraries(),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        },
        "registration": {"sqlite": None, "postgresql": None},
        "seeding": {"sqlite": None, "postgresql": None},
        "search": {"sqlite": None, "postgresql": None},
        "printing": {"sqlite": None},
    }
    if pg_version is None and not args.no_pg:
        if args.no_sqlite:
            raise SystemExit(f"PostgreSQL not reachable at {pg_url}: nothing to measure with --no-sqlite")
        print(f"PostgreSQL not reachable at {pg_url}: measuring SQLite only", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="kesu_bench_") as tmp:
        folder = Path(tmp)
        _progress("registration on SQLite")
        result["registration"]["sqlite"] = sqlite_registration(folder, args.register)
        if pg_version:
            _progress("registration on PostgreSQL")
            result["registration"]["postgresql"] = postgresql_registration(pg_url, args.register)
        _progress(f"seeding {args.cases} cases and searching on SQLite")
        found = sqlite_search(folder, args.cases, args.repeat)
        result["seeding"]["sqlite"], result["search"]["sqlite"] = found["seeding"], found["terms"]
        if pg_version:
            _progress(f"seeding {args.cases} cases and searching on PostgreSQL")
            found = postgresql_search(pg_url, args.cases, args.repeat)
            result["seeding"]["postgresql"], result["search"]["postgresql"] = found["seeding"], found["terms"]
        _progress(
            f"printing on SQLite: first letter, {args.letters} letters, a batch of {args.batch} records"
        )
        first = QUICK_FIRST if args.quick else DEFAULT_FIRST
        result["printing"]["sqlite"] = sqlite_printing(folder, args.letters, args.batch, first)
    result["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _progress(what: str) -> None:
    print(f"… {what}", file=sys.stderr, flush=True)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]], *, left: int = 1) -> str:
    """A plain-text table; the first ``left`` columns are labels (left-aligned), the rest numbers."""
    cells = [headers, *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(_pad(v, widths[i], right=i >= left) for i, v in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


_REGISTRATION = (
    ("n", "n"),
    ("kesu_ms_per_op", "register_case ms/op"),
    ("kesu_p95_ms", "p95 ms"),
    ("bare_ms_per_op", "bare insert ms/op"),
    ("bare_p95_ms", "p95 ms"),
    ("ratio", "ratio"),
)
_SEEDING = (
    ("cases", "cases"),
    ("workers", "worker processes"),
    ("seconds", "seconds"),
    ("cases_per_s", "cases/s"),
)
_SEARCH = (
    ("label", "term"),
    ("term", "text"),
    ("hits", "hits"),
    ("median_ms", "median ms"),
    ("p95_ms", "p95 ms"),
    ("bare_hits", "bare hits"),
    ("bare_median_ms", "bare LIKE median"),
    ("bare_p95_ms", "bare p95"),
    ("ratio", "ratio"),
)


def render(result: dict[str, Any]) -> str:
    """The human-readable report: one table per figure, ratios in the last column."""
    meta = result["meta"]
    out = [
        f"Kesu Desk benchmarks — {meta['machine']}, Python {meta['python']}, SQLite {meta['sqlite']}, "
        f"PostgreSQL {meta['postgresql'] or 'not measured'}; {meta['seconds']} s",
        "",
        "Registration (one transaction per case)",
    ]
    rows = [[db] + [r[k] for k, _h in _REGISTRATION] for db, r in result["registration"].items() if r]
    out += [_table(["database"] + [h for _k, h in _REGISTRATION], rows), "", "Seeding (seed_demo)"]
    rows = [[db] + [s[k] for k, _h in _SEEDING] for db, s in result["seeding"].items() if s]
    out += [_table(["database"] + [h for _k, h in _SEEDING], rows), ""]
    for db, terms in result["search"].items():
        if terms:
            rows = [[t[k] for k, _h in _SEARCH] for t in terms]
            out += [
                f"Search on {db}, {meta['cases']} cases (list_cases, limit 50)",
                _table([h for _k, h in _SEARCH], rows, left=2),
                "",
            ]
    out.append(render_printing(result["printing"]))
    return "\n".join(out).rstrip() + "\n"


_LETTER = (
    ("n", "n"),
    ("median_ms", "median ms"),
    ("p95_ms", "p95 ms"),
    ("share", "share"),
    ("bare_median_ms", "bare median ms"),
    ("bare_p95_ms", "bare p95"),
    ("ratio", "ratio"),
)
_PARTS = {
    "case_file": "  case_file (read)",
    "layout": "  layout (unsigned PDF)",
    "qr_code": "    of which QR code",
    "signing": "  sign_pdf",
}
_BATCH = (
    ("records", "records"),
    ("pages", "pages"),
    ("seconds", "seconds"),
    ("ms_per_record", "ms/record"),
    ("mb", "MB"),
    ("mb_per_100", "MB/100 records"),
    ("bare_pages", "bare pages"),
    ("bare_seconds", "bare seconds"),
    ("bare_mb", "bare MB"),
    ("ratio", "ratio"),
)


def render_printing(printing: dict[str, Any]) -> str:
    """The printing tables: letters (first, warm, and the warm letter's parts), then the batch."""
    out: list[str] = []
    for db, p in printing.items():
        if not p:
            continue
        first, letters, batch = p["first_letter"], p["letters"], p["batch"]
        rows = [
            {
                "label": "first letter (fresh process)",
                "n": first["n"],
                "median_ms": first["kesu_ms"],
                "p95_ms": first["kesu_p95_ms"] if first["n"] > 1 else None,
                "bare_median_ms": first["bare_ms"],
                "bare_p95_ms": first["bare_p95_ms"] if first["n"] > 1 else None,
                "ratio": first["ratio"],
            },
            {
                "label": "receipt after warm-up",
                "n": letters["n"],
                "median_ms": letters["kesu_median_ms"],
                "p95_ms": letters["kesu_p95_ms"],
                "bare_median_ms": letters["bare_median_ms"],
                "bare_p95_ms": letters["bare_p95_ms"],
                "ratio": letters["ratio"],
            },
            *(
                {"label": _PARTS.get(name, f"  {name}"), "n": letters["n"], **part}
                for name, part in letters["parts"].items()
            ),
        ]
        out += [
            f"Printing on {db} (issue_document: lay out, sign, archive)",
            _table(
                ["letter"] + [h for _k, h in _LETTER],
                [[r["label"]] + [r.get(k) for k, _h in _LETTER] for r in rows],
            ),
            f"first letter: importing kesu_desktop.printing.issue took {_fmt(first['import_ms'])} ms "
            f"before it (not counted); a signed receipt is {_fmt(letters['kb_median'])} KB "
            f"(bare {_fmt(letters['bare_kb_median'])} KB)",
            "",
            f"Batch of records on {db} (print_batch)",
            _table([h for _k, h in _BATCH], [[batch[k] for k, _h in _BATCH]], left=0),
            "",
        ]
    return "\n".join(out)


def run_scale(args: argparse.Namespace) -> dict[str, Any]:
    """The growth run (``--scale``): both databases, every figure at a tenth of the scale and at it."""
    from benchmarks import scale

    pg_url = pg_admin_url()
    pg_version = None if args.no_pg else pg_reachable(pg_url)
    if pg_version is None and not args.no_pg:
        if args.no_sqlite:
            raise SystemExit(f"PostgreSQL not reachable at {pg_url}: nothing to measure with --no-sqlite")
        print(f"PostgreSQL not reachable at {pg_url}: measuring SQLite only", file=sys.stderr)
    started = time.perf_counter()
    meta = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "quick": args.quick,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        **libraries(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
    }
    # A million cases is several GB on SQLite: KESU_BENCH_DIR says where there is room for it.
    with tempfile.TemporaryDirectory(prefix="kesu_scale_", dir=os.environ.get("KESU_BENCH_DIR")) as tmp:
        found = scale.run(
            args.scale,
            quick=args.quick,
            folder=Path(tmp),
            pg_url=pg_url if pg_version else None,
            sqlite=not args.no_sqlite,
        )
    meta["seconds"] = round(time.perf_counter() - started, 1)
    return {"meta": meta, **found}


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.scale is not None:
        from benchmarks.scale import render as render_scale

        result = run_scale(args)
        _write(args, result, render_scale)
        return 0
    result = run(args)
    _write(args, result, render)
    return 0


def _write(args: argparse.Namespace, result: dict[str, Any], rendering: Any) -> None:
    text = json.dumps(result, ensure_ascii=False, indent=2)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print(rendering(result), end="")


if __name__ == "__main__":
    sys.exit(main())
