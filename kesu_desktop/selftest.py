"""``kesu-desk --selftest``: prove that this copy of the program works, end to end, on this machine.

A frozen bundle can start and still be broken: a data file left out (the migrations, the font), a
library not collected (PDFium, QtPrintSupport) or a Qt plugin missing shows only when that code path
runs. So the self-test walks the paths a counter uses on its first morning, in a temporary folder
that it removes afterwards: create and migrate a database, set up an office with its signing
certificate, register a complaint written in Chinese, issue the signed receipt, verify it (and see a
changed copy refused), render its first page with PDFium, open the main window offscreen on that
case, and check that the case's Chinese text was drawn with the bundled font, glyph by glyph, and not
as boxes. One line per step; exit 0 when all passed, 1 with a ``FAIL`` line naming the step and the
reason otherwise (never a traceback; unexpected errors are logged in the kept temporary folder).

It needs no screen (``QT_QPA_PLATFORM=offscreen`` is set unless one is already chosen) and leaves the
user's data, settings and keyring alone: every file goes to the temporary folder and the signing
password is kept in the temporary database, never in the system keyring.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from kesu_desktop import i18n
from kesu_desktop.i18n import _

if TYPE_CHECKING:  # the steps import what they use when they run: --selftest must not slow every start
    from PySide6.QtGui import QFont, QGlyphRun, QImage

    from kesu_desktop.services import Actor, Desk
    from kesu_desktop.ui.main_window import MainWindow

EXIT_OK, EXIT_FAILED = 0, 1
WINDOW_SIZE = (1366, 768)
LOAD_TIMEOUT_MS = 60_000
#: A code point no font draws (the last private-use one of plane 16): what a missing glyph looks like.
MISSING = "\U0010fffd"
#: The complaint registered: Chinese in every text field the case detail shows.
COMPLAINT = {
    "customer_name": "张晓明",  # not translated: sample data
    "phone": "13800138000",
    "channel": "counter",
    "description": "自检：在门店购买的冰箱不制冷，要求退款",  # not translated: sample data
    "category": "product_quality",
    "demand": "退款",  # not translated: sample data
}
ADMIN, CLERK = "selftest-admin", "selftest-clerk"
PASSWORD = "selftest-pass-1"


class StepFailed(Exception):
    """A check that did not hold; its message is the reason printed on the ``FAIL`` line."""


@dataclass
class Run:
    """What the steps hand each other, and the temporary folder they all write into."""

    folder: Path
    started: float = field(default_factory=time.perf_counter)
    desk: Desk | None = None
    clerk: Actor | None = None
    case_no: str = ""
    pdf: bytes = b""
    window: MainWindow | None = None
    #: Errors raised in Qt slots while the event loop ran (they would otherwise only reach stderr).
    slot_errors: list[BaseException] = field(default_factory=list)


def _is_cjk(char: str) -> bool:
    """Han characters: the unified ideographs with extension A, compatibility ones, and planes 2-3."""
    return (  # not translated: code-point ranges
        "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003ffff"
    )


# --- steps ---------------------------------------------------------------------------------------------


def step_database(run: Run) -> str:
    """A new SQLite file, migrated to the newest revision by the same ``Desk.open`` every start uses."""
    from kesu_desktop import services
    from kesu_desktop.storage.migrate import HEAD, current_revision

    desk = services.Desk.open(f"sqlite:///{run.folder / 'kesu.db'}")
    run.desk = desk
    revision = current_revision(desk.db)
    if revision != HEAD:
        raise StepFailed(_("数据库迁移到 {revision}，应为 {head}").format(revision=revision, head=HEAD))
    return _("已创建并迁移到 {revision}").format(revision=revision)


def step_setup(run: Run) -> str:
    """First-run set-up with the self-signed certificate, then a front-desk clerk who signs in."""
    import keyring
    from keyring.backends import fail

    from kesu_desktop import printing, services
    from kesu_desktop.domain.enums import Role

    # The signing password must stay in the temporary database, not go to the user's system keyring;
    # the warning that says so is expected here, not news to whoever runs the self-test.
    keyring.set_keyring(fail.Keyring())
    logging.getLogger("kesu.certificates").setLevel(logging.ERROR)
    desk = run.desk
    printing.initialize_with_certificate(
        desk, office_code="ST01", office_name=_("自检网点"), admin=ADMIN, password=PASSWORD
    )
    admin = services.login(desk, ADMIN, PASSWORD)
    services.add_user(
        desk, admin, username=CLERK, password=PASSWORD, role=Role.FRONT_DESK, display_name=_("自检员")
    )
    run.clerk = services.login(desk, CLERK, PASSWORD)
    return _("网点 ST01、签名证书和前台用户已建立")


def step_register(run: Run) -> str:
    from kesu_desktop import services

    case = services.register_case(run.desk, run.clerk, COMPLAINT)
    run.case_no = case.case_no
    if case.description != COMPLAINT["description"] or case.customer_name != COMPLAINT["customer_name"]:
        raise StepFailed(_("登记后读回的中文与输入不同"))
    return case.case_no


def step_receipt(run: Run) -> str:
    """Issue and sign the receipt, verify it, and see a copy with one byte changed refused."""
    from kesu_desktop import printing
    from kesu_desktop.domain.enums import DocumentKind

    issued = printing.issue_document(run.desk, run.clerk, DocumentKind.RECEIPT, run.case_no)
    run.pdf = issued.pdf
    verdict = printing.verify_letter(run.desk, run.clerk, issued.pdf)
    if not verdict.ok:
        raise StepFailed(verdict.message)
    changed = bytearray(issued.pdf)
    changed[len(changed) // 2] ^= 0x01
    if printing.verify_letter(run.desk, run.clerk, bytes(changed)).ok:
        raise StepFailed(_("改动过的回执也通过了核验"))
    return _("已签名出具并核验（{size} 字节），改动过的副本被拒绝").format(size=len(issued.pdf))


def step_pdfium(run: Run) -> str:
    """The preview's PDFium renders the receipt's first page, and the page is not blank."""
    from kesu_desktop.ui.printing.pdf_render import page_count, render_page

    image = render_page(run.pdf, 0, 36)
    if image.isNull() or _ink(image) == 0:
        raise StepFailed(_("回执第一页渲染为空白"))
    return _("第 1 页（共 {pages} 页）已渲染为 {w}×{h} 图像").format(
        pages=page_count(run.pdf), w=image.width(), h=image.height()
    )


def step_window(run: Run) -> str:
    """The main window, offscreen, on the work-queue layout, with the registered case open."""
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QLabel

    from kesu_desktop.ui.layouts import LayoutName
    from kesu_desktop.ui.main_window import MainWindow

    window = MainWindow(run.desk, run.clerk, remember_layout=False)
    run.window = window
    loop, failure = QEventLoop(), []
    window.sig_cases_loaded.connect(lambda _n: loop.quit())
    window.sig_load_failed.connect(lambda msg: (failure.append(msg), loop.quit()))
    QTimer.singleShot(LOAD_TIMEOUT_MS, lambda: (failure.append(_("案件列表加载超时")), loop.quit()))
    window.switch_layout(LayoutName.QUEUE)
    window.show()
    window.resize_and_fit(*WINDOW_SIZE)
    loop.exec()
    if failure:
        raise StepFailed(failure[0])
    QApplication.processEvents()
    shown = [label for label in window.findChildren(QLabel) if label.text() == COMPLAINT["description"]]
    if not any(label.isVisible() for label in shown):
        raise StepFailed(_("主窗口未显示案件 {case_no} 的投诉描述").format(case_no=run.case_no))
    image = window.grab().toImage()
    if image.isNull() or _ink(image) == 0:
        raise StepFailed(_("主窗口没有绘制出内容"))
    return _("{w}×{h}，案件 {case_no} 已打开（自检开始后 {seconds:.1f} 秒）").format(
        w=image.width(), h=image.height(), case_no=run.case_no, seconds=time.perf_counter() - run.started
    )


def step_glyphs(run: Run) -> str:
    """The case's Chinese, as the detail panel draws it, comes from the bundled font and is no box.

    Three checks, each of which a missing font fails: every glyph Qt lays out for the text has a
    real index (0 is the font's "missing" glyph) in the bundled family, not a system fallback; each
    character's image has ink and differs from the image of a code point no font has; and different
    characters give different images (boxes would all look alike).
    """
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication, QLabel

    window = run.window
    label = next(
        label
        for label in window.findChildren(QLabel)
        if label.text() == COMPLAINT["description"] and label.isVisible()
    )
    bundled = QApplication.font().family()
    font, text = label.font(), label.text()
    chars = sorted({c for c in text if _is_cjk(c)})
    if not chars:
        raise StepFailed(_("投诉描述中没有中文"))
    fonts_used: set[str] = set()
    for char in chars:
        runs = _glyph_runs(font, char)
        indexes = [index for glyph_run in runs for index in glyph_run.glyphIndexes()]
        families = {glyph_run.rawFont().familyName() for glyph_run in runs}
        fonts_used |= families
        if not indexes or 0 in indexes:
            raise StepFailed(_("字符“{char}”没有字形（显示为方框）").format(char=char))
        if families != {bundled}:
            raise StepFailed(
                _("字符“{char}”由 {families} 绘制，而不是随附的字体 {bundled}").format(
                    char=char, families=", ".join(sorted(families)), bundled=bundled
                )
            )
    if QFontMetrics(font).inFontUcs4(ord(MISSING)):
        raise StepFailed(_("对照字符 U+10FFFD 竟然有字形，无法比较"))
    tofu = _draw(font, MISSING)
    images = {char: _draw(font, char) for char in chars}
    for char, image in images.items():
        if _ink(image) == 0 or image == tofu:
            raise StepFailed(_("字符“{char}”绘制成了方框或空白").format(char=char))
    if len({bytes(image.constBits()) for image in images.values()}) != len(images):
        raise StepFailed(_("不同的汉字绘制成了相同的图形（方框）"))
    if _ink(label.grab().toImage()) == 0:
        raise StepFailed(_("投诉描述的标签没有绘制出内容"))
    return _("{n} 个汉字均由 {family} 绘制，没有方框").format(
        n=len(chars), family=", ".join(sorted(fonts_used))
    )


# --- drawing helpers -----------------------------------------------------------------------------------


def _glyph_runs(font: QFont, text: str) -> list[QGlyphRun]:
    """The glyph runs Qt lays ``text`` out in with ``font``, font fallback included."""
    from PySide6.QtGui import QTextLayout

    layout = QTextLayout(text, font)
    layout.beginLayout()
    layout.createLine()
    layout.endLayout()
    return layout.glyphRuns()


def _draw(font: QFont, text: str) -> QImage:
    """``text`` painted black on white with ``font``, as a QImage of a fixed size."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QImage, QPainter

    size = max(font.pixelSize(), font.pointSize(), 12) * 3
    image = QImage(size * max(len(text), 1), size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setFont(font)
        painter.setPen(QColor("black"))
        painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    finally:
        painter.end()
    return image


def _ink(image: QImage) -> int:
    """How many sampled pixels differ from the top-left one (a blank image has none)."""
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_RGB32)
    background = image.pixel(0, 0)
    step = max(1, min(image.width(), image.height()) // 200)
    return sum(
        1
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
        if image.pixel(x, y) != background
    )


# --- running -------------------------------------------------------------------------------------------

#: Where the lines go when there is no console: a windowed executable (``kesu-desk.exe`` on Windows,
#: built with ``console=False``) has no ``sys.stdout``, so they are appended to this file instead.
_fallback: Path | None = None


def _say(line: str) -> None:
    """One line of the report, to the console, or to ``selftest.txt`` in the log folder without one."""
    if sys.stdout is not None:
        print(line, flush=True)
        return
    if _fallback is not None:
        with _fallback.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


STEPS: list[tuple[str, Callable[[Run], str]]] = [
    ("database", step_database),
    ("setup", step_setup),
    ("register", step_register),
    ("receipt", step_receipt),
    ("pdfium", step_pdfium),
    ("window", step_window),
    ("glyphs", step_glyphs),
]


def _isolate(folder: Path) -> None:
    """Send node id, logs, drafts and Qt settings to ``folder``; the keyring is set in ``step_setup``."""
    from PySide6.QtCore import QSettings

    os.environ["KESU_DATA_DIR"] = str(folder)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    os.environ.pop("KESU_DATABASE_URL", None)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder / "settings"))


def _reason(exc: BaseException) -> str:
    """The one line a failed step prints: our own messages as they are, anything else logged."""
    from kesu_desktop.domain.errors import KesuError, ValidationError
    from kesu_desktop.i18n import join_clauses
    from kesu_desktop.logs import log_unexpected

    if isinstance(exc, StepFailed):
        return str(exc)
    if isinstance(exc, ValidationError):
        return join_clauses(exc.errors.values())
    if isinstance(exc, KesuError):
        return str(exc)
    path = log_unexpected(exc)
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return _("{kind}: {error}（详情见 {path}）").format(kind=type(exc).__name__, error=first, path=path)


def run_selftest(qt_args: list[str] | None = None, language: str | None = None) -> int:
    """Run every step in order, stop at the first failure; the return value is the exit code."""
    from kesu_desktop import read_version

    global _fallback
    from kesu_desktop.paths import user_log_dir

    if sys.stdout is None:  # before _isolate moves the log folder into the temporary one
        _fallback = user_log_dir() / "selftest.txt"
        _fallback.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    folder = Path(tempfile.mkdtemp(prefix="kesu-selftest-"))
    run = Run(folder=folder)
    _say(f"kesu-desk {read_version()} selftest")
    try:
        from PySide6.QtWidgets import QApplication

        from kesu_desktop import paths
        from kesu_desktop.ui.base.fonts import register_bundled_font
        from kesu_desktop.ui.base.language import apply_language, resolve_language

        _isolate(folder)
        app = QApplication.instance() or QApplication(["kesu-desk", *(qt_args or [])])
        assert isinstance(app, QApplication)
        app.setOrganizationName("KesuSelfTest")
        app.setApplicationName(paths.APP_NAME)
        apply_language(resolve_language(language or i18n.environment_language(), None, None))
        if not register_bundled_font(app):
            _say("FAIL font: " + _("随附的字体无法加载：{path}").format(path=paths.resources_dir()))
            return EXIT_FAILED
    except Exception as exc:
        _say("FAIL start: " + _reason(exc))
        return EXIT_FAILED
    previous_hook = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        run.slot_errors.append(exc.with_traceback(tb))

    sys.excepthook = hook
    try:
        passed = _steps(run)
    finally:
        _close(run)
        sys.excepthook = previous_hook
    if not passed:
        _say(_("自检失败；临时文件保留在 {folder}").format(folder=folder))
        return EXIT_FAILED
    shutil.rmtree(folder, ignore_errors=True)  # after _close: Windows keeps an open database file
    _say(_("自检通过，用时 {seconds:.1f} 秒").format(seconds=time.perf_counter() - run.started))
    return EXIT_OK


def _steps(run: Run) -> bool:
    """Each step in order, one ``ok`` line each; False after the first ``FAIL`` line."""
    for name, step in STEPS:
        try:
            detail = step(run)
            if run.slot_errors:
                raise run.slot_errors[0]
        except Exception as exc:
            _say(f"FAIL {name}: {_reason(exc)}")
            return False
        _say(f"ok {name}: {detail}")
    return True


def _close(run: Run) -> None:
    """Close the window (its threads stop with it) and the database, whatever step was reached."""
    from kesu_desktop.ui.base import tasks

    try:
        if run.window is not None:
            run.window.close()
        tasks.wait_for_idle()
    finally:
        if run.desk is not None:
            run.desk.close()
