"""The reply editor and the approval queue, driven as a specialist and a supervisor would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QToolTip
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.replies import ForbiddenPhrase
from kesu_desktop.ui.replies.highlighter import ForbiddenPhraseHighlighter
from kesu_desktop.ui.replies.reply_editor import ReplyEditor
from kesu_desktop.ui.replies.reply_review import ReplyReviewView
from tests.helpers.ui import ADMIN_PASSWORD, type_chinese

WAIT = 10_000
FORBIDDEN = "我们有规定"
SPELLCHECK = QTextCharFormat.UnderlineStyle.SpellCheckUnderline


@pytest.fixture
def people(seeded_desk: services.Desk) -> dict[str, services.Actor]:
    """A specialist who writes replies and a supervisor who approves them, in office BJ01."""
    admin = services.login(seeded_desk, "admin", ADMIN_PASSWORD)
    for name, role, display in (("bob", Role.SPECIALIST, "赵强"), ("carol", Role.SUPERVISOR, "陈静")):
        services.add_user(
            seeded_desk, admin, username=name, password=f"{name}-pass-12", role=role, display_name=display
        )
    return {name: services.login(seeded_desk, name, f"{name}-pass-12") for name in ("bob", "carol")}


@pytest.fixture
def case_no(three_cases: list[services.CaseView]) -> str:
    return three_cases[0].case_no  # 张三, the fridge


def open_editor(qtbot: QtBot, desk: services.Desk, actor: services.Actor, case_no: str | None) -> ReplyEditor:
    editor = ReplyEditor(desk, actor)
    qtbot.addWidget(editor)
    editor.resize(900, 600)
    editor.show()
    if case_no is not None:
        with qtbot.waitSignal(editor.sig_loaded, timeout=WAIT):
            editor.set_case(case_no)
    return editor


def underlines(document: QTextDocument) -> list[tuple[int, int, str]]:
    """(block number, start, underlined text) of every spell-check underline the highlighter laid out.

    Qt positions count UTF-16 units, so the text is cut in UTF-16.
    """
    found = []
    block = document.firstBlock()
    while block.isValid():
        units = block.text().encode("utf-16-le")
        for fmt in block.layout().formats():
            if fmt.format.underlineStyle() == SPELLCHECK:
                text = units[2 * fmt.start : 2 * (fmt.start + fmt.length)].decode("utf-16-le")
                found.append((block.blockNumber(), fmt.start, text))
        block = block.next()
    return found


def replace_text(qtbot: QtBot, editor: ReplyEditor, text: str) -> None:
    """Select everything and type over it, as a user would."""
    editor.editor.setFocus()
    qtbot.keyClick(editor.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_chinese(editor.editor, text)


# (1) the highlighter


def test_highlighter_marks_forbidden_phrase_as_it_is_typed(
    qtbot: QtBot, seeded_desk: services.Desk, people: dict[str, services.Actor], case_no: str
) -> None:
    editor = open_editor(qtbot, seeded_desk, people["bob"], case_no)
    editor.editor.setFocus()
    type_chinese(editor.editor, "张先生您好。\n关于退款，")
    type_chinese(editor.editor, f"{FORBIDDEN}七天内不能退。")

    second = "关于退款，我们有规定七天内不能退。"
    assert editor.editor.document().findBlockByNumber(1).text() == second
    assert underlines(editor.editor.document()) == [(1, second.index(FORBIDDEN), FORBIDDEN)]
    assert editor.counter_text() == "发现 1 处禁用语"

    # The tooltip over the underlined phrase offers the better wording.
    cursor = editor.editor.textCursor()
    cursor.setPosition(editor.editor.document().findBlockByNumber(1).position() + second.index(FORBIDDEN) + 2)
    point = editor.editor.cursorRect(cursor).center() + QPoint(3, 0)
    viewport = editor.editor.viewport()
    QApplication.sendEvent(viewport, QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point)))
    assert QToolTip.isVisible()
    assert QToolTip.text() == "禁用语：我们有规定 — 建议：根据公司的服务标准，我们可以为您……"
    assert editor.tooltips.text_at(QPoint(2, 2)) == ""  # over 张先生: nothing to say

    replace_text(qtbot, editor, "张先生您好。\n根据公司的服务标准，我们可以为您办理换货。")
    assert underlines(editor.editor.document()) == []
    assert editor.counter_text() == "未发现禁用语"


def test_highlighter_alone_underlines_each_occurrence_and_nothing_else() -> None:
    document = QTextDocument()
    highlighter = ForbiddenPhraseHighlighter(document, [ForbiddenPhrase(FORBIDDEN, "按服务标准")])
    document.setPlainText("😀我们有规定，真的我们有规定。")  # an emoji first: Qt counts it as two units
    highlighter.rehighlight()
    assert underlines(document) == [(0, 2, FORBIDDEN), (0, 10, FORBIDDEN)]
    assert highlighter.findings_at(2) == ForbiddenPhrase(FORBIDDEN, "按服务标准")
    assert highlighter.findings_at(1) is None and highlighter.findings_at(7) is None

    document.setPlainText("您好，我们会尽快处理。")
    assert underlines(document) == []
    highlighter.set_phrases([ForbiddenPhrase("尽快", "在 24 小时内")])  # an admin edited the list
    assert underlines(document) == [(0, 6, "尽快")]


# (2) templates


def test_acceptance_template_fills_the_customer_and_case_number(
    qtbot: QtBot, seeded_desk: services.Desk, people: dict[str, services.Actor], case_no: str
) -> None:
    editor = open_editor(qtbot, seeded_desk, people["bob"], case_no)
    assert "张三" in editor.header.text() and case_no in editor.header.text()
    editor.kind.setFocus()
    editor.kind.setCurrentIndex(editor.kind.findText("受理告知"))
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: editor.editor.toPlainText() != "", timeout=WAIT)
    text = editor.editor.toPlainText()
    assert text.startswith("尊敬的张三：") and f"投诉编号：{case_no}" in text and "北京总部" in text
    assert "{" not in text
    assert editor.counter_text() == "未发现禁用语"


def test_applying_a_template_over_text_asks_first(
    qtbot: QtBot,
    seeded_desk: services.Desk,
    people: dict[str, services.Actor],
    case_no: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    editor = open_editor(qtbot, seeded_desk, people["bob"], case_no)
    editor.editor.setFocus()
    type_chinese(editor.editor, "我自己写的开头")
    monkeypatch.setattr(editor, "_confirm_replace", lambda: False)
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    assert editor.editor.toPlainText() == "我自己写的开头"

    monkeypatch.setattr(editor, "_confirm_replace", lambda: True)
    editor.kind.setCurrentIndex(editor.kind.findText("解决方案"))
    type_chinese(editor.solution, "为您更换新机")
    qtbot.mouseClick(editor.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "为您更换新机" in editor.editor.toPlainText(), timeout=WAIT)
    editor.editor.undo()  # the replacement is one undoable step
    assert editor.editor.toPlainText() == "我自己写的开头"


# (3) and (4): draft → submit → review


def test_draft_submit_return_and_approve(
    qtbot: QtBot, seeded_desk: services.Desk, people: dict[str, services.Actor], case_no: str
) -> None:
    bob, carol = people["bob"], people["carol"]
    editor = open_editor(qtbot, seeded_desk, bob, case_no)
    editor.editor.setFocus()
    rude = f"张先生您好，{FORBIDDEN}，七天后才能退款。"
    type_chinese(editor.editor, rude)

    qtbot.keyClick(editor.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.status_text().startswith("草稿已保存"), timeout=WAIT)
    qtbot.waitUntil(lambda: editor.replies.topLevelItemCount() == 1, timeout=WAIT)
    assert [r.status for r in services.replies_for_case(seeded_desk, bob, case_no)] == ["draft"]

    # Submitting with the forbidden phrase: the service's message inline, the text untouched, still a draft.
    qtbot.keyClick(
        editor.editor,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: editor.error_text() != "", timeout=WAIT)
    assert editor.error_text() == "回复含有禁用语 “我们有规定”，请修改后再提交"
    assert editor.editor.toPlainText() == rude and not editor.editor.isReadOnly()
    assert [r.status for r in services.replies_for_case(seeded_desk, bob, case_no)] == ["draft"]

    replace_text(qtbot, editor, "张先生您好，根据公司的服务标准，我们可以为您办理退款。")
    qtbot.mouseClick(editor.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.status_text().startswith("待审批"), timeout=WAIT)
    assert editor.error_text() == "" and editor.editor.isReadOnly()
    replies = services.replies_for_case(seeded_desk, bob, case_no)
    assert [r.status for r in replies] == ["submitted"]  # the same reply, not a second one
    assert "我们可以为您办理退款" in replies[0].body

    # The supervisor's queue lists it.
    review = ReplyReviewView(seeded_desk, carol)
    qtbot.addWidget(review)
    review.show()
    qtbot.waitUntil(lambda: len(review.pending()) == 1, timeout=WAIT)
    item = review.list.topLevelItem(0)
    assert [item.text(c) for c in range(3)] == [case_no, "受理告知", "bob"]
    assert review.text.toPlainText() == replies[0].body and review.text.isReadOnly()

    # Returning without a comment is refused under the comment box.
    qtbot.mouseClick(review.return_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: review.comment_error_text() != "", timeout=WAIT)
    assert review.comment_error_text() == "退回时须说明修改意见"
    assert services.replies_for_case(seeded_desk, bob, case_no)[0].status == "submitted"

    review.comment.setFocus()
    type_chinese(review.comment, "请写明退款到账时间")
    qtbot.mouseClick(review.return_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: review.pending() == [], timeout=WAIT)
    assert services.replies_for_case(seeded_desk, bob, case_no)[0].status == "returned"
    assert review.notice.text() == "没有待审批的回复"

    # The writer's editor follows by itself (sig_cases_changed): the comment shows and it is editable again.
    qtbot.waitUntil(lambda: editor.status_text() == "已退回：请写明退款到账时间", timeout=WAIT)
    assert not editor.editor.isReadOnly()
    editor.activateWindow()  # the writer goes back to their window (shortcuts belong to the active one)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=WAIT)
    editor.editor.setFocus()
    editor.editor.moveCursor(editor.editor.textCursor().MoveOperation.End)
    type_chinese(editor.editor, "款项将在三个工作日内到账。")
    qtbot.keyClick(
        editor.editor,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: editor.status_text().startswith("待审批"), timeout=WAIT)

    qtbot.waitUntil(lambda: len(review.pending()) == 1, timeout=WAIT)
    assert "三个工作日内到账" in review.text.toPlainText()
    qtbot.mouseClick(review.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: review.pending() == [], timeout=WAIT)
    assert review.status_text() == f"已批准 {case_no} 的受理告知"
    qtbot.waitUntil(lambda: editor.status_text() == "已批准（carol）（只读）", timeout=WAIT)

    assert [r.status for r in services.replies_for_case(seeded_desk, bob, case_no)] == ["approved"]
    kinds = [e.kind for e in services.get_case(seeded_desk, bob, case_no).events]
    assert kinds.count("reply_submitted") == 2
    assert "reply_returned" in kinds and kinds[-1] == "reply_approved"


def test_review_queue_is_only_for_supervisors_and_managers(
    qtbot: QtBot, seeded_desk: services.Desk, people: dict[str, services.Actor]
) -> None:
    review = ReplyReviewView(seeded_desk, people["bob"])
    qtbot.addWidget(review)
    review.show()
    assert review.notice.text() == "仅主管或经理可审批回复"
    assert not review.list.isVisible() and not review.approve_button.isVisible()


# (5) the phrase library


def test_phrase_from_the_library_goes_in_at_the_cursor(
    qtbot: QtBot, seeded_desk: services.Desk, people: dict[str, services.Actor], case_no: str
) -> None:
    editor = open_editor(qtbot, seeded_desk, people["bob"], case_no)
    editor.editor.setFocus()
    type_chinese(editor.editor, "张先生您好。请放心。")
    cursor = editor.editor.textCursor()
    cursor.setPosition(len("张先生您好。"))
    editor.editor.setTextCursor(cursor)

    phrases = [editor.phrases.item(i).text() for i in range(editor.phrases.count())]
    assert "我理解您的心情。" in phrases  # the Chinese defaults from DOMAIN.md
    editor.phrases.setFocus()
    editor.phrases.setCurrentRow(phrases.index("我理解您的心情。"))
    qtbot.keyClick(editor.phrases, Qt.Key.Key_Return)

    assert editor.editor.toPlainText() == "张先生您好。我理解您的心情。请放心。"
    assert editor.editor.hasFocus()  # typing continues right after the sentence
    type_chinese(editor.editor, "我们")
    assert editor.editor.toPlainText() == "张先生您好。我理解您的心情。我们请放心。"


def test_without_a_case_the_editor_is_disabled(
    qtbot: QtBot, seeded_desk: services.Desk, people: dict[str, services.Actor], case_no: str
) -> None:
    editor = open_editor(qtbot, seeded_desk, people["bob"], None)
    assert editor.header.text() == "请选择案件" and not editor.editor.isEnabled()
    assert isinstance(editor.editor, QPlainTextEdit) and editor.editor.placeholderText() == "请选择案件"

    with qtbot.waitSignal(editor.sig_loaded, timeout=WAIT):
        editor.set_case(case_no)
    assert editor.editor.isEnabled() and not editor.editor.isReadOnly()
    editor.set_case(None)
    assert not editor.editor.isEnabled()


def test_moving_to_another_case_keeps_the_unsaved_draft(
    qtbot: QtBot,
    seeded_desk: services.Desk,
    people: dict[str, services.Actor],
    three_cases: list[services.CaseView],
) -> None:
    bob = people["bob"]
    first, second = three_cases[0].case_no, three_cases[1].case_no
    editor = open_editor(qtbot, seeded_desk, bob, first)
    editor.editor.setFocus()
    type_chinese(editor.editor, "还没写完的回复")
    with qtbot.waitSignal(editor.sig_loaded, timeout=WAIT):
        editor.set_case(second)
    assert editor.editor.toPlainText() == ""

    with qtbot.waitSignal(editor.sig_loaded, timeout=WAIT):
        editor.set_case(first)
    assert editor.editor.toPlainText() == "还没写完的回复"  # resumed: the user's own draft
    assert [r.body for r in services.replies_for_case(seeded_desk, bob, first)] == ["还没写完的回复"]
