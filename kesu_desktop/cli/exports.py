"""``kesu export -o FILE.xlsx|FILE.csv``: the filtered case list as a workbook or a CSV file.

The filters are those of ``kesu list`` (same names, same meaning) minus its page size: an export holds
every matching case the user may see. A thin wrapper over ``services.export_cases``, which decides the
scope, masks phones for the role and records the export.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kesu_desktop import services
from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.filters import add_filter_arguments, case_filter
from kesu_desktop.cli.io import print_json
from kesu_desktop.i18n import _

#: Below this many rows an export takes a moment and reports no progress.
PROGRESS_FROM = 5000


def _progress(done: int, total: int) -> None:
    """A running count on stderr for big exports (stdout stays the result alone, for scripts)."""
    if total >= PROGRESS_FROM:
        end = "\n" if done >= total else "\r"
        print(
            _("已导出 {done} / {total} 件").format(done=done, total=total),
            end=end,
            file=sys.stderr,
            flush=True,
        )


def cmd_export(args: argparse.Namespace) -> int:
    from kesu_desktop.services.exports import export_format

    target = Path(args.output).expanduser().absolute()
    export_format(target)  # a wrong extension is bad input before the database opens
    desk = open_desk(args)
    actor = sign_in(desk, args)
    result = services.export_cases(desk, actor, case_filter(args), target, progress=_progress)
    assert result is not None  # only a progress callback that answers False cancels
    if args.json:
        print_json(result.to_json())
        return 0
    print(_("已导出 {n} 件案件：{path}").format(n=result.rows, path=result.path))
    if result.masked:
        print(_("按您的角色，电话号码已隐去中间四位"))
    return 0


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """``kesu export``: registered by cli/main.py."""
    help_text = _("把筛选后的案件列表导出为 Excel（.xlsx）或 CSV 文件")
    p = sub.add_parser("export", parents=[common], help=help_text, description=help_text)
    p.set_defaults(func=cmd_export)
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE.xlsx|FILE.csv",
        help=_("要写入的文件；格式由扩展名决定，已有同名文件会被替换"),
    )
    add_filter_arguments(p)
