"""The workflow table: who may do what in which state, and where it leads."""

from __future__ import annotations

import pytest

from kesu_desktop.domain.enums import Action, Role, Severity, Status
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.domain.workflow import (
    ActorFacts,
    CaseFacts,
    allowed_actions,
    check,
    check_register,
    target_status,
)

SPECIALIST = ActorFacts(Role.SPECIALIST, None)
SUPERVISOR = ActorFacts(Role.SUPERVISOR, None)
MANAGER = ActorFacts(Role.MANAGER, None)
FRONT = ActorFacts(Role.FRONT_DESK, None)


def case(
    status: Status, severity: Severity = Severity.GENERAL, dept: str | None = None, costly: bool = False
):
    return CaseFacts(status=status, severity=severity, department_code=dept, plan_needs_manager=costly)


def test_happy_path_walks_through_every_state_of_domain_md() -> None:
    steps = [
        (Action.VERIFY, FRONT, Status.VERIFIED),
        (Action.ASSIGN, SPECIALIST, Status.ASSIGNED),
        (Action.PLAN, ActorFacts(Role.DEPARTMENT, "AS"), Status.PLAN_PROPOSED),
        (Action.APPROVE_PLAN, SUPERVISOR, Status.IN_PROGRESS),
        (Action.RESOLVE, ActorFacts(Role.DEPARTMENT, "AS"), Status.RESOLVED),
        (Action.CONFIRM, FRONT, Status.CONFIRMED),
        (Action.SURVEY, FRONT, Status.SURVEYED),
        (Action.CLOSE, SPECIALIST, Status.CLOSED),
    ]
    status = Status.REGISTERED
    for action, actor, expected in steps:
        check(action, case(status, dept="AS"), actor)
        status = target_status(action, status)
        assert status is expected


def test_invalid_verification_leads_to_invalid_and_can_be_closed() -> None:
    assert target_status(Action.VERIFY, Status.REGISTERED, valid=False) is Status.INVALID
    check(Action.CLOSE, case(Status.INVALID), SPECIALIST)
    with pytest.raises(NotAllowed):
        check(Action.ASSIGN, case(Status.INVALID), SPECIALIST)


def test_front_desk_cannot_assign_and_says_why() -> None:
    with pytest.raises(NotAllowed, match="前台客服"):
        check(Action.ASSIGN, case(Status.VERIFIED), FRONT)


def test_wrong_state_names_the_state() -> None:
    with pytest.raises(NotAllowed, match="已登记"):
        check(Action.RESOLVE, case(Status.REGISTERED), SPECIALIST)


def test_department_acts_only_on_its_own_cases() -> None:
    check(Action.RESOLVE, case(Status.IN_PROGRESS, dept="AS"), ActorFacts(Role.DEPARTMENT, "AS"))
    with pytest.raises(NotAllowed, match="本部门"):
        check(Action.RESOLVE, case(Status.IN_PROGRESS, dept="AS"), ActorFacts(Role.DEPARTMENT, "WL"))


def test_specialist_may_not_close_major_cases() -> None:
    with pytest.raises(NotAllowed):
        check(Action.CLOSE, case(Status.CONFIRMED, Severity.MAJOR), SPECIALIST)
    check(Action.CLOSE, case(Status.CONFIRMED, Severity.MAJOR), SUPERVISOR)


def test_costly_plan_needs_a_manager() -> None:
    with pytest.raises(NotAllowed, match="经理"):
        check(Action.APPROVE_PLAN, case(Status.PLAN_PROPOSED, costly=True), SUPERVISOR)
    check(Action.APPROVE_PLAN, case(Status.PLAN_PROPOSED, costly=True), MANAGER)


def test_escalation_from_every_open_state_but_not_from_closed() -> None:
    for status in Status:
        if status is Status.CLOSED:
            with pytest.raises(NotAllowed):
                check(Action.ESCALATE, case(status), SPECIALIST)
        else:
            check(Action.ESCALATE, case(status), SPECIALIST)


def test_admin_and_department_cannot_register() -> None:
    for role in (Role.ADMIN, Role.DEPARTMENT):
        with pytest.raises(NotAllowed):
            check_register(ActorFacts(role, "AS"))
    check_register(FRONT)


def test_allowed_actions_match_check() -> None:
    offered = allowed_actions(case(Status.RESOLVED), FRONT)
    assert Action.CONFIRM in offered and Action.OBJECT in offered
    assert Action.RESOLVE not in offered and Action.CLOSE not in offered
    for action in offered:
        check(action, case(Status.RESOLVED), FRONT)


def test_reopen_returns_to_the_department_when_there_is_one() -> None:
    assert target_status(Action.REOPEN, Status.CLOSED, has_department=True) is Status.ASSIGNED
    assert target_status(Action.REOPEN, Status.CLOSED, has_department=False) is Status.VERIFIED


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("on_hold", [False, True])
def test_the_actions_offered_are_exactly_those_check_lets_through(
    role: Role, status: Status, on_hold: bool
) -> None:
    """One table: what a view offers (allowed_actions) and what the services enforce (check) agree."""
    actor = ActorFacts(role, "AS" if role is Role.DEPARTMENT else None)
    facts = CaseFacts(status, Severity.MAJOR, "AS", plan_needs_manager=True, on_hold=on_hold)
    passed = []
    for action in Action:
        try:
            check(action, facts, actor)
        except NotAllowed as exc:
            assert str(exc)  # every refusal says why
            continue
        passed.append(action)
    assert allowed_actions(facts, actor) == passed
    if Action.HOLD in passed or Action.RESUME in passed:
        assert (Action.RESUME in passed) is on_hold and (Action.HOLD in passed) is not on_hold
