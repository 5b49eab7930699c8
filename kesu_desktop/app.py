"""Start-up of the desktop app: options, Qt, the database, first-run set-up, sign-in, the main window.

Start-up failures people actually meet (a mistyped database URL, a server that is down) get a plain
Chinese message and exit code 1, never a traceback; anything else is logged with ``log_unexpected``
and reported the same way. ``--screenshot DIR`` runs the same path without any dialog (sign-in from
``--user`` and ``KESU_PASSWORD``) and writes ``DIR/main-LAYOUT-WxH.png`` (``--size WxH``, default 1366x768;
``--layout registration|queue``, default the user's; ``main-en-…`` when ``--lang`` is not Simplified
Chinese): it is how the window is looked at in CI.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy.exc import OperationalError

from kesu_desktop import i18n, paths, services
from kesu_desktop.domain.errors import AuthenticationFailed, KesuError, ValidationError
from kesu_desktop.i18n import _, join_clauses
from kesu_desktop.logs import log_unexpected
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.fonts import register_bundled_font
from kesu_desktop.ui.base.language import apply_language, remember_last, resolve_language
from kesu_desktop.ui.layouts import LayoutName
from kesu_desktop.ui.main_window import MainWindow
from kesu_desktop.ui.session.first_run import FirstRunDialog
from kesu_desktop.ui.session.login import LoginDialog
from kesu_desktop.version_option import add_version_option

EXIT_OK, EXIT_ERROR = 0, 1
SCREENSHOT_SIZE = (1366, 768)
SCREENSHOT_TIMEOUT_MS = 60_000


class StartupError(Exception):
    """A start-up failure with the message the user should read; main() turns it into exit code 1."""


@dataclass(frozen=True)
class Options:
    db_url: str
    user: str | None
    password: str | None
    screenshot: Path | None
    qt_args: list[str]
    size: tuple[int, int] = SCREENSHOT_SIZE
    layout: LayoutName | None = None
    #: ``--lang`` or ``KESU_LANG``: the language for this session whatever the user chose before.
    language: str | None = None
    #: ``--selftest``: run ``kesu_desktop.selftest`` instead of the desktop.
    selftest: bool = False


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="kesu-desk", description=_("客诉台 Kesu Desk"))
    parser.add_argument(
        "--db", metavar="URL", help=_("数据库地址（默认：KESU_DATABASE_URL 或用户数据目录中的 SQLite 文件）")
    )
    parser.add_argument("--user", metavar="NAME", help=_("以该用户身份登录（密码取自 KESU_PASSWORD）"))
    parser.add_argument(
        "--screenshot",
        metavar="DIR",
        type=Path,
        help=_("不显示对话框，把主窗口截图保存为 DIR/main-布局-宽x高.png 后退出"),
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        type=_window_size,
        default=SCREENSHOT_SIZE,
        help=_("截图的窗口大小，如 1280x720"),
    )
    parser.add_argument(
        "--layout", choices=[name.value for name in LayoutName], help=_("截图用的布局（默认：该用户的布局）")
    )
    parser.add_argument(
        "--lang",
        choices=i18n.LANGUAGES,
        help=_("本次使用的语言（默认：用户的选择、网点默认语言，或 KESU_LANG）"),
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help=_("在临时文件夹中自检（建库、登记、签发并核验回执、离屏绘制主窗口）后退出"),
    )
    add_version_option(parser, "kesu-desk")
    args, qt_args = parser.parse_known_args(argv)
    return Options(
        # The self-test uses a database of its own: it must not create the user's data folder.
        db_url="" if args.selftest else paths.database_url(args.db),
        user=args.user,
        password=os.environ.get("KESU_PASSWORD") or None,
        screenshot=args.screenshot,
        qt_args=qt_args,
        size=args.size,
        layout=LayoutName(args.layout) if args.layout else None,
        language=args.lang or i18n.environment_language(),
        selftest=args.selftest,
    )


def _window_size(text: str) -> tuple[int, int]:
    """``1366x768`` → (1366, 768); argparse turns the ValueError into a usage message (exit 2)."""
    width, sep, height = text.lower().partition("x")
    if not sep or not (width.isdigit() and height.isdigit()) or not (320 <= int(width) <= 7680):
        raise argparse.ArgumentTypeError(_("窗口大小须写成 宽x高，如 1280x720"))
    if not 240 <= int(height) <= 4320:
        raise argparse.ArgumentTypeError(_("窗口大小须写成 宽x高，如 1280x720"))
    return int(width), int(height)


def startup_message(exc: BaseException) -> str:
    """The one line a user reads when the app cannot start; unexpected errors are logged here too."""
    if isinstance(exc, StartupError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return _("无法打开数据库：{reason}").format(reason=join_clauses(exc.errors.values()))
    if isinstance(exc, OperationalError):
        reason = (str(exc.orig) if exc.orig is not None else str(exc)).strip().splitlines()[0][:200]
        return _("无法连接数据库，请检查数据库地址、网络或联系管理员。（{reason}）").format(reason=reason)
    if isinstance(exc, KesuError):
        return str(exc)
    path = log_unexpected(exc)
    return _("启动时发生意外错误，详情已写入日志：{path}").format(path=path)


def _install_excepthook(interactive: bool) -> None:
    """Errors escaping a slot would otherwise only reach stderr, which a desktop user never sees."""
    showing = False

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        path = log_unexpected(exc.with_traceback(tb))
        message = _("发生了意外错误，操作未完成。详情已写入日志：{path}").format(path=path)
        if interactive and QApplication.instance() is not None and not showing:
            showing = True  # an error while the box is up must not stack boxes
            try:
                QMessageBox.critical(None, _("意外错误"), message)
            finally:
                showing = False
        else:
            print(message, file=sys.stderr)

    sys.excepthook = hook


def _sign_in(desk: services.Desk, opts: Options) -> services.Actor | None:
    """First-run set-up if needed, then sign-in; None when the user cancels."""
    username, message = opts.user or "", ""
    if not tasks.wait(lambda: services.is_initialized(desk)):
        if opts.screenshot:
            raise StartupError(_("数据库尚未初始化：请先运行 kesu init 或打开客诉台完成首次设置"))
        first_run = FirstRunDialog(desk)
        if first_run.exec() != QDialog.DialogCode.Accepted:
            return None
        username = first_run.result_info.admin if first_run.result_info else username
    if opts.user and opts.password:
        try:
            return tasks.wait(lambda: services.login(desk, opts.user or "", opts.password or ""))
        except AuthenticationFailed as exc:
            if opts.screenshot:
                raise StartupError(str(exc)) from exc
            message = str(exc)
    if opts.screenshot:
        raise StartupError(_("截图模式需要 --user 和环境变量 KESU_PASSWORD"))
    login = LoginDialog(desk, username=username, message=message)
    return login.actor if login.exec() == QDialog.DialogCode.Accepted else None


def _screenshot(window: MainWindow, opts: Options) -> Path:
    """Wait for the first load of the list, then save what the window shows at the asked size."""
    assert opts.screenshot is not None
    directory = opts.screenshot
    loop, failure = QEventLoop(), []
    window.sig_cases_loaded.connect(lambda _n: loop.quit())
    window.sig_load_failed.connect(lambda msg: (failure.append(msg), loop.quit()))
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: (failure.append(_("案件列表加载超时")), loop.quit()))
    if opts.layout is not None:
        window.switch_layout(opts.layout)
    window.show()
    window.resize_and_fit(*opts.size)
    loop.exec()
    if failure:
        raise StartupError(failure[0])
    QApplication.processEvents()  # let the layouts catch up with the texts just set (row count, columns)
    directory.mkdir(parents=True, exist_ok=True)
    width, height = opts.size
    language = "" if i18n.current_language() == i18n.SOURCE_LANGUAGE else f"{i18n.current_language()}-"
    target = directory / f"main-{language}{window.layout_name.value}-{width}x{height}.png"
    if not window.grab().save(str(target), "PNG"):
        raise StartupError(_("无法写入截图：{path}").format(path=target))
    return target


def _collect_on_gui_thread(app: QApplication) -> None:
    """Run Python's cycle collector only on the GUI thread.

    Left automatic, it can start on a worker thread (the task worker, the deadline watcher) and destroy
    Qt objects there, which deadlocks or crashes; collecting from a GUI-thread timer avoids that.
    """
    gc.disable()
    timer = QTimer(app)
    timer.setInterval(10_000)
    timer.timeout.connect(gc.collect)
    timer.start()
    app.aboutToQuit.connect(gc.enable)


def _run(opts: Options) -> int:
    app = QApplication.instance() or QApplication(["kesu-desk", *opts.qt_args])
    assert isinstance(app, QApplication)
    app.setOrganizationName(paths.APP_AUTHOR)
    app.setApplicationName(paths.APP_NAME)
    app.setApplicationDisplayName(_("客诉台 Kesu Desk"))
    register_bundled_font(app)
    _collect_on_gui_thread(app)
    apply_language(resolve_language(opts.language, None, None))
    desk = tasks.wait(lambda: services.Desk.open(opts.db_url))
    try:
        actor = _sign_in(desk, opts)
        if actor is None:
            return EXIT_OK
        language = apply_language(resolve_language(opts.language, actor.username, actor.language))
        if opts.screenshot is None:
            remember_last(language)
        # A screenshot shows the layouts as shipped and leaves the user's own arrangement alone.
        window = MainWindow(desk, actor, remember_layout=opts.screenshot is None)
        if opts.screenshot:
            print(_screenshot(window, opts))
            window.close()
            return EXIT_OK
        window.show()
        return app.exec()
    finally:
        tasks.wait_for_idle()
        desk.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Start the desktop app; the return value is the process exit code."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        opts = parse_options(argv)
    except (OSError, ValidationError) as exc:
        print(startup_message(exc), file=sys.stderr)
        return EXIT_ERROR
    if opts.selftest:
        from kesu_desktop.selftest import run_selftest

        return run_selftest(opts.qt_args, opts.language)
    if opts.screenshot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a screenshot needs no screen
    _install_excepthook(interactive=opts.screenshot is None)
    try:
        return _run(opts)
    except Exception as exc:
        message = startup_message(exc)
        if opts.screenshot or QApplication.instance() is None:
            print(message, file=sys.stderr)
        else:
            QMessageBox.critical(None, _("客诉台无法启动"), message)
        return EXIT_ERROR
