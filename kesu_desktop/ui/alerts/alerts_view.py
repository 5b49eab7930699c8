"""The 提醒 panel: the alerts the deadline watcher stored, for me, my department or the whole office.

Why it lists what ``services.alerts_for`` says rather than what the watcher just announced: an alert
stays current until someone acknowledges it (or the deadline stops running), and the watcher only
announces each one once; so the panel always asks the services, on start, on every
``sig_cases_changed`` and when the watcher reports new alerts. Acknowledge (确认, Ctrl+K / Delete)
and snooze (稍后提醒, Ctrl+L) are writes: they go through ``tasks.run`` with ``cases_changed`` because
both leave an event on the case's timeline.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QColor, QFont, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.formatting import countdown_text
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.formatting import local_time, to_local

#: state → (tint, strong colour): overdue red, due soon amber (as the case list's badges), reminder blue.
STATE_COLOURS = {
    "overdue": ("#fde0e0", "#c62828"),
    "due_soon": ("#fff1d6", "#b86e00"),
    "reminder": ("#e3eefc", "#1565c0"),
}
#: Writes come in bursts (a batch of actions); one refresh serves them all.
REFRESH_DEBOUNCE_MS = 150
#: 明天上午 means this local time tomorrow.
TOMORROW_MORNING = time(9, 0)
_ALERT = Qt.ItemDataRole.UserRole
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def state_label(state: str) -> str:
    return {"overdue": _("已超时"), "due_soon": _("即将到期"), "reminder": _("提醒")}.get(state, state)


def deadline_label(deadline: str) -> str:
    """The deadline's name as the services word it (an unknown code from a newer desk shows as is)."""
    return services.deadline_labels().get(deadline, deadline)


def scope_choices(actor: services.Actor) -> list[tuple[str, str]]:
    """(scope, label) the user may pick, the role's natural scope first (what ``alerts_for`` allows)."""
    mine, department, everyone = ("mine", _("我的")), ("department", _("本部门")), ("all", _("全部"))
    if actor.role is Role.DEPARTMENT:
        return [department]  # a department sees its own department's alerts whatever it asks for
    has_department = actor.department_code is not None
    if actor.role in (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN):
        return [everyone, *([department] if has_department else []), mine]
    return [mine, *([department] if has_department else []), everyone]


def alert_line(alert: services.AlertView, zone: str, now: datetime | None = None) -> str:
    """The one-line summary: 已超时 · 20261123-BJ01-CS-0001 · 解决期限 11/30 18:00 · P1 (``zone``'s time),
    with how long is left (剩余 2小时 15分钟) or how far past it is (超时 3小时) when ``now`` is given."""
    when = local_time(alert.due_at, zone, "month_minute")
    parts = [
        state_label(alert.state),
        alert.case_no or _("本网点"),
        f"{deadline_label(alert.deadline)} {when}",
    ]
    if alert.priority:
        parts.append(alert.priority.upper())
    if now is not None:
        parts.append(countdown_text(alert.due_at, now))
    return " · ".join(parts)


def tomorrow_morning_minutes(now: datetime, zone: str) -> int:
    """Minutes from ``now`` until 09:00 tomorrow in ``zone``, the office's (what 明天上午 snoozes for)."""
    local = to_local(now, zone)
    target = datetime.combine(local.date() + timedelta(days=1), TOMORROW_MORNING, local.tzinfo)
    return max(1, math.ceil((target - local).total_seconds() / 60))


class AlertDelegate(QStyledItemDelegate):
    """Two lines per alert: a state badge and the summary, then who has it; tinted by state.

    Why paint: a coloured badge reads at a glance down the list, as in the case list's time-limit
    column, and the second line in a quieter colour keeps the summary the first thing the eye meets.
    """

    def __init__(
        self, details: dict[str, str], zone: str, now: Callable[[], datetime], parent: QListWidget
    ) -> None:
        super().__init__(parent)
        self._details = details  # department code → name, filled when loaded
        self._zone = zone
        self._now = now

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        height = option.fontMetrics.height()
        return QSize(0, height * 2 + 14)  # as wide as the list: the texts are elided to fit

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        alert: services.AlertView = index.data(_ALERT)
        tint, strong = STATE_COLOURS.get(alert.state, STATE_COLOURS["reminder"])
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(rect, option.palette.highlight() if selected else QColor(tint))
        painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), QColor(strong))
        metrics = option.fontMetrics
        line = metrics.height()
        top = QRect(rect.left() + 12, rect.top() + 5, rect.width() - 16, line)
        # the state badge
        label = state_label(alert.state)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        pill = QRect(top.left(), top.top(), painter.fontMetrics().horizontalAdvance(label) + 14, line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(strong))
        painter.drawRoundedRect(pill, line / 2, line / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
        # the summary after the badge
        painter.setFont(option.font)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(option.palette.color(text_role))
        rest = alert_line(alert, self._zone, self._now()).removeprefix(label).removeprefix(" · ")
        summary = QRect(pill.right() + 8, top.top(), top.right() - pill.right() - 8, line)
        painter.drawText(
            summary, _LEFT_MIDDLE, metrics.elidedText(rest, Qt.TextElideMode.ElideRight, summary.width())
        )
        # who has it
        second = QRect(top.left(), top.bottom() + 4, top.width(), line)
        quiet = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        painter.setPen(option.palette.color(quiet))
        painter.drawText(
            second,
            _LEFT_MIDDLE,
            metrics.elidedText(self.details(alert), Qt.TextElideMode.ElideRight, second.width()),
        )
        painter.restore()

    def details(self, alert: services.AlertView) -> str:
        if alert.case_no is None:
            return alert.message
        who = alert.assignee or _("未分派")
        parts = [_("负责人：{who}").format(who=who)]
        if alert.department:
            parts.append(self._details.get(alert.department, alert.department))
        return "  ·  ".join(parts)


class AlertsView(QWidget):
    """Current alerts of this user; activating one opens its case, 确认 and 稍后提醒 act on the selection."""

    sig_case_activated = Signal(str)
    sig_count_changed = Signal(int)
    #: The monthly report's reminder was opened: the main window shows the report dialog.
    sig_report_activated = Signal()

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk, self._actor = desk, actor
        self._generation = 0  # answers of older loads are dropped
        self._departments: dict[str, str] = {}
        self._count: int | None = None

        self.scope_label = QLabel()
        self.scope_combo = QComboBox()
        for code, _label in scope_choices(actor):
            self.scope_combo.addItem("", code)
        self.scope_combo.setEnabled(self.scope_combo.count() > 1)
        self.ack_button = QPushButton()
        self.snooze_button = QPushButton()
        self.snooze_menu = QMenu(self)
        self.act_15m = self.snooze_menu.addAction("", lambda: self.snooze(15))
        self.act_1h = self.snooze_menu.addAction("", lambda: self.snooze(60))
        self.act_tomorrow = self.snooze_menu.addAction(
            "", lambda: self.snooze(tomorrow_morning_minutes(self._desk.clock.now(), self._actor.timezone))
        )
        self.snooze_button.setMenu(self.snooze_menu)
        self.count_label = QLabel()
        self.message = QLabel()  # errors of acknowledge / snooze / loading, in plain words
        self.message.setStyleSheet("color: #c62828;")
        self.message.setWordWrap(True)
        self.message.hide()
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # lines are elided
        delegate = AlertDelegate(self._departments, self._actor.timezone, self._desk.clock.now, self.list)
        self.list.setItemDelegate(delegate)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 12px;")
        self.empty.hide()

        bar = QHBoxLayout()
        bar.addWidget(self.scope_label)
        bar.addWidget(self.scope_combo)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.ack_button)
        bar.addWidget(self.snooze_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        self.setFocusProxy(self.list)

        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DEBOUNCE_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.list.itemActivated.connect(self.on_item_activated)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.scope_combo.currentIndexChanged.connect(self.refresh)
        self.ack_button.clicked.connect(self.acknowledge)
        self._shortcuts = []
        for keys, slot in (
            ("Ctrl+K", self.acknowledge),
            (QKeySequence.StandardKey.Delete, self.acknowledge),
            ("Ctrl+L", self.on_snooze_menu),
        ):
            shortcut = QShortcut(
                QKeySequence(keys), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
            )
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)
        tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)
        self.retranslate_ui()
        self._update_buttons()
        tasks.run(lambda: services.departments(self._desk), on_result=self.on_departments, context=self)
        self.refresh()

    def retranslate_ui(self) -> None:
        self.scope_label.setText(_("范围"))
        for n, (_code, label) in enumerate(scope_choices(self._actor)):
            self.scope_combo.setItemText(n, label)
        self.ack_button.setText(_("确认"))
        self.ack_button.setToolTip(_("已知悉并处理，不再提醒（Ctrl+K 或 Delete）"))
        self.snooze_button.setText(_("稍后提醒"))
        self.snooze_button.setToolTip(_("暂时隐藏，到时再次提醒（Ctrl+L）"))
        self.act_15m.setText(_("15 分钟"))
        self.act_1h.setText(_("1 小时"))
        self.act_tomorrow.setText(_("明天上午"))
        self.empty.setText(_("没有需要处理的提醒"))
        self.list.setToolTip(_("回车或双击打开案件"))
        self._show_count()

    # --- loading ----------------------------------------------------------------------------------
    def scope(self) -> str:
        return self.scope_combo.currentData() or "auto"

    @Slot()
    def refresh(self) -> None:
        """Ask the services for the current alerts; the answer replaces the list."""
        self._refresh_timer.stop()
        self._generation += 1
        generation, scope = self._generation, self.scope()
        tasks.run(
            lambda: services.alerts_for(self._desk, self._actor, scope),
            on_result=lambda alerts: self.on_alerts(generation, alerts),
            on_error=self.on_error,
            context=self,
        )

    @Slot(list)
    def on_cases_changed(self, _ids: list) -> None:
        self._refresh_timer.start()

    @Slot(list)
    def on_new_alerts(self, _alerts: list) -> None:
        """The watcher announced new alerts: they are stored, so the next load shows them."""
        self._refresh_timer.start()

    def on_departments(self, departments: list) -> None:
        self._departments.update({d.code: d.name for d in departments})
        self.list.viewport().update()

    def on_alerts(self, generation: int, alerts: list[services.AlertView]) -> None:
        if generation != self._generation:
            return
        keep = {a.id for a in self.selected_alerts()}
        current = self.list.currentItem()
        current_id = current.data(_ALERT).id if current is not None else None
        scrolled = self.list.verticalScrollBar().value()  # a reload (another desk's alert) keeps the place
        self.list.clear()
        for alert in alerts:
            item = QListWidgetItem(alert_line(alert, self._actor.timezone, self._desk.clock.now()))
            item.setData(_ALERT, alert)
            item.setToolTip(alert.message)
            self.list.addItem(item)
            if alert.id == current_id:
                self.list.setCurrentItem(item, QItemSelectionModel.SelectionFlag.NoUpdate)
            item.setSelected(alert.id in keep)
        self.list.verticalScrollBar().setValue(scrolled)
        self.message.hide()
        self._after_change()

    def on_error(self, exc: BaseException) -> None:
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)
            return
        self.message.setText(str(exc))
        self.message.show()

    def _after_change(self) -> None:
        count = self.list.count()
        self.list.setVisible(count > 0)
        self.empty.setVisible(count == 0)
        self._count = count
        self._show_count()
        self._update_buttons()
        self.sig_count_changed.emit(count)

    def _show_count(self) -> None:
        self.count_label.setText("" if self._count is None else _("{n} 条").format(n=self._count))

    # --- what the user does -----------------------------------------------------------------------
    def alerts(self) -> list[services.AlertView]:
        """The alerts shown, in order."""
        return [self.list.item(n).data(_ALERT) for n in range(self.list.count())]

    def selected_alerts(self) -> list[services.AlertView]:
        rows = sorted(self.list.row(item) for item in self.list.selectedItems())
        return [self.list.item(row).data(_ALERT) for row in rows]

    def _update_buttons(self) -> None:
        has = bool(self.selected_alerts())
        self.ack_button.setEnabled(has)
        self.snooze_button.setEnabled(has)

    @Slot(QListWidgetItem)
    def on_item_activated(self, item: QListWidgetItem) -> None:
        alert: services.AlertView = item.data(_ALERT)
        if alert.case_no:
            self.sig_case_activated.emit(alert.case_no)
        elif alert.deadline == "report":
            self.sig_report_activated.emit()

    @Slot()
    def on_snooze_menu(self) -> None:
        if self.selected_alerts():
            self.snooze_button.showMenu()

    @Slot()
    def acknowledge(self) -> None:
        """确认: the selected alerts are handled; they leave the list at once and for good."""
        ids = [a.id for a in self.selected_alerts()]
        if ids:
            self._write(ids, lambda alert_id: services.acknowledge_alert(self._desk, self._actor, alert_id))

    def snooze(self, minutes: int) -> None:
        """稍后提醒: hide the selected alerts for ``minutes``; they come back by themselves."""
        ids = [a.id for a in self.selected_alerts()]
        if ids:
            self._write(
                ids, lambda alert_id: services.snooze_alert(self._desk, self._actor, alert_id, minutes)
            )

    def _write(self, ids: list[uuid.UUID], one) -> None:
        """Take the alerts off the list now (the clerk moves on), write on the worker, then reload."""
        row = min(self.list.row(item) for item in self._items(ids))
        for item in self._items(ids):
            self.list.takeItem(self.list.row(item))
        if self.list.count():
            self.list.setCurrentRow(min(row, self.list.count() - 1))  # Ctrl+K again handles the next one
        self._after_change()
        tasks.run(
            lambda: [one(alert_id) for alert_id in ids],
            on_error=self.on_write_error,
            context=self,
            cases_changed=lambda _views: [],  # the case ids are not in AlertView: "anything may have changed"
        )

    def _items(self, ids: list[uuid.UUID]) -> list[QListWidgetItem]:
        wanted = set(ids)
        return [
            self.list.item(n) for n in range(self.list.count()) if self.list.item(n).data(_ALERT).id in wanted
        ]

    def on_write_error(self, exc: BaseException) -> None:
        self.on_error(exc)
        self.refresh()  # what could not be written comes back
