"""Replies on both databases: composing, forbidden phrases, approval, templates and phrases."""

from __future__ import annotations

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.services import Desk
from tests.helpers.data import complaint


@pytest.fixture
def case_no(desk: Desk, people) -> str:
    return services.register_case(desk, people.alice, complaint()).case_no


def test_composed_reply_has_the_case_facts(desk: Desk, people, case_no: str) -> None:
    text = services.compose_reply(desk, people.bob, case_no, "acceptance")
    assert "张三" in text and case_no in text and "北京总部" in text and "{" not in text
    solution = services.compose_reply(desk, people.bob, case_no, "solution", solution="为您更换新机")
    assert "为您更换新机" in solution


def test_forbidden_phrase_blocks_submission_until_removed(desk: Desk, people, case_no: str) -> None:
    draft = services.save_reply_draft(desk, people.bob, case_no, "solution", "您好，我们有规定不能退款。")
    with pytest.raises(ValidationError, match="我们有规定"):
        services.submit_reply(desk, people.bob, draft.id)
    assert services.replies_for_case(desk, people.bob, case_no)[0].status == "draft"
    fixed = services.save_reply_draft(
        desk, people.bob, case_no, "solution", "您好，我们为您办理退款。", draft.id
    )
    submitted = services.submit_reply(desk, people.bob, fixed.id)
    assert submitted.status == "submitted"
    assert [r.id for r in services.pending_replies(desk, people.carol)] == [draft.id]


def test_supervisor_returns_with_a_comment_then_approves(desk: Desk, people, case_no: str) -> None:
    draft = services.save_reply_draft(desk, people.bob, case_no, "progress", "正在处理，请耐心等待。")
    services.submit_reply(desk, people.bob, draft.id)
    with pytest.raises(ValidationError):
        services.review_reply(desk, people.carol, draft.id, approve=False)
    with pytest.raises(NotAllowed):
        services.review_reply(desk, people.alice, draft.id, approve=True)
    returned = services.review_reply(
        desk, people.carol, draft.id, approve=False, comment="请写明预计完成时间"
    )
    assert returned.status == "returned" and returned.review_comment == "请写明预计完成时间"
    services.save_reply_draft(desk, people.bob, case_no, "progress", "预计 11 月 25 日前完成。", draft.id)
    services.submit_reply(desk, people.bob, draft.id)
    approved = services.review_reply(desk, people.carol, draft.id, approve=True)
    assert approved.status == "approved" and approved.reviewer == "carol"
    kinds = [e.kind for e in services.get_case(desk, people.bob, case_no).events]
    assert kinds.count("reply_submitted") == 2 and "reply_returned" in kinds and kinds[-1] == "reply_approved"
    with pytest.raises(NotAllowed):
        services.save_reply_draft(desk, people.bob, case_no, "progress", "改一下", draft.id)


def test_nobody_approves_their_own_reply(desk: Desk, people, case_no: str) -> None:
    draft = services.save_reply_draft(desk, people.carol, case_no, "acceptance", "已受理。")
    services.submit_reply(desk, people.carol, draft.id)
    assert services.pending_replies(desk, people.carol) == []
    with pytest.raises(NotAllowed, match="自己"):
        services.review_reply(desk, people.carol, draft.id, approve=True)
    assert services.review_reply(desk, people.mia, draft.id, approve=True).status == "approved"


def test_front_desk_cannot_write_replies(desk: Desk, people, case_no: str) -> None:
    with pytest.raises(NotAllowed):
        services.save_reply_draft(desk, people.alice, case_no, "acceptance", "已受理。")


def test_admin_edits_templates_and_phrases(desk: Desk, people, case_no: str) -> None:
    services.set_reply_template(desk, people.admin, "acceptance", "{customer_name}您好，编号{case_no}。")
    assert services.compose_reply(desk, people.bob, case_no, "acceptance") == f"张三您好，编号{case_no}。"
    services.set_phrase(desk, people.admin, "forbidden", "不归我管", "我帮您联系负责的同事")
    book = services.phrase_book(desk)
    assert any(p.text == "不归我管" for p in book.forbidden) and "我理解您的心情。" in book.recommended
    with pytest.raises(NotAllowed):
        services.set_phrase(desk, people.bob, "forbidden", "随便")


def test_a_reply_with_a_lone_surrogate_or_nul_is_refused(desk: Desk, people, case_no: str) -> None:
    for bad, code in (("您好\ud800", "U+D800"), ("您好\x00", "U+0000")):
        with pytest.raises(ValidationError) as info:
            services.save_reply_draft(desk, people.bob, case_no, "solution", bad)
        assert code in info.value.errors["body"]
    assert services.replies_for_case(desk, people.bob, case_no) == []


def test_another_departments_case_is_refused_as_not_allowed(desk: Desk, people, case_no: str) -> None:
    services.act(desk, people.alice, case_no, "verify", {"valid": True})
    services.act(desk, people.bob, case_no, "assign", {"department": "AS"})
    with pytest.raises(NotAllowed, match="不在您的查看范围内"):
        services.replies_for_case(desk, people.erin, case_no)
