"""What a view tells its reader, decided at the service boundary, on both databases: the actions the
reader may take now, whether the case is on hold, the phone as the reader's role may see it, the deadline
windows and the timeline's words."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from kesu_desktop import services
from kesu_desktop.domain.enums import Action
from kesu_desktop.services import Desk, SlaState
from kesu_desktop.services.documents import case_file
from tests.helpers.data import complaint

FULL = "13800138000"
MASKED = "138****8000"


@pytest.fixture
def case_no(desk: Desk, people) -> str:
    """A case of department AS (so dave, of AS, may see it), handled by dave."""
    no = services.register_case(desk, people.alice, complaint(phone=FULL)).case_no
    services.act(desk, people.alice, no, "verify", {"valid": True})
    services.act(desk, people.bob, no, "assign", {"department": "AS", "assignee": "dave"})
    return no


def row_of(desk: Desk, actor: services.Actor, case_no: str) -> services.CaseRow:
    [row] = [r for r in services.list_cases(desk, actor, services.CaseFilter()) if r.case_no == case_no]
    return row


def test_each_reader_is_offered_exactly_the_actions_the_workflow_allows_them(desk: Desk, people) -> None:
    no = services.register_case(desk, people.alice, complaint()).case_no
    alice = services.get_case(desk, people.alice, no)
    assert Action.VERIFY in alice.allowed_actions and Action.ASSIGN not in alice.allowed_actions
    bob = services.get_case(desk, people.bob, no)
    assert Action.CLASSIFY in bob.allowed_actions and Action.HOLD not in bob.allowed_actions
    assert services.get_case(desk, people.admin, no).allowed_actions == ()  # admins do not handle cases
    assert row_of(desk, people.alice, no).allowed_actions == alice.allowed_actions
    assert alice.to_json("Asia/Shanghai")["allowed_actions"][:2] == ["verify", "log"]


def test_a_held_case_offers_resume_and_not_hold_and_the_reverse_after(
    desk: Desk, people, case_no: str
) -> None:
    before = services.get_case(desk, people.dave, case_no)
    assert before.on_hold is False
    assert Action.HOLD in before.allowed_actions and Action.RESUME not in before.allowed_actions

    held = services.act(desk, people.dave, case_no, "hold", {"reason": "等待客户补充凭证"})
    for view in (held, services.get_case(desk, people.dave, case_no)):
        assert view.on_hold is True
        assert Action.RESUME in view.allowed_actions and Action.HOLD not in view.allowed_actions
    row = row_of(desk, people.dave, case_no)
    assert row.on_hold is True and Action.RESUME in row.allowed_actions
    resolve = next(d for d in held.deadlines if d.name == "resolve")
    assert not resolve.pending and resolve.state_at(desk.clock.now()) is None  # paused while held
    assert held.to_json("Asia/Shanghai")["on_hold"] is True
    assert held.timeline[-1].label == "挂起" and "等待客户补充凭证" in held.timeline[-1].summary

    resumed = services.act(desk, people.dave, case_no, "resume", {})
    assert resumed.on_hold is False
    assert Action.HOLD in resumed.allowed_actions and Action.RESUME not in resumed.allowed_actions
    assert next(d for d in resumed.deadlines if d.name == "resolve").pending


def test_a_department_user_never_receives_the_full_phone(desk: Desk, people, clock, case_no: str) -> None:
    clock.advance(days=1)
    second = services.register_case(desk, people.alice, complaint(phone=FULL, category="logistics")).case_no
    services.act(desk, people.alice, second, "verify", {"valid": True})
    services.act(desk, people.bob, second, "assign", {"department": "AS"})
    # an approved reply, so dave may print the reply letter of the second case
    draft = services.save_reply_draft(desk, people.dave, second, "progress", "正在处理，请耐心等待。")
    services.submit_reply(desk, people.dave, draft.id)
    services.review_reply(desk, people.carol, draft.id, approve=True)

    for reader in (people.dave, people.admin):
        view = services.get_case(desk, reader, case_no)
        assert view.phone == MASKED
        registered = view.events[0].payload["set"]
        assert registered["phone"] == MASKED
        assert FULL not in json.dumps(view.to_json(reader.timezone), ensure_ascii=False)
        rows = services.list_cases(desk, reader, services.CaseFilter(search=FULL))
        assert {r.case_no for r in rows} == {case_no, second} and {r.phone for r in rows} == {MASKED}
        history = services.customer_history(desk, reader, FULL)
        assert [r.phone for r in history] == [MASKED, MASKED]
    printed = case_file(desk, people.dave, second, "reply")
    assert printed.case.phone == MASKED
    assert printed.earlier_cases == []  # only the escalation report lists them, and only leads print it
    assert FULL not in json.dumps(printed.case.to_json("Asia/Shanghai"), ensure_ascii=False)

    # those who call the customer back see the number the customer gave
    assert services.get_case(desk, people.bob, case_no).phone == "+86" + FULL
    assert {r.phone for r in services.customer_history(desk, people.alice, FULL)} == {"+86" + FULL}
    assert case_file(desk, people.carol, case_no, "record").case.phone == "+86" + FULL


def test_deadlines_carry_their_windows_and_the_badge_follows_the_clock(desk: Desk, people, clock) -> None:
    no = services.register_case(desk, people.alice, complaint()).case_no
    view = services.get_case(desk, people.bob, no)
    order = ("respond", "plan", "resolve", "update", "survey", "callback")
    names = [d.name for d in view.deadlines]
    assert names == [n for n in order if n in names] and {"respond", "resolve"} <= set(names)
    respond = next(d for d in view.deadlines if d.name == "respond")
    assert respond.due_at == view.respond_by and respond.pending and not respond.met
    assert respond.soon_at is not None
    assert respond.state_at(clock.now()) is SlaState.OK
    assert respond.state_at(respond.soon_at) is SlaState.DUE_SOON
    assert respond.state_at(respond.due_at) is SlaState.OVERDUE
    row = row_of(desk, people.bob, no)
    assert row.next_due_at == view.next_due_at and row.due_soon_at is not None
    assert row.sla_state_at(clock.now()) is SlaState.OK
    assert row.sla_state_at(row.next_due_at + timedelta(minutes=1)) is SlaState.OVERDUE
    # the badge and `kesu due` agree: once the badge says due soon, the due list has the case
    at = row.due_soon_at + timedelta(minutes=1)
    assert row.sla_state_at(at) is SlaState.DUE_SOON
    assert no in {i.case_no for i in services.due(desk, people.bob, at)}

    services.act(desk, people.alice, no, "verify", {"valid": True})  # the first response
    met = next(d for d in services.get_case(desk, people.bob, no).deadlines if d.name == "respond")
    assert met.met and not met.pending


def test_the_timeline_is_worded_with_names_and_the_readers_office_time(
    desk: Desk, people, case_no: str
) -> None:
    promised = "2026-11-24T09:30:00+08:00"
    services.act(
        desk,
        people.dave,
        case_no,
        "log",
        {"channel": "phone", "summary": "约定上门", "promised_at": promised},
    )
    view = services.get_case(desk, people.bob, case_no)
    assert [line.kind for line in view.timeline] == [e.kind for e in view.events]
    assigned = next(line for line in view.timeline if line.kind == "assigned")
    assert assigned.label == "分派" and "售后服务部" in assigned.summary  # the name, not the code AS
    logged = view.timeline[-1]
    assert (
        logged.details["promised_at"] == "2026/11/24 09:30" and "承诺回复：2026/11/24 09:30" in logged.summary
    )
    assert logged.details["channel"] == "phone" and "set" not in logged.details
