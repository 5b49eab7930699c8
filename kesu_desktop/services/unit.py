"""Helpers shared by the case use cases: load a case for change, write an event, check read scope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kesu_desktop.domain import sla
from kesu_desktop.domain.enums import Role, Severity, Status
from kesu_desktop.domain.errors import NotAllowed, NotFound
from kesu_desktop.domain.ids import uuid7
from kesu_desktop.domain.policy import Policy
from kesu_desktop.domain.sla import CaseClock
from kesu_desktop.domain.workflow import CaseFacts
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import OfficeRules, office_rules, reference_names
from kesu_desktop.storage import eventlog
from kesu_desktop.storage.models import Case, CaseEvent, CaseWatch

_CLOCK_FIELDS = (
    "respond_by",
    "responded_at",
    "plan_by",
    "resolve_by",
    "update_by",
    "survey_by",
    "callback_by",
    "held_at",
    "confirmed_at",
)


def scope_filter(query: Select[Any], actor: Actor) -> Select[Any]:
    """What a user may see: managers and admins everything, departments their cases, others their office."""
    if actor.role in (Role.MANAGER, Role.ADMIN):
        return query
    if actor.role is Role.DEPARTMENT:
        return query.where(Case.department_code == actor.department_code)
    return query.where(Case.office_code == actor.office_code)


def in_scope(case: Case, actor: Actor) -> bool:
    """``scope_filter`` for one loaded case (the same rule, in Python)."""
    if actor.role in (Role.MANAGER, Role.ADMIN):
        return True
    if actor.role is Role.DEPARTMENT:
        return case.department_code == actor.department_code
    return case.office_code == actor.office_code


def load_case(session: Session, actor: Actor, case_no: str, *, for_update: bool = False) -> Case:
    """The case, or NotFound (exit 2) for an unknown number, NotAllowed (exit 3) outside the actor's scope.

    Why tell the two apart: a refusal for scope is a permission matter (docs/cli.md, exit 3), and the
    case number is all the actor typed; the message says nothing of the case's content.
    """
    query = select(Case).where(Case.case_no == case_no.strip(), Case.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    case = session.scalar(query)
    if case is None:
        raise NotFound(_("案件“{case_no}”不存在").format(case_no=case_no), field="case_no")
    if not in_scope(case, actor):
        raise NotAllowed(_("案件“{case_no}”不在您的查看范围内").format(case_no=case.case_no))
    return case


def facts(case: Case) -> CaseFacts:
    return CaseFacts(
        status=Status(case.status),
        severity=Severity(case.severity),
        department_code=case.department_code,
        plan_needs_manager=case.plan_needs_manager,
        on_hold=case.held_at is not None,
    )


def case_clock(case: Case) -> CaseClock:
    return _clock_after(case, {})


def next_look(case: Any, policy: Policy, at: datetime, *, alerted: bool = False) -> datetime | None:
    """When the deadline watcher should look at this case next, seen from ``at`` (sla.next_alert_at).

    ``case`` is a Case row or anything with its attributes (the demo seeder's rows in the making).
    """
    return sla.next_alert_at(
        case_clock(case),
        at,
        policy.due_soon_share,
        timedelta(minutes=policy.due_soon_minutes),
        alerted=alerted,
    )


def schedule_watch(
    session: Session, case: Case, policy: Policy, at: datetime, *, alerted: bool = False
) -> None:
    """Tell the deadline watcher when to look at this case next (see sla.next_alert_at)."""
    when = next_look(case, policy, at, alerted=alerted)
    watch = session.get(CaseWatch, case.id)
    if watch is None:
        session.add(CaseWatch(case_id=case.id, next_alert_at=when))
    else:
        watch.next_alert_at = when


def _clock_after(case: Case, changes: Mapping[str, Any]) -> CaseClock:
    def value(name: str) -> Any:
        return changes[name] if name in changes else getattr(case, name)

    return CaseClock(
        status=Status(value("status")),
        created_at=value("created_at"),
        **{name: value(name) for name in _CLOCK_FIELDS},
    )


def add_next_due(case: Any, changes: dict[str, Any]) -> None:
    """Add the case's next-due instant after ``changes`` to them, when it moves (or was never set).

    Pure: ``case`` is a Case row or anything with its attributes, so the demo seeder's events carry
    exactly the ``next_due_at`` that ``record`` writes.
    """
    due = sla.next_due(_clock_after(case, changes))
    if due != case.next_due_at or case.next_due_at is None:
        changes["next_due_at"] = due


def record(
    session: Session,
    desk: Desk,
    case: Case,
    actor: Actor | None,
    kind: str,
    changes: dict[str, Any],
    info: Mapping[str, Any] | None = None,
    *,
    actor_name: str | None = None,
    policy: Policy | None = None,
    head: eventlog.Head | None = None,
) -> CaseEvent:
    """Append one event to a case, keeping its next-due instant and the watcher's schedule current.

    ``head``: the node's chain head, locked by a caller recording several events in one transaction
    (who then stores it once, ``eventlog.advance_head``); by default each event locks and stores it.
    """
    add_next_due(case, changes)
    event = eventlog.append(
        session,
        case,
        event_id=uuid7(),
        kind=kind,
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else (actor_name or "system"),
        at=desk.clock.now(),
        hlc=desk.stamp(case.last_hlc),
        node_id=desk.node_id,
        changes=changes,
        info=info,
        head=head,
    )
    schedule_watch(session, case, policy or cached_policy(session, desk, case.office_code), desk.clock.now())
    return event


def cached_policy(session: Session, desk: Desk, office_code: str) -> Policy:
    """The office's policy from the desk's cache (built in this transaction if the data changed)."""
    return cached_rules(session, desk, office_code).policy


def cached_rules(session: Session, desk: Desk, office_code: str) -> OfficeRules:
    """The office's policy and calendar from the desk's cache: building the calendar costs more than
    most transactions' own work, and it changes a few times a year."""
    return desk.reference.snapshot(session).get(
        ("rules", office_code), lambda: office_rules(session, office_code)
    )


def cached_names(session: Session, desk: Desk) -> dict[str, str]:
    """Category and department code → name from the desk's cache."""
    return desk.reference.snapshot(session).get("names", lambda: reference_names(session))


def ensure(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)
