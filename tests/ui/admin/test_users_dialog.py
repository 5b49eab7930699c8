"""用户, 营业网点 and 部门与类别 dialogs: an admin adds a clerk who can then sign in; a bad value shows the
service's message at the field and changes nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import AuthenticationFailed
from kesu_desktop.ui.admin import admin_menu
from kesu_desktop.ui.admin.catalogue_dialog import CatalogueTabs, catalogue_dialog
from kesu_desktop.ui.admin.offices_dialog import OfficesPane, offices_dialog
from kesu_desktop.ui.admin.users_dialog import PasswordDialog, UsersPane, users_dialog
from tests.helpers.ui import ADMIN_PASSWORD, CLERK_PASSWORD


@pytest.fixture
def admin(seeded_desk: services.Desk) -> services.Actor:
    return services.login(seeded_desk, "admin", ADMIN_PASSWORD)


def _users_pane(qtbot: QtBot, desk: services.Desk, admin: services.Actor) -> tuple[QDialog, UsersPane]:
    dialog = users_dialog(desk, admin)
    qtbot.addWidget(dialog)
    pane = dialog.findChild(UsersPane)
    dialog.show()
    qtbot.waitActive(dialog)
    qtbot.waitUntil(lambda: pane.table.rowCount() == 2, timeout=5_000)
    return dialog, pane


def test_the_menu_lists_the_dialogs() -> None:
    texts = [text for text, _factory in admin_menu._entries()]
    assert {"用户…", "营业网点…", "部门与类别…"} <= set(texts)


def test_an_admin_adds_a_clerk_who_can_then_sign_in(
    qtbot: QtBot, seeded_desk: services.Desk, admin: services.Actor
) -> None:
    _dialog, pane = _users_pane(qtbot, seeded_desk, admin)
    assert [pane.table.item(r, 0).text() for r in range(2)] == ["admin", "lily"]
    qtbot.keyClick(pane.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N: a new user
    assert pane.editing is None and pane.password.isVisibleTo(pane)
    pane.username.setText("mei")
    pane.display_name.setText("韩梅梅")
    pane.role.setCurrentIndex(pane.role.findData(Role.SPECIALIST.value))
    pane.password.setText("mei-pass-123")
    pane.confirm.setText("mei-pass-124")
    pane.save_button.click()
    assert "不一致" in pane.errors["confirm"].text()  # checked before anything is sent
    pane.confirm.setText("mei-pass-123")
    qtbot.keyClick(pane.confirm, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: pane.table.rowCount() == 3, timeout=5_000)
    assert "已添加" in pane.status.text()
    actor = services.login(seeded_desk, "mei", "mei-pass-123")
    assert (actor.display_name, actor.role) == ("韩梅梅", Role.SPECIALIST)
    assert pane.current().username == "mei" and pane.username.isReadOnly()


def test_a_bad_value_shows_at_the_field_and_changes_nothing(
    qtbot: QtBot, seeded_desk: services.Desk, admin: services.Actor
) -> None:
    _dialog, pane = _users_pane(qtbot, seeded_desk, admin)
    pane.table.selectRow(1)  # lily
    pane.role.setCurrentIndex(pane.role.findData(Role.DEPARTMENT.value))  # without a department
    pane.display_name.setText("")
    pane.save_button.click()
    qtbot.waitUntil(lambda: pane.errors["department"].isVisibleTo(pane), timeout=5_000)
    assert pane.errors["department"].text() == "责任部门用户必须指定部门"
    assert pane.errors["display_name"].text() == "姓名不能为空"
    lily = next(u for u in services.list_users(seeded_desk, admin) if u.username == "lily")
    assert (lily.role, lily.display_name) == (Role.FRONT_DESK, "王丽")

    pane.table.selectRow(0)  # the only admin cannot deactivate themself
    pane.toggle_button.click()
    qtbot.waitUntil(lambda: bool(pane.general_error.text()), timeout=5_000)  # the form has no 在用 field
    assert "最后一位" in pane.general_error.text()
    assert services.login(seeded_desk, "admin", ADMIN_PASSWORD).role is Role.ADMIN


def test_deactivate_and_reset_password(
    qtbot: QtBot, seeded_desk: services.Desk, admin: services.Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dialog, pane = _users_pane(qtbot, seeded_desk, admin)
    pane.table.selectRow(1)
    monkeypatch.setattr(pane, "ask_password", lambda _name: "lily-new-pass")
    pane.reset_button.click()
    qtbot.waitUntil(lambda: "重置" in pane.status.text(), timeout=5_000)
    assert services.login(seeded_desk, "lily", "lily-new-pass").username == "lily"
    monkeypatch.setattr(pane, "ask_password", lambda _name: "short")
    pane.reset_button.click()
    qtbot.waitUntil(lambda: bool(pane.general_error.text()), timeout=5_000)
    assert "密码至少" in pane.general_error.text()
    assert pane.toggle_button.text() == "停用"
    pane.toggle_button.click()
    qtbot.waitUntil(lambda: pane.table.item(1, 5).text() == "已停用", timeout=5_000)
    assert pane.toggle_button.text() == "启用"
    with pytest.raises(AuthenticationFailed):
        services.login(seeded_desk, "lily", "lily-new-pass")
    with pytest.raises(AuthenticationFailed):
        services.login(seeded_desk, "lily", CLERK_PASSWORD)


def test_the_password_dialog_asks_twice(qtbot: QtBot) -> None:
    dialog = PasswordDialog("lily")
    qtbot.addWidget(dialog)
    assert dialog.first.echoMode() == dialog.first.EchoMode.Password
    dialog.first.setText("abc-12345")
    dialog.second.setText("abc-12346")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted and "不一致" in dialog.error.text()
    dialog.second.setText("abc-12345")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.password() == "abc-12345"


def test_an_office_gets_a_contact_and_a_bad_phone_changes_nothing(
    qtbot: QtBot, seeded_desk: services.Desk, admin: services.Actor
) -> None:
    dialog = offices_dialog(seeded_desk, admin)
    qtbot.addWidget(dialog)
    pane = dialog.findChild(OfficesPane)
    qtbot.waitUntil(lambda: pane.table.rowCount() == 1, timeout=5_000)
    long_name = "北京市朝阳区建国路八十八号客户服务中心总部营业厅"
    assert pane.name.minimumWidth() >= pane.name.fontMetrics().horizontalAdvance(long_name)
    pane.contact.setText("12345")
    pane.name.setText(long_name)
    pane.save_button.click()
    qtbot.waitUntil(lambda: pane.errors["contact"].isVisibleTo(pane), timeout=5_000)
    assert "跟进电话无效" in pane.errors["contact"].text()
    assert services.list_offices(seeded_desk, admin)[0].name == "北京总部"
    pane.contact.setText("010-65123456")
    qtbot.keyClick(pane.contact, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "已保存" in pane.status.text(), timeout=5_000)
    office = services.list_offices(seeded_desk, admin)[0]
    assert (office.name, office.contact) == (long_name, "010-65123456")

    pane.new_record()
    pane.code.setText("SZ01")
    pane.name.setText("深圳分部")
    pane.save_button.click()
    qtbot.waitUntil(lambda: pane.table.rowCount() == 2, timeout=5_000)
    assert [o.code for o in services.list_offices(seeded_desk, admin)] == ["BJ01", "SZ01"]


def test_departments_and_categories(qtbot: QtBot, seeded_desk: services.Desk, admin: services.Actor) -> None:
    dialog = catalogue_dialog(seeded_desk, admin)
    qtbot.addWidget(dialog)
    tabs = dialog.findChild(CatalogueTabs)
    depts, cats = tabs.departments, tabs.categories
    qtbot.waitUntil(lambda: depts.table.rowCount() == 9 and cats.table.rowCount() == 11, timeout=5_000)
    depts.new_record()
    depts.code.setText("质量")
    depts.name.setText("质量管理部")
    depts.save_button.click()
    qtbot.waitUntil(lambda: depts.errors["code"].isVisibleTo(depts), timeout=5_000)
    assert "代码须为" in depts.errors["code"].text()
    depts.code.setText("QA")
    depts.save_button.click()
    qtbot.waitUntil(lambda: depts.table.rowCount() == 10, timeout=5_000)

    tabs.setCurrentWidget(cats)  # the new department is a choice now
    assert cats.department.findData("QA") > 0
    cats.new_record()
    cats.code.setText("packaging")
    cats.name.setText("包装破损")
    cats.department.setCurrentIndex(cats.department.findData("QA"))
    cats.save_button.click()
    qtbot.waitUntil(lambda: cats.table.rowCount() == 12, timeout=5_000)
    assert [c.code for c in services.categories(seeded_desk)][-1] == "packaging"
    cats.toggle_button.click()  # deactivate it: gone from the registration choices
    qtbot.waitUntil(lambda: cats.table.item(11, 3).text() == "已停用", timeout=5_000)
    assert "packaging" not in [c.code for c in services.categories(seeded_desk)]

    tabs.setCurrentWidget(depts)
    depts.table.selectRow(0)  # AS: categories still route there
    depts.toggle_button.click()
    qtbot.waitUntil(lambda: depts.errors["active"].isVisibleTo(depts), timeout=5_000)
    assert "产品质量" in depts.errors["active"].text()
    assert "AS" in [d.code for d in services.departments(seeded_desk)]
