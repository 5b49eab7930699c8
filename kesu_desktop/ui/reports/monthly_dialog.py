"""月度报告…: choose a month and an office, then preview, print or save the report's PDF.

The printing package (ReportLab) and the PDF preview are imported when a report is made, not with the
main window (issue 16, fast start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.reports.statistics_view import office_today

if TYPE_CHECKING:
    from kesu_desktop.ui.printing.pdf_view import PdfPreviewDialog

#: How many months back the list offers (two years of reports, newest first).
MONTHS_BACK = 24


def month_choices(today: QDate) -> list[str]:
    """``YYYY-MM`` from last month back, then this month (a report mid-month is a draft, so it is last)."""
    months = []
    year, month = today.year(), today.month()
    for _step in range(MONTHS_BACK + 1):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return [*months[1:], months[0]]


class MonthlyReportDialog(QDialog):
    """Makes the report off the GUI thread and opens it in the PDF preview."""

    def __init__(
        self,
        desk: services.Desk,
        actor: services.Actor,
        parent: QWidget | None = None,
        *,
        month: str | None = None,
        office: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.preview: PdfPreviewDialog | None = None
        self.month_combo = QComboBox()
        for code in month_choices(office_today(desk, actor)):
            self.month_combo.addItem(code, code)
        if month is not None and self.month_combo.findData(month) >= 0:
            self.month_combo.setCurrentIndex(self.month_combo.findData(month))
        self.office_combo = QComboBox()
        if actor.role in (Role.MANAGER, Role.ADMIN):
            self.office_combo.addItem(_("全部网点"), None)
            for view in services.list_offices(desk, actor):
                self.office_combo.addItem(f"{view.code} {view.name}", view.code)
        else:
            self.office_combo.addItem(actor.office_code, actor.office_code)
        if office is not None and self.office_combo.findData(office) >= 0:
            self.office_combo.setCurrentIndex(self.office_combo.findData(office))
        self.status = QLabel()
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.preview_button = self.buttons.addButton(_("预览(&P)…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.preview_button.clicked.connect(self.make_report)
        form = QFormLayout()
        form.addRow(_("月份"), self.month_combo)
        form.addRow(_("网点"), self.office_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("月度投诉分析报告须在每月 5 日前完成上月报告。")))
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setWindowTitle(_("月度投诉分析报告"))
        self.preview_button.setDefault(True)

    @Slot()
    def make_report(self) -> None:
        month, office = self.month_combo.currentData(), self.office_combo.currentData()
        desk, actor = self.desk, self.actor
        show_error(self.error, "")
        self.status.setText(_("正在生成报告…"))
        self.preview_button.setEnabled(False)

        def work() -> tuple[bytes, str]:
            from kesu_desktop import printing  # on the worker: its first import is slow

            figures = services.monthly_report(desk, actor, month, office=office)
            pdf, _pages = printing.monthly_report_pdf(figures, actor.display_name)
            return pdf, month

        tasks.run(work, on_result=self.show_report, on_error=self.on_failed, context=self)

    def show_report(self, made: tuple[bytes, str]) -> None:
        from kesu_desktop.ui.printing.pdf_view import PdfPreviewDialog

        pdf, month = made
        self.preview_button.setEnabled(True)
        self.status.setText("")
        office = self.office_combo.currentData()
        name = f"monthly-report-{month}" + (f"-{office}" if office else "") + ".pdf"
        self.preview = PdfPreviewDialog(pdf, _("月度投诉分析报告 {month}").format(month=month), name, self)
        self.preview.open()

    def on_failed(self, exc: BaseException) -> None:
        self.preview_button.setEnabled(True)
        self.status.setText("")
        if isinstance(exc, KesuError):
            show_error(self.error, str(exc))
        else:
            show_error(self.error, _("报告生成失败"))
            tasks.unexpected(exc)
