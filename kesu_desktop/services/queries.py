"""Reading cases: one case with its timeline, filtered and searched lists, what is due.

Every case handed out is decided for its reader here: the phone as the role may see it, the actions the
reader may take now, the deadline windows under the office's policy, the timeline in plain words. The
front ends show these and never work them out again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain import sla, timeline, workflow
from kesu_desktop.domain.enums import Action, Priority, Status
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.policy import Policy
from kesu_desktop.domain.privacy import mask_phone, phone_for, sees_full_phone
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin import with_estimate
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_policy, reference_names
from kesu_desktop.services.unit import cached_names, cached_policy, case_clock, facts, load_case, scope_filter
from kesu_desktop.services.views import CaseRow, CaseView, DeadlineView, DueItem, EventView, TimelineLine
from kesu_desktop.storage import eventlog, search
from kesu_desktop.storage.models import Case, CaseLink

MAX_LIMIT = 1000


#: The deadline fields of a case in the order the detail lists them, with the names ``kesu due`` uses.
DEADLINE_FIELDS = (
    ("respond", "respond_by"),
    ("plan", "plan_by"),
    ("resolve", "resolve_by"),
    ("update", "update_by"),
    ("survey", "survey_by"),
    ("callback", "callback_by"),
)


class Policies:
    """Office code → policy, read once per use case however many of the office's cases it shows."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[str, Policy] = {}

    def __call__(self, office_code: str) -> Policy:
        policy = self._known.get(office_code)
        if policy is None:
            policy = self._known[office_code] = office_policy(self._session, office_code)
        return policy


def _windows(case: Case, policy: Policy) -> list[sla.DeadlineWindow]:
    return sla.windows(case_clock(case), policy.due_soon_share, timedelta(minutes=policy.due_soon_minutes))


def deadline_views(case: Case, policy: Policy) -> tuple[DeadlineView, ...]:
    """Every set deadline; the running ones with the instant they turn due soon (the office's policy)."""
    running = {w.deadline: w for w in _windows(case, policy)}
    met = {"respond": case.responded_at is not None, "resolve": case.resolved_at is not None}
    out = []
    for name, column in DEADLINE_FIELDS:
        due_at = getattr(case, column)
        if due_at is None:
            continue
        window = running.get(name)
        out.append(DeadlineView(name, due_at, window.soon_at if window else None, met.get(name, False)))
    return tuple(out)


def _event_view(event: Any, full_phone: bool) -> EventView:
    """The event as the reader may see it: a phone among its field changes is masked like the case's."""
    payload = dict(event.payload)
    changes = payload.get("set")
    if not full_phone and isinstance(changes, dict) and changes.get("phone"):
        payload["set"] = {**changes, "phone": mask_phone(str(changes["phone"]))}
    return EventView.of(event, payload)


def _reference_names(session: Session) -> dict[str, str]:
    """Category and department code → name, for the timeline's sentences."""
    return reference_names(session)


def timeline_lines(events: list[EventView], names: Mapping[str, str], zone: str) -> tuple[TimelineLine, ...]:
    lines = []
    for e in events:
        details = timeline.display_details(e.payload, names, zone)
        recorded = timeline.recorded_at(e.at, e.hlc)
        lines.append(
            TimelineLine(
                e.at,
                e.actor,
                e.kind,
                timeline.kind_label(e.kind),
                timeline.summary(e.kind, details),
                details,
                recorded_at=recorded,
                recorded_note=timeline.recorded_note(e.at, recorded, zone),
            )
        )
    return tuple(lines)


def view_of(
    session: Session, actor: Actor, case: Case, *, zone: str | None = None, desk: Desk | None = None
) -> CaseView:
    """Everything one reader may see and do on ``case``; timeline times in ``zone`` (default: the actor's).

    With ``desk`` the office's policy and the names come from its reference cache (a case opened at a
    counter should not rebuild them each time).
    """
    repeat_of = list(
        session.scalars(
            select(Case.case_no)
            .join(CaseLink, CaseLink.linked_case_id == Case.id)
            .where(CaseLink.case_id == case.id, CaseLink.kind == "repeat")
            .order_by(Case.case_no)
        )
    )
    if desk is not None:
        policy, names = cached_policy(session, desk, case.office_code), cached_names(session, desk)
    else:
        policy, names = office_policy(session, case.office_code), _reference_names(session)
    return assembled_view(
        actor,
        case,
        eventlog.events_of(session, case.id),
        repeat_of=repeat_of,
        policy=policy,
        names=names,
        zone=zone,
    )


def assembled_view(
    actor: Actor,
    case: Any,
    events: Iterable[Any],
    *,
    repeat_of: list[str],
    policy: Policy,
    names: Mapping[str, str],
    zone: str | None = None,
) -> CaseView:
    """``view_of`` from parts the caller has in hand (a case just registered needs no read back).

    ``case`` is a Case row or anything with its attributes, ``events`` its events in timeline order.
    """
    full_phone = sees_full_phone(actor.role)
    views = [_event_view(e, full_phone) for e in events]
    case_facts = facts(case)
    return CaseView.of(
        case,
        phone=phone_for(actor.role, case.phone),
        repeat_of=repeat_of,
        events=views,
        allowed_actions=tuple(workflow.allowed_actions(case_facts, actor.facts)),
        on_hold=case_facts.on_hold,
        deadlines=deadline_views(case, policy),
        timeline=timeline_lines(views, names, zone or actor.timezone),
    )


def case_view(
    session: Session, actor: Actor, case_no: str, *, zone: str | None = None, desk: Desk | None = None
) -> CaseView:
    return view_of(session, actor, load_case(session, actor, case_no), zone=zone, desk=desk)


def get_case(desk: Desk, actor: Actor, case_no: str) -> CaseView:
    with desk.db.read() as session:
        return with_estimate(session, case_view(session, actor, case_no, desk=desk), desk=desk)


def action_outcome(case: CaseView, action: Action) -> Status:
    """Where taking ``action`` now would lead the case (the action dialogs say so before OK)."""
    return workflow.target_status(action, Status(case.status), has_department=case.department is not None)


@dataclass(frozen=True)
class CaseFilter:
    status: Status | None = None
    priority: Priority | None = None
    category: str | None = None
    department: str | None = None
    office: str | None = None
    assigned_to_me: bool = False
    overdue: bool = False
    search: str | None = None
    limit: int = 50
    #: Keyset cursor: the (created_at, id) of the last row of the previous page.
    after: tuple[datetime, uuid.UUID] | None = None


def case_row(c: Case, actor: Actor, policy: Policy) -> CaseRow:
    """One list line for ``actor``; ``policy`` is the case's office's (for its due-soon instant)."""
    windows = _windows(c, policy)
    case_facts = facts(c)
    return CaseRow(
        id=c.id,
        case_no=c.case_no,
        status=c.status,
        customer_name=c.customer_name,
        phone=phone_for(actor.role, c.phone),
        category=c.category,
        severity=c.severity,
        priority=c.priority,
        department=c.department_code,
        assignee=c.assignee,
        created_at=c.created_at,
        next_due_at=c.next_due_at,
        due_soon_at=min((w.soon_at for w in windows), default=None),
        allowed_actions=tuple(workflow.allowed_actions(case_facts, actor.facts)),
        on_hold=case_facts.on_hold,
    )


def case_rows(session: Session, actor: Actor, cases: Iterable[Case]) -> list[CaseRow]:
    policies = Policies(session)
    return [case_row(c, actor, policies(c.office_code)) for c in cases]


def filtered(
    session: Session, query: Select[Any], actor: Actor, flt: CaseFilter, now: datetime
) -> Select[Any]:
    """``query`` (over ``cases``) narrowed to what ``actor`` may see and ``flt`` asks for.

    One place for the conditions, so the list, its export and anything else showing "the filtered
    cases" agree row for row; paging (``after``, ``limit``) and order stay with the caller.
    """
    query = scope_filter(query.where(Case.deleted_at.is_(None)), actor)
    if flt.status:
        query = query.where(Case.status == flt.status.value)
    if flt.priority:
        query = query.where(Case.priority == flt.priority.value)
    if flt.category:
        query = query.where(Case.category == flt.category)
    if flt.department:
        query = query.where(Case.department_code == flt.department)
    if flt.office:
        query = query.where(Case.office_code == flt.office)
    if flt.assigned_to_me:
        query = query.where(Case.assignee_id == actor.id)
    if flt.overdue:
        query = query.where(Case.next_due_at < now)
    if flt.search:
        facets = search.filter_facets(
            category=flt.category,
            department=flt.department,
            office=flt.office,
            assignee=actor.id if flt.assigned_to_me else None,
        )
        condition = search.search_condition(session, flt.search, facets=facets, page=flt.limit)
        if condition is not None:
            query = query.where(condition)
    return query


def list_cases(desk: Desk, actor: Actor, flt: CaseFilter) -> list[CaseRow]:
    """Newest first, one page at a time (keyset, so page 1000 costs what page 1 costs)."""
    if not 1 <= flt.limit <= MAX_LIMIT:
        raise ValidationError.single("limit", _("每页条数须在 1 到 {n} 之间").format(n=MAX_LIMIT))
    now = desk.clock.now()
    newest_first = (Case.created_at.desc(), Case.id.desc())
    with desk.db.read() as session:
        page = filtered(session, select(Case.id), actor, flt, now)
        if flt.after:
            at, last_id = flt.after
            page = page.where(or_(Case.created_at < at, and_(Case.created_at == at, Case.id < last_id)))
        # The page's ids first, then its rows: when the database has to sort (a search term looked up
        # in the index yields its matches in index order), it sorts ids, not a few thousand whole rows.
        page = page.order_by(*newest_first).limit(flt.limit)
        query = select(Case).where(Case.id.in_(page)).order_by(*newest_first)
        return case_rows(session, actor, session.scalars(query))


def due(
    desk: Desk, actor: Actor, at: datetime | None = None, *, horizon: timedelta = timedelta(days=30)
) -> list[DueItem]:
    """Deadlines that are due soon or overdue at ``at``, most pressing first.

    Uses the indexed next-due column to skip cases that are far from due; each case's deadlines are then
    classified by the same rule the GUI badge and the watcher use (``sla.states``).
    """
    at = at or desk.clock.now()
    items: list[DueItem] = []
    with desk.db.read() as session:
        query = scope_filter(
            select(Case).where(
                Case.next_due_at.is_not(None), Case.next_due_at <= at + horizon, Case.deleted_at.is_(None)
            ),
            actor,
        ).order_by(Case.next_due_at)
        policies = Policies(session)
        for case in session.scalars(query):
            policy = policies(case.office_code)
            lead = timedelta(minutes=policy.due_soon_minutes)
            for st in sla.states(case_clock(case), at, policy.due_soon_share, lead):
                if st.state is not sla.SlaState.OK:
                    items.append(
                        DueItem(
                            case.case_no, st.deadline, st.due_at, st.state.value, case.priority, case.status
                        )
                    )
    order = {"overdue": 0, "due_soon": 1}
    return sorted(items, key=lambda i: (order[i.state], i.due_at, i.case_no))
