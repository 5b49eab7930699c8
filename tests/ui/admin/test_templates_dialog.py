"""回复模板与用语: an unknown placeholder is refused under the text; a phrase is added and deactivated,
and the reply editor's phrase book follows."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.admin.templates_dialog import TemplatesDialog
from tests.helpers.ui import ADMIN_PASSWORD


def open_dialog(qtbot: QtBot, desk: services.Desk) -> tuple[TemplatesDialog, services.Actor]:
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    dialog = TemplatesDialog(desk, admin)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.templates.kinds.count() == 5, timeout=5_000)
    qtbot.waitUntil(lambda: dialog.phrases.table.rowCount() > 0, timeout=5_000)
    return dialog, admin


def test_a_template_with_an_unknown_placeholder_is_refused(qtbot: QtBot, seeded_desk: services.Desk) -> None:
    dialog, admin = open_dialog(qtbot, seeded_desk)
    tab = dialog.templates
    tab.kinds.setCurrentRow(4)  # 结案回复
    assert tab.name.text() == "结案回复" and "{solution}" in tab.body.toPlainText()
    original = tab.body.toPlainText()
    tab.body.setPlainText("尊敬的{客户名}：您的投诉{case_no}已结案。")
    tab.save_button.click()
    qtbot.waitUntil(lambda: tab.body_error.isVisibleTo(dialog), timeout=5_000)
    assert "{客户名}" in tab.body_error.text() and "{customer_name}" in tab.body_error.text()
    assert services.list_templates(seeded_desk, admin)[4].body == original

    tab.name.setText("结案通知")
    tab.body.setPlainText("尊敬的{customer_name}：您的投诉{case_no}已结案。")
    tab.save_button.click()
    qtbot.waitUntil(lambda: "已保存" in tab.saved.text(), timeout=5_000)
    stored = services.list_templates(seeded_desk, admin)[4]
    assert (stored.name, stored.body) == ("结案通知", "尊敬的{customer_name}：您的投诉{case_no}已结案。")
    assert services.list_changes(seeded_desk, admin, entity="reply_template")[0].entity_key == "closure"


def test_a_phrase_is_added_then_deactivated(qtbot: QtBot, seeded_desk: services.Desk) -> None:
    dialog, _admin = open_dialog(qtbot, seeded_desk)
    tab = dialog.phrases
    dialog.tabs.setCurrentWidget(tab)
    assert tab.kind.currentData() == "forbidden"
    rows = tab.table.rowCount()
    tab.start_new()
    tab.text.setText("不归我管")
    tab.suggestion.setText("我帮您联系负责的同事")
    tab.add_button.click()
    qtbot.waitUntil(lambda: tab.table.rowCount() == rows + 1, timeout=5_000)
    assert "不归我管" in [p.text for p in services.phrase_book(seeded_desk).forbidden]

    tab.start_new()
    tab.text.setText("不归我管")
    tab.enter()  # Enter with nothing chosen adds: refused, the list already has it
    qtbot.waitUntil(lambda: tab.text_error.isVisibleTo(dialog), timeout=5_000)
    assert "已有" in tab.text_error.text()

    row = next(r for r in range(tab.table.rowCount()) if tab.table.item(r, 0).text() == "不归我管")
    tab.table.selectRow(row)
    assert tab.active_button.text() == "停用"
    tab.active_button.click()
    qtbot.waitUntil(lambda: tab.selected() is not None and not tab.selected().active, timeout=5_000)
    assert tab.table.item(tab.table.currentRow(), 2).text() == "已停用"
    assert "不归我管" not in [p.text for p in services.phrase_book(seeded_desk).forbidden]
