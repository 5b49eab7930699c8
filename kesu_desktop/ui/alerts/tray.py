"""The tray icon: a balloon when something has become overdue or a P0 deadline is near.

Why only those: a clerk at the counter cannot read a balloon for every due-soon deadline; overdue
deadlines and P0 cases are the ones worth interrupting for. One balloon per watcher tick, however many
alerts it found, so a burst (the first tick after a long weekend) is one message, not fifty. Where
there is no system tray (offscreen, some Linux desktops) everything here does nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from kesu_desktop import services
from kesu_desktop.i18n import _, join_items, with_note
from kesu_desktop.ui.alerts.alerts_view import deadline_label

#: Cases named in one balloon; the rest are counted.
NAMED = 3
BALLOON_MS = 10_000


def _names(alerts: list[services.AlertView]) -> str:
    """Case numbers with their deadlines, one case once: "A（响应期限、解决期限）、B（方案期限）"."""
    by_case: dict[str, list[str]] = {}
    for alert in alerts:
        by_case.setdefault(alert.case_no or _("本网点"), []).append(deadline_label(alert.deadline))
    shown = [with_note(case, join_items(deadlines)) for case, deadlines in list(by_case.items())[:NAMED]]
    more = _("等 {n} 个案件").format(n=len(by_case)) if len(by_case) > NAMED else ""
    return join_items(shown) + more


def tray_message(alerts: list[services.AlertView]) -> tuple[str, str] | None:
    """(title, body) of the balloon for one tick's new alerts, or None when none is worth one."""
    overdue = [a for a in alerts if a.state == "overdue"]
    urgent = [a for a in alerts if a.state != "overdue" and a.priority == "p0"]
    if not overdue and not urgent:
        return None
    lines = []
    if overdue:
        lines.append(_("{n} 项已超时：{names}").format(n=len(overdue), names=_names(overdue)))
    if urgent:
        lines.append(_("{n} 项 P0 即将到期：{names}").format(n=len(urgent), names=_names(urgent)))
    return _("客诉台提醒"), "\n".join(lines)


def _fallback_icon() -> QIcon:
    """A red dot, for when the application has no icon of its own (a tray icon must have one)."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#c62828"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(2, 2, 28, 28)
    painter.end()
    return QIcon(pixmap)


class AlertTray(QObject):
    """Shows a tray balloon for the alerts that deserve one; clicking it brings the window forward."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        #: The last balloon (title, body), shown or not: what a user would have read.
        self.last_message: tuple[str, str] | None = None
        self.icon: QSystemTrayIcon | None = None
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        app_icon = window.windowIcon()
        if app_icon.isNull() and isinstance(QApplication.instance(), QApplication):
            app_icon = QApplication.windowIcon()
        self.icon = QSystemTrayIcon(_fallback_icon() if app_icon.isNull() else app_icon, self)
        self.icon.messageClicked.connect(self.raise_window)
        self.icon.activated.connect(self.on_activated)
        self.set_count(0)
        self.icon.show()

    @Slot(list)
    def on_new_alerts(self, alerts: list) -> None:
        message = tray_message(alerts)
        if message is None:
            return
        self.last_message = message
        if self.icon is not None and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(*message, QSystemTrayIcon.MessageIcon.Warning, BALLOON_MS)

    @Slot(int)
    def set_count(self, count: int) -> None:
        if self.icon is not None:
            self.icon.setToolTip(_("客诉台：{n} 条提醒").format(n=count))

    @Slot(QSystemTrayIcon.ActivationReason)
    def on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.raise_window()

    @Slot()
    def raise_window(self) -> None:
        window = self._window
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()

    def hide(self) -> None:
        """Take the icon out of the tray (on close: a dead window must not leave an icon behind)."""
        if self.icon is not None:
            self.icon.hide()
