"""Reading cases: one case with its timeline, filtered and searched lists, what is due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain import sla
from kesu_desktop.domain.enums import Priority, Status
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.policy import Policy
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_rules
from kesu_desktop.services.unit import case_clock, load_case, scope_filter
from kesu_desktop.services.views import CaseRow, CaseView, DueItem
from kesu_desktop.storage import eventlog, search
from kesu_desktop.storage.models import Case, CaseLink

MAX_LIMIT = 1000


def case_view(session: Session, actor: Actor, case_no: str) -> CaseView:
    case = load_case(session, actor, case_no)
    repeat_of = list(
        session.scalars(
            select(Case.case_no)
            .join(CaseLink, CaseLink.linked_case_id == Case.id)
            .where(CaseLink.case_id == case.id, CaseLink.kind == "repeat")
            .order_by(Case.case_no)
        )
    )
    return CaseView.of(case, repeat_of=repeat_of, events=eventlog.events_of(session, case.id))


def get_case(desk: Desk, actor: Actor, case_no: str) -> CaseView:
    with desk.db.read() as session:
        return case_view(session, actor, case_no)


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


def case_row(c: Case) -> CaseRow:
    return CaseRow(
        id=c.id,
        case_no=c.case_no,
        status=c.status,
        customer_name=c.customer_name,
        phone=c.phone,
        category=c.category,
        severity=c.severity,
        priority=c.priority,
        department=c.department_code,
        assignee=c.assignee,
        created_at=c.created_at,
        next_due_at=c.next_due_at,
    )


def list_cases(desk: Desk, actor: Actor, flt: CaseFilter) -> list[CaseRow]:
    """Newest first, one page at a time (keyset, so page 1000 costs what page 1 costs)."""
    if not 1 <= flt.limit <= MAX_LIMIT:
        raise ValidationError.single("limit", _("每页条数须在 1 到 {n} 之间").format(n=MAX_LIMIT))
    now = desk.clock.now()
    with desk.db.read() as session:
        query = scope_filter(select(Case).where(Case.deleted_at.is_(None)), actor)
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
            condition = search.search_condition(session, flt.search)
            if condition is not None:
                query = query.where(condition)
        if flt.after:
            at, last_id = flt.after
            query = query.where(or_(Case.created_at < at, and_(Case.created_at == at, Case.id < last_id)))
        query = query.order_by(Case.created_at.desc(), Case.id.desc()).limit(flt.limit)
        return [case_row(c) for c in session.scalars(query)]


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
        policies: dict[str, Policy] = {}
        for case in session.scalars(query):
            policy = policies.get(case.office_code) or policies.setdefault(
                case.office_code, office_rules(session, case.office_code).policy
            )
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
