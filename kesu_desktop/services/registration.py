"""Registering a complaint: validation, repeat and mass-complaint rules, case number, deadlines.

Registration must not slow down as the database grows (a head office keeps a million cases), so:
the reference data comes from the desk's cache (services/reference_cache.py); the repeat and
mass-complaint rules read only the columns they need, through indexes, and the mass rule only when it
can fire; the new case's rows go out in one flush through the bulk path (storage/bulk.py), and the
view returned is built from those rows instead of being read back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain import rules
from kesu_desktop.domain.calendar import coverage
from kesu_desktop.domain.case_number import format_case_no
from kesu_desktop.domain.defaults import SERVICE_DEPARTMENT
from kesu_desktop.domain.enums import Priority, Severity, Status, stricter
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.domain.ids import uuid7
from kesu_desktop.domain.validation import Registration, validate_registration
from kesu_desktop.domain.workflow import check_register
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin import estimated_in, imported_years
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.new_cases import NewCase, new_case_rows
from kesu_desktop.services.queries import assembled_view
from kesu_desktop.services.reference import OfficeRules, category_departments, office_rules, reference_names
from kesu_desktop.services.reference_cache import ReferenceSnapshot
from kesu_desktop.services.unit import record
from kesu_desktop.services.views import CaseView
from kesu_desktop.storage import eventlog
from kesu_desktop.storage.bulk import CaseTables
from kesu_desktop.storage.models import BranchRole, Case, CaseEvent, CaseLink, SyncLink
from kesu_desktop.storage.serials import next_serial


def register_case(desk: Desk, actor: Actor, data: Mapping[str, Any]) -> CaseView:
    """Register one complaint in one transaction; bad input raises ValidationError and writes nothing."""
    check_register(actor.facts)
    now = desk.clock.now()
    with desk.db.write() as session:
        ref = desk.reference.snapshot(session)
        categories = ref.get("categories", lambda: category_departments(session))
        reg = validate_registration(data, categories=categories.keys(), now=now)
        office = ref.get(("rules", actor.office_code), lambda: office_rules(session, actor.office_code))
        written = _new_case(session, desk, actor, reg, office, ref)
        case: Any = written.rows.case
        events: list[Any] = [_EventRow(**written.rows.event)]
        if written.raised is not None:
            # A mass complaint recorded a second event on the new case: its row as it now is, both
            # events from what is in hand (reading them back would only repeat the flush the commit makes).
            case = session.get(Case, case.id)
            events.append(written.raised)
        return _view_of_new(session, actor, case, events, written.repeat_of, office, ref)


@dataclass(frozen=True)
class _Prior:
    """An earlier case as the repeat and mass-complaint rules read it (a few columns, no ORM object)."""

    id: uuid.UUID
    rule: rules.PriorCase


#: The columns the repeat and mass-complaint rules read of an earlier case (the demo seeder reads the
#: same, so seeded and registered cases are judged alike).
PRIOR_COLUMNS = (
    Case.id,
    Case.case_no,
    Case.phone,
    Case.account_no,
    Case.category,
    Case.severity,
    Case.created_at,
    Case.status,
)


def prior_case(row: Row[Any]) -> rules.PriorCase:
    """An earlier case (a row of ``PRIOR_COLUMNS``) as the rules read it."""
    return rules.PriorCase(
        case_no=row.case_no,
        phone=row.phone,
        account_no=row.account_no,
        category=row.category,
        severity=Severity(row.severity),
        created_at=row.created_at,
        closed=row.status == Status.CLOSED,
    )


def _prior(rows: list[Row[Any]]) -> list[_Prior]:
    return [_Prior(r.id, prior_case(r)) for r in rows]


_CASES = Case.__table__.c
_LINKS = CaseLink.__table__.c
#: ``PRIOR_COLUMNS`` as table columns: the rule queries below are plain Core statements.
_PRIOR_TABLE_COLUMNS = tuple(_CASES[col.key] for col in PRIOR_COLUMNS)
_COUNTED = (_CASES.deleted_at.is_(None), _CASES.validity.is_distinct_from("invalid"))


def _customer_query(*who: ColumnElement[bool]) -> Select[Any]:
    return select(*_PRIOR_TABLE_COLUMNS).where(
        or_(*who),
        _CASES.category == bindparam("category"),
        _CASES.created_at >= bindparam("since"),
        *_COUNTED,
    )


# The rule queries run on every registration, so they are built once: building a statement (coercing
# its clauses, computing its cache key) cost more than the indexed read it makes.
_BY_PHONE = _customer_query(_CASES.phone == bindparam("phone"))
_BY_PHONE_OR_ACCOUNT = _customer_query(
    _CASES.phone == bindparam("phone"), _CASES.account_no == bindparam("account")
)
_IN_MASS_GROUP = (
    select(_LINKS.case_id).where(_LINKS.linked_case_id == _CASES.id, _LINKS.kind == "mass").exists()
)
_SAME_CATEGORY_HERE = select(*_PRIOR_TABLE_COLUMNS).where(
    _CASES.office_code == bindparam("office"),
    _CASES.category == bindparam("category"),
    _CASES.created_at > bindparam("since"),
    _CASES.severity == Severity.GENERAL.value,
    *_COUNTED,
    ~_IN_MASS_GROUP,
)


def _same_customer(session: Session, reg: Registration, since: datetime) -> list[_Prior]:
    """Earlier complaints of this customer in this category, from any office (the phone and account
    indexes)."""
    params = {"phone": reg.phone, "category": reg.category, "since": since}
    if reg.account_no:
        return _prior(list(session.execute(_BY_PHONE_OR_ACCOUNT, {**params, "account": reg.account_no})))
    return _prior(list(session.execute(_BY_PHONE, params)))


def _same_category_here(session: Session, category: str, office_code: str, since: datetime) -> list[_Prior]:
    """Recent general complaints of one category at this office not yet counted in a mass complaint
    (the rule's scope), through ``ix_cases_office_category_created`` and ``ix_case_links_linked``.

    A closed case of a group stays general, so without the link test it would be counted again by every
    later complaint of its category that week: the group is major, counting starts afresh.
    """
    params = {"office": office_code, "category": category, "since": since}
    return _prior(list(session.execute(_SAME_CATEGORY_HERE, params)))


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


@dataclass(frozen=True)
class _Written:
    rows: NewCase
    repeat_of: list[str]
    #: The new case's ``severity_raised`` event when the mass-complaint rule fired (and raised earlier
    #: cases too).
    raised: CaseEvent | None


def _new_case(
    session: Session,
    desk: Desk,
    actor: Actor,
    reg: Registration,
    office: OfficeRules,
    ref: ReferenceSnapshot,
) -> _Written:
    now = desk.clock.now()
    policy = office.policy
    earlier = _same_customer(session, reg, now - timedelta(days=policy.repeat_window_days))
    repeat_of = rules.find_repeats(
        phone=reg.phone,
        account_no=reg.account_no,
        category=reg.category,
        at=now,
        earlier=[p.rule for p in earlier],
        window_days=policy.repeat_window_days,
    )
    mass_group: list[str] = []
    severity = rules.effective_severity(reg.severity, reg.urgent)
    if policy.rule_mass_complaint and severity is Severity.GENERAL:
        since = now - timedelta(days=policy.mass_complaint_days)
        recent = _same_category_here(session, reg.category, actor.office_code, since)
        mass_group = rules.mass_complaint_group(
            category=reg.category, severity=severity, at=now, policy=policy, recent=[p.rule for p in recent]
        )
    _refuse_branch_office_at_central(session, ref, actor.office_code)
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
    tables = ref.get("case_tables", lambda: CaseTables(session.get_bind().dialect))
    rows = new_case_rows(tables, desk, actor, fields, info, policy, at=now, now=now)
    repeats = set(repeat_of)
    links = [
        {"case_id": rows.case.id, "linked_case_id": p.id, "kind": "repeat"}
        for p in earlier
        if p.rule.case_no in repeats
    ]
    tables.write(
        session, tables.params([vars(rows.case)], [rows.event], links, [rows.watch], [rows.document])
    )
    raised = None
    if mass_group:
        case = session.get(Case, rows.case.id)
        assert case is not None  # written just above, in this transaction
        raised = _raise_mass_group(session, desk, actor, case, mass_group, office)
    return _Written(rows, sorted(repeats), raised)


def _view_of_new(
    session: Session,
    actor: Actor,
    case: Any,
    events: Iterable[Any],
    repeat_of: list[str],
    office: OfficeRules,
    ref: ReferenceSnapshot,
) -> CaseView:
    """The new case's view from what this transaction wrote (what ``get_case`` would read back),
    with the reference data from the desk's cache."""
    code = case.office_code
    names = ref.get("names", lambda: reference_names(session))
    known = ref.get(
        ("coverage", code),
        lambda: coverage(
            use_statutory=office.policy.use_statutory_holidays, imported=imported_years(session, code)
        ),
    )
    view = assembled_view(actor, case, events, repeat_of=repeat_of, policy=office.policy, names=names)
    return replace(view, deadlines_estimated=estimated_in(known, office.calendar.tz, view))


@dataclass(frozen=True)
class _EventRow:
    """The ``registered`` event as the view reads it (the attributes of a CaseEvent row)."""

    id: uuid.UUID
    case_id: uuid.UUID
    hlc: str
    node_id: str
    actor_id: uuid.UUID | None
    actor: str
    kind: str
    at: datetime
    payload: dict[str, Any]


def _refuse_branch_office_at_central(session: Session, ref: ReferenceSnapshot, office_code: str) -> None:
    """An office served by a branch numbers its cases there only, so two numbers never collide."""
    is_branch = ref.get("is_branch", lambda: session.scalar(select(SyncLink.id).limit(1)) is not None)
    if is_branch:
        return
    served = ref.get("branch_offices", lambda: frozenset(session.scalars(select(BranchRole.office_code))))
    if office_code in served:
        raise NotAllowed(
            _("网点 {office} 由分支机构登记投诉（编号在分支机构发放）：请在分支机构登记").format(
                office=office_code
            )
        )


def _raise_mass_group(
    session: Session, desk: Desk, actor: Actor, case: Case, group: list[str], office: OfficeRules
) -> CaseEvent:
    """docs/domain.md: the third general complaint of a category in a week makes it, and the group, major.

    Returns the event recorded on the new case."""
    members = [*group, case.case_no]
    reason = _("一周内同类一般投诉达 {n} 起，升级为重大投诉").format(n=len(members))
    others = list(session.scalars(select(Case).where(Case.case_no.in_(group)).with_for_update()))
    # One flush for the whole group when the caller next reads (its events go out as one batch), not
    # one per event: nothing read below depends on what this loop has yet to write.
    with session.no_autoflush:
        # one lock and one store of the chain head for the whole group, not one per event
        head = eventlog.lock_head(session, desk.node_id)
        for other in others:
            session.add(CaseLink(case_id=case.id, linked_case_id=other.id, kind="mass"))
            if other.status == Status.CLOSED or other.severity != Severity.GENERAL:
                continue
            priority = stricter(Priority(other.priority), Priority.P1)
            deadlines = rules.case_deadlines(
                office.policy,
                office.calendar,
                priority=priority,
                severity=Severity.MAJOR,
                start=other.created_at,
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
                policy=office.policy,
                head=head,
            )
        raised = record(
            session,
            desk,
            case,
            None,
            "severity_raised",
            {},
            {"reason": reason, "group": members, "rule": "mass_complaint"},
            actor_name="system",
            policy=office.policy,
            head=head,
        )
        eventlog.advance_head(session, head)
    return raised
