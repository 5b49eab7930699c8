"""案件列表: the filter bar, the search box and the lazy case table that counter staff live in all day.

Why every change goes straight to the model as a new filter: the model asks the services for one
keyset page on the worker thread, so a filter change costs one small indexed query however many
cases the office has, and the GUI thread never waits. Typing in the search box waits 300 ms for a
pause (or Enter) so a name typed character by character is one query, not five.
"""

from __future__ import annotations

import dataclasses
import itertools

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Priority, Role, Status
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.services import CaseFilter
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.flow_layout import FlowLayout
from kesu_desktop.ui.cases import export_dialog
from kesu_desktop.ui.cases.case_table_model import (
    COL_CREATED,
    COL_SLA,
    SLA_COLOURS,
    CaseTableModel,
)

#: Pause in typing after which the search runs by itself.
SEARCH_DEBOUNCE_MS = 300
#: Writes often come in bursts (a batch of actions); one refresh serves them all.
REFRESH_DEBOUNCE_MS = 150
#: How often the time-limit badges are re-evaluated against the clock.
SLA_TICK_MS = 60_000

Names = tuple[dict[str, str], dict[str, str]]
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def _load_names(desk: services.Desk) -> Names:
    """Runs on the worker: category and department names for the filter bar and the table."""
    return (
        {c.code: c.name for c in services.categories(desk)},
        {d.code: d.name for d in services.departments(desk)},
    )


class SlaBadgeDelegate(QStyledItemDelegate):
    """Paints the time-limit cell as a rounded badge (dot and 正常 / 即将到期 / 已超时) and the due time.

    A badge rather than a filled cell: colour is read at a glance down a long column, and the due time
    beside it says how much is left. It reads the model's computed row directly and paints the cell
    background itself: going through the style's item painting would fetch a dozen roles per cell.
    """

    def __init__(self, model: CaseTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        shown = self._model.shown(index.row())
        if shown.sla is None:
            super().paint(painter, option, index)
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.highlight())
        elif option.features & QStyleOptionViewItem.ViewItemFeature.Alternate:
            painter.fillRect(option.rect, option.palette.alternateBase())
        background, strong = SLA_COLOURS[shown.sla]
        label = shown.texts[COL_SLA]
        metrics = option.fontMetrics
        rect = option.rect.adjusted(4, 3, -4, -3)
        dot = metrics.height() // 2
        pill = QRect(rect.left(), rect.top(), dot + metrics.horizontalAdvance(label) + 18, rect.height())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
        painter.setBrush(QColor(strong))
        painter.drawEllipse(pill.left() + 7, pill.center().y() - dot // 2, dot, dot)
        painter.setPen(QColor(strong))
        painter.drawText(pill.adjusted(dot + 11, 0, 0, 0), _LEFT_MIDDLE, label)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        painter.setPen(option.palette.color(role))
        due = QRect(pill.right() + 8, rect.top(), rect.right() - pill.right() - 8, rect.height())
        painter.drawText(due, _LEFT_MIDDLE, shown.due)
        painter.restore()


class CaseListView(QWidget):
    """Filters, search and the case table; emits the case the user points at."""

    #: The case number the user selected, or opened with Enter / double-click.
    sig_case_activated = Signal(str)
    #: Rows now loaded, after each page or refresh.
    sig_page_loaded = Signal(int)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.model = CaseTableModel(desk, actor, self)
        self._selected: str | None = None  # the case number to keep selected across reloads
        self.export_run: export_dialog.ExportRun | None = None  # the export in flight, if any
        self.last_export: export_dialog.ExportRun | None = None  # the one finished last (its answer)
        self._resetting = False
        self._build_filters()
        self._build_table()
        self._build_status()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self._filter_bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._status_bar)
        self._connect()
        self.retranslate_ui()
        self.setFocusProxy(self.search)
        tasks.run(
            lambda: _load_names(desk),
            on_result=self.on_names_loaded,
            on_error=self.on_names_failed,
            context=self,
        )
        self.model.set_filter(self.current_filter())

    # --- building -------------------------------------------------------------------------------

    def _build_filters(self) -> None:
        self.search = QLineEdit(clearButtonEnabled=True)
        self.search.setMinimumWidth(160)
        self.status_combo, self.priority_combo = QComboBox(), QComboBox()
        self.category_combo, self.department_combo = QComboBox(), QComboBox()
        for combo in self._combos():
            combo.addItem("", None)  # 全部…: no condition (its text is set by retranslate_ui)
        for member in Status:
            self.status_combo.addItem(member.label, member.value)
        for member in Priority:
            self.priority_combo.addItem(member.label, member.value)
        self.mine_check, self.overdue_check = QCheckBox(), QCheckBox()
        # Only managers and admins see more than one office; for everyone else the filter would be a no-op.
        self.office_edit = QLineEdit(clearButtonEnabled=True, maxLength=8)
        self.office_edit.setVisible(self.actor.role in (Role.MANAGER, Role.ADMIN))
        # A department user sees only their own department's cases already.
        self.department_combo.setVisible(self.actor.role is not Role.DEPARTMENT)
        # Wraps onto a second line in a narrow panel instead of clipping the combo boxes.
        self._filter_bar = FlowLayout()
        self._filter_bar.add_widget(self.search, stretch=True)
        for widget in (
            self.status_combo,
            self.priority_combo,
            self.category_combo,
            self.department_combo,
            self.office_edit,
            self.mine_check,
            self.overdue_check,
        ):
            self._filter_bar.add_widget(widget)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DEBOUNCE_MS)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._sla_timer = QTimer(self, interval=SLA_TICK_MS)

    def _combos(self) -> tuple[QComboBox, ...]:
        return (self.status_combo, self.priority_combo, self.category_combo, self.department_combo)

    def _build_table(self) -> None:
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # batch printing
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setItemDelegateForColumn(COL_SLA, SlaBadgeDelegate(self.model, self.table))
        header = self.table.horizontalHeader()
        # Fixed widths from the header font, never ResizeToContents: that would measure every loaded row.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COL_CREATED, Qt.SortOrder.DescendingOrder)
        metrics = self.fontMetrics()
        # Samples of each column's widest usual content, in the reader's language.
        widths = (
            "20261122-BJ01-CS-00000",
            _("方案待审批"),
            _("P1 重要"),
            _("严重程度"),
            _("服务态度类别"),
            _("客户姓名"),
            "13800138000",
            _("售后服务部"),
            _("处理人"),
            "2026-11-22 14:30",
            _("● 即将到期"),
        )
        for column, sample in enumerate(widths):
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 24)

    def _build_status(self) -> None:
        self.count_label = QLabel()
        self.message_label = QLabel()
        self.message_label.setStyleSheet("color: #c62828;")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: a page is on its way
        self.busy.setMaximumSize(120, 12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        # 导出…: the filter shown, to a file (Ctrl+E while the list has the focus; also on right-click)
        self.export_action = QAction(self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.export_action.triggered.connect(self.on_export)
        self.addAction(self.export_action)
        self.export_button = QToolButton()
        self.export_button.setDefaultAction(self.export_action)
        self._status_bar = QHBoxLayout()
        self._status_bar.addWidget(self.count_label)
        self._status_bar.addWidget(self.busy)
        self._status_bar.addWidget(self.message_label, 1)
        self._status_bar.addWidget(self.export_button)

    def _connect(self) -> None:
        self.search.textEdited.connect(self._search_timer.start)
        self.search.returnPressed.connect(self.on_filter_changed)
        self.search.installEventFilter(self)
        self._search_timer.timeout.connect(self.on_filter_changed)
        for combo in self._combos():
            combo.currentIndexChanged.connect(self.on_filter_changed)
        self.mine_check.toggled.connect(self.on_filter_changed)
        self.overdue_check.toggled.connect(self.on_filter_changed)
        self.office_edit.editingFinished.connect(self.on_filter_changed)
        self.table.activated.connect(self.on_row_activated)
        self.table.addAction(self.export_action)  # in the right-click menu beside 批量打印
        self.table.selectionModel().selectionChanged.connect(self.on_selection_changed)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self.on_sort_changed)
        self.model.sig_page_loaded.connect(self.on_page_loaded)
        self.model.sig_loading_changed.connect(self.busy.setVisible)
        self.model.sig_load_failed.connect(self.on_load_failed)
        self.model.modelAboutToBeReset.connect(self.on_model_about_to_reset)
        self.model.modelReset.connect(self.on_model_reset)
        self._refresh_timer.timeout.connect(self.refresh)
        self._sla_timer.timeout.connect(self.model.refresh_sla)
        self._sla_timer.start()
        tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)
        # No Ctrl+F of its own: a second binding made the window's (application-wide) one ambiguous, so
        # neither fired while the list had the focus. The window's 查找案件 calls focus_search.
        # Tab follows the bar from left to right, then into the list.
        chain = (
            self.search,
            *self._combos(),
            self.office_edit,
            self.mine_check,
            self.overdue_check,
            self.table,
        )
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(_("搜索姓名、电话后四位、描述或案件编号（Ctrl+F）"))
        self.search.setToolTip(_("停顿片刻或按回车即搜索；按 ↓ 进入列表，Esc 清空"))
        for combo, everything in zip(
            self._combos(), (_("全部状态"), _("全部优先级"), _("全部类别"), _("全部部门")), strict=True
        ):
            combo.setItemText(0, everything)
        for n, member in enumerate(Status, start=1):
            self.status_combo.setItemText(n, member.label)
        for n, member in enumerate(Priority, start=1):
            self.priority_combo.setItemText(n, member.label)
        self.office_edit.setPlaceholderText(_("网点代码"))
        self.mine_check.setText(_("只看我的"))
        self.overdue_check.setText(_("已超时"))
        self.export_action.setText(_("导出…"))
        self.export_action.setToolTip(_("把当前筛选出的全部案件导出为 Excel 或 CSV 文件（Ctrl+E）"))
        self.model.retranslate()
        self._show_count()

    # --- the filter -----------------------------------------------------------------------------

    def current_filter(self) -> CaseFilter:
        status, priority = self.status_combo.currentData(), self.priority_combo.currentData()
        office = self.office_edit.text().strip().upper() if self.office_edit.isVisibleTo(self) else ""
        return CaseFilter(
            status=Status(status) if status else None,
            priority=Priority(priority) if priority else None,
            category=self.category_combo.currentData() or None,
            department=self.department_combo.currentData() or None,
            office=office or None,
            assigned_to_me=self.mine_check.isChecked(),
            overdue=self.overdue_check.isChecked(),
            search=self.search.text().strip() or None,
        )

    @Slot()
    def on_filter_changed(self) -> None:
        self._search_timer.stop()
        wanted = self.current_filter()
        if dataclasses.replace(self.model.case_filter, limit=wanted.limit, after=None) == wanted:
            return  # Enter after the debounce already ran, or a combo set to what it was: nothing to do
        self.message_label.clear()
        self.model.set_filter(wanted)

    @Slot()
    def refresh(self) -> None:
        """Reload the rows shown (a write somewhere may have changed them), keeping the selection."""
        self._refresh_timer.stop()
        self.model.refresh()

    @Slot(list)
    def on_cases_changed(self, _ids: list) -> None:
        self._refresh_timer.start()

    @Slot(int, Qt.SortOrder)
    def on_sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        """Keep the indicator on the one order the services page in: registration time, newest first.

        A header click flips the indicator; sorting only the loaded rows by another column (or oldest
        first) would show a false order for a list that is not all loaded, so the click is declined.
        """
        if (column, order) != (COL_CREATED, Qt.SortOrder.DescendingOrder):
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(COL_CREATED, Qt.SortOrder.DescendingOrder)
            header.blockSignals(False)

    # --- export ---------------------------------------------------------------------------------

    @Slot()
    def on_export(self) -> None:
        """Export every case of the filter shown (not only the loaded pages); one export at a time."""
        if self.export_run is not None:
            return
        run = export_dialog.start_export(self.desk, self.actor, self.current_filter(), self)
        if run is not None:
            self.export_run = run
            self.export_action.setEnabled(False)
            run.sig_done.connect(self.on_export_done)

    @Slot(object)
    def on_export_done(self, _result: object) -> None:
        if self.last_export is not None:
            self.last_export.deleteLater()
        self.last_export, self.export_run = self.export_run, None
        self.export_action.setEnabled(True)

    # --- answers --------------------------------------------------------------------------------

    def on_names_loaded(self, names: Names) -> None:
        categories, departments = names
        self.model.set_names(categories, departments)
        for combo, choices in ((self.category_combo, categories), (self.department_combo, departments)):
            combo.blockSignals(True)
            for code, name in choices.items():
                combo.addItem(name, code)
            combo.blockSignals(False)

    def on_names_failed(self, exc: BaseException) -> None:
        # The list still works with codes instead of names; say why the combos are empty.
        self.on_load_failed(str(exc) if isinstance(exc, KesuError) else _("类别与部门名称加载失败"))
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)

    @Slot(int)
    def on_page_loaded(self, rows: int) -> None:
        self._restore_selection()
        self._show_count()
        self.sig_page_loaded.emit(rows)

    @Slot(str)
    def on_load_failed(self, message: str) -> None:
        self.message_label.setText(message)

    def _show_count(self) -> None:
        n = self.model.rowCount()
        text = _("已加载 {n} 件").format(n=n)
        if self.model.canFetchMore():
            text += _("（向下滚动加载更多）")
        self.count_label.setText(text)

    def focus_search(self) -> None:
        self.on_find()

    def loaded_rows(self) -> int:
        return self.model.rowCount()

    def first_case_no(self) -> str | None:
        """The newest case loaded (the list is newest first), to open at start-up."""
        return self.model.row_at(0).case_no if self.model.rowCount() else None

    # --- selection and activation ---------------------------------------------------------------

    def selected_case_no(self) -> str | None:
        current = self.table.selectionModel().currentIndex()
        rows = self.table.selectionModel().selectedRows()
        if current.isValid() and any(r.row() == current.row() for r in rows):
            return self.model.row_at(current.row()).case_no
        return self.model.row_at(rows[0].row()).case_no if rows else None

    def selected_case_nos(self) -> list[str]:
        """Every selected case, in list order (for batch printing)."""
        rows = sorted(r.row() for r in self.table.selectionModel().selectedRows())
        return [self.model.row_at(row).case_no for row in rows]

    @Slot()
    def on_model_about_to_reset(self) -> None:
        self._resetting = True
        self._selected = self.selected_case_no() or self._selected

    @Slot()
    def on_model_reset(self) -> None:
        self._resetting = False

    def _restore_selection(self) -> None:
        """Select the remembered case again if it is among the rows now loaded (no new signal: same case)."""
        if self._selected is None or self.selected_case_no() == self._selected:
            return
        row = self.model.row_of(self._selected)
        if row >= 0:
            self.table.selectRow(row)

    @Slot(QItemSelection, QItemSelection)
    def on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._resetting:
            return  # rows are being replaced; the selection comes back in _restore_selection
        case_no = self.selected_case_no()
        if case_no is None:
            self._selected = None
        elif case_no != self._selected:
            self._selected = case_no
            self.sig_case_activated.emit(case_no)

    @Slot(QModelIndex)
    def on_row_activated(self, index: QModelIndex) -> None:
        case_no = self.model.row_at(index.row()).case_no
        self._selected = case_no
        self.sig_case_activated.emit(case_no)

    # --- keyboard -------------------------------------------------------------------------------

    @Slot()
    def on_find(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the search box, ↓ moves into the list and Esc clears the search."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Down and self.model.rowCount() > 0:
                self.table.setFocus(Qt.FocusReason.TabFocusReason)
                if self.selected_case_no() is None:
                    self.table.selectRow(0)
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self.on_filter_changed()
                return True
        return super().eventFilter(watched, event)
