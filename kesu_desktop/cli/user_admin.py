"""``kesu user set|list``, ``kesu department add|set|list``, ``kesu category add|set|list`` and
``kesu admin changes``: thin wrappers over services/user_admin.py, services/catalogue.py and
services/admin_log.py (the rules and the change records live there)."""

from __future__ import annotations

import argparse
import json
import os

from kesu_desktop import services
from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.localtime import local_iso, local_time
from kesu_desktop.i18n import _

_BOOL = {"true": True, "false": False}  # not translated: the values typed on the command line


def _flag(value: str | None) -> bool | None:
    return None if value is None else _BOOL[value]


def _state(active: bool) -> str:
    return _("在用") if active else _("已停用")


# -- users -----------------------------------------------------------------------------------------


def cmd_user_set(args: argparse.Namespace) -> int:
    password = None
    if args.reset_password:
        password = os.environ.get("KESU_NEW_PASSWORD")
        if not password:
            raise ValidationError.single(
                "KESU_NEW_PASSWORD", _("请在环境变量 KESU_NEW_PASSWORD 中提供新密码")
            )
    desk = open_desk(args)
    actor = sign_in(desk, args)
    user = services.set_user(
        desk,
        actor,
        args.name,
        role=Role(args.role) if args.role else None,
        department=args.department,
        office=args.office,
        display_name=args.display_name,
        active=_flag(args.active),
        new_password=password,
    )
    if args.json:
        print_json(user.as_json())
    else:
        print(
            _("已更新用户 {name}（{role}，{state}）").format(
                name=user.username, role=user.role.label, state=_state(user.active)
            )
        )
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    users = services.list_users(desk, actor)
    if args.json:
        print_json([user.as_json() for user in users])
    else:
        for user in users:
            print(
                f"{user.username:<16} {user.display_name}  {user.role.label}  {user.office_code}"
                f"  {user.department_code or '-'}  {_state(user.active)}"
            )
    return 0


# -- departments and categories -------------------------------------------------------------------


def cmd_department_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    dept = services.add_department(desk, sign_in(desk, args), args.code, args.name)
    _print_department(args, dept, _("已添加部门 {code}（{name}）"))
    return 0


def cmd_department_set(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    dept = services.set_department(
        desk, sign_in(desk, args), args.code, name=args.name, active=_flag(args.active)
    )
    _print_department(args, dept, _("已更新部门 {code}（{name}，{state}）"))
    return 0


def _print_department(args: argparse.Namespace, dept: services.DepartmentView, text: str) -> None:
    if args.json:
        print_json(dept.as_json())
    else:
        print(text.format(code=dept.code, name=dept.name, state=_state(dept.active)))


def cmd_department_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    found = services.list_departments(desk, sign_in(desk, args))
    if args.json:
        print_json([dept.as_json() for dept in found])
    else:
        for dept in found:
            print(f"{dept.code:<8} {dept.name}  {_state(dept.active)}")
    return 0


def cmd_category_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    cat = services.add_category(
        desk, sign_in(desk, args), args.code, args.name, department=args.department, parent=args.parent
    )
    _print_category(args, cat, _("已添加投诉类别 {code}（{name}，责任部门 {dept}）"))
    return 0


def cmd_category_set(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    cat = services.set_category(
        desk,
        sign_in(desk, args),
        args.code,
        name=args.name,
        department=args.department,
        active=_flag(args.active),
    )
    _print_category(args, cat, _("已更新投诉类别 {code}（{name}，责任部门 {dept}，{state}）"))
    return 0


def _print_category(args: argparse.Namespace, cat: services.CategoryView, text: str) -> None:
    if args.json:
        print_json(cat.as_json())
    else:
        print(
            text.format(
                code=cat.code, name=cat.name, dept=cat.department_code or "-", state=_state(cat.active)
            )
        )


def cmd_category_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    found = services.list_categories(desk, sign_in(desk, args))
    if args.json:
        print_json([cat.as_json() for cat in found])
    else:
        for cat in found:
            print(f"{cat.code:<24} {cat.name}  {cat.department_code or '-'}  {_state(cat.active)}")
    return 0


# -- the record of changes -------------------------------------------------------------------------


def cmd_admin_changes(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    actor = sign_in(desk, args)
    found = services.list_changes(desk, actor, entity=args.entity, key=args.key, limit=args.limit)
    if args.json:
        print_json([dict(change.as_json(), at=local_iso(change.at, actor.timezone)) for change in found])
        return 0
    for change in found:
        before = json.dumps(change.before, ensure_ascii=False, sort_keys=True)
        after = json.dumps(change.after, ensure_ascii=False, sort_keys=True)
        at = local_time(change.at, actor.timezone)
        print(f"{at}  {change.actor}  {change.entity} {change.entity_key}  {before} → {after}")
    return 0


def add_parsers(
    sub: argparse._SubParsersAction,
    admin_sub: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    user_sub: argparse._SubParsersAction,
) -> None:
    """Add these commands to ``kesu`` (called from build_parser, with the ``user`` parser's actions)."""
    active = {"choices": list(_BOOL), "metavar": "true|false"}
    text = _("修改用户：角色、部门、网点、姓名、是否在用、重置密码（管理员）")
    p = user_sub.add_parser("set", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_user_set)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", choices=[r.value for r in Role])
    p.add_argument("--department", metavar="CODE", help=_("责任部门（空字符串表示清除）"))
    p.add_argument("--office", metavar="CODE")
    p.add_argument("--display-name", metavar="NAME")
    p.add_argument("--active", **active, help=_("false 停用该用户（停用后不能登录）"))
    p.add_argument(
        "--reset-password", action="store_true", help=_("重置密码（新密码取自 KESU_NEW_PASSWORD）")
    )
    text = _("列出用户（管理员、经理）")
    p = user_sub.add_parser("list", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_user_list)

    dept = sub.add_parser("department", parents=[common], help=_("责任部门管理"))
    dept_sub = dept.add_subparsers(dest="department_command", required=True, metavar="ACTION")
    text = _("添加部门（管理员）")
    p = dept_sub.add_parser("add", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_department_add)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", required=True, metavar="NAME")
    text = _("修改部门名称或停用、启用部门（管理员）")
    p = dept_sub.add_parser("set", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_department_set)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--active", **active)
    text = _("列出部门（含已停用的）")
    p = dept_sub.add_parser("list", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_department_list)

    cat = sub.add_parser("category", parents=[common], help=_("投诉类别管理"))
    cat_sub = cat.add_subparsers(dest="category_command", required=True, metavar="ACTION")
    text = _("添加投诉类别（管理员）")
    p = cat_sub.add_parser("add", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_category_add)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", required=True, metavar="NAME")
    p.add_argument("--department", metavar="CODE", help=_("新案件转交的责任部门"))
    p.add_argument("--parent", metavar="CODE", help=_("上级类别"))
    text = _("修改投诉类别：名称、责任部门，停用或启用（管理员）")
    p = cat_sub.add_parser("set", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_category_set)
    p.add_argument("code", metavar="CODE")
    p.add_argument("--name", metavar="NAME")
    p.add_argument("--department", metavar="CODE", help=_("新案件转交的责任部门（空字符串表示不指定）"))
    p.add_argument("--active", **active)
    text = _("列出投诉类别（含已停用的）")
    p = cat_sub.add_parser("list", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_category_list)

    text = _("列出管理变更记录（最新的在前；管理员、经理）")
    p = admin_sub.add_parser("changes", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_admin_changes)
    p.add_argument(
        "--entity", metavar="ENTITY", help=_("只看一类：user、office、department、category、setting 等")
    )
    p.add_argument("--key", metavar="KEY", help=_("只看一项，例如用户名或网点代码"))
    p.add_argument("--limit", type=int, default=200, metavar="N")
