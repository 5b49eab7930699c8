"""The case detail panel as staff use it: read a case, act through the dialogs, log a call, see photos."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Action, Role
from kesu_desktop.ui.base.formatting import to_qdatetime
from kesu_desktop.ui.cases.attachment_view import ImagePreview
from kesu_desktop.ui.cases.case_detail import CaseDetailView
from tests.helpers.ui import ADMIN_PASSWORD, kinds, open_dialog, submit_and_reload, type_chinese

SPECIALIST_PASSWORD = "zhao-pass-12"
SUPERVISOR_PASSWORD = "qian-pass-12"
FRIDGE = {
    "customer_name": "张三",
    "phone": "13800138000",
    "channel": "counter",
    "description": "上周购买的冰箱不制冷，冷藏室温度一直在15度以上",
    "demand": "要求上门维修或退货",
    "category": "product_quality",
    "product": "双门冰箱 BCD-252",
}


def add_staff(desk: services.Desk, username: str, password: str, role: Role, name: str) -> services.Actor:
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    services.add_user(desk, admin, username=username, password=password, role=role, display_name=name)
    return services.login(desk, username, password)


@pytest.fixture
def specialist(seeded_desk: services.Desk) -> services.Actor:
    return add_staff(seeded_desk, "zhao", SPECIALIST_PASSWORD, Role.SPECIALIST, "赵敏")


@pytest.fixture
def fridge(seeded_desk: services.Desk, clerk: services.Actor) -> services.CaseView:
    return services.register_case(seeded_desk, clerk, FRIDGE)


def open_detail(qtbot: QtBot, desk: services.Desk, actor: services.Actor, case_no: str) -> CaseDetailView:
    view = CaseDetailView(desk, actor)
    qtbot.addWidget(view)
    view.resize(900, 1000)
    view.show()
    with qtbot.waitSignal(view.sig_case_loaded, timeout=10_000):
        view.show_case(case_no)
    return view


def png_bytes(colour: str, width: int = 40, height: int = 30) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_shows_header_customer_and_complaint(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, fridge: services.CaseView
) -> None:
    view = open_detail(qtbot, seeded_desk, clerk, fridge.case_no)

    text = view.visible_text()
    for expected in (
        fridge.case_no,
        "已登记",
        "P2 一般",
        "产品质量",
        "张三",
        "13800138000",
        FRIDGE["description"],
        FRIDGE["demand"],
        "双门冰箱 BCD-252",
        "现场/柜台",
        "登记投诉",
    ):
        assert expected in text, expected
    assert view.timeline.texts[0][1] == "lily"


def test_two_workflow_actions_through_the_dialogs_appear_on_the_timeline(
    qtbot: QtBot,
    seeded_desk: services.Desk,
    clerk: services.Actor,
    specialist: services.Actor,
    fridge: services.CaseView,
) -> None:
    desk_view = open_detail(qtbot, seeded_desk, clerk, fridge.case_no)
    assert Action.VERIFY in desk_view.action_buttons
    assert Action.ASSIGN not in desk_view.action_buttons  # front desk may not assign
    assert desk_view.action_buttons[Action.VERIFY].text() == "核实"

    verify = open_dialog(qtbot, desk_view, Action.VERIFY)
    type_chinese(verify.fields["reason"].widget, "冰箱确有故障，属产品质量问题")
    submit_and_reload(qtbot, desk_view, verify)
    assert kinds(desk_view) == ["登记投诉", "初步核实"]
    verified = desk_view.timeline.texts[1]
    assert verified[1] == "lily" and "有效投诉" in verified[3] and "冰箱确有故障" in verified[3]
    assert "已核实" in desk_view.visible_text()

    expert_view = open_detail(qtbot, seeded_desk, specialist, fridge.case_no)
    assert Action.ASSIGN in expert_view.action_buttons
    assign = open_dialog(qtbot, expert_view, Action.ASSIGN)
    department = assign.fields["department"].widget
    assert department.currentData() == "AS"  # the category's responsible department is proposed
    assert department.currentText() == "售后服务部"
    qtbot.keyClicks(assign.fields["assignee"].widget, "zhao")
    with qtbot.waitSignal(desk_view.sig_case_loaded, timeout=10_000):  # the other panel follows too
        submit_and_reload(qtbot, expert_view, assign)

    assert kinds(expert_view) == ["登记投诉", "初步核实", "分派"]
    assigned = expert_view.timeline.texts[2]
    assert assigned[1] == "zhao" and "售后服务部" in assigned[3] and "zhao" in assigned[3]
    assert "已分派" in expert_view.visible_text()
    assert kinds(desk_view) == ["登记投诉", "初步核实", "分派"]
    assert Action.VERIFY not in desk_view.action_buttons  # no longer possible once assigned
    assert services.get_case(seeded_desk, specialist, fridge.case_no).status == "assigned"


def test_bad_input_is_shown_next_to_the_field_and_writes_nothing(
    qtbot: QtBot, seeded_desk: services.Desk, specialist: services.Actor, fridge: services.CaseView
) -> None:
    view = open_detail(qtbot, seeded_desk, specialist, fridge.case_no)
    before = len(services.get_case(seeded_desk, specialist, fridge.case_no).events)

    dialog = open_dialog(qtbot, view, Action.ESCALATE)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text("reason") != "")

    assert dialog.error_text("reason") == "必填"
    assert dialog.isVisible() and dialog.ok_button.isEnabled()  # ready for the correction
    assert len(services.get_case(seeded_desk, specialist, fridge.case_no).events) == before
    assert kinds(view) == ["登记投诉"]


def test_an_action_no_longer_allowed_says_so_plainly(
    qtbot: QtBot,
    seeded_desk: services.Desk,
    clerk: services.Actor,
    specialist: services.Actor,
    fridge: services.CaseView,
) -> None:
    view = open_detail(qtbot, seeded_desk, clerk, fridge.case_no)
    dialog = open_dialog(qtbot, view, Action.VERIFY)
    # Meanwhile a colleague verifies and assigns the case.
    services.act(seeded_desk, specialist, fridge.case_no, "verify", {"valid": True})
    services.act(seeded_desk, specialist, fridge.case_no, "assign", {})

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_text("") != "")
    assert "已分派" in dialog.error_text("") and "核实" in dialog.error_text("")
    assert "Traceback" not in dialog.error_text("")
    assert dialog.isVisible()


def test_quick_entry_logs_a_call(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, fridge: services.CaseView
) -> None:
    view = open_detail(qtbot, seeded_desk, clerk, fridge.case_no)
    assert view.communications.texts == []
    assert view.log_channel.currentText() == "电话/400热线"

    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.log_channel.setFocus()
    qtbot.keyClick(view.log_channel, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert view.log_summary.hasFocus()  # Ctrl+L jumps to the entry
    type_chinese(view.log_summary, "已致电客户，约定明天上门检修")
    view.log_promise.setChecked(True)
    promised = seeded_desk.clock.now() + timedelta(hours=3)
    view.log_promise_at.setDateTime(to_qdatetime(promised, clerk.timezone))
    with qtbot.waitSignal(view.sig_case_loaded, timeout=10_000):
        qtbot.keyClick(view.log_summary, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert len(view.communications.texts) == 1
    _when, channel, who, summary, promise = view.communications.texts[0]
    assert (channel, who, summary) == ("电话/400热线", "lily", "已致电客户，约定明天上门检修")
    expected = to_qdatetime(promised, clerk.timezone).toString("yyyy/M/d HH:mm")
    assert promise == expected
    assert kinds(view)[-1] == "客户沟通"
    assert view.log_summary.text() == ""  # ready for the next call
    assert expected in view.deadlines.values["callback_by"].text()


def test_empty_log_entry_is_refused_inline(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, fridge: services.CaseView
) -> None:
    view = open_detail(qtbot, seeded_desk, clerk, fridge.case_no)
    qtbot.mouseClick(view.log_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.log_error.isVisibleTo(view))
    assert "沟通要点" in view.log_error.text() and "必填" in view.log_error.text()
    assert len(services.get_case(seeded_desk, clerk, fridge.case_no).events) == 1


def test_image_attachment_shows_as_a_thumbnail(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, fridge: services.CaseView
) -> None:
    photo = services.add_attachment(seeded_desk, clerk, fridge.case_no, "冰箱照片.png", png_bytes("#d32f2f"))
    services.add_attachment(seeded_desk, clerk, fridge.case_no, "发票.pdf", b"%PDF-1.4 fake")
    view = open_detail(qtbot, seeded_desk, clerk, fridge.case_no)

    qtbot.waitUntil(lambda: view.attachments.has_thumbnail(photo.id), timeout=10_000)
    thumb = view.attachments.thumbnail(photo.id)
    assert thumb is not None and thumb.width() == 96 and thumb.height() == 96
    assert thumb.toImage().pixelColor(48, 48) == QColor("#d32f2f")
    assert [view.attachments.item(i).text() for i in range(view.attachments.count())] == [
        "冰箱照片.png",
        "发票.pdf",
    ]
    assert "添加附件" in kinds(view)

    # Double-click opens the photo at its own size.
    rect = view.attachments.visualItemRect(view.attachments.item(0))
    qtbot.mouseClick(view.attachments.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.attachments.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: any(d.isVisible() for d in view.attachments.findChildren(ImagePreview)))
    preview = view.attachments.findChildren(ImagePreview)[0]
    assert preview.windowTitle() == "冰箱照片.png"
    assert (preview.image_label.pixmap().width(), preview.image_label.pixmap().height()) == (40, 30)


def test_a_costly_plan_offers_approval_to_managers_only(
    qtbot: QtBot, seeded_desk: services.Desk, specialist: services.Actor, fridge: services.CaseView
) -> None:
    supervisor = add_staff(seeded_desk, "qian", SUPERVISOR_PASSWORD, Role.SUPERVISOR, "钱主管")
    services.act(seeded_desk, specialist, fridge.case_no, "verify", {"valid": True})
    services.act(seeded_desk, specialist, fridge.case_no, "assign", {})
    due = (seeded_desk.clock.now() + timedelta(days=1)).isoformat()
    services.act(
        seeded_desk, specialist, fridge.case_no, "plan", {"measures": "更换整机", "due": due, "cost": 6800}
    )

    view = open_detail(qtbot, seeded_desk, supervisor, fridge.case_no)
    assert Action.REJECT_PLAN in view.action_buttons
    assert Action.APPROVE_PLAN not in view.action_buttons  # cost ≥ 5000: the manager approves


def test_a_held_case_offers_resume_not_hold_and_the_reverse_after_resuming(
    qtbot: QtBot, seeded_desk: services.Desk, specialist: services.Actor, fridge: services.CaseView
) -> None:
    services.act(seeded_desk, specialist, fridge.case_no, "verify", {"valid": True})
    services.act(seeded_desk, specialist, fridge.case_no, "assign", {"assignee": "zhao"})
    view = open_detail(qtbot, seeded_desk, specialist, fridge.case_no)
    assert Action.HOLD in view.action_buttons and Action.RESUME not in view.action_buttons
    assert view.action_buttons[Action.HOLD].text() == "挂起"

    hold = open_dialog(qtbot, view, Action.HOLD)
    type_chinese(hold.fields["reason"].widget, "等待客户提供购买凭证")
    submit_and_reload(qtbot, view, hold)
    assert Action.RESUME in view.action_buttons and Action.HOLD not in view.action_buttons
    assert view.action_buttons[Action.RESUME].text() == "恢复处理"
    assert "已挂起" in view.visible_text()
    assert kinds(view)[-1] == "挂起" and "等待客户提供购买凭证" in view.timeline.texts[-1][3]
    # the resolution clock is paused: its deadline shows without a badge while held
    assert "●" not in view.deadlines.values["resolve_by"].text()

    resume = open_dialog(qtbot, view, Action.RESUME)
    submit_and_reload(qtbot, view, resume)
    assert Action.HOLD in view.action_buttons and Action.RESUME not in view.action_buttons
    assert "已挂起" not in view.visible_text()
    assert kinds(view)[-1] == "恢复处理"
    assert "●" in view.deadlines.values["resolve_by"].text()


def test_times_are_shown_in_the_zone_of_the_users_office(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, fridge: services.CaseView
) -> None:
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    services.set_setting(seeded_desk, admin, "timezone", "Asia/Tokyo", office="BJ01")
    tokyo_clerk = services.get_actor(seeded_desk, clerk.username)
    assert tokyo_clerk.timezone == "Asia/Tokyo"

    view = open_detail(qtbot, seeded_desk, tokyo_clerk, fridge.case_no)
    in_tokyo = fridge.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    in_shanghai = fridge.created_at.astimezone(ZoneInfo("Asia/Shanghai"))
    tokyo = f"{in_tokyo.year}/{in_tokyo.month}/{in_tokyo.day} {in_tokyo:%H:%M}"
    shanghai = f"{in_shanghai.year}/{in_shanghai.month}/{in_shanghai.day} {in_shanghai:%H:%M}"
    assert view.complaint.values["registered"].text() == tokyo != shanghai
    assert view.timeline.texts[0][0] == tokyo
    assert tokyo in view.meta_label.text()
    due = fridge.respond_by.astimezone(ZoneInfo("Asia/Tokyo"))
    respond = f"{due.year}/{due.month}/{due.day} {due:%H:%M}"
    assert respond in view.deadlines.values["respond_by"].text()
