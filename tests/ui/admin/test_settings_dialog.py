"""时限与规则: a bad span is refused under its field and nothing is stored; a good one is stored and
shows in 变更记录."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.admin.admin_menu import _entries
from kesu_desktop.ui.admin.changes_dialog import ChangesDialog
from kesu_desktop.ui.admin.settings_dialog import SettingsDialog
from tests.helpers.ui import ADMIN_PASSWORD


def admin_of(desk: services.Desk) -> services.Actor:
    return services.login(desk, "admin", ADMIN_PASSWORD)


def test_a_bad_span_shows_its_message_and_nothing_is_stored(qtbot: QtBot, seeded_desk: services.Desk) -> None:
    admin = admin_of(seeded_desk)
    dialog = SettingsDialog(seeded_desk, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "sla.p2.resolve" in dialog.fields, timeout=5_000)
    resolve = dialog.fields["sla.p2.resolve"]
    assert resolve.edit is not None and resolve.edit.placeholderText() == "7wd"
    assert resolve.default.text() == "默认：7wd"
    resolve.edit.setText("7 weeks")
    dialog.fields["sla.p1.respond"].edit.setText("3wh")  # a good value in the same form
    dialog.save_button.click()
    qtbot.waitUntil(lambda: resolve.error.isVisibleTo(dialog), timeout=5_000)
    assert "无法识别的时长“7 weeks”" in resolve.error.text()
    assert not dialog.fields["sla.p1.respond"].error.isVisibleTo(dialog)
    assert services.settings(seeded_desk, admin) == {}
    assert services.list_changes(seeded_desk, admin, entity="setting") == []


def test_a_valid_change_is_stored_and_listed_in_the_change_record(
    qtbot: QtBot, seeded_desk: services.Desk
) -> None:
    admin = admin_of(seeded_desk)
    dialog = SettingsDialog(seeded_desk, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "sla.p1.respond" in dialog.fields, timeout=5_000)
    assert [dialog.scope.itemText(i) for i in range(dialog.scope.count())] == ["全公司", "BJ01 北京总部"]
    assert dialog.fields["allow_clock_override"].widget.isEnabled()
    dialog.scope.setCurrentIndex(1)  # the office
    qtbot.waitUntil(lambda: not dialog.fields["allow_clock_override"].widget.isEnabled(), timeout=5_000)
    dialog.fields["sla.p1.respond"].edit.setText("3wh")
    check = dialog.fields["rule_mass_complaint"].check
    assert check is not None and check.isChecked()
    check.setChecked(False)
    assert dialog.changes() == {"sla.p1.respond": "3wh", "rule_mass_complaint": "false"}
    dialog.save_button.click()
    qtbot.waitUntil(lambda: "已保存 2 项" in dialog.saved.text(), timeout=5_000)
    assert services.settings(seeded_desk, admin) == {
        "BJ01": {"sla.p1.respond": "3wh", "rule_mass_complaint": "false"}
    }
    qtbot.waitUntil(lambda: dialog.changes() == {}, timeout=5_000)  # reloaded: the form is clean again

    changes = ChangesDialog(seeded_desk, admin)
    qtbot.addWidget(changes)
    qtbot.waitUntil(lambda: changes.table.rowCount() >= 2, timeout=5_000)
    rows = changes.rows()
    assert ["admin", "时限与规则 BJ01 P1 响应时限", "—", "3wh"] in [row[1:] for row in rows]
    changes.entity.setCurrentIndex(changes.entity.findData("calendar"))
    qtbot.waitUntil(lambda: changes.table.rowCount() == 0, timeout=5_000)


def test_the_admin_menu_lists_these_dialogs_last() -> None:
    texts = [text for text, _factory in _entries()]
    assert texts[-5:] == ["时限与规则…", "工作日历…", "回复模板与用语…", "签名证书与印章…", "变更记录…"]
