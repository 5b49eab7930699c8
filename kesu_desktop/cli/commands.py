"""One function per ``kesu`` sub-command: open the desk, sign in, call a service, print the result."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from kesu_desktop import services
from kesu_desktop.cli import collector
from kesu_desktop.cli.filters import case_filter
from kesu_desktop.cli.io import note_estimated, print_json, read_json_object, read_text_file
from kesu_desktop.cli.render import case_text, due_text, rows_text
from kesu_desktop.domain.enums import Role, Status
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.domain.text import check_instant
from kesu_desktop.i18n import _, join_items, use_language
from kesu_desktop.paths import database_url

if TYPE_CHECKING:
    from kesu_desktop.services import Actor, Desk


def open_desk(args: argparse.Namespace) -> Desk:
    """The desk; ``--now`` without an offset is read in the office zone of ``--user`` (when known).

    ``--now`` states the time only where the database allows it (``allow_clock_override``); the events'
    stamps keep the real time either way.
    """
    if args.now:
        # a mistyped or out-of-range time is bad input before the database is opened
        _in_range(services.read_instant(args.now), "now")
    desk = services.Desk.open(database_url(args.db))
    collector.imports_done()
    if args.now:
        zone = services.user_timezone(desk, args.user)
        instant = services.parse_instant(args.now, zone=zone)
        try:
            desk.state_time(instant)
        except NotAllowed:
            desk.close()
            raise
    return desk


def _in_range(moment: datetime, field: str) -> datetime:
    """``moment`` if within the desk's years (domain/text.check_instant), else a field error."""
    try:
        check_instant(moment)
    except ValueError as exc:
        raise ValidationError.single(field, str(exc)) from None
    return moment


def sign_in(desk: Desk, args: argparse.Namespace) -> Actor:
    if not args.user:
        raise NotAllowed(_("请用 --user NAME 指定用户（密码取自环境变量 KESU_PASSWORD）"))
    password = os.environ.get("KESU_PASSWORD")
    if not password:
        raise NotAllowed(_("请在环境变量 KESU_PASSWORD 中提供用户 {name} 的密码").format(name=args.user))
    actor = services.login(desk, args.user, password)
    if not getattr(args, "language_chosen", False):
        use_language(actor.language)  # the office's default, when neither --lang nor KESU_LANG said
    return actor


def cmd_init(args: argparse.Namespace) -> int:
    from kesu_desktop.printing.certificates import initialize_with_certificate

    if args.branch_of or args.from_bundle:
        from kesu_desktop.cli.sync import cmd_init_branch

        return cmd_init_branch(args)
    missing = {
        name: _("新建中心数据库时必填")
        for name, value in (("office-name", args.office_name), ("admin", args.admin))
        if not value
    }
    if missing:
        raise ValidationError(missing)
    desk = open_desk(args)
    result = initialize_with_certificate(
        desk,
        office_code=args.office,
        office_name=args.office_name,
        admin=args.admin,
        password=os.environ.get("KESU_PASSWORD"),
    )
    if args.json:
        print_json(
            {
                "created": result.created,
                "office": result.office_code,
                "admin": result.admin,
                "database": desk.db.display_url,
            }
        )
    elif result.created:
        print(
            _("已初始化：网点 {office}，管理员 {admin}（{db}）").format(
                office=result.office_code, admin=result.admin, db=desk.db.display_url
            )
        )
    else:
        print(_("数据库已初始化（网点 {office}），未做任何更改").format(office=result.office_code))
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    password = os.environ.get("KESU_NEW_PASSWORD")
    if not password:
        raise ValidationError.single(
            "KESU_NEW_PASSWORD", _("请在环境变量 KESU_NEW_PASSWORD 中提供新用户的密码")
        )
    user = services.add_user(
        desk,
        actor,
        username=args.name,
        password=password,
        role=Role(args.role),
        department_code=args.department.upper() if args.department else None,
        display_name=args.display_name,
        office_code=args.office.strip().upper() if args.office else None,
    )
    if args.json:
        print_json(
            {
                "id": str(user.id),
                "username": user.username,
                "role": user.role.value,
                "office": user.office_code,
                "department": user.department_code,
            }
        )
    else:
        print(_("已添加用户 {name}（{role}）").format(name=user.username, role=user.role.label))
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    data = read_json_object(args.file, default_empty=False)
    desk = open_desk(args)
    actor = sign_in(desk, args)
    case = services.register_case(desk, actor, data)
    print_json(case.to_json(actor.timezone))
    if case.deadlines_estimated:
        note_estimated(desk, actor, (case.respond_by, case.resolve_by, case.update_by))
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    """An administrator lifts a sign-in lock-out: a user name's, or with ``--desk`` a desk's (node id)."""
    desk = open_desk(args)
    actor = sign_in(desk, args)
    if args.desk:
        lifted = services.unlock_desk(desk, actor, args.name)
    else:
        lifted = services.unlock_user(desk, actor, args.name)
    if args.json:
        print_json({"name": args.name, "desk": bool(args.desk), "lifted": lifted})
    else:
        print(
            _("已解除 {name} 的登录锁定").format(name=args.name)
            if lifted
            else _("{name} 未被锁定").format(name=args.name)
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    case = services.get_case(desk, actor, args.case_no)
    if args.json:
        print_json(case.to_json(actor.timezone))
    else:
        print(case_text(case, actor.timezone, services.reference_labels(desk)))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    flt = case_filter(args, limit=args.limit)
    rows = services.list_cases(desk, actor, flt)
    if args.json:
        print_json([r.to_json(actor.timezone) for r in rows])
    else:
        print(rows_text(rows, actor.timezone, services.reference_labels(desk)))
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    at = _in_range(services.parse_instant(args.at, "at", zone=actor.timezone), "at") if args.at else None
    items = services.due(desk, actor, at)
    if args.json:
        print_json([i.to_json(actor.timezone) for i in items])
    else:
        print(due_text(items, actor.timezone))
    note_estimated(desk, actor, (i.due_at for i in items))
    return 0


def cmd_act(args: argparse.Namespace) -> int:
    action = services.parse_action(args.action)
    data = read_json_object(args.file, default_empty=True)
    desk = open_desk(args)
    actor = sign_in(desk, args)
    expected = getattr(args, "expect_version", None)
    case = services.act(desk, actor, args.case_no, action, data, expected_version=expected)
    if args.json:
        print_json(case.to_json(actor.timezone))
    else:
        print(
            _("{case_no}：{action}完成，当前状态：{status}").format(
                case_no=case.case_no, action=action.label, status=Status(case.status).label
            )
        )
    return 0


def cmd_admin_set(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    services.set_setting(desk, sign_in(desk, args), args.key, args.value, office=args.office)
    print(_("已保存：{key} = {value}").format(key=args.key, value=args.value))
    return 0


def cmd_admin_settings(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    stored = services.settings(desk, sign_in(desk, args))
    if args.json:
        print_json(stored)
    else:
        for scope, values in sorted(stored.items()):
            for key, value in sorted(values.items()):
                print(f"{scope or '*':<8} {key} = {value}")
    return 0


def cmd_admin_repair(args: argparse.Namespace) -> int:
    """List the events whose payloads cannot be encoded (stored before the input boundary), escaped."""
    desk = open_desk(args)
    found = services.find_poison(desk, sign_in(desk, args))
    if args.json:
        print_json([event.to_json() for event in found])
    else:
        for event in found:
            print(
                f"{event.case_no}  {event.event_id}  {event.kind}  {join_items(event.code_points)}  "
                + json.dumps(event.payload, ensure_ascii=False)
            )
        print(
            _("{n} 个事件的载荷含无法编码的字符；显示与打印时已转义为〔U+XXXX〕，日志未改写").format(
                n=len(found)
            )
            if found
            else _("没有载荷含无法编码字符的事件")
        )
    return 0


def cmd_admin_calendar(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.day)
    except ValueError:
        raise ValidationError.single("day", _("日期格式应为 YYYY-MM-DD")) from None
    desk = open_desk(args)
    services.set_calendar_day(
        desk, sign_in(desk, args), day, working=args.kind == "working", note=args.note, office=args.office
    )
    print(
        _("已设置 {day} 为{kind}").format(
            day=day, kind=_("工作日") if args.kind == "working" else _("休息日")
        )
    )
    return 0


def cmd_admin_calendar_import(args: argparse.Namespace) -> int:
    """Load a year's holidays and make-up working days from the State Council's notice (docs/cli.md)."""
    text = read_text_file(args.file)
    desk = open_desk(args)
    result = services.import_calendar(desk, sign_in(desk, args), text, office=args.office)
    years = join_items(str(year) for year in result.years)
    if args.json:
        print_json(
            {
                "years": list(result.years),
                "holidays": result.holidays,
                "workdays": result.workdays,
                "office": result.scope or None,
            }
        )
    else:
        print(
            _("已导入 {years} 年节假日安排：放假 {off} 天，调休上班 {on} 天（{scope}）").format(
                years=years,
                off=result.holidays,
                on=result.workdays,
                scope=result.scope or _("全公司"),
            )
        )
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """One tick of the deadline watcher, for a server's scheduler or a script (the desktop runs its own)."""
    desk = open_desk(args)
    actor = sign_in(desk, args)
    result = services.watch_tick(desk, actor)
    if args.json:
        print_json(
            {
                "examined": result.examined,
                "escalated": result.escalated,
                "new_alerts": [
                    {
                        "case_no": a.case_no,
                        "deadline": a.deadline,
                        "state": a.state,
                        "due_at": a.due_at.isoformat(),
                        "message": a.message,
                    }
                    for a in result.new_alerts
                ],
            }
        )
    else:
        for alert in result.new_alerts:
            print(alert.message)
        print(_("检查了 {n} 件案件，新提醒 {m} 条").format(n=result.examined, m=len(result.new_alerts)))
    return 0


# -- the event log's integrity ---------------------------------------------------------------------

#: Exit code of a verification that found something wrong (as verify-letter's, docs/cli.md).
EXIT_BROKEN_LOG = 4


def add_integrity_parsers(
    sub: argparse._SubParsersAction, admin_sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """``kesu verify-log`` and ``kesu admin db-role`` (called by cli/main.build_parser)."""
    text = _("核验事件日志的散列链：每个节点的第一处断裂（有断裂时退出码 4）")
    p = sub.add_parser("verify-log", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_verify_log)
    p.add_argument("--case", metavar="CASE_NO", help=_("只核验写过该案件事件的节点的链"))
    text = _("在 PostgreSQL 上创建（或更新）各台应连接使用的最小权限角色")
    p = admin_sub.add_parser("db-role", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_admin_db_role)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--password-env", metavar="VAR", help=_("角色密码取自该环境变量"))
    p.add_argument("--print-only", action="store_true", help=_("只打印 SQL，不执行"))


def cmd_verify_log(args: argparse.Namespace) -> int:
    """Recompute every node's hash chain; exit 4 when one is broken (docs/cli.md)."""
    desk = open_desk(args)
    report = services.verify_log(desk, sign_in(desk, args), case_no=args.case)
    if args.json:
        print_json(report.as_json())
    else:
        for node in report.nodes:
            found = node.first_break
            # a replica chain (no head here) holds only some of the node's events: gaps are expected
            name = node.node_id + (_("（副本，允许缺号）") if node.replica else "")
            if found is None:
                print(_("节点 {node}：{n} 个事件，链完整").format(node=name, n=node.events))
                continue
            print(
                _(
                    "节点 {node}：{n} 个事件，第一处断裂：{what}（事件 {event}，案件 {case}）：{detail}"
                ).format(
                    node=name,
                    n=node.events,
                    what=found.kind.label,
                    event=found.event_id or "-",
                    case=found.case_no or "-",
                    detail=found.detail,
                )
            )
        if not report.nodes:
            print(_("没有事件"))
        print(_("事件日志完整") if report.intact else _("事件日志已被改动"))
    return 0 if report.intact else EXIT_BROKEN_LOG


def cmd_admin_db_role(args: argparse.Namespace) -> int:
    """Make the least-privilege role desks connect as (PostgreSQL); prints the SQL, password masked."""
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise ValidationError.single(
                "password-env", _("环境变量 {var} 未设置或为空").format(var=args.password_env)
            )
    if args.print_only:
        statements = services.db_role_sql(args.name, password=None if password is None else "********")
    else:
        desk = open_desk(args)
        statements = services.create_db_role(desk, sign_in(desk, args), args.name, password=password)
    if args.json:
        print_json({"role": args.name, "executed": not args.print_only, "sql": statements})
    else:
        for statement in statements:
            print(statement + ";")
        if not args.print_only:
            print(
                _("角色 {name} 已就绪：各台请以它连接数据库，不要用超级用户").format(name=args.name),
                file=sys.stderr,
            )
    return 0
