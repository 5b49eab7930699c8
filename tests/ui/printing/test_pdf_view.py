"""The PDF preview: rendering with PDFium, printing through QPrinter, and saving the exact archived bytes.

Test documents are built with ReportLab here: a big black square on every page (easy to find in pixels)
and different text per page, in Chinese with the bundled font so CJK text goes through PDFium as well.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressDialog
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kesu_desktop.paths import resources_dir
from kesu_desktop.ui.base import file_dialogs
from kesu_desktop.ui.printing import pdf_view
from kesu_desktop.ui.printing.pdf_render import page_count, paint_to_printer, render_page
from kesu_desktop.ui.printing.pdf_view import PdfPreviewDialog

# QPrinter and QPixmap need a QGuiApplication (without one, Qt aborts the process).
pytestmark = pytest.mark.usefixtures("qapp")

# The square, in points from the bottom-left corner (ReportLab's origin): the middle of an A4 page.
SQUARE = (150.0, 300.0, 300.0, 300.0)  # x, y, width, height


def _font() -> str:
    if "T" not in pdfmetrics.getRegisteredFontNames():
        path = resources_dir() / "fonts" / "wqy-microhei.ttc"
        pdfmetrics.registerFont(TTFont("T", str(path), subfontIndex=0))
    return "T"


def make_pdf(pages: int = 3, *, size: tuple[float, float] = A4) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size)
    font = _font()
    for n in range(1, pages + 1):
        canvas.setFont(font, 20)
        canvas.drawString(72, size[1] - 100, f"关于投诉的答复函 第 {n} 页")
        canvas.setFont(font, 12)
        canvas.drawString(
            72, size[1] - 130, f"尊敬的客户：您于本月反映的问题（编号 BJ01-{n:04d}）已处理完毕。"
        )
        canvas.rect(*SQUARE, stroke=0, fill=1)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return make_pdf(3)


def _darkness(image: QImage, x_pt: float, y_pt: float, page_height_pt: float = A4[1]) -> int:
    """Grey level at a point given in PDF coordinates (origin bottom-left) of an image of the page."""
    scale = image.width() / A4[0]
    colour = image.pixelColor(int(x_pt * scale), int((page_height_pt - y_pt) * scale))
    return colour.lightness()


def _pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


# --- rendering ----------------------------------------------------------------------------------------


def test_page_count(pdf: bytes) -> None:
    assert page_count(pdf) == 3


def test_render_page_draws_the_square_on_white(pdf: bytes) -> None:
    image = render_page(pdf, 1, 72)
    assert image.width() == pytest.approx(595, abs=1)
    assert image.height() == pytest.approx(842, abs=1)
    assert image.height() / image.width() == pytest.approx(2**0.5, abs=0.01)
    x, y, w, h = SQUARE
    assert _darkness(image, x + w / 2, y + h / 2) < 20  # inside the square
    assert _darkness(image, x + 10, y + 10) < 20
    assert _darkness(image, 30, 30) > 245  # the margin
    assert _darkness(image, x - 20, y + h / 2) > 245  # just left of the square
    assert _darkness(image, x + w + 20, y + h / 2) > 245


def test_render_page_resolution_and_own_memory(pdf: bytes) -> None:
    image = render_page(pdf, 0, 144)
    assert image.width() == pytest.approx(595 * 2, abs=1)
    copy = QImage(image)  # still valid after PDFium freed its bitmap: the image owns its pixels
    assert not copy.isNull()
    assert copy.pixelColor(5, 5).name() == "#ffffff"


@pytest.mark.parametrize("garbage", [b"", b"not a pdf at all", b"%PDF-1.4\n%%EOF"])
def test_garbage_is_a_value_error(garbage: bytes) -> None:
    with pytest.raises(ValueError, match="无法读取 PDF 文件"):
        page_count(garbage)
    with pytest.raises(ValueError, match="无法读取 PDF 文件"):
        render_page(garbage, 0, 72)


def test_render_page_out_of_range(pdf: bytes) -> None:
    with pytest.raises(IndexError):
        render_page(pdf, 3, 72)


# --- printing -----------------------------------------------------------------------------------------


def test_paint_to_printer_all_pages(pdf: bytes, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    printer = _pdf_printer(out)
    assert paint_to_printer(pdf, printer) == 3
    assert len(pypdf.PdfReader(out).pages) == 3
    # The page is fitted into the printable area, centred: the square is still in the middle.
    image = render_page(out.read_bytes(), 0, 72)
    x, y, w, h = SQUARE
    assert _darkness(image, x + w / 2, y + h / 2) < 40
    assert _darkness(image, 30, 30) > 240


def test_paint_to_printer_respects_the_printers_range(pdf: bytes, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    printer = _pdf_printer(out)
    printer.setFromTo(2, 3)
    assert paint_to_printer(pdf, printer) == 2
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 2


def test_paint_to_printer_explicit_pages_and_out_of_range(pdf: bytes, tmp_path: Path) -> None:
    printer = _pdf_printer(tmp_path / "one.pdf")
    assert paint_to_printer(pdf, printer, range(2, 10)) == 1
    assert len(pypdf.PdfReader(tmp_path / "one.pdf").pages) == 1


def test_paint_to_printer_makes_copies_a_pdf_file_cannot(pdf: bytes, tmp_path: Path) -> None:
    out = tmp_path / "copies.pdf"
    printer = _pdf_printer(out)
    printer.setCopyCount(2)
    assert paint_to_printer(pdf, printer) == 6
    assert len(pypdf.PdfReader(out).pages) == 6


def test_landscape_page_fits_on_portrait_paper(tmp_path: Path) -> None:
    wide = make_pdf(1, size=landscape(A4))
    out = tmp_path / "wide.pdf"
    assert paint_to_printer(wide, _pdf_printer(out)) == 1
    page = pypdf.PdfReader(out).pages[0]
    assert float(page.mediabox.height) > float(page.mediabox.width)  # still A4 portrait paper


def test_cancelled_print_job_reports_nothing(pdf: bytes, tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 2

    assert paint_to_printer(pdf, _pdf_printer(tmp_path / "x.pdf"), progress=progress) == 0
    assert calls == [(1, 3), (2, 3)]


def test_paint_to_printer_garbage(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        paint_to_printer(b"junk", _pdf_printer(tmp_path / "x.pdf"))


# --- the dialog ---------------------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot: QtBot, pdf: bytes) -> PdfPreviewDialog:
    dialog = PdfPreviewDialog(pdf, "答复函预览", "答复函-BJ01-0001.pdf")
    qtbot.addWidget(dialog)
    dialog.resize(700, 900)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_dialog_shows_page_counter_and_renders(dialog: PdfPreviewDialog, qtbot: QtBot) -> None:
    assert "共 3 页" in dialog.page_label.text()
    assert dialog.page_label.text().startswith("第 1 页")
    qtbot.waitUntil(lambda: dialog.view.is_rendered(0), timeout=5000)
    assert dialog.print_button.text() == "打印…"
    assert dialog.save_button.text() == "另存为 PDF…"
    assert dialog.preview_button.text() == "打印预览…"
    assert dialog.close_button.text() == "关闭"
    dialog.view.go_to_page(2)
    qtbot.waitUntil(lambda: dialog.page_label.text().startswith("第 3 页"), timeout=2000)


def test_dialog_fits_page_to_the_width(dialog: PdfPreviewDialog) -> None:
    # 700 px wide is less than an A4 page at 110 dpi (910 px): the page is scaled to the view.
    assert dialog.view.zoom() < 1.0
    rect = dialog.view._page_rect(0)
    assert rect.width() <= dialog.view.viewport().width()
    assert dialog.view.horizontalScrollBar().maximum() == 0  # a fitted page needs no sideways scrolling
    assert rect.height() / rect.width() == pytest.approx(2**0.5, abs=0.01)


def test_zoom_shortcuts(dialog: PdfPreviewDialog, qtbot: QtBot) -> None:
    before = dialog.view.zoom()
    dialog.view.setFocus()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoom() > before
    assert dialog.zoom_label.text() == f"{round(dialog.view.zoom() * 100)}%"
    zoomed = dialog.view.zoom()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoom() < zoomed
    qtbot.waitUntil(lambda: dialog.view.is_rendered(0), timeout=5000)  # re-rendered at the new zoom
    qtbot.keyClick(dialog.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoom() == pytest.approx(before)


def test_save_to_writes_the_exact_bytes(
    dialog: PdfPreviewDialog, pdf: bytes, tmp_path: Path, qtbot: QtBot
) -> None:
    target = tmp_path / "答复函.pdf"
    with qtbot.waitSignal(dialog.sig_saved, timeout=1000) as blocker:
        dialog.save_to(target)
    assert blocker.args == [str(target)]
    assert target.read_bytes() == pdf
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_save_to_replaces_an_existing_file(dialog: PdfPreviewDialog, pdf: bytes, tmp_path: Path) -> None:
    target = tmp_path / "old.pdf"
    target.write_bytes(b"an older letter")
    dialog.save_to(target)
    assert target.read_bytes() == pdf


def test_save_into_missing_folder_shows_an_error(
    dialog: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text, *a: shown.append(text))
    saved: list[str] = []
    dialog.sig_saved.connect(saved.append)
    target = tmp_path / "no-such-folder" / "x.pdf"
    dialog.save_to(target)
    assert len(shown) == 1
    assert "无法保存文件" in shown[0]
    assert "目标文件夹不存在" in shown[0]
    assert "Traceback" not in shown[0]
    assert not target.parent.exists()
    assert saved == []


def test_save_as_opens_qts_dialog_in_documents_and_says_where_the_file_went(
    dialog: PdfPreviewDialog, pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, object]] = []
    folder = tmp_path / "letters"
    folder.mkdir()

    def fake_dialog(
        _parent: object, _title: str, start: str, _filter: str, **kwargs: object
    ) -> tuple[str, str]:
        asked.append((start, kwargs.get("options")))
        return (str(folder / f"chosen{len(asked)}"), "")

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", fake_dialog)
    dialog.save_button.click()
    start, options = asked[0]
    assert Path(start) == Path(file_dialogs.documents_folder()) / "答复函-BJ01-0001.pdf"
    # Qt's own dialog, which follows the app's Chinese translation (the GTK one follows the desktop's).
    assert options == QFileDialog.Option.DontUseNativeDialog
    assert (folder / "chosen1.pdf").read_bytes() == pdf  # ".pdf" added when the name had none
    assert dialog.saved_label.text() == f"已保存到 {folder / 'chosen1.pdf'}"

    dialog.save_button.click()  # the next save starts where the last one went
    assert Path(asked[1][0]).parent == folder


def test_print_to_emits_printed(dialog: PdfPreviewDialog, tmp_path: Path, qtbot: QtBot) -> None:
    out = tmp_path / "printed.pdf"
    with qtbot.waitSignal(dialog.sig_printed, timeout=5000) as blocker:
        assert dialog.print_to(_pdf_printer(out)) == 3
    assert blocker.args == [3]
    assert len(pypdf.PdfReader(out).pages) == 3


def test_print_to_unwritable_file_shows_an_error(
    dialog: PdfPreviewDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text, *a: shown.append(text))
    printed: list[int] = []
    dialog.sig_printed.connect(printed.append)
    assert dialog.print_to(_pdf_printer(tmp_path / "missing" / "x.pdf")) == 0
    assert shown and "无法开始打印" in shown[0]
    assert printed == []


def test_print_preview_dialog_paints_all_pages(dialog: PdfPreviewDialog, qtbot: QtBot) -> None:
    printed: list[int] = []
    dialog.sig_printed.connect(printed.append)
    preview = dialog.open_print_preview()
    assert isinstance(preview, QPrintPreviewDialog)
    widget = preview.findChild(QPrintPreviewWidget)
    assert widget is not None
    qtbot.waitUntil(lambda: widget.pageCount() == 3, timeout=10000)
    assert printed == []  # drawing the preview is not printing
    preview.close()


def test_unreadable_pdf_shows_a_message_and_can_still_be_saved(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = PdfPreviewDialog(b"broken", "坏文件", "broken.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.page_label.text() == "无法读取 PDF 文件"
    assert not dialog.print_button.isEnabled()
    assert not dialog.preview_button.isEnabled()
    dialog.save_to(tmp_path / "broken.pdf")
    assert (tmp_path / "broken.pdf").read_bytes() == b"broken"


def test_escape_closes(dialog: PdfPreviewDialog, qtbot: QtBot) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.view._doc is None  # PDFium's copy freed on close


def test_large_batch_renders_lazily(qtbot: QtBot) -> None:
    batch = make_pdf(300)
    dialog = PdfPreviewDialog(batch, "批量打印", "batch.pdf")
    qtbot.addWidget(dialog)
    dialog.resize(700, 900)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "共 300 页" in dialog.page_label.text()
    assert not dialog.preview_button.isEnabled()  # Qt's preview would hold every page in memory
    assert dialog.print_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.view.is_rendered(0), timeout=5000)
    qtbot.wait(50)
    assert len(dialog.view.rendered_pages()) < 6  # what is in sight and a page either side
    dialog.view.go_to_page(250)
    qtbot.waitUntil(lambda: dialog.view.is_rendered(250), timeout=5000)
    assert dialog.page_label.text().startswith("第 251 页")
    assert len(dialog.view.rendered_pages()) < 12


class _FakePrintDialog:
    """Stands in for QPrintDialog (modal, and no printers offscreen): the "user" picks 当前页, to a file."""

    out: Path

    def __init__(self, printer: QPrinter, _parent: object) -> None:
        self.printer = printer

    def setWindowTitle(self, _title: str) -> None:
        pass

    def setOptions(self, _options: object) -> None:
        pass

    def setMinMax(self, low: int, high: int) -> None:
        assert (low, high) == (1, 3)

    def exec(self) -> int:
        self.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer.setOutputFileName(str(self.out))
        self.printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
        return QDialog.DialogCode.Accepted.value

    def deleteLater(self) -> None:
        pass


def test_ctrl_p_prints_the_current_page(
    dialog: PdfPreviewDialog, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _FakePrintDialog.out = tmp_path / "current.pdf"
    monkeypatch.setattr(pdf_view, "QPrintDialog", _FakePrintDialog)
    asked: list[range | None] = []
    real_paint = pdf_view.paint_to_printer

    def spy(pdf: bytes, printer: QPrinter, pages: range | None = None, **kwargs: object) -> int:
        asked.append(pages)
        return real_paint(pdf, printer, pages, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pdf_view, "paint_to_printer", spy)
    dialog.view.go_to_page(1)
    qtbot.waitUntil(lambda: dialog.view.current_page() == 1, timeout=2000)
    with qtbot.waitSignal(dialog.sig_printed, timeout=5000) as blocker:
        qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [1]
    assert asked == [range(1, 2)]  # 当前页 is the page in view, the second one
    assert len(pypdf.PdfReader(_FakePrintDialog.out).pages) == 1


def test_long_job_shows_progress_and_still_reports(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_view, "PROGRESS_FROM_PAGES", 2)
    dialog = PdfPreviewDialog(make_pdf(4), "进度", "p.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_printed, timeout=10000) as blocker:
        dialog.print_to(_pdf_printer(tmp_path / "p.pdf"))
    assert blocker.args == [4]
    assert not any(w.isVisible() for w in dialog.findChildren(QProgressDialog))
