"""导出…: the case list's current filter written to an .xlsx or .csv file, with progress and cancel.

Why it runs this way: ``services.export_cases`` streams every matching case (no row cap), which for a
large office takes seconds, so it runs on the worker thread (``tasks.run``) while a progress dialog
shows how far it got. The service calls its progress callback on the worker; the callback only emits
a signal (delivered on the GUI thread) and answers whether the user pressed 取消, read from a
thread-safe flag. A cancelled export leaves no file and no record (the service sees to that).
What is masked and what is recorded is the service's decision, not this dialog's.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from kesu_desktop import services
from kesu_desktop.domain.errors import KesuError, ValidationError
from kesu_desktop.formatting import number_text
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_save_path

#: The folder last used for exports is remembered under this kind (file_dialogs).
FILE_KIND = "exports"
SUFFIXES = (".xlsx", ".csv")


def file_filters() -> str:
    return _("Excel 工作簿 (*.xlsx);;CSV 文件（逗号分隔） (*.csv)")


def suggested_name(desk: services.Desk, actor: services.Actor) -> str:
    """案件清单-20261123.xlsx: the reader's office date, so a day's exports sort together."""
    day = services.to_local(desk.clock.now(), actor.timezone).strftime("%Y%m%d")
    return _("案件清单-{day}.xlsx").format(day=day)


def with_suffix(path: str) -> Path:
    """The chosen path; a name typed without .xlsx or .csv becomes a workbook (the first filter)."""
    chosen = Path(path)
    return chosen if chosen.suffix.lower() in SUFFIXES else chosen.with_name(chosen.name + ".xlsx")


class ExportRun(QObject):
    """One export in flight: the progress dialog, the cancel flag, and the answer when it is done.

    ``sig_done`` carries the ``ExportResult``, or None when cancelled or refused (the reason is in
    ``error``). The completion box stays open (non-modal) until the user closes it.
    """

    sig_done = Signal(object)
    #: emitted on the worker thread by the service's progress callback, received on the GUI thread
    _sig_progress = Signal(int, int)

    def __init__(
        self,
        desk: services.Desk,
        actor: services.Actor,
        case_filter: services.CaseFilter,
        path: Path,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.case_filter, self.path = desk, actor, case_filter, path
        self.parent_widget = parent
        self.result: services.ExportResult | None = None
        self.error: str | None = None
        self.done_box: QMessageBox | None = None
        self._cancel = threading.Event()
        self.progress = QProgressDialog(parent)
        self.progress.setWindowTitle(_("导出案件"))
        self.progress.setLabelText(_("正在导出到 {name}…").format(name=path.name))
        self.progress.setCancelButtonText(_("取消"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.setMinimumDuration(300)  # a small export finishes before the dialog would flash
        self.progress.setRange(0, 0)  # until the count is known
        self.progress.canceled.connect(self.on_cancel)
        self._sig_progress.connect(self.on_progress)

    def start(self) -> None:
        desk, actor, flt, path = self.desk, self.actor, self.case_filter, self.path
        tasks.run(
            lambda: services.export_cases(desk, actor, flt, path, progress=self._report),
            on_result=self.on_result,
            on_error=self.on_error,
            context=self,
        )

    def _report(self, done: int, total: int) -> bool:
        """Runs on the worker thread: hand the count over, and say whether to go on."""
        self._sig_progress.emit(done, total)
        return not self._cancel.is_set()

    @Slot()
    def on_cancel(self) -> None:
        self._cancel.set()
        self.progress.setLabelText(_("正在取消…"))

    @Slot(int, int)
    def on_progress(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            return
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.progress.setLabelText(
            _("正在导出到 {name}：{done} / {total} 件").format(
                name=self.path.name, done=number_text(done), total=number_text(total)
            )
        )

    def _close_progress(self) -> None:
        self.progress.canceled.disconnect(self.on_cancel)  # closing a progress dialog emits canceled
        self.progress.close()
        self.progress.deleteLater()

    def on_result(self, result: services.ExportResult | None) -> None:
        self._close_progress()
        self.result = result
        if result is not None:
            self._show_done(result)
        self.sig_done.emit(result)

    def on_error(self, exc: BaseException) -> None:
        self._close_progress()
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)
            self.error = _("导出失败")
        else:
            self.error = "\n".join(exc.errors.values()) if isinstance(exc, ValidationError) else str(exc)
            box = QMessageBox(QMessageBox.Icon.Warning, _("导出案件"), self.error, parent=self.parent_widget)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.done_box = box
            box.open()  # window-modal, not a nested event loop: the list keeps refreshing behind it
        self.sig_done.emit(None)

    def _show_done(self, result: services.ExportResult) -> None:
        text = _("已导出 {n} 件案件：{path}").format(n=number_text(result.rows), path=str(result.path))
        if result.masked:
            text += "\n" + _("按您的角色，电话号码已隐去中间四位")
        box = QMessageBox(QMessageBox.Icon.Information, _("导出完成"), text, parent=self.parent_widget)
        folder = box.addButton(_("打开所在文件夹"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.path.parent))))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.done_box = box
        box.open()


def start_export(
    desk: services.Desk, actor: services.Actor, case_filter: services.CaseFilter, parent: QWidget
) -> ExportRun | None:
    """Ask where to save, then start the export; None when the user closed the file dialog."""
    chosen = choose_save_path(
        parent, _("导出案件列表"), FILE_KIND, suggested_name(desk, actor), file_filters()
    )
    if not chosen:
        return None
    run = ExportRun(desk, actor, case_filter, with_suffix(chosen), parent)
    run.start()
    return run
