"""The 冲突 panel: values that lost to a change made elsewhere, and clashing workflow steps.

What it lists is ``services.conflicts_for`` (supervisors, managers, admins, within their scope); each
row says what was kept and by whom, what was lost and by whom. 重新应用 writes the lost value again,
保留现值 accepts the kept one: either is one action, recorded on the case's timeline, and travels to
every node with the next sync. Double-click (or Enter) opens the case.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.formatting import HINT_STYLE

#: Writes come in bursts (a sync applies many); one refresh serves them all.
REFRESH_DEBOUNCE_MS = 300


def _shown(value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


class ConflictsView(QWidget):
    sig_case_activated = Signal(str)
    #: How many open conflicts the panel shows.
    sig_count_changed = Signal(int)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.conflicts: list[services.ConflictView] = []
        self.hint = QLabel()
        self.hint.setStyleSheet(HINT_STYLE)
        self.hint.setWordWrap(True)
        self.table = QTableWidget(0, 6)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda row, _col: self._open(row))
        self.reapply = QPushButton()
        self.keep = QPushButton()
        self.reapply.clicked.connect(lambda: self._resolve(reapply=True))
        self.keep.clicked.connect(lambda: self._resolve(reapply=False))
        buttons = QHBoxLayout()
        buttons.addWidget(self.reapply)
        buttons.addWidget(self.keep)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._debounce = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        # a bound slot (not a lambda): Qt drops the connection when this panel is destroyed
        tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)
        self.retranslate_ui()
        self._update_buttons()
        self.refresh()

    def retranslate_ui(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [_("案件编号"), _("内容"), _("保留的值"), _("保留者"), _("被覆盖的值"), _("被覆盖者")]
        )
        self.reapply.setText(_("重新应用被覆盖的值"))
        self.reapply.setToolTip(_("把被覆盖的值重新写入案件（记入时间线，同步到各处）"))
        self.keep.setText(_("保留现值"))
        self.keep.setToolTip(_("确认现值无误，冲突标为已处理"))
        self._show_hint()

    def _show_hint(self) -> None:
        if not self.conflicts:
            self.hint.setText(
                _("没有待处理的冲突。分支机构与中心同步后，在不同地方同时改动的内容会列在这里。")
            )
        else:
            self.hint.setText(_("不同地方同时改动了下列内容：保留了较晚的改动，被覆盖的值仍可一键重新应用。"))

    # --- data ---------------------------------------------------------------------------------------
    @Slot(list)
    def on_cases_changed(self, _case_ids: list) -> None:
        self._debounce.start()

    @Slot()
    def refresh(self) -> None:
        tasks.run(
            lambda: services.conflicts_for(self.desk, self.actor),
            on_result=self._fill,
            on_error=self._failed,
            context=self,
        )

    def _fill(self, conflicts: list[services.ConflictView]) -> None:
        selected = self._selected()
        keep_id = selected.id if selected else None
        self.conflicts = conflicts
        self.table.setRowCount(len(conflicts))
        for row, c in enumerate(conflicts):
            values = [
                c.case_no,
                c.field_label,
                _shown(c.kept_text),
                c.kept_by,
                _shown(c.lost_text),
                c.lost_by,
            ]
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
            if c.id == keep_id:
                self.table.selectRow(row)
        self._show_hint()
        self._update_buttons()
        self.sig_count_changed.emit(len(conflicts))

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)
            return
        self.hint.setText(str(exc))

    def _selected(self) -> services.ConflictView | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.conflicts[row] if row < len(self.conflicts) else None

    def _update_buttons(self) -> None:
        chosen = self._selected()
        self.reapply.setEnabled(chosen is not None and chosen.kind == "field")
        self.keep.setEnabled(chosen is not None)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.conflicts):
            self.sig_case_activated.emit(self.conflicts[row].case_no)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._selected() is not None:
            self.sig_case_activated.emit(self._selected().case_no)  # type: ignore[union-attr]
            return
        super().keyPressEvent(event)

    def _resolve(self, *, reapply: bool) -> None:
        chosen = self._selected()
        if chosen is None:
            return
        self.reapply.setEnabled(False)
        self.keep.setEnabled(False)
        tasks.run(
            lambda: services.resolve_conflict(self.desk, self.actor, chosen.id, reapply=reapply),
            on_result=lambda _view: self.refresh(),
            on_error=self._resolve_failed,
            context=self,
            cases_changed=lambda _view: [],
        )

    def _resolve_failed(self, exc: BaseException) -> None:
        self._failed(exc)
        self.refresh()
