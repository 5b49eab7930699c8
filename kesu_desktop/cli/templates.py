"""``kesu template list|set`` and ``kesu phrase list|add|set``: reply templates and the phrase library.
Thin wrappers over services/templates.py (administrators, at the central)."""

from __future__ import annotations

import argparse

from kesu_desktop import services
from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json, read_text_file
from kesu_desktop.domain.enums import ReplyKind
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _


def cmd_template_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    found = services.list_templates(desk, sign_in(desk, args))
    if args.json:
        print_json([template.as_json() for template in found])
    else:
        for template in found:
            first = template.body.splitlines()[0] if template.body else _("（无）")
            print(f"{template.kind:<11} {template.name}  {first}")
    return 0


def cmd_template_set(args: argparse.Namespace) -> int:
    """A kind's name and/or body; the body comes from a UTF-8 file or ``-`` (stdin)."""
    if args.file is None and args.name is None:
        raise ValidationError.single("file", _("请给出模板内容文件（或 - 从标准输入读取）或 --name"))
    body = None if args.file is None else read_text_file(args.file).rstrip("\n")
    desk = open_desk(args)
    view = services.set_template(desk, sign_in(desk, args), args.kind, name=args.name, body=body)
    if args.json:
        print_json(view.as_json())
    else:
        print(_("已保存回复模板：{kind}（{name}）").format(kind=view.kind_label, name=view.name))
    return 0


def _phrase_line(phrase: services.PhraseView) -> str:
    state = "" if phrase.active else "  " + _("（已停用）")
    suggestion = f"  → {phrase.suggestion}" if phrase.suggestion else ""
    return f"{phrase.id}  {phrase.kind:<11} {phrase.text}{suggestion}{state}"


def cmd_phrase_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    found = services.list_phrases(desk, sign_in(desk, args), kind=args.kind)
    if args.json:
        print_json([phrase.as_json() for phrase in found])
    else:
        for phrase in found:
            print(_phrase_line(phrase))
    return 0


def cmd_phrase_add(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    phrase = services.add_phrase(desk, sign_in(desk, args), args.kind, args.text, args.suggestion or "")
    if args.json:
        print_json(phrase.as_json())
    else:
        print(_("已添加：{line}").format(line=_phrase_line(phrase)))
    return 0


def cmd_phrase_set(args: argparse.Namespace) -> int:
    if args.text is None and args.suggestion is None and args.active is None:
        raise ValidationError.single("id", _("请给出 --text、--suggestion、--active 或 --inactive"))
    desk = open_desk(args)
    phrase = services.edit_phrase(
        desk, sign_in(desk, args), args.id, text=args.text, suggestion=args.suggestion, active=args.active
    )
    if args.json:
        print_json(phrase.as_json())
    else:
        print(_("已保存：{line}").format(line=_phrase_line(phrase)))
    return 0


def add_parsers(
    sub: argparse._SubParsersAction, admin_sub: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    """Add the template and phrase commands to ``kesu`` (called from build_parser)."""
    del admin_sub  # nothing under ``kesu admin``
    kinds = ", ".join(kind.value for kind in ReplyKind)
    template = sub.add_parser("template", parents=[common], help=_("回复模板（管理员）"))
    template_sub = template.add_subparsers(dest="template_command", required=True, metavar="ACTION")
    text = _("列出各类回复的模板")
    p = template_sub.add_parser("list", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_template_list)
    text = _("修改某类回复的模板：内容取自 UTF-8 文件（- 为标准输入），可用占位符见 docs/cli.md")
    p = template_sub.add_parser("set", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_template_set)
    p.add_argument("kind", metavar="KIND", help=kinds)
    p.add_argument("file", metavar="FILE", nargs="?", help=_("模板内容文件，- 为标准输入"))
    p.add_argument("--name", metavar="NAME", help=_("模板名称"))

    phrase = sub.add_parser("phrase", parents=[common], help=_("用语库：推荐用语与禁用语（管理员）"))
    phrase_sub = phrase.add_subparsers(dest="phrase_command", required=True, metavar="ACTION")
    text = _("列出用语（含已停用的）")
    p = phrase_sub.add_parser("list", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_phrase_list)
    p.add_argument("--kind", choices=("recommended", "forbidden"))
    text = _("添加用语：recommended（推荐用语）或 forbidden（禁用语，附建议说法）")
    p = phrase_sub.add_parser("add", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_phrase_add)
    p.add_argument("kind", metavar="KIND", help="recommended, forbidden")
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--suggestion", metavar="TEXT", help=_("建议说法（禁用语的替代说法）"))
    text = _("修改用语的文字或建议说法，或停用/启用")
    p = phrase_sub.add_parser("set", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_phrase_set)
    p.add_argument("id", metavar="ID", help=_("用语编号（见 kesu phrase list）"))
    p.add_argument("--text", metavar="TEXT")
    p.add_argument("--suggestion", metavar="TEXT")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--active", dest="active", action="store_const", const=True, default=None)
    state.add_argument("--inactive", dest="active", action="store_const", const=False)
