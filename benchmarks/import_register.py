"""``python -m benchmarks.import_register [--rows 10000]``: importing a legacy register (Excel).

Writes one workbook of ``--rows`` complaints (openpyxl, write-only), then on fresh databases (SQLite,
and PostgreSQL when it answers) times, as medians of ``--repeat`` runs each on its own new database:
reading the workbook (``services.read_register``), the dry run over the plan, and the import itself
(one transaction through the bulk write path), plus a second import of the same file (every row a
duplicate, nothing added). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from benchmarks.databases import (
    START,
    StepClock,
    open_desk,
    pg_admin_url,
    pg_reachable,
    pg_scratch,
    sqlite_url,
)
from kesu_desktop import services

HEADERS = ["登记时间", "客户姓名", "联系电话", "投诉渠道", "投诉类别", "投诉内容", "产品", "处理状态"]


def write_workbook(path: Path, rows: int) -> Path:
    """``rows`` distinct complaints spread over the year before START, in varied statuses."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("登记表")
    sheet.append(HEADERS)
    first = datetime(2025, 11, 24, 9, 0)
    for i in range(rows):
        sheet.append(
            [
                first + timedelta(minutes=31 * i % (360 * 24 * 60)),
                f"客户{i}",
                13000000000 + i * 7,
                ["电话", "counter", "网上/在线客服"][i % 3],
                ["产品质量", "物流履约", "服务态度", "计费争议"][i % 4],
                f"第{i}号投诉：收到的商品与描述不符，要求退换",
                ["冰箱", "洗衣机", "空调"][i % 3],
                ["已结案", "处理中", "已登记"][i % 3],
            ]
        )
    book.save(path)
    return path


def _ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def _one(url: str, path: Path) -> tuple[dict[str, float], int, int]:
    """One measurement on a new database: read, dry run, import, import again."""
    desk, admin = open_desk(url, StepClock(START))
    try:
        times: dict[str, float] = {}
        times["read_ms"], plan = _ms(lambda: services.read_register(path))
        times["dry_run_ms"], _dry = _ms(lambda: services.import_register(desk, admin, plan, dry_run=True))
        times["import_ms"], report = _ms(lambda: services.import_register(desk, admin, plan))
        times["again_ms"], again = _ms(lambda: services.import_register(desk, admin, plan))
        return times, report.imported, again.duplicates
    finally:
        desk.close()


def _measure(fresh: Callable[[int], Any], path: Path, repeat: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {}
    imported = duplicates = 0
    for n in range(repeat):
        with fresh(n) as url:
            times, imported, duplicates = _one(url, path)
        for key, value in times.items():
            samples.setdefault(key, []).append(value)
    out: dict[str, Any] = {k: round(statistics.median(v), 1) for k, v in samples.items()}
    out.update(imported=imported, second_run_duplicates=duplicates)
    return out


def run(rows: int, repeat: int, *, pg: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kesu-bench-import-") as folder:
        path = write_workbook(Path(folder) / "register.xlsx", rows)

        @contextmanager
        def sqlite_fresh(n: int) -> Iterator[str]:
            yield sqlite_url(Path(folder), f"import-{n}.db")

        result: dict[str, Any] = {
            "rows": rows,
            "repeat": repeat,
            "workbook_bytes": path.stat().st_size,
            "sqlite": _measure(sqlite_fresh, path, repeat),
        }
        admin_url = pg_admin_url()
        version = pg_reachable(admin_url) if pg else None
        if version is None:
            result["postgresql"] = None
        else:
            result["postgresql_version"] = version
            result["postgresql"] = _measure(lambda n: pg_scratch(admin_url, f"import{n}"), path, repeat)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.import_register", description=__doc__)
    p.add_argument("--rows", type=int, default=2000, help="complaints in the workbook (the issue: 10000)")
    p.add_argument("--repeat", type=int, default=3, help="fresh databases per measurement (median)")
    p.add_argument("--no-pg", action="store_true", help="skip PostgreSQL even if it is reachable")
    args = p.parse_args(argv)
    json.dump(run(args.rows, args.repeat, pg=not args.no_pg), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
