"""``python -m kesu_desktop.devtools``: developer commands, kept out of the ``kesu`` command.

``seed-demo --count N [--seed S]`` takes the ``kesu`` command's global options (``--db``, ``--user``
with the password in ``KESU_PASSWORD``, ``--json``, ``--now``) and its exit codes: 0 done, 2 bad input
(``field: message`` lines), 3 not allowed, 1 anything else.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import input_error_lines, print_json
from kesu_desktop.devtools.seed import Progress, seed_demo
from kesu_desktop.domain.errors import AuthenticationFailed, Conflict, NotAllowed, NotFound, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.logs import log_unexpected


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kesu_desktop.devtools", description=_("开发与演示工具（不属于产品）")
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    about = _("生成演示用的模拟投诉案件")
    p = sub.add_parser("seed-demo", help=about, description=about)
    p.add_argument("--count", type=int, required=True, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument(
        "--db", metavar="URL", help=_("数据库地址（默认：KESU_DATABASE_URL 或用户数据目录中的 SQLite 文件）")
    )
    p.add_argument("--user", metavar="NAME", help=_("以该用户身份操作（密码取自 KESU_PASSWORD）"))
    p.add_argument("--json", action="store_true", help=_("输出 JSON"))
    p.add_argument("--now", metavar="ISO_TIME", help=_("视作当前时间（也可用 KESU_NOW）"))
    return parser


def cmd_seed_demo(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise ValidationError.single("count", _("数量须为正整数"))
    desk = open_desk(args)
    try:
        actor = sign_in(desk, args)
        made = seed_demo(desk, actor, count=args.count, seed=args.seed, progress=_progress(args))
    finally:
        desk.close()
    if args.json:
        print_json({"created": made})
    else:
        print(_("已生成 {n} 件演示案件").format(n=made))
    return 0


def _progress(args: argparse.Namespace) -> Progress | None:
    if args.json or not sys.stderr.isatty():
        return None

    def report(done: int, total: int) -> None:
        print(f"\r{done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)

    return report


def main(argv: Sequence[str] | None = None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
        sys.stderr.reconfigure(encoding="utf-8")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    args = build_parser().parse_args(argv)
    if args.now is None:
        args.now = os.environ.get("KESU_NOW") or None
    try:
        return cmd_seed_demo(args)
    except (ValidationError, NotFound, Conflict) as exc:
        for line in input_error_lines(exc):
            print(line, file=sys.stderr)
        return 2
    except (NotAllowed, AuthenticationFailed) as exc:
        print(f"not allowed: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        path = log_unexpected(exc)
        print(_("error: 意外错误：{error}（详情见 {path}）").format(error=exc, path=path), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
