"""``kesu sync``, ``kesu sync export|import``, ``kesu conflicts`` and ``kesu init --branch-of``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.logs import log_unexpected

#: Exit code of a sync after which the two sides do not hold the same events (docs/cli.md).
EXIT_DISAGREE = 4


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    text = _("与中心同步（分支机构）：推送本地新增、拉取中心变更，并核对双方事件")
    p = sub.add_parser("sync", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_sync)
    p.add_argument("--batch-size", type=int, default=2000, metavar="N", help=_("每批行数（默认 2000）"))
    actions = p.add_subparsers(dest="sync_command", required=False, metavar="ACTION")
    e = actions.add_parser("export", parents=[common], help=_("导出同步文件（无网络时携带）"))
    e.set_defaults(func=cmd_sync_export)
    e.add_argument("-o", "--output", required=True, metavar="FILE")
    e.add_argument("--since", type=int, metavar="CHECKPOINT", help=_("只导出该检查点之后的变更"))
    e.add_argument("--office", metavar="CODE", help=_("在中心导出时：哪个网点"))
    i = actions.add_parser("import", parents=[common], help=_("导入同步文件"))
    i.set_defaults(func=cmd_sync_import)
    i.add_argument("file", metavar="FILE")
    text = _("列出分支机构同步后的冲突（主管及以上）")
    p = sub.add_parser("conflicts", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_conflicts)
    p.add_argument("--all", action="store_true", help=_("包括已处理的"))
    actions = p.add_subparsers(dest="conflicts_command", required=False, metavar="ACTION")
    r = actions.add_parser("resolve", parents=[common], help=_("处理一项冲突"))
    r.set_defaults(func=cmd_conflicts_resolve)
    r.add_argument("conflict_id", metavar="ID")
    how = r.add_mutually_exclusive_group(required=True)
    how.add_argument("--reapply", action="store_true", help=_("重新应用被覆盖的值"))
    how.add_argument("--keep", action="store_true", help=_("保留现值"))


def cmd_sync(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import OperationalError

    from kesu_desktop.sync.network import sync_now

    if args.batch_size < 1 or args.batch_size > 100_000:
        raise ValidationError.single("batch-size", _("每批行数须在 1–100000 之间"))
    desk = open_desk(args)
    actor = sign_in(desk, args)

    def progress(stage: str, count: int) -> None:
        if not args.json and count:
            print(_("{stage}：{n} 行").format(stage=_stage(stage), n=count), file=sys.stderr)

    try:
        report = sync_now(desk, actor, batch_size=args.batch_size, progress=progress)
    except OperationalError as exc:
        # The central went away (or never answered): what is committed stays, the next sync resumes.
        log_unexpected(exc)
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(
            _(
                "error: 与中心的连接失败或中断：{detail}；已完成的批次都已保存，稍后再运行 kesu sync 即可继续"
            ).format(detail=detail),
            file=sys.stderr,
        )
        return 1
    if report.skew_reported:
        print(
            _("注意：本机时钟与中心相差 {s} 秒，已按中心时间校正").format(s=round(report.skew_ms / 1000)),
            file=sys.stderr,
        )
    if args.json:
        print_json(report.as_json())
    else:
        print(
            _("已同步：推送 {pushed}，拉取 {pulled}，冲突 {conflicts}，检查点 {checkpoint}").format(
                pushed=report.pushed,
                pulled=report.pulled,
                conflicts=report.conflicts,
                checkpoint=report.checkpoint,
            )
        )
        if report.agree:
            print(_("双方一致：{n} 个事件").format(n=report.local_events))
        else:
            print(
                _("双方不一致：中心 {c} 个事件，本地 {l} 个").format(
                    c=report.central_events, l=report.local_events
                )
            )
    return 0 if report.agree else EXIT_DISAGREE


def _stage(stage: str) -> str:
    return {"push": _("推送"), "pull": _("拉取"), "reference": _("基础数据")}.get(stage, stage)


def cmd_sync_export(args: argparse.Namespace) -> int:
    from kesu_desktop.sync.bundle import export_bundle

    if args.since is not None and args.since < 0:
        raise ValidationError.single("since", _("检查点不能为负数"))
    desk = open_desk(args)
    info = export_bundle(desk, sign_in(desk, args), Path(args.output), since=args.since, office=args.office)
    if args.json:
        print_json(info.as_json())
    else:
        print(
            _("已导出 {n} 行（{e} 个事件，检查点 {a}–{t}）到 {path}").format(
                n=info.items, e=info.events, a=info.after, t=info.through, path=args.output
            )
        )
    return 0


def cmd_sync_import(args: argparse.Namespace) -> int:
    from kesu_desktop.sync.bundle import import_bundle

    desk = open_desk(args)
    info = import_bundle(desk, sign_in(desk, args), Path(args.file))
    if args.json:
        print_json(info.as_json())
    else:
        print(
            _("已导入：新事件 {e}，新行 {r}（文件共 {n} 行，已有的跳过）").format(
                e=info.applied_events, r=info.applied_rows, n=info.items
            )
        )
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from kesu_desktop.services.conflicts import conflicts_for

    desk = open_desk(args)
    found = conflicts_for(desk, sign_in(desk, args), include_resolved=args.all)
    if args.json:
        print_json([c.as_json() for c in found])
        return 0
    for c in found:
        print(
            _("{case_no}  {field}：保留 {kept}（{kept_by}），被覆盖 {lost}（{lost_by}）  [{id}]").format(
                case_no=c.case_no,
                field=c.field,
                kept=c.kept,
                kept_by=c.kept_by,
                lost=c.lost,
                lost_by=c.lost_by,
                id=c.id,
            )
        )
    if not found:
        print(_("没有待处理的冲突"))
    return 0


def cmd_conflicts_resolve(args: argparse.Namespace) -> int:
    from kesu_desktop.services.conflicts import resolve_conflict

    desk = open_desk(args)
    view = resolve_conflict(desk, sign_in(desk, args), args.conflict_id, reapply=args.reapply)
    if args.json:
        print_json(view.as_json())
    else:
        print(_("已处理冲突 {id}（案件 {case_no}）").format(id=view.id, case_no=view.case_no))
    return 0


def cmd_init_branch(args: argparse.Namespace) -> int:
    """``kesu --db BRANCH --user ADMIN init --branch-of CENTRAL --office CODE`` (or ``--from-bundle F``)."""
    from kesu_desktop.sync.branch import init_branch

    if not args.user:
        raise ValidationError.single("user", _("请用 --user 指定中心的管理员"))
    password = os.environ.get("KESU_PASSWORD")
    if not password:
        raise ValidationError.single("KESU_PASSWORD", _("请在环境变量 KESU_PASSWORD 中提供管理员的密码"))
    if args.branch_of and args.from_bundle:
        raise ValidationError.single("from-bundle", _("--branch-of 与 --from-bundle 只能用一个"))
    desk = open_desk(args)
    if args.from_bundle:
        from kesu_desktop.sync.bundle import init_from_bundle

        info = init_from_bundle(desk, Path(args.from_bundle), args.office, args.user, password)
        if args.json:
            print_json(info.as_json())
        else:
            print(
                _("已用同步文件创建网点 {office} 的分支数据库：{n} 个事件").format(
                    office=info.office, n=info.applied_events
                )
            )
        return 0
    result = init_branch(desk, args.branch_of, args.office, args.user, password)
    if args.json:
        print_json(
            {
                "office": result.office,
                "branch_id": result.branch_id,
                "role": result.role,
                "sync": result.report.as_json(),
            }
        )
    else:
        print(
            _("已创建网点 {office} 的分支数据库：{n} 个事件已从中心取得；以角色 {role} 同步").format(
                office=result.office, n=result.report.local_events, role=result.role
            )
        )
    return 0 if result.report.agree else EXIT_DISAGREE
