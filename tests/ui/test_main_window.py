"""The main window as staff use it: docks, keyboard, a complaint from the form to the timeline."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Action, Role
from kesu_desktop.ui.base import tasks
from tests.helpers.ui import kinds, open_dialog, open_window, pick, submit_and_reload, type_chinese

PANELS = {
    "dock_case_list",
    "dock_case_detail",
    "dock_registration",
    "dock_reply",
    "dock_reply_review",
    "dock_alerts",
}


def test_docks_status_bar_and_the_newest_case_open(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    assert {p.objectName() for p in window.panels.values()} == PANELS
    assert window.windowTitle() == "客诉台 Kesu Desk"
    assert window.case_list.loaded_rows() == 3
    assert three_cases[-1].case_no in window.detail.visible_text()  # the newest case is open
    status = " ".join(label.text() for label in window.statusBar().findChildren(type(window._status_user)))
    assert "王丽" in status and "前台客服" in status and "BJ01" in status and "SQLite" in status
    view_menu = [a.text() for a in window.menu_view.actions() if a.text()]
    assert {"案件列表", "登记", "回复", "提醒", "重置布局"} <= set(view_menu)
    assert not window.panels["review"].isVisible()  # front desk reviews no replies


def test_layout_is_saved_per_user_and_can_be_reset(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    window.panels["alerts"].toggleViewAction().trigger()
    assert not window.panels["alerts"].isVisible()
    window.close()  # saves the layout

    again = open_window(qtbot, seeded_desk, clerk)
    assert not again.panels["alerts"].isVisible()
    again.act_reset.trigger()
    assert again.panels["alerts"].isVisible()


def test_from_the_counter_form_to_two_actions_on_the_timeline(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    window.panels["reply"].raise_()  # the form is behind another tab until Ctrl+N brings it forward
    qtbot.keyClick(window.case_list, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # 新登记
    form = window.registration
    qtbot.waitUntil(form.isVisible)
    qtbot.waitUntil(lambda: form.category.count() > 1)
    type_chinese(form.edits["customer_name"], "赵六")
    qtbot.keyClicks(form.edits["phone"], "13912345678")
    type_chinese(form.texts["description"], "洗衣机漏水，地板被泡")
    pick(qtbot, form.category, "product_quality")
    with qtbot.waitSignal(form.sig_registered, timeout=15_000) as registered:
        qtbot.keyClick(form.texts["description"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    case_no = registered.args[0]

    # The list shows it at the top, and the detail opens it.
    qtbot.waitUntil(lambda: window.case_list.first_case_no() == case_no, timeout=15_000)
    qtbot.waitUntil(lambda: case_no in window.detail.visible_text(), timeout=15_000)

    verify = open_dialog(qtbot, window.detail, Action.VERIFY)
    type_chinese(verify.fields["reason"].widget, "现场查看属实")
    submit_and_reload(qtbot, window.detail, verify)
    escalate = open_dialog(qtbot, window.detail, Action.ESCALATE)
    type_chinese(escalate.fields["reason"].widget, "客户要求经理处理")
    submit_and_reload(qtbot, window.detail, escalate)
    assert kinds(window.detail) == ["登记投诉", "初步核实", "升级"]
    assert services.get_case(seeded_desk, clerk, case_no).status == "escalated"


def test_bad_input_in_the_form_saves_nothing(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    window = open_window(qtbot, seeded_desk, clerk)
    form = window.registration
    qtbot.waitUntil(lambda: form.category.count() > 1)
    qtbot.keyClicks(form.edits["phone"], "12345")
    qtbot.keyClick(form.edits["phone"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(form.errors["phone"].text()), timeout=10_000)
    tasks.wait_for_idle()
    assert services.list_cases(seeded_desk, clerk, services.CaseFilter()) == []


def test_supervisor_sees_the_review_panel(qtbot: QtBot, seeded_desk: services.Desk) -> None:
    admin = services.login(seeded_desk, "admin", "admin-pass-1")
    services.add_user(seeded_desk, admin, username="qian", password="qian-pass-12", role=Role.SUPERVISOR)
    supervisor = services.login(seeded_desk, "qian", "qian-pass-12")
    window = open_window(qtbot, seeded_desk, supervisor)
    assert window.panels["review"].toggleViewAction().isChecked()


def test_admins_see_the_holiday_import_banner_from_november_clerks_never(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kesu_desktop.domain.calendar import statutory_years
    from tests.helpers.ui import ADMIN_PASSWORD

    nxt = statutory_years()[-1] + 1  # the first year the bundled holiday data does not cover
    seeded_desk.clock = services.FixedClock(datetime(nxt - 1, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    window = open_window(qtbot, seeded_desk, admin)
    qtbot.waitUntil(lambda: not window.notice.isHidden(), timeout=15_000)
    assert f"{nxt} 年节假日安排尚未导入" in window.notice.text() and "calendar-import" in window.notice.text()
    window.notice.close_button.click()
    assert window.notice.isHidden()

    counter = open_window(qtbot, seeded_desk, clerk)
    tasks.wait_for_idle()
    qtbot.wait(50)  # the coverage answer has been delivered
    assert counter.notice.isHidden()

    services.import_calendar(seeded_desk, admin, f"year {nxt}\n{nxt}-01-01 holiday 元旦\n")
    again = open_window(qtbot, seeded_desk, admin)
    tasks.wait_for_idle()
    qtbot.wait(50)
    assert again.notice.isHidden()


def test_a_rewritten_event_log_warns_an_admin_at_start_and_never_a_clerk(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    from sqlalchemy import text

    from tests.helpers.ui import ADMIN_PASSWORD

    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    intact = open_window(qtbot, seeded_desk, admin)
    tasks.wait_for_idle()
    qtbot.wait(50)  # the check's answer has been delivered
    assert intact.log_notice.isHidden()

    with seeded_desk.db.write_engine.begin() as conn:  # someone with the database file, outside the app
        conn.execute(text("DROP TRIGGER case_events_no_update"))
        conn.execute(text("UPDATE case_events SET actor = 'mallory' WHERE seq = 2"))
    window = open_window(qtbot, seeded_desk, admin)
    qtbot.waitUntil(lambda: not window.log_notice.isHidden(), timeout=15_000)
    assert "事件日志被改动过" in window.log_notice.text() and "kesu verify-log" in window.log_notice.text()
    assert "内容被改动" in window.log_notice.text()

    counter = open_window(qtbot, seeded_desk, clerk)
    qtbot.wait(50)
    tasks.wait_for_idle()
    qtbot.wait(50)
    assert counter.log_notice.isHidden()


def test_file_menu_offers_export_to_all_and_register_import_to_leads_only(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    from kesu_desktop.ui.cases.import_dialog import ImportRegisterDialog

    window = open_window(qtbot, seeded_desk, clerk)
    entries = [a.text() for a in window.menu_file.actions() if a.text()]
    assert "导出…" in entries and not any(e.startswith("导入登记表") for e in entries)
    window.close()

    admin = services.login(seeded_desk, "admin", "admin-pass-1")
    services.add_user(seeded_desk, admin, username="qian", password="qian-pass-12", role=Role.SUPERVISOR)
    lead = open_window(qtbot, seeded_desk, services.login(seeded_desk, "qian", "qian-pass-12"))
    assert lead.act_import is not None and lead.act_import.text() == "导入登记表(&I)…"
    lead.act_import.trigger()
    dialogs = [d for d in lead.findChildren(ImportRegisterDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].actor.username == "qian"
    dialogs[0].reject()
