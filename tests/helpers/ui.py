"""Helpers for the desktop tests: typing Chinese, opening windows and dialogs, a whole office on a file."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Action, Role
from kesu_desktop.ui.cases.action_dialogs import ActionDialog
from kesu_desktop.ui.cases.case_detail import CaseDetailView
from kesu_desktop.ui.main_window import MainWindow
from tests.helpers.data import ADMIN_PASSWORD, START, MutableClock

CLERK_PASSWORD = "lily-pass-12"


COMPLAINTS = (
    {
        "customer_name": "张三",
        "phone": "13800138000",
        "channel": "counter",
        "description": "冰箱不制冷，要求退款",
        "category": "product_quality",
    },
    {
        "customer_name": "李四",
        "phone": "13900139000",
        "channel": "phone",
        "description": "快递延误三天仍未送达",
        "category": "logistics",
    },
    {
        "customer_name": "王五",
        "phone": "13700137000",
        "channel": "online",
        "description": "话费被多扣了二十元",
        "category": "billing_dispute",
    },
)


def type_chinese(widget: QWidget, text: str) -> None:
    """Chinese arrives through an input method's commit, not key presses (QTest cannot type it)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def open_dialog(qtbot: QtBot, view: CaseDetailView, action: Action) -> ActionDialog:
    qtbot.mouseClick(view.action_buttons[action], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.active_dialog is not None and view.active_dialog.isVisible())
    assert view.active_dialog is not None
    return view.active_dialog


def submit_and_reload(qtbot: QtBot, view: CaseDetailView, dialog: ActionDialog) -> None:
    """Press the dialog's OK button; wait until it has closed and the panel has reloaded."""
    with qtbot.waitSignal(view.sig_case_loaded, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.active_dialog is None)


def kinds(view: CaseDetailView) -> list[str]:
    return [row[2] for row in view.timeline.texts]


def pick(qtbot: QtBot, combo: QComboBox, code: str) -> None:
    """Choose an entry the keyboard way: Home, then Down until it is selected."""
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _step in range(combo.count()):
        if combo.currentData() == code:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{code} is not offered by the combo box")


def open_window(qtbot: QtBot, desk: services.Desk, actor: services.Actor) -> MainWindow:
    window = MainWindow(desk, actor)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.sig_cases_loaded, timeout=15_000):
        window.show()
    window.activateWindow()  # shortcuts only reach the active window
    qtbot.waitUntil(window.isActiveWindow)
    return window


@dataclass
class Office:
    desk: services.Desk
    clock: MutableClock
    lily: services.Actor  # front desk
    bob: services.Actor  # specialist
    carol: services.Actor  # supervisor
    dave: services.Actor  # department AS


def open_office(folder: Path) -> Office:
    """Office BJ01 with four users, on a desk whose clock the test moves."""
    desk = services.Desk.open(f"sqlite:///{folder / 'kesu.db'}", node_id="test-node")
    clock = MutableClock(START)
    desk.clock = clock
    services.initialize(
        desk, office_code="BJ01", office_name="北京总部", admin="admin", password=ADMIN_PASSWORD
    )
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    staff = {
        "lily": (Role.FRONT_DESK, None, "王丽"),
        "bob": (Role.SPECIALIST, None, "赵波"),
        "carol": (Role.SUPERVISOR, None, "陈主管"),
        "dave": (Role.DEPARTMENT, "AS", "孙大伟"),
    }
    for name, (role, department, display) in staff.items():
        services.add_user(
            desk,
            admin,
            username=name,
            password=f"{name}-pass-123",
            role=role,
            department_code=department,
            display_name=display,
        )
    people = {name: services.get_actor(desk, name) for name in staff}
    return Office(desk=desk, clock=clock, **people)


def register(office: Office, n: int = 0) -> services.CaseView:
    return services.register_case(office.desk, office.lily, COMPLAINTS[n])
