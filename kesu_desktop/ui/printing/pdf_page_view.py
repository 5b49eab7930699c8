"""A scrolling column of PDF pages, rendered lazily: only the pages in sight, one per event-loop turn,
so a batch of a thousand letters scrolls as smoothly as one; a bounded cache keeps what was seen."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import OrderedDict

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QWidget,
)

from kesu_desktop.i18n import _
from kesu_desktop.ui.printing.pdf_render import (
    POINTS_PER_INCH,
    open_pdf,
    render_pdf_page,
)

# --- the page view ------------------------------------------------------------------------------------


VIEW_DPI = 110.0  # 100 % in the view: an A4 page is 910 px wide, readable without zooming on a laptop
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
MAX_PAGE_PIXELS = 16_000_000  # one rendered page at most 64 MB; beyond that it is drawn scaled up
CACHE_BYTES = 192 * 1024 * 1024  # about 40 A4 pages at 100 %: a screenful plus where the user just was
PAGE_MARGIN = 16  # px around the pages
PAGE_GAP = 12  # px between pages
BACKDROP = QColor(0x5F, 0x63, 0x68)  # the grey desk the paper lies on, as in every PDF viewer
PAPER = QColor(255, 255, 255)
PAGE_EDGE = QColor(0x3C, 0x40, 0x43)
PLACEHOLDER_TEXT = QColor(0x9A, 0xA0, 0xA6)


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
            self._doc = open_pdf(self._pdf)
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
                image = render_pdf_page(page, dpi)
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
