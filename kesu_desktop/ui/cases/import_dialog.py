"""导入登记表: import a legacy complaint register (Excel) with a check first.

The clerk chooses the workbook (and, if its headers are unusual, a saved mapping file); 检查 reads it
and runs a dry run (``services.import_register(dry_run=True)``) off the GUI thread, then shows the first
rows as read and a table of every bad cell with its reason. 导入 then imports the valid rows in one
transaction (or, with 有误则全部不导入, none when any row is bad), with a progress bar; a second import
of the same file adds nothing. The rules and the permission check are the service's; the dialog only
shows what it was told.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_open_file, choose_save_path
from kesu_desktop.ui.base.form_errors import error_label, failure_text, show_error

#: The kind of file the file dialogs remember a folder for.
FILE_KIND = "legacy_register"


def field_labels() -> dict[str, str]:
    """What the preview's and the error table's columns call each field (built per call: language)."""
    return {
        "row": _("行号"),
        "case_ref": _("原编号"),
        "registered_at": _("登记时间"),
        "customer_name": _("客户姓名"),
        "phone": _("联系电话"),
        "phone_ext": _("分机"),
        "channel": _("投诉渠道"),
        "category": _("投诉类别"),
        "description": _("投诉内容"),
        "demand": _("客户诉求"),
        "product": _("产品"),
        "occurred_at": _("发生时间"),
        "location": _("发生地点"),
        "status": _("处理状态"),
        "closed_at": _("结案时间"),
        "email": _("电子邮箱"),
        "address": _("地址"),
        "account_no": _("账号"),
    }


class _ProgressRelay(QObject):
    """Carries the service's progress calls from the worker thread to the bar (a queued signal)."""

    sig_progress = Signal(int, int)


def summary_text(report: services.ImportReport) -> str:
    """One line saying what the check or the import found and did."""
    bad = len(report.invalid_rows)
    if report.dry_run:
        return _("检查完毕：共 {rows} 行，可导入 {new} 行，有误 {bad} 行，已导入过 {duplicates} 行").format(
            rows=report.rows, new=report.valid - report.duplicates, bad=bad, duplicates=report.duplicates
        )
    if report.refused:
        return _("未导入：有 {bad} 行有误，已选“有误则全部不导入”").format(bad=bad)
    return _("已导入 {imported} 件；有误 {bad} 行未导入，已导入过 {duplicates} 行").format(
        imported=report.imported, bad=bad, duplicates=report.duplicates
    )


class ImportRegisterDialog(QDialog):
    """Choose, check, then import a legacy register (see the module docstring)."""

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.plan: services.ImportPlan | None = None
        self.report: services.ImportReport | None = None
        self.setWindowTitle(_("导入登记表"))
        layout = QVBoxLayout(self)

        grid = QGridLayout()
        grid.addWidget(QLabel(_("登记表文件")), 0, 0)
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText(_("选择 Excel 工作簿（.xlsx）"))
        grid.addWidget(self.file_edit, 0, 1)
        choose = QPushButton(_("选择文件…"))
        choose.clicked.connect(self._choose_file)
        grid.addWidget(choose, 0, 2)
        grid.addWidget(QLabel(_("列映射文件")), 1, 0)
        self.mapping_edit = QLineEdit()
        self.mapping_edit.setPlaceholderText(_("可不填：按常见表头自动识别"))
        grid.addWidget(self.mapping_edit, 1, 1)
        choose_mapping = QPushButton(_("选择映射…"))
        choose_mapping.clicked.connect(self._choose_mapping)
        grid.addWidget(choose_mapping, 1, 2)
        layout.addLayout(grid)

        self.all_or_nothing = QCheckBox(_("有误则全部不导入"))
        layout.addWidget(self.all_or_nothing)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.error = error_label()
        layout.addWidget(self.error)

        layout.addWidget(QLabel(_("前几行预览")))
        self.preview = self._table()
        layout.addWidget(self.preview, 2)
        layout.addWidget(QLabel(_("有误的行")))
        self.errors = self._table()
        layout.addWidget(self.errors, 1)

        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self._relay = _ProgressRelay(self)
        self._relay.sig_progress.connect(self._show_progress)

        buttons = QDialogButtonBox()
        self.check_button = buttons.addButton(_("检查"), QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.clicked.connect(self.check)
        self.save_mapping_button = buttons.addButton(_("保存映射…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_mapping_button.clicked.connect(self._save_mapping)
        self.save_mapping_button.setEnabled(False)
        self.import_button = buttons.addButton(_("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.clicked.connect(self.start_import)
        self.import_button.setEnabled(False)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(_("关闭"))
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.file_edit.textChanged.connect(self._forget)
        self.mapping_edit.textChanged.connect(self._forget)
        self.resize(960, 640)

    @staticmethod
    def _table() -> QTableWidget:
        table = QTableWidget()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # --- choosing ----------------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path = choose_open_file(self, _("选择登记表"), FILE_KIND, _("Excel 工作簿 (*.xlsx)"))
        if path:
            self.file_edit.setText(path)
            self.check()

    def _choose_mapping(self) -> None:
        path = choose_open_file(self, _("选择列映射文件"), FILE_KIND, _("JSON 文件 (*.json)"))
        if path:
            self.mapping_edit.setText(path)

    def _forget(self) -> None:
        """A different file or mapping: what was checked no longer holds."""
        self.plan = self.report = None
        self.import_button.setEnabled(False)
        self.save_mapping_button.setEnabled(False)

    def _save_mapping(self) -> None:
        if self.plan is None:
            return
        path = choose_save_path(self, _("保存列映射"), FILE_KIND, "mapping.json", _("JSON 文件 (*.json)"))
        if path:
            services.save_mapping(self.plan.mapping, path)

    # --- checking ----------------------------------------------------------------------------------
    def check(self) -> None:
        """Read the workbook and run the dry run off the GUI thread; the tables fill when it answers."""
        path = self.file_edit.text().strip()
        if not path:
            show_error(self.error, _("请先选择登记表文件"))
            return
        mapping_path = self.mapping_edit.text().strip() or None
        desk, actor, relay = self.desk, self.actor, self._relay

        def work() -> tuple[services.ImportPlan, services.ImportReport]:
            mapping = services.load_mapping(mapping_path) if mapping_path else None
            plan = services.read_register(Path(path), mapping)
            report = services.import_register(
                desk, actor, plan, dry_run=True, progress=relay.sig_progress.emit
            )
            return plan, report

        self._busy(_("正在检查…"))
        tasks.run(work, on_result=self._checked, on_error=self._failed, context=self)

    def _checked(self, outcome: tuple[services.ImportPlan, services.ImportReport]) -> None:
        self.plan, self.report = outcome
        self._idle()
        self._fill_preview(self.plan)
        self._fill_errors(self.report)
        self.summary.setText(summary_text(self.report))
        new = self.report.valid - self.report.duplicates
        refused = self.all_or_nothing.isChecked() and bool(self.report.invalid)
        self.import_button.setEnabled(new > 0 and not refused)
        self.save_mapping_button.setEnabled(True)

    def _fill_preview(self, plan: services.ImportPlan) -> None:
        labels = field_labels()
        fields = ["row", *plan.mapped_fields()]
        rows = plan.preview()
        self.preview.clear()
        self.preview.setColumnCount(len(fields))
        self.preview.setHorizontalHeaderLabels([labels.get(f, f) for f in fields])
        self.preview.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, name in enumerate(fields):
                self.preview.setItem(r, c, QTableWidgetItem(row.get(name, "")))
        self.preview.resizeColumnsToContents()

    def _fill_errors(self, report: services.ImportReport) -> None:
        labels = field_labels()
        self.errors.clear()
        self.errors.setColumnCount(3)
        self.errors.setHorizontalHeaderLabels([_("行号"), _("字段"), _("原因")])
        self.errors.setRowCount(len(report.invalid))
        for r, error in enumerate(report.invalid):
            row_item = QTableWidgetItem()
            row_item.setData(Qt.ItemDataRole.DisplayRole, error.row)
            self.errors.setItem(r, 0, row_item)
            self.errors.setItem(r, 1, QTableWidgetItem(labels.get(error.field, error.field)))
            self.errors.setItem(r, 2, QTableWidgetItem(error.message))
        self.errors.resizeColumnsToContents()

    # --- importing ---------------------------------------------------------------------------------
    def start_import(self) -> None:
        """Import what the check read, off the GUI thread, with the progress bar moving."""
        if self.plan is None:
            return
        plan, desk, actor, relay = self.plan, self.desk, self.actor, self._relay
        all_or_nothing = self.all_or_nothing.isChecked()

        def work() -> services.ImportReport:
            return services.import_register(
                desk, actor, plan, all_or_nothing=all_or_nothing, progress=relay.sig_progress.emit
            )

        self._busy(_("正在导入…"))
        tasks.run(
            work,
            on_result=self._imported,
            on_error=self._failed,
            context=self,
            cases_changed=lambda _report: [],
        )

    def _imported(self, report: services.ImportReport) -> None:
        self.report = report
        self._idle()
        self._fill_errors(report)
        self.summary.setText(summary_text(report))
        self.import_button.setEnabled(False)  # done: a second import would add nothing

    # --- state -------------------------------------------------------------------------------------
    def _busy(self, text: str) -> None:
        show_error(self.error, "")
        self.summary.setText(text)
        self.progress.setValue(0)
        self.progress.show()
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)

    def _idle(self) -> None:
        self.progress.hide()
        self.check_button.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self._idle()
        self.summary.setText("")
        show_error(self.error, failure_text(exc))

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
