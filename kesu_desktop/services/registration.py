"""Registering a complaint: validation, repeat and mass-complaint rules, case number, deadlines."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain import rules
from kesu_desktop.domain.case_number import format_case_no
from kesu_desktop.domain.defaults import SERVICE_DEPARTMENT
from kesu_desktop.domain.enums import Priority, Severity, Status, stricter
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.domain.ids import uuid7
from kesu_desktop.domain.validation import Registration, validate_registration
from kesu_desktop.domain.workflow import check_register
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin import with_estimate
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.queries import case_view
from kesu_desktop.services.reference import OfficeRules, category_departments, office_rules
from kesu_desktop.services.unit import record
from kesu_desktop.services.views import CaseView
from kesu_desktop.storage import search
from kesu_desktop.storage.models import BranchRole, Case, CaseLink, SyncLink
from kesu_desktop.storage.serials import next_serial


def register_case(desk: Desk, actor: Actor, data: Mapping[str, Any]) -> CaseView:
    """Register one complaint in one transaction; bad input raises ValidationError and writes nothing."""
    check_register(actor.facts)
    now = desk.clock.now()
    with desk.db.write() as session:
        reg = validate_registration(data, categories=category_departments(session).keys(), now=now)
        office = office_rules(session, actor.office_code)
        case = _new_case(session, desk, actor, reg, office)
        view_id = case.case_no
    with desk.db.read() as session:
        return with_estimate(session, case_view(session, actor, view_id))


def _prior(rows: list[Case]) -> list[rules.PriorCase]:
    return [
        rules.PriorCase(
            case_no=c.case_no,
            phone=c.phone,
            account_no=c.account_no,
            category=c.category,
            severity=Severity(c.severity),
            created_at=c.created_at,
            closed=c.status == Status.CLOSED,
        )
        for c in rows
        if c.validity != "invalid"
    ]


def _same_customer(session: Session, reg: Registration, since: datetime) -> list[rules.PriorCase]:
    """Earlier complaints of this customer in this category, from any office."""
    who = (
        or_(Case.phone == reg.phone, Case.account_no == reg.account_no)
        if reg.account_no
        else Case.phone == reg.phone
    )
    query = select(Case).where(
        who, Case.category == reg.category, Case.created_at >= since, Case.deleted_at.is_(None)
    )
    return _prior(list(session.scalars(query)))


def _same_category_here(
    session: Session, category: str, office_code: str, since: datetime
) -> list[rules.PriorCase]:
    """Recent general complaints of one category at this office (the mass-complaint rule's scope)."""
    query = select(Case).where(
        Case.category == category,
        Case.office_code == office_code,
        Case.created_at > since,
        Case.severity == Severity.GENERAL.value,
        Case.deleted_at.is_(None),
    )
    return _prior(list(session.scalars(query)))


def registration_department(actor: Actor) -> str:
    """The department a case number names: the registering user's, or customer service's."""
    return actor.department_code or SERVICE_DEPARTMENT


def registration_day(office: OfficeRules, at: datetime) -> date:
    """The office-local day a case registered at ``at`` is numbered in."""
    return at.astimezone(office.calendar.tz).date()


def registered_event(
    reg: Registration,
    office: OfficeRules,
    *,
    case_id: uuid.UUID,
    case_no: str,
    office_code: str,
    reg_department: str,
    registered_by: str,
    at: datetime,
    repeat_of: list[str],
    mass: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``registered`` event of a new case: its ``set`` map (every field the case starts with) and
    its details, decided by the rules from the complaint, its repeats and the mass-complaint finding.

    Pure, and the one place that decides them: ``register_case`` writes it, and the demo seeder
    (kesu_desktop.devtools) builds its cases from it, so the same complaint gives the same event.
    """
    policy, calendar = office.policy, office.calendar
    severity = Severity.MAJOR if mass else rules.effective_severity(reg.severity, reg.urgent)
    priority = rules.effective_priority(
        reg.priority, severity=severity, urgent=reg.urgent, is_repeat=bool(repeat_of)
    )
    deadlines = rules.case_deadlines(policy, calendar, priority=priority, severity=severity, start=at)
    fields = {
        "id": case_id,
        "case_no": case_no,
        "office_code": office_code,
        "reg_department_code": reg_department,
        "customer_name": reg.customer_name,
        "phone": reg.phone,
        "phone_last4": reg.phone[-4:],
        "phone_ext": reg.phone_ext,
        "email": reg.email,
        "address": reg.address,
        "account_no": reg.account_no,
        "member_level": reg.member_level,
        "room_no": reg.room_no,
        "employer": reg.employer,
        "channel": reg.channel.value,
        "occurred_at": reg.occurred_at,
        "location": reg.location,
        "product": reg.product,
        "description": reg.description,
        "demand": reg.demand,
        "category": reg.category,
        "severity": severity.value,
        "priority": priority.value,
        "urgent": reg.urgent,
        "is_repeat": bool(repeat_of),
        "status": Status.REGISTERED.value,
        "escalation_level": 0,
        "plan_needs_manager": False,
        "respond_by": deadlines.respond_by,
        "resolve_by": deadlines.resolve_by,
        "update_by": deadlines.update_by,
        "registered_by": registered_by,
        "created_at": at,
    }
    return fields, {"repeat_of": repeat_of}


def _new_case(session: Session, desk: Desk, actor: Actor, reg: Registration, office: OfficeRules) -> Case:
    now = desk.clock.now()
    policy = office.policy
    repeat_of = rules.find_repeats(
        phone=reg.phone,
        account_no=reg.account_no,
        category=reg.category,
        at=now,
        earlier=_same_customer(session, reg, now - timedelta(days=policy.repeat_window_days)),
        window_days=policy.repeat_window_days,
    )
    mass_group = rules.mass_complaint_group(
        category=reg.category,
        severity=rules.effective_severity(reg.severity, reg.urgent),
        at=now,
        policy=policy,
        recent=_same_category_here(
            session, reg.category, actor.office_code, now - timedelta(days=policy.mass_complaint_days)
        ),
    )
    if not policy.rule_mass_complaint:
        mass_group = []
    _refuse_branch_office_at_central(session, actor.office_code)
    reg_department = registration_department(actor)
    local_day = registration_day(office, now)
    serial = next_serial(session, actor.office_code, reg_department, local_day)
    fields, info = registered_event(
        reg,
        office,
        case_id=uuid7(),
        case_no=format_case_no(local_day, actor.office_code, reg_department, serial),
        office_code=actor.office_code,
        reg_department=reg_department,
        registered_by=actor.username,
        at=now,
        repeat_of=repeat_of,
        mass=bool(mass_group),
    )
    case = Case(**fields, updated_at=now, last_hlc=desk.stamp())
    session.add(case)
    session.flush()
    record(session, desk, case, actor, "registered", dict(fields), info, policy=policy)
    _link(session, case, repeat_of, "repeat")
    if mass_group:
        _raise_mass_group(session, desk, actor, case, mass_group, office)
    search.index_case(session, case)
    return case


def _refuse_branch_office_at_central(session: Session, office_code: str) -> None:
    """An office served by a branch numbers its cases there only, so two numbers never collide."""
    if session.scalar(select(SyncLink.id).limit(1)) is not None:
        return  # this is the branch
    if session.scalar(select(BranchRole.role_name).where(BranchRole.office_code == office_code)) is not None:
        raise NotAllowed(
            _("网点 {office} 由分支机构登记投诉（编号在分支机构发放）：请在分支机构登记").format(
                office=office_code
            )
        )


def _link(session: Session, case: Case, case_nos: list[str], kind: str) -> None:
    if not case_nos:
        return
    ids = session.scalars(select(Case.id).where(Case.case_no.in_(case_nos))).all()
    for linked in ids:
        session.add(CaseLink(case_id=case.id, linked_case_id=linked, kind=kind))


def _raise_mass_group(
    session: Session, desk: Desk, actor: Actor, case: Case, group: list[str], office: OfficeRules
) -> None:
    """docs/domain.md: the third general complaint of a category in a week makes it, and the group, major."""
    members = [*group, case.case_no]
    reason = _("一周内同类一般投诉达 {n} 起，升级为重大投诉").format(n=len(members))
    for other in session.scalars(select(Case).where(Case.case_no.in_(group)).with_for_update()):
        session.add(CaseLink(case_id=case.id, linked_case_id=other.id, kind="mass"))
        if other.status == Status.CLOSED or other.severity != Severity.GENERAL:
            continue
        priority = stricter(Priority(other.priority), Priority.P1)
        deadlines = rules.case_deadlines(
            office.policy, office.calendar, priority=priority, severity=Severity.MAJOR, start=other.created_at
        )
        record(
            session,
            desk,
            other,
            None,
            "severity_raised",
            {
                "severity": Severity.MAJOR.value,
                "priority": priority.value,
                "respond_by": deadlines.respond_by,
                "resolve_by": deadlines.resolve_by,
            },
            {"reason": reason, "group": members, "rule": "mass_complaint"},
            actor_name="system",
        )
    record(
        session,
        desk,
        case,
        None,
        "severity_raised",
        {},
        {"reason": reason, "group": members, "rule": "mass_complaint"},
        actor_name="system",
    )
