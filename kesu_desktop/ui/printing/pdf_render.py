"""Pages of a PDF as images (PDFium through pypdfium2) and onto a printer.

Why PDFium and not QtPdf: the app ships PySide6-Essentials, which has QtPrintSupport but no QtPdf;
pypdfium2 is the same engine QtPdf wraps. PDFium is not thread-safe, so everything here runs on the
GUI thread. Printing rasterises each page at the printer's resolution (at most 300 dpi): Qt has no way
to pass PDF vector content to a printer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF
from PySide6.QtGui import (
    QImage,
    QPageRanges,
    QPageSize,
    QPaintEngine,
    QPainter,
)
from PySide6.QtPrintSupport import QPrinter

from kesu_desktop.i18n import _

POINTS_PER_INCH = 72.0
# Qt's print preview keeps every page as an uncompressed image (4.7 MB for A4 at 110 dpi): it gets the
# view's resolution, not the printer's.
PREVIEW_DPI = 110.0
PRINT_DPI = 300.0  # the cap when printing: a 600 dpi A4 page would be 140 MB of pixels per page

Progress = Callable[[int, int], bool]
_BIG_ENDIAN = sys.byteorder == "big"
_IMAGE_FORMAT = QImage.Format.Format_RGBX8888 if _BIG_ENDIAN else QImage.Format.Format_RGB32


# --- PDFium -----------------------------------------------------------------------------------------


def open_pdf(pdf: bytes) -> pdfium.PdfDocument:
    """PDFium's own error ("Data format error") means nothing to a clerk; the caller shows ours."""
    try:
        return pdfium.PdfDocument(pdf)
    except (pdfium.PdfiumError, TypeError, ValueError) as exc:
        raise ValueError(_("无法读取 PDF 文件")) from exc


def render_pdf_page(page: pdfium.PdfPage, dpi: float) -> QImage:
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
    doc = open_pdf(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def render_page(pdf: bytes, index: int, dpi: float) -> QImage:
    """Page ``index`` (0-based) at ``dpi``; opens the document each time, so for one-off use only."""
    if dpi <= 0:
        raise ValueError(f"invalid resolution {dpi}")
    doc = open_pdf(pdf)
    try:
        if not 0 <= index < len(doc):
            raise IndexError(f"page {index} out of range (the document has {len(doc)} pages)")
        page = doc[index]
        try:
            return render_pdf_page(page, dpi)
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


def selected_pages(printer: QPrinter, total: int, pages: range | None) -> list[int]:
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
    doc = open_pdf(pdf)
    try:
        order = _job_order(printer, selected_pages(printer, len(doc), pages))
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
                    image = render_pdf_page(page, dpi)
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
