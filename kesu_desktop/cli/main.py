"""The ``kesu`` command: argument parsing and JSON in/out over the services, no rules of its own.

Exit codes are a contract: 0 success, 2 bad input (one ``field: message`` line per bad field on
stderr), 3 not allowed (role, scope, state or sign-in), 5 the case changed since the version given
(``act --expect-version``; one ``conflict: …`` line each), 1 anything else (never a traceback; the
details go to the log file).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from kesu_desktop.cli import (
    collector,
    commands,
    exports,
    imports,
    offices,
    printing,
    replies,
    reports,
    templates,
    user_admin,
)
from kesu_desktop.cli import sync as sync_cli
from kesu_desktop.cli.filters import add_filter_arguments
from kesu_desktop.cli.io import input_error_lines
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import (
    AuthenticationFailed,
    Conflict,
    NotAllowed,
    NotFound,
    StaleCase,
    ValidationError,
)
from kesu_desktop.domain.text import printable
from kesu_desktop.i18n import LANGUAGES, SOURCE_LANGUAGE, _, normalize_language, use_language
from kesu_desktop.logs import log_unexpected
from kesu_desktop.version_option import add_version_option

EXIT_OK, EXIT_ERROR, EXIT_INPUT, EXIT_NOT_ALLOWED = 0, 1, 2, 3
#: Another desk changed the case since the version the command was given (``act --expect-version``).
EXIT_STALE = 5


def _globals() -> argparse.ArgumentParser:
    """Global options, accepted before or after the sub-command."""
    p = argparse.ArgumentParser(add_help=False)
    s = argparse.SUPPRESS
    p.add_argument(
        "--db",
        metavar="URL",
        default=s,
        help=_("数据库地址（默认：KESU_DATABASE_URL 或用户数据目录中的 SQLite 文件）"),
    )
    p.add_argument("--user", metavar="NAME", default=s, help=_("以该用户身份操作（密码取自 KESU_PASSWORD）"))
    p.add_argument("--json", action="store_true", default=s, help=_("输出 JSON"))
    p.add_argument("--now", metavar="ISO_TIME", default=s, help=_("视作当前时间（也可用 KESU_NOW）"))
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=s,
        help=_("输出与打印文件的语言（也可用 KESU_LANG；默认：网点的默认语言）"),
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _globals()
    parser = argparse.ArgumentParser(prog="kesu", description=_("客诉台 Kesu Desk 命令行"), parents=[common])
    add_version_option(parser, "kesu")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = add("init", commands.cmd_init, _("创建或升级数据库，建立首个网点和管理员"))
    p.add_argument("--office", required=True, metavar="CODE")
    p.add_argument("--office-name", metavar="NAME", help=_("首个网点的名称（新建中心时必填）"))
    p.add_argument("--admin", metavar="NAME", help=_("首个管理员（新建中心时必填）"))
    p.add_argument(
        "--branch-of",
        metavar="CENTRAL_URL",
        help=_("创建分支机构数据库：以 --user 管理员在中心核验，取得本网点的数据"),
    )
    p.add_argument(
        "--from-bundle",
        metavar="FILE",
        help=_("用中心导出的同步文件创建分支机构数据库（无网络时）；以 --user 管理员核验"),
    )

    user = sub.add_parser("user", parents=[common], help=_("用户管理"))
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    p = user_sub.add_parser("add", parents=[common], help=_("添加用户（密码取自 KESU_NEW_PASSWORD）"))
    p.set_defaults(func=commands.cmd_user_add)
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--department", metavar="CODE")
    p.add_argument("--display-name", metavar="NAME")
    p.add_argument("--office", metavar="CODE", help=_("用户所属网点（默认：管理员所在网点）"))
    p = user_sub.add_parser("unlock", parents=[common], help=_("解除登录锁定（管理员）"))
    p.set_defaults(func=commands.cmd_user_unlock)
    p.add_argument("name", metavar="NAME|NODE_ID")
    p.add_argument("--desk", action="store_true", help=_("解除该桌面（节点编号）的锁定"))

    p = add("register", commands.cmd_register, _("登记投诉（读取一个 JSON 对象）"))
    p.add_argument("file", nargs="?", default="-", metavar="FILE|-")

    p = add("show", commands.cmd_show, _("查看案件及其时间线"))
    p.add_argument("case_no", metavar="CASE_NO")

    p = add("list", commands.cmd_list, _("列出案件"))
    add_filter_arguments(p)
    p.add_argument("--limit", type=int, default=50, metavar="N")

    p = add("due", commands.cmd_due, _("即将到期或已超时的事项"))
    p.add_argument("--at", metavar="ISO_TIME")

    add("watch", commands.cmd_watch, _("执行一次截止时间检查：生成提醒、按规则自动升级"))

    p = add("act", commands.cmd_act, _("对案件执行流程操作（参数为一个 JSON 对象）"))
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("action", metavar="ACTION")
    p.add_argument("file", nargs="?", metavar="FILE|-")
    p.add_argument(
        "--expect-version",
        metavar="HLC",
        help=_("只在案件仍是该版本（kesu show --json 的 version）时执行，否则退出码 5"),
    )

    admin = sub.add_parser("admin", parents=[common], help=_("管理员设置：时限规则、工作日历"))
    admin_sub = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    p = admin_sub.add_parser("set", parents=[common], help=_("保存一项设置，例如 sla.p1.respond 3wh"))
    p.set_defaults(func=commands.cmd_admin_set)
    p.add_argument("key")
    p.add_argument("value")
    p.add_argument("--office", metavar="CODE", help=_("只对该网点生效（默认全公司）"))
    p = admin_sub.add_parser("settings", parents=[common], help=_("列出已保存的设置"))
    p.set_defaults(func=commands.cmd_admin_settings)
    p = admin_sub.add_parser("calendar", parents=[common], help=_("把某一天设为工作日或休息日"))
    p.set_defaults(func=commands.cmd_admin_calendar)
    p.add_argument("day", metavar="YYYY-MM-DD")
    p.add_argument("kind", choices=["working", "off"])
    p.add_argument("--note", default="")
    p.add_argument("--office", metavar="CODE")
    p = admin_sub.add_parser(
        "calendar-import", parents=[common], help=_("导入某年的节假日安排（放假与调休上班，文本文件）")
    )
    p.set_defaults(func=commands.cmd_admin_calendar_import)
    p.add_argument("file", metavar="FILE|-")
    p.add_argument("--office", metavar="CODE", help=_("只对该网点生效（默认全公司）"))

    p = admin_sub.add_parser(
        "repair", parents=[common], help=_("列出载荷含无法编码字符的事件（已转义显示，不改写日志）")
    )
    p.set_defaults(func=commands.cmd_admin_repair)

    printing.add_parsers(sub, admin_sub, common)
    sync_cli.add_parsers(sub, common)
    offices.add_parsers(sub, admin_sub, common)
    user_admin.add_parsers(sub, admin_sub, common, user_sub)
    templates.add_parsers(sub, admin_sub, common)
    commands.add_integrity_parsers(sub, admin_sub, common)
    replies.add_parsers(sub, common)
    reports.add_parsers(sub, common)
    exports.add_parsers(sub, common)
    imports.add_parsers(sub, common)
    return parser


def _options(args: argparse.Namespace) -> argparse.Namespace:
    for name, default in (("db", None), ("user", None), ("json", False), ("now", None)):
        if not hasattr(args, name):
            setattr(args, name, default)
    if args.now is None:
        args.now = os.environ.get("KESU_NOW") or None
    return args


def _chosen_language(argv: Sequence[str]) -> str | None:
    """``--lang`` (anywhere on the line), else ``KESU_LANG``; read before the parser is built, so that
    its help and error messages are in that language too. None: neither was given."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            return value if value in LANGUAGES else None  # argparse reports a bad choice itself
    raw = os.environ.get("KESU_LANG")
    if raw:
        language = normalize_language(raw)
        if language is None:
            raise ValueError(
                _("环境变量 KESU_LANG 的值“{value}”无效：应为 {codes} 之一").format(
                    value=printable(raw), codes=", ".join(LANGUAGES)
                )
            )
        return language
    return None


def _bad_argument(argv: Sequence[str]) -> str | None:
    """The ``input: …`` line for an argument holding bytes that are not UTF-8, or None.

    Python hands such bytes over as lone surrogates (surrogateescape); they could never be stored or
    printed, so they are refused before anything else, with the bytes shown escaped.
    """
    for number, arg in enumerate(argv, start=1):
        if any("\ud800" <= char <= "\udfff" for char in arg):
            try:  # the bytes as typed (\xff), when they came from the command line
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            except UnicodeEncodeError:
                shown = arg
            message = _("第 {n} 个参数不是有效的 UTF-8：{arg}").format(n=number, arg=printable(shown))
            return "input: " + message
    return None


def _database_failure(exc: Exception) -> bool:
    """Report a database error (one line, details logged) and return True; False for anything else.

    SQLAlchemy is looked up in ``sys.modules`` rather than imported here: ``kesu --help`` and the
    argument errors must not pay for loading it, and an error raised before anything imported it
    cannot be one of its errors.
    """
    errors = sys.modules.get("sqlalchemy.exc")
    if errors is None:
        return False
    if isinstance(exc, errors.OperationalError):
        log_unexpected(exc)
        print(
            _("error: 无法打开数据库：{detail}").format(detail=str(exc.orig).strip().splitlines()[0]),
            file=sys.stderr,
        )
        return True
    if isinstance(exc, errors.DBAPIError):
        path = log_unexpected(exc)
        print(_("error: 数据库错误（详情见 {path}）").format(path=path), file=sys.stderr)
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """The ``kesu`` process (``argv`` None: the command line's own) or one command run in-process."""
    if argv is not None:
        return _main(list(argv))
    collector.starting()
    try:
        return _main(sys.argv[1:])
    finally:
        collector.exiting()


def _main(argv: list[str]) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            # backslashreplace: a message quoting a bad code point prints escaped, never "lost sys.stderr"
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    bad = _bad_argument(argv)
    if bad is not None:
        print(bad, file=sys.stderr)
        return EXIT_INPUT
    try:
        language = _chosen_language(argv)
    except ValueError as exc:
        print(f"input: {exc}", file=sys.stderr)
        return EXIT_INPUT
    use_language(language or SOURCE_LANGUAGE)
    parser = build_parser()
    args = _options(parser.parse_args(argv))
    args.language_chosen = language is not None
    try:
        return args.func(args) or EXIT_OK
    except StaleCase as exc:
        for line in (str(exc), *exc.lines, _("当前版本：{version}").format(version=exc.version)):
            print(f"conflict: {printable(line)}", file=sys.stderr)
        return EXIT_STALE
    except (ValidationError, NotFound, Conflict) as exc:
        for line in input_error_lines(exc):
            print(line, file=sys.stderr)
        return EXIT_INPUT
    except (NotAllowed, AuthenticationFailed) as exc:
        print(f"not allowed: {printable(str(exc))}", file=sys.stderr)
        return EXIT_NOT_ALLOWED
    except RecursionError as exc:  # input nested beyond what any reader expects
        log_unexpected(exc)
        print("input: " + _("输入嵌套过深"), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if _database_failure(exc):
            return EXIT_ERROR
        path = log_unexpected(exc)
        message = _("error: 意外错误：{error}（详情见 {path}）").format(error=printable(str(exc)), path=path)
        print(message, file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
