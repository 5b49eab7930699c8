"""The in-app view of a finished PDF (an issued letter, a receipt, a batch): look at it, print it, save it.

Why PDFium (pypdfium2) and not QtPdf: the app ships PySide6-Essentials, which has QtPrintSupport but no
QtPdf; pypdfium2 is the same engine QtPdf wraps, so pages look the same as in a browser or Acrobat.

Why everything here runs on the GUI thread: PDFium is not thread-safe (not even with separate documents),
and the app's one worker thread runs service calls that must not wait behind a 1000-page render. So the
view renders lazily instead: only the pages in sight, one page per event-loop turn, which keeps scrolling
responsive even for a batch of a thousand letters; a bounded cache holds the rendered pages.

Printing rasterises each page (at the printer's resolution, at most 300 dpi): Qt has no way to pass PDF
vector content to a printer, and 300 dpi is indistinguishable from vector text on office laser printers.
Saving never re-renders: the bytes written are exactly the archived document, so its hash still matches.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import sys
import uuid
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSettings, QSize, QStandardPaths, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPageRanges,
    QPageSize,
    QPaintEngine,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QShortcut,
    QWheelEvent,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop.i18n import _

POINTS_PER_INCH = 72.0
VIEW_DPI = 110.0  # 100 % in the view: an A4 page is 910 px wide, readable without zooming on a laptop
PRINT_DPI = 300.0  # the cap when printing: a 600 dpi A4 page would be 140 MB of pixels per page
# Qt's print preview keeps every page as an uncompressed image (4.7 MB for A4 at 110 dpi), so it gets
# the view's resolution, and documents longer than PREVIEW_MAX_PAGES are not offered to it at all
# (1000 pages at 150 dpi measured 8.5 GB); the in-app view shows those pages lazily instead.
PREVIEW_DPI = 110.0
PREVIEW_MAX_PAGES = 60
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
MAX_PAGE_PIXELS = 16_000_000  # one rendered page at most 64 MB; beyond that it is drawn scaled up
CACHE_BYTES = 192 * 1024 * 1024  # about 40 A4 pages at 100 %: a screenful plus where the user just was
PAGE_MARGIN = 16  # px around the pages
PAGE_GAP = 12  # px between pages
PROGRESS_FROM_PAGES = 10  # a print job shorter than this finishes before a progress dialog would help
BACKDROP = QColor(0x5F, 0x63, 0x68)  # the grey desk the paper lies on, as in every PDF viewer
PAPER = QColor(255, 255, 255)
PAGE_EDGE = QColor(0x3C, 0x40, 0x43)
PLACEHOLDER_TEXT = QColor(0x9A, 0xA0, 0xA6)
_SAVE_DIR_KEY = "pdf_preview/save_dir"

Progress = Callable[[int, int], bool]
_BIG_ENDIAN = sys.byteorder == "big"
_IMAGE_FORMAT = QImage.Format.Format_RGBX8888 if _BIG_ENDIAN else QImage.Format.Format_RGB32


# --- PDFium -----------------------------------------------------------------------------------------


def _open(pdf: bytes) -> pdfium.PdfDocument:
    """PDFium's own error ("Data format error") means nothing to a clerk; the caller shows ours."""
    try:
        return pdfium.PdfDocument(pdf)
    except (pdfium.PdfiumError, TypeError, ValueError) as exc:
        raise ValueError(_("无法读取 PDF 文件")) from exc


def _render(page: pdfium.PdfPage, dpi: float) -> QImage:
    """One page as an image that owns its pixels (the PDFium bitmap is freed before this returns).

    PDFium writes B, G, R, 0xFF bytes (``prefer_bgrx``), which on a little-endian CPU is Qt's native
    ``Format_RGB32``: painting and Qt's PDF/print engines take it without a conversion (a third faster
    per printed page than RGBX8888). A big-endian CPU gets R, G, B, 0xFF bytes as ``Format_RGBX8888``.
    The opaque white fill keeps the fourth byte at 0xFF, as both formats require.
    """
    bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=_BIG_ENDIAN, prefer_bgrx=True)
    try:
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, _IMAGE_FORMAT)
        return image.copy()
    finally:
        bitmap.close()


def page_count(pdf: bytes) -> int:
    doc = _open(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def render_page(pdf: bytes, index: int, dpi: float) -> QImage:
    """Page ``index`` (0-based) at ``dpi``; opens the document each time, so for one-off use only."""
    if dpi <= 0:
        raise ValueError(f"invalid resolution {dpi}")
    doc = _open(pdf)
    try:
        if not 0 <= index < len(doc):
            raise IndexError(f"page {index} out of range (the document has {len(doc)} pages)")
        page = doc[index]
        try:
            return _render(page, dpi)
        finally:
            page.close()
    finally:
        doc.close()


# --- printing -----------------------------------------------------------------------------------------


def make_printer(doc_name: str = "") -> QPrinter:
    """A4, margins kept (full-page off): office printers cannot print to the paper's edge anyway.

    Created on demand rather than with the dialog: on Windows, constructing a QPrinter asks the spooler
    for the default printer, which takes seconds when that is a sleeping network printer.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(False)
    if doc_name:
        printer.setDocName(doc_name)  # the job's name in the print queue
    return printer


def _selected_pages(printer: QPrinter, total: int, pages: range | None) -> list[int]:
    """0-based page indices: ``pages`` if given, else the printer's page ranges (1-based), else all.

    Qt 6 keeps ``fromPage()``/``toPage()`` as the bounds of ``pageRanges()``; reading the ranges also
    honours "1-2, 5" from print dialogs that accept lists. Out-of-range pages are dropped, not an error.
    """
    if pages is not None:
        return [i for i in pages if 0 <= i < total]
    ranges: QPageRanges = printer.pageRanges()
    if ranges.isEmpty():  # also what fromPage() == toPage() == 0 ("all pages") looks like
        return list(range(total))
    return [i for i in range(total) if ranges.contains(i + 1)]


def _job_order(printer: QPrinter, indices: list[int]) -> list[int]:
    """Page order and copies the print system will not do itself (a PDF file, or X11 without CUPS)."""
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        indices = indices[::-1]
    copies = printer.copyCount()
    if copies <= 1 or printer.supportsMultipleCopies():
        return indices
    if printer.collateCopies():
        return indices * copies
    return [i for i in indices for _copy in range(copies)]


def paint_to_printer(
    pdf: bytes, printer: QPrinter, pages: range | None = None, *, progress: Progress | None = None
) -> int:
    """Draw the PDF's pages onto ``printer``, each fitted into the printable area, centred.

    ``pages`` (0-based) overrides the printer's own page range. ``progress(done, total)`` is called after
    each page; returning False aborts the job (the print system discards it) and 0 is returned.
    Returns the number of sheets painted (copies the print system does not make itself included).
    Raises ValueError for unreadable bytes and RuntimeError when the printer cannot start.
    """
    doc = _open(pdf)
    try:
        order = _job_order(printer, _selected_pages(printer, len(doc), pages))
        if not order:
            return 0
        painter = QPainter()
        if not painter.begin(printer):
            raise RuntimeError(_("无法开始打印：打印机不可用或输出文件无法写入"))
        try:
            preview = painter.paintEngine().type() == QPaintEngine.Type.Picture
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            area = QRectF(painter.window())  # the printable area in device pixels (full-page off)
            for done, index in enumerate(order):
                if done and not printer.newPage():
                    raise RuntimeError(_("打印中断：打印机拒绝了新的一页"))
                page = doc[index]
                try:
                    width, height = page.get_size()
                    fit = min(area.width() / width, area.height() / height)  # device px per point
                    dpi = PREVIEW_DPI if preview else min(fit * POINTS_PER_INCH, PRINT_DPI)
                    image = _render(page, dpi)
                finally:
                    page.close()
                target = QRectF(0, 0, width * fit, height * fit)
                target.moveCenter(area.center())
                painter.drawImage(target, image)
                if progress is not None and not progress(done + 1, len(order)):
                    printer.abort()
                    return 0
        finally:
            if painter.isActive():
                painter.end()
        return len(order)
    finally:
        doc.close()


# --- the page view ------------------------------------------------------------------------------------


class PdfPageView(QAbstractScrollArea):
    """All pages of one document in a column, rendered only when (nearly) in sight.

    A scroll area over a virtual column rather than one label per page: a 1000-page batch would
    otherwise be 1000 widgets, and a column taller than Qt's widget size limit at high zoom.
    """

    sig_current_page_changed = Signal(int)  # 0-based page at the middle of the view
    sig_zoom_changed = Signal(float)  # 1.0 = VIEW_DPI
    sig_page_rendered = Signal(int)  # a page's image arrived (tests and screenshots wait on it)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc: pdfium.PdfDocument | None = None
        self._pdf = b""
        self._sizes: list[tuple[float, float]] = []  # points, rotation applied
        self._tops: list[float] = []  # page tops in content pixels at the current zoom
        self._content_width = 0.0
        self._zoom = 1.0
        self._fit_width = True  # follow the window's width until the user picks a zoom
        self._current = -1
        self._error = ""
        self._cache: OrderedDict[int, tuple[float, QPixmap | None]] = OrderedDict()  # page -> dpi, image
        self._cache_bytes = 0
        self._placeholder = ""
        self._failed_text = ""
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(0)
        self._render_timer.timeout.connect(self.on_render_next)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # PgUp / PgDn / Home / End without a click first
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.viewport().setAutoFillBackground(False)
        # Always there, so fitting to the width cannot flip it on and off (and the width with it).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setSingleStep(40)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setAccessibleName(_("PDF 预览"))
        self._placeholder = _("第 {n} 页")
        self._failed_text = _("此页无法显示")
        self.viewport().update()

    # --- the document ---------------------------------------------------------------------------------

    def set_pdf(self, pdf: bytes) -> None:
        """Show ``pdf``; ValueError (and an empty view saying so) if PDFium cannot read it."""
        self.close_document()
        self._pdf = pdf
        self._error = ""
        try:
            self._open_document()
        except ValueError as exc:
            self._error = str(exc)
            raise
        finally:
            self._relayout()

    def _open_document(self) -> pdfium.PdfDocument:
        if self._doc is None:
            self._doc = _open(self._pdf)
            self._sizes = [self._doc.get_page_size(i) for i in range(len(self._doc))]
        return self._doc

    def close_document(self) -> None:
        """Free PDFium's memory now (a closed dialog may live on as a Python object); reopened on demand."""
        self._render_timer.stop()
        if self._doc is not None:
            self._doc.close()
            self._doc = None
        self._cache.clear()
        self._cache_bytes = 0

    def page_count(self) -> int:
        return len(self._sizes)

    def error(self) -> str:
        return self._error

    def current_page(self) -> int:
        """0-based; -1 when there are no pages."""
        return self._current

    def is_rendered(self, index: int) -> bool:
        """True once page ``index`` has an image at the current zoom (a failed page counts as done)."""
        entry = self._cache.get(index)
        return entry is not None and math.isclose(entry[0], self._target_dpi(index))

    def rendered_pages(self) -> set[int]:
        return {i for i in self._cache if self.is_rendered(i)}

    # --- zoom -----------------------------------------------------------------------------------------

    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float) -> None:
        """A zoom the user chose: fitting to the width stops, and the page in view stays in view."""
        self._fit_width = False
        self._apply_zoom(zoom)

    @Slot()
    def zoom_in(self) -> None:
        self.set_zoom(next((z for z in ZOOM_STEPS if z > self._zoom + 1e-3), ZOOM_STEPS[-1]))

    @Slot()
    def zoom_out(self) -> None:
        self.set_zoom(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom - 1e-3), ZOOM_STEPS[0]))

    @Slot()
    def fit_width(self) -> None:
        self._fit_width = True
        self._apply_zoom(self._fitting_zoom())

    def _fitting_zoom(self) -> float:
        """The widest page fills the view, but never beyond 100 %: a large A4 page is not more readable."""
        if not self._sizes:
            return 1.0
        widest = max(w for w, _h in self._sizes) * VIEW_DPI / POINTS_PER_INCH
        room = self.viewport().width() - 2 * PAGE_MARGIN
        return min(1.0, max(ZOOM_STEPS[0], room / widest)) if room > 0 else 1.0

    def _apply_zoom(self, zoom: float) -> None:
        zoom = min(max(zoom, ZOOM_STEPS[0]), ZOOM_STEPS[-1])
        if math.isclose(zoom, self._zoom):
            return
        anchor = self._anchor()
        self._zoom = zoom
        self._relayout(anchor)
        self.sig_zoom_changed.emit(zoom)

    def _scale(self) -> float:
        """View pixels per PDF point."""
        return VIEW_DPI * self._zoom / POINTS_PER_INCH

    def _target_dpi(self, index: int) -> float:
        """Sharp on high-DPI screens too, but never a page image larger than MAX_PAGE_PIXELS."""
        width, height = self._sizes[index]
        dpi = VIEW_DPI * self._zoom * self.devicePixelRatioF()
        pixels = (width * dpi / POINTS_PER_INCH) * (height * dpi / POINTS_PER_INCH)
        if pixels > MAX_PAGE_PIXELS:
            dpi *= math.sqrt(MAX_PAGE_PIXELS / pixels)
        return dpi

    # --- layout ---------------------------------------------------------------------------------------

    def _anchor(self) -> tuple[int, float]:
        """The page at the top of the view and how far into it (as a fraction), kept across a zoom."""
        if not self._tops:
            return (0, 0.0)
        top = self.verticalScrollBar().value()
        index = max(0, bisect_right(self._tops, top + 1e-6) - 1)
        height = self._sizes[index][1] * self._scale()
        return (index, (top - self._tops[index]) / height if height else 0.0)

    def _relayout(self, anchor: tuple[int, float] | None = None) -> None:
        scale = self._scale()
        self._tops = []
        y = float(PAGE_MARGIN)
        for _w, height in self._sizes:
            self._tops.append(y)
            y += height * scale + PAGE_GAP
        content_height = y - PAGE_GAP + PAGE_MARGIN if self._sizes else 0.0
        widest = max((w for w, _h in self._sizes), default=0.0)
        self._content_width = widest * scale + 2 * PAGE_MARGIN if self._sizes else 0.0
        view = self.viewport().size()
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vbar.setRange(0, max(0, math.ceil(content_height) - view.height()))
        vbar.setPageStep(max(1, view.height() - 40))  # a page-down keeps a line of context
        hbar.setRange(0, max(0, int(self._content_width) - view.width()))  # no bar for a fitted page
        hbar.setPageStep(max(1, view.width()))
        if anchor is not None and self._tops:
            index, fraction = anchor
            vbar.setValue(round(self._tops[index] + fraction * self._sizes[index][1] * scale))
        self._update_current()
        self.viewport().update()

    def _page_rect(self, index: int) -> QRectF:
        """Page ``index`` in viewport coordinates."""
        scale = self._scale()
        width, height = self._sizes[index]
        column = max(self._content_width, float(self.viewport().width()))
        x = (column - width * scale) / 2 - self.horizontalScrollBar().value()
        y = self._tops[index] - self.verticalScrollBar().value()
        return QRectF(x, y, width * scale, height * scale)

    def _visible_pages(self) -> range:
        if not self._tops:
            return range(0)
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        first = max(0, bisect_right(self._tops, top) - 1)
        last = max(first, bisect_right(self._tops, bottom) - 1)
        return range(first, min(last, len(self._tops) - 1) + 1)

    def _update_current(self) -> None:
        middle = self.verticalScrollBar().value() + self.viewport().height() / 2
        current = max(0, bisect_right(self._tops, middle) - 1) if self._tops else -1
        if current != self._current:
            self._current = current
            self.sig_current_page_changed.emit(current)

    def go_to_page(self, index: int) -> None:
        if self._tops:
            index = min(max(index, 0), len(self._tops) - 1)
            self.verticalScrollBar().setValue(round(self._tops[index] - PAGE_MARGIN / 2))

    # --- rendering ------------------------------------------------------------------------------------

    def _wanted(self) -> list[int]:
        """Pages to render now: those in sight first, then one either side so paging feels instant."""
        visible = self._visible_pages()
        if not visible:
            return []
        around = [visible.start - 1, visible.stop]
        pages = [*visible, *(i for i in around if 0 <= i < len(self._sizes))]
        return [i for i in pages if not self.is_rendered(i)]

    @Slot()
    def on_render_next(self) -> None:
        """Render one page, then yield to the event loop; scrolling on re-plans what is wanted."""
        wanted = self._wanted()
        if not wanted or self._error:
            return
        index = wanted[0]
        dpi = self._target_dpi(index)
        pixmap: QPixmap | None = None
        try:
            page = self._open_document()[index]
            try:
                image = _render(page, dpi)
            finally:
                page.close()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        except (pdfium.PdfiumError, ValueError):
            pixmap = None  # one broken page must not stop the others: it shows as "此页无法显示"
        self._store(index, dpi, pixmap)
        self.viewport().update(self._page_rect(index).toAlignedRect().adjusted(-2, -2, 2, 2))
        self.sig_page_rendered.emit(index)
        if len(wanted) > 1:
            self._render_timer.start()

    def _store(self, index: int, dpi: float, pixmap: QPixmap | None) -> None:
        old = self._cache.pop(index, None)
        if old is not None and old[1] is not None:
            self._cache_bytes -= old[1].width() * old[1].height() * 4
        self._cache[index] = (dpi, pixmap)
        if pixmap is not None:
            self._cache_bytes += pixmap.width() * pixmap.height() * 4
        while self._cache_bytes > CACHE_BYTES and len(self._cache) > 1:
            _evicted, (_dpi, gone) = self._cache.popitem(last=False)  # least recently painted
            if gone is not None:
                self._cache_bytes -= gone.width() * gone.height() * 4

    # --- Qt events ------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(event.rect(), BACKDROP)
        if self._error:
            painter.setPen(PAPER)
            painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter, self._error)
            painter.end()
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        needs_render = False
        for index in self._visible_pages():
            rect = self._page_rect(index)
            painter.setPen(QPen(PAGE_EDGE, 1.0))
            painter.setBrush(PAPER)
            painter.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
            entry = self._cache.get(index)
            if entry is not None:
                self._cache.move_to_end(index)  # painted now: the last to be evicted
            if entry is not None and entry[1] is not None:
                painter.drawPixmap(rect, entry[1], QRectF(entry[1].rect()))  # a stale zoom, scaled
            else:
                painter.setPen(PLACEHOLDER_TEXT)
                text = self._failed_text if entry is not None else self._placeholder.format(n=index + 1)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            needs_render = needs_render or not self.is_rendered(index)
        painter.end()
        if needs_render and not self._render_timer.isActive():
            self._render_timer.start()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self._update_current()
        self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_width:
            zoom = self._fitting_zoom()
            if not math.isclose(zoom, self._zoom):
                self._apply_zoom(zoom)
                return
        self._relayout()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and event.angleDelta().y():
            (self.zoom_in if event.angleDelta().y() > 0 else self.zoom_out)()
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Home:
            self.go_to_page(0)
        elif event.key() == Qt.Key.Key_End:
            self.go_to_page(len(self._sizes) - 1)
        else:
            super().keyPressEvent(event)

    def sizeHint(self) -> QSize:
        width = round(595 * VIEW_DPI / POINTS_PER_INCH) + 2 * PAGE_MARGIN  # A4 at 100 %
        return QSize(width + self.verticalScrollBar().sizeHint().width(), 800)


# --- the dialog ---------------------------------------------------------------------------------------


def _save_error(path: Path, exc: OSError) -> str:
    """What went wrong in words a clerk can act on; the system's own text only as the last resort."""
    if isinstance(exc, FileNotFoundError):
        reason = _("目标文件夹不存在。")
    elif isinstance(exc, PermissionError):
        reason = _("没有写入权限，或同名文件正被其他程序打开。")
    elif isinstance(exc, IsADirectoryError):
        reason = _("该名称已被一个文件夹占用。")
    elif exc.errno == errno.ENOSPC:
        reason = _("磁盘空间不足。")
    else:
        reason = exc.strerror or str(exc)
    return _("无法保存文件：{path}\n{reason}").format(path=path, reason=reason)


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename it into place.

    A crash, a full disk or a pulled USB stick then leaves either the old file or the complete new one,
    never half a letter under the real name. The temporary name is unique, so two saves cannot collide.
    """
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temp, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the original error is the one worth reporting
            temp.unlink(missing_ok=True)
        raise


class _PrintProgress:
    """A cancellable progress dialog for long jobs; it only appears if printing takes a while."""

    def __init__(self, total: int, parent: QWidget) -> None:
        self._dialog = QProgressDialog(_("正在打印…"), _("取消"), 0, total, parent)
        self._dialog.setWindowTitle(_("打印"))
        self._dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self._dialog.setMinimumDuration(800)
        self._dialog.setAutoReset(False)

    def __call__(self, done: int, total: int) -> bool:
        self._dialog.setLabelText(_("正在打印第 {done} 页，共 {total} 页…").format(done=done, total=total))
        self._dialog.setValue(done)  # window-modal: this also lets the windows repaint between pages
        return not self._dialog.wasCanceled()

    def close(self) -> None:
        self._dialog.close()
        self._dialog.deleteLater()


class PdfPreviewDialog(QDialog):
    """A finished document as the customer will get it, with 打印… and 另存为 PDF… beside it.

    The caller has already signed and archived ``pdf``; this dialog only shows, prints and copies it
    and reports what happened (``sig_printed``, ``sig_saved``) so the caller can record the event.
    """

    sig_printed = Signal(int)  # pages sent to the printer
    sig_saved = Signal(str)  # the path written

    def __init__(self, pdf: bytes, title: str, suggested_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pdf = pdf
        self._title = title
        self._suggested_name = suggested_name
        self._printer: QPrinter | None = None
        self.setWindowTitle(title)
        self.setSizeGripEnabled(True)

        self.view = PdfPageView()
        self.page_label = QLabel()
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_out_button = QPushButton("−")
        self.zoom_in_button = QPushButton("+")
        self.fit_button = QPushButton()
        self.print_button = QPushButton()
        self.preview_button = QPushButton()
        self.save_button = QPushButton()
        self.close_button = QPushButton()
        for button in (self.zoom_out_button, self.zoom_in_button):
            button.setFixedWidth(32)
        for button in (
            self.zoom_out_button,
            self.zoom_in_button,
            self.fit_button,
            self.print_button,
            self.preview_button,
            self.save_button,
        ):
            button.setAutoDefault(False)  # Enter must not print a thousand pages by accident
        self.close_button.setDefault(True)

        bar = QHBoxLayout()
        bar.addWidget(self.page_label)
        bar.addStretch(1)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.zoom_in_button)
        bar.addWidget(self.fit_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.zoom_out_button.clicked.connect(self.view.zoom_out)
        self.zoom_in_button.clicked.connect(self.view.zoom_in)
        self.fit_button.clicked.connect(self.view.fit_width)
        self.print_button.clicked.connect(self.on_print)
        self.preview_button.clicked.connect(self.on_print_preview)
        self.save_button.clicked.connect(self.on_save_as)
        self.close_button.clicked.connect(self.reject)  # Esc rejects too (QDialog's own key handling)
        self.view.sig_current_page_changed.connect(self.on_update_labels)
        self.view.sig_zoom_changed.connect(self.on_update_labels)
        self._shortcuts = [
            QShortcut(QKeySequence.StandardKey.Print, self, self.on_print),
            QShortcut(QKeySequence("Ctrl+S"), self, self.on_save_as),
            QShortcut(QKeySequence.StandardKey.ZoomIn, self, self.view.zoom_in),
            QShortcut(QKeySequence("Ctrl+="), self, self.view.zoom_in),  # Ctrl++ without Shift on US keys
            QShortcut(QKeySequence.StandardKey.ZoomOut, self, self.view.zoom_out),
            QShortcut(QKeySequence("Ctrl+0"), self, self.view.fit_width),
        ]

        with contextlib.suppress(ValueError):  # the view says so; saving the bytes stays possible
            self.view.set_pdf(pdf)
        readable = not self.view.error()
        self.print_button.setEnabled(readable)
        self.preview_button.setEnabled(readable and self.view.page_count() <= PREVIEW_MAX_PAGES)
        self.retranslate_ui()
        self.resize(self.view.sizeHint().width() + 24, self._initial_height())
        self.view.setFocus()

    def _initial_height(self) -> int:
        screen = self.screen()
        available = screen.availableGeometry().height() if screen is not None else 900
        return max(480, int(available * 0.85))

    def retranslate_ui(self) -> None:
        self.view.retranslate_ui()
        self.fit_button.setText(_("适合宽度"))
        self.fit_button.setToolTip(_("页面宽度适合窗口 (Ctrl+0)"))
        self.zoom_out_button.setToolTip(_("缩小 (Ctrl+-)"))
        self.zoom_in_button.setToolTip(_("放大 (Ctrl++)"))
        self.print_button.setText(_("打印…"))
        self.print_button.setToolTip(_("打印 (Ctrl+P)"))
        self.preview_button.setText(_("打印预览…"))
        if self.view.page_count() > PREVIEW_MAX_PAGES:
            self.preview_button.setToolTip(
                _("文件超过 {n} 页，无法使用打印预览；请直接打印，或在本窗口中查看").format(
                    n=PREVIEW_MAX_PAGES
                )
            )
        else:
            self.preview_button.setToolTip(_("按打印机纸张查看打印效果"))
        self.save_button.setText(_("另存为 PDF…"))
        self.save_button.setToolTip(_("保存一份与存档完全相同的 PDF 文件 (Ctrl+S)"))
        self.close_button.setText(_("关闭"))
        self.close_button.setToolTip(_("关闭 (Esc)"))
        self.on_update_labels()

    @Slot()
    def on_update_labels(self) -> None:
        total = self.view.page_count()
        if self.view.error():
            self.page_label.setText(self.view.error())
        else:
            current = self.view.current_page() + 1
            self.page_label.setText(_("第 {current} 页 / 共 {total} 页").format(current=current, total=total))
        self.zoom_label.setText(f"{round(self.view.zoom() * 100)}%")

    def done(self, result: int) -> None:
        """Closing frees PDFium's copy of the document at once; the dialog object may outlive it."""
        self.view.close_document()
        super().done(result)

    # --- printing -------------------------------------------------------------------------------------

    def printer(self) -> QPrinter:
        """One printer per dialog, so a second print starts with the choices of the first."""
        if self._printer is None:
            self._printer = make_printer(self._title)
        return self._printer

    @Slot()
    def on_print(self) -> None:
        if not self.print_button.isEnabled():
            return
        printer = self.printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("打印"))
        options = QAbstractPrintDialog.PrintDialogOption
        dialog.setOptions(
            options.PrintPageRange
            | options.PrintCurrentPage
            | options.PrintToFile
            | options.PrintShowPageSize
            | options.PrintCollateCopies
        )
        dialog.setMinMax(1, max(1, self.view.page_count()))
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if not accepted:
            return
        pages = None
        if printer.printRange() == QPrinter.PrintRange.CurrentPage:
            current = max(0, self.view.current_page())
            pages = range(current, current + 1)
        self.print_to(printer, pages)

    def print_to(self, printer: QPrinter, pages: range | None = None) -> int:
        """Print without asking (the button asks first); errors become a message, not a traceback."""
        total = len(_selected_pages(printer, self.view.page_count(), pages))
        progress = _PrintProgress(total, self) if total >= PROGRESS_FROM_PAGES else None
        error = ""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            printed = paint_to_printer(self._pdf, printer, pages, progress=progress)
        except (RuntimeError, ValueError) as exc:
            printed, error = 0, str(exc)
        finally:
            QGuiApplication.restoreOverrideCursor()
            if progress is not None:
                progress.close()
        if error:
            QMessageBox.critical(self, _("打印"), error)
        if printed:
            self.sig_printed.emit(printed)
        return printed

    @Slot()
    def on_print_preview(self) -> None:
        if self.preview_button.isEnabled():
            self.open_print_preview()

    def open_print_preview(self) -> QPrintPreviewDialog:
        """Qt's print preview: the pages as laid out on the printer's paper, with its own 打印 button.

        Opened window-modal and returned, so a caller (or a test) can look at it; it deletes itself.
        """
        preview = QPrintPreviewDialog(self.printer(), self)
        preview.setWindowTitle(_("打印预览 — {title}").format(title=self._title))
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.paintRequested.connect(self.on_paint_requested)
        preview.resize(self.size())
        preview.open()
        return preview

    @Slot(QPrinter)
    def on_paint_requested(self, printer: QPrinter) -> None:
        """Called for the preview itself and again when its 打印 button prints for real.

        Only the real job is reported: while the preview draws, the printer's engine is a recorder.
        """
        engine = printer.paintEngine()
        real_job = engine is None or engine.type() != QPaintEngine.Type.Picture
        try:
            printed = paint_to_printer(self._pdf, printer)
        except (RuntimeError, ValueError) as exc:
            QMessageBox.critical(self, _("打印"), str(exc))
            return
        if printed and real_job:
            self.sig_printed.emit(printed)

    # --- saving ---------------------------------------------------------------------------------------

    @Slot()
    def on_save_as(self) -> None:
        start = QSettings().value(_SAVE_DIR_KEY, "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("另存为 PDF"), str(Path(str(start)) / self._suggested_name), _("PDF 文件 (*.pdf)")
        )
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_name(f"{path.name}.pdf")
            if path.exists() and not self._confirm_overwrite(path):
                return  # the file dialog asked about the name without ".pdf", not about this one
        self.save_to(path)

    def _confirm_overwrite(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self,
            _("另存为 PDF"),
            _("{name} 已存在，要替换它吗？").format(name=path.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def save_to(self, path: Path) -> None:
        """Write the exact bytes given to the dialog; a failure is shown and leaves no file behind."""
        try:
            write_atomically(path, self._pdf)
        except OSError as exc:
            QMessageBox.critical(self, _("另存为 PDF"), _save_error(path, exc))
            return
        QSettings().setValue(_SAVE_DIR_KEY, str(path.parent))
        self.sig_saved.emit(str(path))


def preview_pdf(
    pdf: bytes, title: str, suggested_name: str, parent: QWidget | None = None
) -> PdfPreviewDialog:
    """Open the preview window-modal (it deletes itself on close) and return it for signal hook-up."""
    dialog = PdfPreviewDialog(pdf, title, suggested_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
