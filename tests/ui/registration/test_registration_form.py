"""The registration form (登记) as the counter uses it: typing, Ctrl+Enter, errors, drafts, history, files.

Real SQLite files through the real services; KESU_DATA_DIR points at tmp_path (conftest), so drafts land
in the test's own folder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import shiboken6
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.services import CaseFilter
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.registration.registration_form import RegistrationForm
from tests.helpers.ui import ADMIN_PASSWORD, pick, type_chinese

CTRL = Qt.KeyboardModifier.ControlModifier


def open_form(
    qtbot: QtBot, desk: services.Desk, actor: services.Actor, *, keep: bool = True
) -> RegistrationForm:
    form = RegistrationForm(desk, actor)
    if keep:
        qtbot.addWidget(form)
    form.resize(760, 980)
    form.show()
    qtbot.waitUntil(lambda: form.category.count() > 1)  # the categories arrived from the service
    return form


def draft_file(data_dir: Path) -> Path:
    return data_dir / "drafts" / "registration-lily.json"


def below(label: QWidget, field: QWidget, form: QWidget) -> bool:
    """The label sits right under the field, left-aligned with it (what "next to the field" means)."""
    label_pos, field_pos = label.mapTo(form, QPoint(0, 0)), field.mapTo(form, QPoint(0, 0))
    gap = label_pos.y() - (field_pos.y() + field.height())
    return label.isVisibleTo(form) and abs(label_pos.x() - field_pos.x()) <= 2 and 0 <= gap <= 8


# (1) a complaint typed and saved with Ctrl+Enter


def test_typed_complaint_is_registered_with_ctrl_enter(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    form = open_form(qtbot, seeded_desk, clerk)
    type_chinese(form.edits["customer_name"], "赵六")
    qtbot.keyClicks(form.edits["phone"], "139 1234 5678")
    qtbot.keyClicks(form.edits["email"], "zhao6@example.com")
    qtbot.keyClicks(form.edits["account_no"], "VIP-0042")
    pick(qtbot, form.channel, "phone")
    type_chinese(form.edits["product"], "会员积分")
    type_chinese(form.texts["description"], "积分兑换后未到账，客服说要等一周")
    type_chinese(form.texts["demand"], "三天内到账并说明原因")
    pick(qtbot, form.category, "service_attitude")
    pick(qtbot, form.priority, "p1")
    qtbot.keyClick(form.occurred_known, Qt.Key.Key_Space)
    assert form.occurred_at.isEnabled() and form.occurred_at.text() != "未填写"

    with (
        qtbot.waitSignal(form.sig_registered, timeout=10_000) as registered,
        qtbot.waitSignal(tasks.app_signals().sig_cases_changed, timeout=10_000),
    ):
        qtbot.keyClick(form.texts["description"], Qt.Key.Key_Return, CTRL)

    case_no = registered.args[0]
    assert re.fullmatch(r"\d{8}-BJ01-[A-Z]+-\d{4}", case_no)
    case = services.get_case(seeded_desk, clerk, case_no)
    assert (case.customer_name, case.phone, case.email) == ("赵六", "+8613912345678", "zhao6@example.com")
    assert (case.account_no, case.channel, case.product) == ("VIP-0042", "phone", "会员积分")
    assert case.description == "积分兑换后未到账，客服说要等一周" and case.demand == "三天内到账并说明原因"
    assert (case.category, case.priority, case.registered_by) == ("service_attitude", "p1", "lily")
    assert case.occurred_at is not None
    # The counter sees the number and is ready for the next customer.
    assert form.banner_text().startswith(f"已登记：{case_no}")
    assert form.print_button.isEnabled() and form.sign_button.isEnabled()
    # 打印受理回执 then 客户签名, left to right, and Enter prints.
    assert form.print_button.x() < form.sign_button.x()
    assert (form.print_button.text(), form.sign_button.text()) == ("打印受理回执", "客户签名")
    assert form.print_button.hasFocus()
    with qtbot.waitSignal(form.sig_print_receipt, timeout=1000) as wanted:
        qtbot.keyClick(form.print_button, Qt.Key.Key_Return)
    assert wanted.args == [case_no]
    with qtbot.waitSignal(form.sig_sign_receipt, timeout=1000) as signing:
        qtbot.mouseClick(form.sign_button, Qt.MouseButton.LeftButton)
    assert signing.args[0].case_no == case_no
    assert form.edits["customer_name"].text() == "" and form.texts["description"].toPlainText() == ""
    assert form.channel.currentData() == "counter" and not form.occurred_known.isChecked()


# (2) bad input: errors next to their fields, nothing saved


def test_bad_input_shows_field_errors_and_saves_nothing(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    form = open_form(qtbot, seeded_desk, clerk)
    type_chinese(form.edits["customer_name"], "钱七")
    qtbot.keyClicks(form.edits["phone"], "12345")
    qtbot.keyClicks(form.edits["email"], "not-an-email")
    pick(qtbot, form.category, "logistics")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: form.error_text("phone") != "")
    assert "电话号码" in form.error_text("phone") and "12345" in form.error_text("phone")
    assert form.error_text("description") == "必填"
    assert form.error_text("email") == "电子邮箱格式无效"
    assert form.error_text("customer_name") == "" and form.error_text("category") == ""
    for name in ("phone", "description", "email"):
        assert below(form.errors[name], form.fields[name], form), name
    assert form.focusWidget() is form.edits["phone"]  # the first bad field, in form order
    assert form.banner_text() == "" and form.save_button.isEnabled()
    assert services.list_cases(seeded_desk, clerk, CaseFilter()) == []
    assert form.edits["phone"].text() == "12345"  # nothing typed is lost

    # Correcting a field takes its message away; the others stay until the next save.
    qtbot.keyClick(form.edits["phone"], Qt.Key.Key_Backspace)
    assert form.error_text("phone") == "" and form.error_text("description") == "必填"


# (3) a draft survives the widget going away and is offered back


def test_draft_is_offered_back_and_restored(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, data_dir: Path
) -> None:
    evidence = data_dir / "receipt.jpg"
    evidence.write_bytes(b"\xff\xd8 receipt")
    first = open_form(qtbot, seeded_desk, clerk, keep=False)
    type_chinese(first.edits["customer_name"], "孙八")
    qtbot.keyClicks(first.edits["phone"], "13512345678")
    type_chinese(first.texts["description"], "热水器安装后漏水")
    pick(qtbot, first.category, "after_sales")
    qtbot.keyClick(first.urgent, Qt.Key.Key_Space)
    first.set_attachments([str(evidence)])
    path = draft_file(data_dir)
    qtbot.waitUntil(lambda: path.exists() and "热水器" in path.read_text(encoding="utf-8"), timeout=5_000)
    assert json.loads(path.read_text(encoding="utf-8"))["values"]["attachments"] == [str(evidence)]
    shiboken6.delete(first)  # gone without a save or a close: what a crash leaves behind

    form = open_form(qtbot, seeded_desk, clerk)
    assert form.offer_bar.isVisible() and form.offer_label.text().startswith("发现未保存的登记草稿（")
    assert form.edits["customer_name"].text() == ""
    # Typing before deciding must not overwrite the draft on offer.
    qtbot.keyClicks(form.edits["room_no"], "A-301")
    form.flush_draft()
    assert "热水器" in path.read_text(encoding="utf-8")

    qtbot.mouseClick(form.restore_button, Qt.MouseButton.LeftButton)
    assert not form.offer_bar.isVisible()
    assert form.edits["customer_name"].text() == "孙八" and form.edits["phone"].text() == "13512345678"
    assert form.texts["description"].toPlainText() == "热水器安装后漏水"
    assert form.category.currentData() == "after_sales" and form.urgent.isChecked()
    assert form.attachment_paths() == [str(evidence)]

    # Saved: the draft is gone, so the next start offers nothing.
    with qtbot.waitSignal(form.sig_registered, timeout=10_000):
        qtbot.keyClick(form.edits["phone"], Qt.Key.Key_Enter, CTRL)
    assert not path.exists()
    again = open_form(qtbot, seeded_desk, clerk)
    assert not again.offer_bar.isVisible()


def test_discarding_a_draft_removes_it(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, data_dir: Path
) -> None:
    path = draft_file(data_dir)
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"saved_at": "2026-05-01T06:30:00+00:00", "values": {"customer_name": "周九"}}),
        encoding="utf-8",
    )
    form = open_form(qtbot, seeded_desk, clerk)
    assert form.offer_label.text() == "发现未保存的登记草稿（2026/5/1 14:30）"  # shown in office time
    qtbot.mouseClick(form.discard_button, Qt.MouseButton.LeftButton)
    assert not form.offer_bar.isVisible() and not path.exists()
    assert form.edits["customer_name"].text() == ""


# (4) the customer's history and the repeat warning, before saving


def test_phone_shows_history_and_repeat_warning(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    fridge = three_cases[0]  # 13800138000, product_quality
    form = open_form(qtbot, seeded_desk, clerk)
    qtbot.keyClicks(form.edits["phone"], "138 0013 8000")
    qtbot.waitUntil(lambda: form.history.isVisible())
    assert form.history.case_numbers() == [fridge.case_no]
    row = form.history.tree.topLevelItem(0)
    assert [row.text(c) for c in range(4)][2:] == ["产品质量", "已登记"]
    assert form.suggestion.warning_text() == ""

    pick(qtbot, form.category, "product_quality")
    qtbot.waitUntil(lambda: form.suggestion.warning_text() != "")
    assert form.suggestion.warning_text() == f"重复投诉：与 {fridge.case_no} 同类，优先级将至少为 P1"
    departments = {d.code: d.name for d in services.departments(seeded_desk)}
    assert departments["AS"] in form.suggestion.hint.text() and "P1 重要" in form.suggestion.hint.text()

    pick(qtbot, form.category, "logistics")  # another category: no longer a repeat
    qtbot.waitUntil(lambda: form.suggestion.warning_text() == "")
    assert "P2 一般" in form.suggestion.hint.text()


def test_an_outdated_answer_never_overwrites_a_newer_one(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    del three_cases
    form = open_form(qtbot, seeded_desk, clerk)
    answers: list[object] = []
    form.lookup.sig_answer.connect(answers.append)
    form.edits["phone"].setText("13800138000")  # has history …
    form.lookup.fetch_now()
    form.edits["phone"].setText("13600136000")  # … but the clerk corrected the number at once
    with qtbot.waitSignal(form.lookup.fetch_now().sig_finished, timeout=10_000):
        pass
    assert len(answers) == 1 and answers[0].history == []  # type: ignore[attr-defined]
    assert not form.history.isVisible()


# (5) evidence files


def test_attachments_are_stored_on_the_new_case(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, tmp_path: Path
) -> None:
    photo = tmp_path / "破损照片.png"
    photo.write_bytes(b"\x89PNG fake image bytes")
    form = open_form(qtbot, seeded_desk, clerk)
    type_chinese(form.edits["customer_name"], "吴十")
    qtbot.keyClicks(form.edits["phone"], "13312345678")
    type_chinese(form.texts["description"], "收到的餐具有裂纹")
    pick(qtbot, form.category, "logistics")
    form.set_attachments([str(photo)])
    assert form.attachments.item(0).text() == "破损照片.png"

    with qtbot.waitSignal(form.sig_registered, timeout=10_000) as registered:
        qtbot.keyClick(form.texts["description"], Qt.Key.Key_Return, CTRL)

    stored = services.list_attachments(seeded_desk, clerk, registered.args[0])
    assert [(a.filename, a.size, a.content_type) for a in stored] == [("破损照片.png", 21, "image/png")]
    assert "附件 1 个已保存" in form.banner_text() and form.attachment_paths() == []


def test_a_failed_upload_says_the_case_is_already_saved(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, tmp_path: Path
) -> None:
    good, empty = tmp_path / "发票.pdf", tmp_path / "空白.jpg"
    good.write_bytes(b"%PDF-1.4 invoice")
    empty.write_bytes(b"")
    form = open_form(qtbot, seeded_desk, clerk)
    type_chinese(form.edits["customer_name"], "郑十一")
    qtbot.keyClicks(form.edits["phone"], "13212345678")
    type_chinese(form.texts["description"], "发票抬头开错")
    pick(qtbot, form.category, "billing_dispute")
    form.set_attachments([str(good), str(empty), str(tmp_path / "已删除.jpg")])

    with qtbot.waitSignal(form.sig_registered, timeout=10_000) as registered:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    case_no = registered.args[0]
    text = form.banner_text()
    assert text.startswith(f"已登记：{case_no}") and "案件已保存" in text
    assert "文件是空的：空白.jpg" in text and "已删除.jpg：无法读取文件" in text and "发票.pdf" not in text
    assert [a.filename for a in services.list_attachments(seeded_desk, clerk, case_no)] == ["发票.pdf"]
    assert len(services.list_cases(seeded_desk, clerk, CaseFilter())) == 1


# Keyboard: the tab order is the paper form's reading order


def test_tab_follows_the_paper_form(qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor) -> None:
    form = open_form(qtbot, seeded_desk, clerk)
    form.activateWindow()
    form.edits["customer_name"].setFocus()
    qtbot.waitUntil(lambda: form.edits["customer_name"].hasFocus())
    seen = [form.focusWidget()]
    for _step in range(20):
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
        seen.append(form.focusWidget())
    expected = [
        form.edits["customer_name"],
        form.edits["phone"],
        form.edits["email"],
        form.edits["account_no"],
        form.edits["member_level"],
        form.edits["room_no"],
        form.edits["employer"],
        form.edits["address"],
        form.channel,
        form.occurred_known,
        form.edits["location"],
        form.edits["product"],
        form.texts["description"],
        form.texts["demand"],
        form.category,
        form.severity,
        form.priority,
        form.urgent,
        form.add_file_button,
        form.remove_file_button,
        form.save_button,
    ]
    assert seen == expected


def test_a_refusal_is_shown_as_a_plain_message(qtbot: QtBot, seeded_desk: services.Desk) -> None:
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)  # administrators do not handle cases
    form = open_form(qtbot, seeded_desk, admin)
    type_chinese(form.edits["customer_name"], "冯十二")
    qtbot.keyClicks(form.edits["phone"], "13112345678")
    type_chinese(form.texts["description"], "门店排队太久")
    pick(qtbot, form.category, "service_attitude")
    qtbot.keyClick(form.texts["description"], Qt.Key.Key_Return, CTRL)

    qtbot.waitUntil(lambda: form.error_text("") != "")
    assert form.error_text("") == "角色“管理员”不能登记投诉" and form.banner_text() == ""
    assert form.texts["description"].toPlainText() == "门店排队太久" and form.save_button.isEnabled()
