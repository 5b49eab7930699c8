"""``kesu import FILE.xlsx``: import a legacy complaint register (services/legacy_import.py).

Exit codes (docs/cli.md): 0 when the import (or dry run) ran, bad rows included — they are in the
report, and the valid rows were imported; 2 when the file or mapping is unusable, and when
``--all-or-nothing`` refused the import because some row is bad (one ``row N field: message`` line per
bad cell on stderr, nothing written); 3 when the user may not import.
"""

from __future__ import annotations

import argparse
import sys

from kesu_desktop import services
from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json
from kesu_desktop.domain.text import printable
from kesu_desktop.i18n import _


def _summary(report: services.ImportReport) -> str:
    if report.dry_run:
        line = _(
            "试运行：共 {rows} 行，有效 {valid} 行，有误 {bad} 行，已导入过 {duplicates} 行；未写入任何案件"
        )
    elif report.refused:
        line = _("未导入：共 {rows} 行，有误 {bad} 行（--all-or-nothing：有误则全部不导入）")
    else:
        line = _(
            "已导入 {imported} 件：共 {rows} 行，有效 {valid} 行，有误 {bad} 行，已导入过 {duplicates} 行"
        )
    return line.format(
        rows=report.rows,
        valid=report.valid,
        bad=len(report.invalid_rows),
        duplicates=report.duplicates,
        imported=report.imported,
    )


def _row_line(error: services.RowError) -> str:
    return _("第 {row} 行 {field}：{message}").format(
        row=error.row, field=error.field, message=printable(error.message)
    )


def cmd_import(args: argparse.Namespace) -> int:
    mapping = services.load_mapping(args.mapping) if args.mapping else None
    plan = services.read_register(args.file, mapping)
    if args.save_mapping:
        services.save_mapping(plan.mapping, args.save_mapping)
    desk = open_desk(args)
    report = services.import_register(
        desk, sign_in(desk, args), plan, dry_run=args.dry_run, all_or_nothing=args.all_or_nothing
    )
    if args.json:
        print_json(report.as_json())
    else:
        print(_summary(report))
        for error in report.invalid:
            print(_row_line(error))
    if report.refused:
        for error in report.invalid:
            sys.stderr.write(f"row {error.row} {error.field}: {printable(error.message)}\n")
        return 2
    return 0


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kesu import`` (called from build_parser)."""
    text = _(
        "导入旧的客户投诉登记表（Excel .xlsx）：先用 --dry-run 逐行检查，再导入全部有效行（一个事务）；"
        "同一文件再次导入不会重复添加"
    )
    p = sub.add_parser("import", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_import)
    p.add_argument("file", metavar="FILE.xlsx", help=_("登记表工作簿"))
    p.add_argument(
        "--mapping", metavar="FILE.json", help=_("列映射文件（表头 → 字段）；不给则按常见表头猜测")
    )
    p.add_argument("--save-mapping", metavar="FILE.json", help=_("把所用的列映射写入文件，便于修改后再用"))
    p.add_argument("--dry-run", action="store_true", help=_("只检查并报告，不写入"))
    p.add_argument("--all-or-nothing", action="store_true", help=_("有任何一行有误则全部不导入（退出码 2）"))
