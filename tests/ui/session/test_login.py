"""Sign-in as a user meets it: a wrong password, then the right one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.session.login import LoginDialog
from tests.helpers.ui import CLERK_PASSWORD


def test_login_rejects_a_wrong_password_then_accepts_the_right_one(
    qtbot: QtBot, seeded_desk: services.Desk
) -> None:
    dialog = LoginDialog(seeded_desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "lily")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.message_text() != "")
    assert dialog.message_text() == "用户名或密码错误"
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.password.text() == ""  # cleared for the retry

    qtbot.keyClicks(dialog.password, CLERK_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.actor is not None and dialog.actor.username == "lily"


def test_after_five_wrong_passwords_the_dialog_says_when_to_try_again(
    qtbot: QtBot, seeded_desk: services.Desk
) -> None:
    """The desktop signs in through the same throttled ``login`` as the CLI, and shows its refusal."""
    dialog = LoginDialog(seeded_desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.username, "lily")
    for _ in range(5):
        qtbot.keyClicks(dialog.password, "wrong-password")
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: dialog.buttons.isEnabled() and dialog.message_text() != "", timeout=10_000)
    assert "已暂时锁定" in dialog.message_text()
    qtbot.keyClicks(dialog.password, CLERK_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.buttons.isEnabled() and dialog.message_text() != "", timeout=10_000)
    message = dialog.message_text()
    assert dialog.actor is None and "已暂时锁定" in message and "后再试" in message
