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
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import (
    QGuiApplication,
    QKeySequence,
    QPaintEngine,
    QShortcut,
)
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop.fileio import write_atomically
from kesu_desktop.i18n import _
from kesu_desktop.ui.base.file_dialogs import choose_save_path
from kesu_desktop.ui.printing.pdf_page_view import (
    PdfPageView,
)
from kesu_desktop.ui.printing.pdf_render import (
    make_printer,
    paint_to_printer,
    selected_pages,
)

# --- the dialog ---------------------------------------------------------------------------------------


# Qt's print preview keeps every page as an uncompressed image, so documents longer than this are not
# offered to it at all (1000 pages at 150 dpi measured 8.5 GB); the in-app view shows them lazily.
PREVIEW_MAX_PAGES = 60
PROGRESS_FROM_PAGES = 10  # a print job shorter than this finishes before a progress dialog would help


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
        self.saved_label = QLabel()  # where the last 另存为 wrote the file
        self.saved_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        buttons.addWidget(self.saved_label, 1)
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
        total = len(selected_pages(printer, self.view.page_count(), pages))
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
        pdf_files = _("PDF 文件 (*.pdf)")
        chosen = choose_save_path(self, _("另存为 PDF"), "letters", self._suggested_name, pdf_files)
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
        self.saved_label.setText(_("已保存到 {path}").format(path=path))
        self.saved_label.setToolTip(str(path))
        self.sig_saved.emit(str(path))


def preview_pdf(
    pdf: bytes, title: str, suggested_name: str, parent: QWidget | None = None
) -> PdfPreviewDialog:
    """Open the preview window-modal (it deletes itself on close) and return it for signal hook-up."""
    dialog = PdfPreviewDialog(pdf, title, suggested_name, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
