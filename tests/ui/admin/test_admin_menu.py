"""The 管理 menu: administrators only, and every dialog in it opens from the menu and closes with Esc."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from tests.helpers.ui import ADMIN_PASSWORD, open_window

MENU = [
    "用户…",
    "营业网点…",
    "部门与类别…",
    "时限与规则…",
    "工作日历…",
    "回复模板与用语…",
    "签名证书与印章…",
    "变更记录…",
]


def test_only_administrators_get_the_menu(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    assert open_window(qtbot, seeded_desk, clerk).menu_admin is None


def test_every_dialog_opens_from_the_menu_and_closes(qtbot: QtBot, seeded_desk: services.Desk) -> None:
    window = open_window(qtbot, seeded_desk, services.login(seeded_desk, "admin", ADMIN_PASSWORD))
    assert window.menu_admin is not None and window.menu_admin.title() == "管理(&M)"
    actions = [a for a in window.menu_admin.actions() if a.text()]
    assert [a.text() for a in actions] == MENU
    for action in actions:
        action.trigger()
        qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QDialog))
        dialog = QApplication.activeModalWidget()
        assert dialog is not window and dialog.isVisible(), action.text()
        # Fits a 1280x720 counter screen.
        assert dialog.width() <= 1280 and dialog.height() <= 700, action.text()
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda d=dialog: not d.isVisible())
    assert window.isVisible()
