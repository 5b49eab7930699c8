"""First-run set-up as a user meets it: the office and its admin, errors under the field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.ui.session.first_run import FirstRunDialog
from tests.helpers.ui import type_chinese

NEW_PASSWORD = "s3cret-pass"


def fill_first_run(qtbot: QtBot, dialog: FirstRunDialog, *, code: str, confirm: str) -> None:
    qtbot.keyClicks(dialog.office_code, code)
    type_chinese(dialog.office_name, "北京总部")
    qtbot.keyClicks(dialog.admin, "admin")
    qtbot.keyClicks(dialog.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.confirm, confirm)


def first_run_dialog(qtbot: QtBot, desk: services.Desk) -> FirstRunDialog:
    dialog = FirstRunDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_first_run_creates_office_and_admin(qtbot: QtBot, fresh_desk: services.Desk) -> None:
    dialog = first_run_dialog(qtbot, fresh_desk)
    fill_first_run(qtbot, dialog, code="bj01", confirm=NEW_PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)

    assert dialog.result_info is not None and dialog.result_info.office_code == "BJ01"
    admin = services.login(fresh_desk, "admin", NEW_PASSWORD)
    assert admin.role is Role.ADMIN and admin.office_code == "BJ01"


def test_first_run_invalid_office_code_is_shown_inline_and_creates_nothing(
    qtbot: QtBot, fresh_desk: services.Desk
) -> None:
    dialog = first_run_dialog(qtbot, fresh_desk)
    fill_first_run(qtbot, dialog, code="BJ-01!", confirm=NEW_PASSWORD)
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: dialog.error_text("office_code") != "")
    assert "BJ01" in dialog.error_text("office_code")  # the message shows what a valid code looks like
    assert dialog.isVisible() and dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert dialog.buttons.isEnabled()  # ready for the correction
    assert not services.is_initialized(fresh_desk)


def test_first_run_mismatched_passwords_are_caught_before_calling(
    qtbot: QtBot, fresh_desk: services.Desk
) -> None:
    dialog = first_run_dialog(qtbot, fresh_desk)
    fill_first_run(qtbot, dialog, code="BJ01", confirm=NEW_PASSWORD + "x")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)

    assert dialog.error_text("confirm") == "两次输入的密码不一致"
    assert dialog.isVisible()
    assert not services.is_initialized(fresh_desk)


def test_a_long_office_name_can_be_read_back_in_full(qtbot: QtBot, fresh_desk: services.Desk) -> None:
    dialog = first_run_dialog(qtbot, fresh_desk)
    name = "北京市朝阳区建国门外大街客户服务中心"
    type_chinese(dialog.office_name, name)
    qtbot.waitExposed(dialog)
    shown = dialog.office_name.cursorRect().right()  # the caret sits after the last character
    assert dialog.office_name.fontMetrics().horizontalAdvance(name) < dialog.office_name.width() - 8
    assert shown < dialog.office_name.width()
