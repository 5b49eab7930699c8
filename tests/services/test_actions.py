"""The case use cases on SQLite and PostgreSQL: the whole workflow, refusals, and nothing half-written."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage import eventlog
from kesu_desktop.storage.models import Case
from tests.helpers.data import complaint
from tests.helpers.services import counts, walk_to_resolved


def test_full_workflow_is_on_the_timeline(desk: Desk, people, clock) -> None:
    case = services.register_case(desk, people.alice, complaint())
    assert case.case_no == "20261123-BJ01-CS-0001"
    assert case.status == "registered" and case.phone == "+8613800138000"
    clock.advance(minutes=5)
    walk_to_resolved(desk, people, case.case_no)
    services.act(desk, people.alice, case.case_no, "confirm", {"opinion": "满意"})
    services.act(desk, people.alice, case.case_no, "survey", {"efficiency": 5, "attitude": 4, "solution": 5})
    closed = services.act(desk, people.bob, case.case_no, "close", {})
    assert closed.status == "closed"
    assert [e.kind for e in closed.events] == [
        "registered",
        "verified",
        "assigned",
        "plan_proposed",
        "plan_approved",
        "resolved",
        "confirmed",
        "surveyed",
        "closed",
    ]
    assert [e.actor for e in closed.events] == [
        "alice",
        "alice",
        "bob",
        "dave",
        "carol",
        "dave",
        "alice",
        "alice",
        "bob",
    ]
    assert closed.events[3].payload["measures"] == "上门更换压缩机"
    assert closed.next_due_at is None and closed.survey_attitude == 4


def test_projection_is_the_replay_of_the_events(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    walk_to_resolved(desk, people, case.case_no)
    with desk.db.read() as s:
        row = s.scalar(select(Case).where(Case.case_no == case.case_no))
        replayed = eventlog.replay(eventlog.events_of(s, row.id))
        for field, value in replayed.items():
            assert getattr(row, field) == value, field


def test_bad_input_is_refused_field_by_field_and_writes_nothing(desk: Desk, people) -> None:
    before = counts(desk)
    with pytest.raises(ValidationError) as info:
        services.register_case(
            desk, people.alice, complaint(phone="123", category="weather", channel="pigeon")
        )
    assert set(info.value.errors) == {"phone", "category", "channel"}
    assert counts(desk) == before


def test_wrong_role_and_wrong_state_change_nothing(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    before = counts(desk)
    with pytest.raises(NotAllowed, match="前台客服"):
        services.act(desk, people.alice, case.case_no, "assign", {"department": "AS"})
    with pytest.raises(NotAllowed, match="已登记"):
        services.act(desk, people.bob, case.case_no, "resolve", {"result": "x"})
    with pytest.raises(ValidationError) as info:
        services.act(desk, people.alice, case.case_no, "verify", {"valid": False})
    assert "reason" in info.value.errors
    assert counts(desk) == before
    assert services.get_case(desk, people.bob, case.case_no).status == "registered"


def test_assign_checks_department_and_assignee(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(desk, people.alice, case.case_no, "verify", {"valid": True})
    with pytest.raises(ValidationError) as info:
        services.act(desk, people.bob, case.case_no, "assign", {"department": "ZZ", "assignee": "nobody"})
    assert set(info.value.errors) == {"department", "assignee"}
    with pytest.raises(ValidationError, match="不属于"):
        services.act(desk, people.bob, case.case_no, "assign", {"department": "AS", "assignee": "erin"})


def test_departments_see_and_act_on_their_own_cases_only(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(desk, people.alice, case.case_no, "verify", {"valid": True})
    services.act(desk, people.bob, case.case_no, "assign", {"department": "AS"})
    with pytest.raises(NotAllowed, match="不在您的查看范围内") as refused:
        services.get_case(desk, people.erin, case.case_no)
    assert "张三" not in str(refused.value)  # the refusal says nothing of the case
    assert services.list_cases(desk, people.erin, services.CaseFilter()) == []
    assert [r.case_no for r in services.list_cases(desk, people.dave, services.CaseFilter())] == [
        case.case_no
    ]


def test_costly_plan_goes_to_the_manager(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(desk, people.alice, case.case_no, "verify", {"valid": True})
    services.act(desk, people.bob, case.case_no, "assign", {"department": "AS"})
    services.act(
        desk,
        people.bob,
        case.case_no,
        "plan",
        {"measures": "整机更换并赔偿", "cost": 8000, "due": "2026-12-01T10:00:00+08:00"},
    )
    with pytest.raises(NotAllowed, match="经理"):
        services.act(desk, people.carol, case.case_no, "approve_plan", {})
    assert services.act(desk, people.mia, case.case_no, "approve_plan", {}).status == "in_progress"


def test_objection_reopens_the_work_and_escalation_raises_priority(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    walk_to_resolved(desk, people, case.case_no)
    reopened = services.act(desk, people.alice, case.case_no, "object", {"reason": "仍然不制冷"})
    assert reopened.status == "in_progress" and reopened.resolved_at is None
    escalated = services.act(desk, people.alice, case.case_no, "escalate", {"reason": "客户要求经理处理"})
    assert escalated.status == "escalated" and escalated.escalation_level == 1 and escalated.priority == "p1"


def test_survey_scores_must_be_one_to_five_and_low_scores_ask_for_a_callback(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    walk_to_resolved(desk, people, case.case_no)
    services.act(desk, people.alice, case.case_no, "confirm", {})
    with pytest.raises(ValidationError) as info:
        services.act(desk, people.alice, case.case_no, "survey", {"efficiency": 6, "attitude": "5"})
    assert set(info.value.errors) == {"efficiency", "attitude", "solution"}
    done = services.act(
        desk, people.alice, case.case_no, "survey", {"efficiency": 2, "attitude": 5, "solution": 4}
    )
    assert done.events[-1].payload["needs_callback"] is True


def test_closed_case_can_be_reopened_by_a_supervisor(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(desk, people.alice, case.case_no, "verify", {"valid": False, "reason": "非本公司产品"})
    services.act(desk, people.bob, case.case_no, "close", {})
    with pytest.raises(NotAllowed):
        services.act(desk, people.bob, case.case_no, "reopen", {"reason": "客户补充了购买凭证"})
    reopened = services.act(desk, people.carol, case.case_no, "reopen", {"reason": "客户补充了购买凭证"})
    assert reopened.status == "verified" and reopened.next_due_at is not None


def test_logging_a_call_records_the_promise_and_restarts_the_update_clock(desk: Desk, people, clock) -> None:
    case = services.register_case(desk, people.alice, complaint())
    clock.advance(hours=3)
    logged = services.act(
        desk,
        people.alice,
        case.case_no,
        "log",
        {"channel": "phone", "summary": "已致电客户说明进度", "promised_at": "2026-11-24T15:00:00+08:00"},
    )
    assert logged.responded_at == clock.now()
    assert logged.callback_by is not None and logged.callback_by.isoformat() == "2026-11-24T07:00:00+00:00"
    assert logged.update_by > case.update_by
    with pytest.raises(ValidationError, match="晚于"):
        services.act(
            desk,
            people.alice,
            case.case_no,
            "log",
            {"channel": "phone", "summary": "x", "promised_at": "2020-01-01T00:00:00+08:00"},
        )


def test_events_are_append_only_in_the_database_itself(desk: Desk, people) -> None:
    services.register_case(desk, people.alice, complaint())
    for statement in ("UPDATE case_events SET actor = 'mallory'", "DELETE FROM case_events"):
        with pytest.raises(DBAPIError, match="append-only"), desk.db.write() as s:
            s.execute(text(statement))


def test_unknown_case_and_unknown_action_are_clear(desk: Desk, people) -> None:
    with pytest.raises(NotFound, match="20990101"):
        services.act(desk, people.bob, "20990101-BJ01-CS-0001", "verify", {"valid": True})
    with pytest.raises(ValidationError, match="fly"):
        services.act(desk, people.bob, "20990101-BJ01-CS-0001", "fly", {})


def test_assign_without_department_uses_the_categorys_default(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint(category="logistics"))
    services.act(desk, people.alice, case.case_no, "verify", {"valid": True})
    assigned = services.act(desk, people.bob, case.case_no, "assign", {})
    assert assigned.department == "WL" and assigned.plan_by is not None
