"""``kesu office add|set|list`` and ``kesu admin branch-credentials``: offices and the role a branch syncs
with. Thin wrappers over services/offices.py and services/branch_access.py."""

from __future__ import annotations

import argparse
import os
import sys

from kesu_desktop import services
from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.i18n import _


def cmd_office_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    office = services.add_office(
        desk,
        actor,
        args.code,
        args.name,
        timezone=args.timezone,
        contact=args.contact or "",
        organisation=args.organisation or "",
    )
    if args.json:
        print_json(office.as_json(actor.timezone))
    else:
        print(
            _("已添加网点 {code}（{name}，时区 {zone}）").format(
                code=office.code, name=office.name, zone=office.timezone
            )
        )
    return 0


def cmd_office_set(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    office = services.set_office(
        desk,
        actor,
        args.code,
        name=args.name,
        timezone=args.timezone,
        contact=args.contact,
        organisation=args.organisation,
    )
    if args.json:
        print_json(office.as_json(actor.timezone))
    else:
        print(
            _("已更新网点 {code}（{name}，时区 {zone}，跟进电话 {contact}）").format(
                code=office.code, name=office.name, zone=office.timezone, contact=office.contact or "-"
            )
        )
    return 0


def cmd_office_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    found = services.list_offices(desk, actor)
    if args.json:
        print_json([office.as_json(actor.timezone) for office in found])
    else:
        for office in found:
            added = local_time(office.created_at, actor.timezone)
            print(f"{office.code:<8} {office.name}  {office.timezone}  {added}")
    return 0


def cmd_admin_branch_credentials(args: argparse.Namespace) -> int:
    """Make (or renew) the office's sync role on the central; print its URL, password included, once."""
    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise ValidationError.single(
                "password-env", _("环境变量 {var} 未设置或为空").format(var=args.password_env)
            )
    desk = open_desk(args)
    creds = services.create_branch_credentials(desk, sign_in(desk, args), args.code, password=password)
    if args.json:
        print_json(creds.as_json())
    else:
        print(_("角色：{role}").format(role=creds.role))
        print(creds.url)
    print(
        _("请妥善保管此地址（含密码）：分支机构只保存它，不保存超级用户的地址；再次运行本命令会更换密码"),
        file=sys.stderr,
    )
    return 0


def add_parsers(
    sub: argparse._SubParsersAction, admin_sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """Add the office commands to ``kesu`` (called from build_parser)."""
    office = sub.add_parser("office", parents=[common], help=_("营业网点管理"))
    office_sub = office.add_subparsers(dest="office_command", required=True, metavar="ACTION")
    text = _("添加营业网点（管理员，在总部数据库上）")
    p = office_sub.add_parser("add", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_office_add)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", required=True, metavar="NAME")
    p.add_argument("--timezone", default="Asia/Shanghai", metavar="TZ", help=_("IANA 时区名称"))
    p.add_argument("--contact", metavar="PHONE", help=_("回执上的跟进电话"))
    p.add_argument("--organisation", metavar="NAME", help=_("文书抬头的单位名称（默认用网点名称）"))
    text = _("修改营业网点：名称、时区，打印文书上的跟进电话和单位名称（管理员）")
    p = office_sub.add_parser("set", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_office_set)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--timezone", metavar="TZ", help=_("IANA 时区名称"))
    p.add_argument("--contact", metavar="PHONE", help=_("回执上的跟进电话（空字符串表示清除）"))
    p.add_argument("--organisation", metavar="NAME", help=_("文书抬头的单位名称（空字符串表示用网点名称）"))
    text = _("列出营业网点")
    p = office_sub.add_parser("list", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_office_list)

    text = _("在总部 PostgreSQL 上为网点创建（或更新）分支机构同步用的最小权限角色，打印其连接地址")
    p = admin_sub.add_parser("branch-credentials", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_admin_branch_credentials)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--password-env", metavar="VAR", help=_("角色密码取自该环境变量（默认随机生成）"))
