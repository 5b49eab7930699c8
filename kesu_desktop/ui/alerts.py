"""The 提醒 panel: deadlines that need attention. The deadline-watcher issue fills it; until then it
lists what is due soon or overdue now, from the same ``services.due`` the CLI reports."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kesu_desktop import services
from kesu_desktop.i18n import _
from kesu_desktop.ui import tasks

DEADLINE_LABELS = {
    "respond": "响应",
    "plan": "方案",
    "resolve": "解决",
    "update": "客户更新",
    "callback": "承诺回电",
    "survey": "回访",
}
_ZONE = ZoneInfo("Asia/Shanghai")
_STATE = {"overdue": ("已超时", "#fde2e1"), "due_soon": ("即将到期", "#fff4d6")}


class AlertsView(QWidget):
    """Due-soon and overdue deadlines of the cases this user may see; activating one opens its case."""

    sig_case_activated = Signal(str)
    sig_count_changed = Signal(int)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk, self._actor = desk, actor
        self._hint = QLabel()
        self._list = QListWidget()
        self._list.itemActivated.connect(self.on_item_activated)
        self._list.itemDoubleClicked.connect(self.on_item_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._hint)
        layout.addWidget(self._list)
        self.retranslate_ui()
        tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)
        self.refresh()

    def retranslate_ui(self) -> None:
        self._hint.setText(_("即将到期和已超时的事项（双击打开案件）"))

    def refresh(self) -> None:
        tasks.run(lambda: services.due(self._desk, self._actor), on_result=self.on_due, context=self)

    @Slot(list)
    def on_cases_changed(self, _ids: list) -> None:
        self.refresh()

    def on_due(self, items: list[services.DueItem]) -> None:
        self._list.clear()
        for item in items:
            state, colour = _STATE[item.state]
            when = item.due_at.astimezone(_ZONE).strftime("%m-%d %H:%M")
            text = (
                f"{_(state)}  {item.case_no}  {_(DEADLINE_LABELS.get(item.deadline, item.deadline))}  {when}"
            )
            entry = QListWidgetItem(text)
            entry.setData(Qt.ItemDataRole.UserRole, item.case_no)
            entry.setBackground(QBrush(QColor(colour)))
            self._list.addItem(entry)
        self.sig_count_changed.emit(len(items))

    @Slot(QListWidgetItem)
    def on_item_activated(self, item: QListWidgetItem) -> None:
        self.sig_case_activated.emit(item.data(Qt.ItemDataRole.UserRole))
