"""What the counter needs while typing: the customer's earlier cases, and what the rules will decide."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from kesu_desktop.domain import rules
from kesu_desktop.domain.enums import Priority, Severity
from kesu_desktop.domain.validation import normalize_phone
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.queries import case_row
from kesu_desktop.services.reference import category_departments, office_rules
from kesu_desktop.services.unit import scope_filter
from kesu_desktop.services.views import CaseRow
from kesu_desktop.storage.models import Case

HISTORY_LIMIT = 20


def customer_history(desk: Desk, actor: Actor, phone: str, account_no: str | None = None) -> list[CaseRow]:
    """Earlier cases of this phone (or account), newest first; [] while the number is still incomplete."""
    try:
        normalized = normalize_phone(phone)
    except ValueError:
        normalized = None
    if normalized is None and not account_no:
        return []
    who = []
    if normalized:
        who.append(Case.phone == normalized)
    if account_no:
        who.append(Case.account_no == account_no)
    with desk.db.read() as session:
        query = scope_filter(select(Case).where(or_(*who), Case.deleted_at.is_(None)), actor)
        rows = session.scalars(query.order_by(Case.created_at.desc()).limit(HISTORY_LIMIT))
        return [case_row(c) for c in rows]


@dataclass(frozen=True)
class Suggestion:
    """What registering now would decide, shown before saving so staff are not surprised."""

    department: str | None
    priority: Priority
    severity: Severity
    repeat_of: list[str]


def suggest(
    desk: Desk,
    actor: Actor,
    *,
    category: str,
    phone: str | None = None,
    account_no: str | None = None,
    severity: Severity | None = None,
    urgent: bool = False,
) -> Suggestion:
    now = desk.clock.now()
    with desk.db.read() as session:
        policy = office_rules(session, actor.office_code).policy
        department = category_departments(session).get(category)
    history = customer_history(desk, actor, phone or "", account_no)
    # Every row of the history is this customer already; the rule then checks category and window.
    repeat_of = rules.find_repeats(
        phone="",
        account_no=None,
        category=category,
        at=now,
        window_days=policy.repeat_window_days,
        earlier=[
            rules.PriorCase(r.case_no, "", None, r.category, Severity(r.severity), r.created_at)
            for r in history
        ],
    )
    effective = rules.effective_severity(severity, urgent)
    priority = rules.effective_priority(None, severity=effective, urgent=urgent, is_repeat=bool(repeat_of))
    return Suggestion(department=department, priority=priority, severity=effective, repeat_of=repeat_of)
