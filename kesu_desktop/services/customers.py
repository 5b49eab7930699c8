"""What the counter needs while typing: the customer's earlier cases, and what the rules will decide."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select

from kesu_desktop.domain import rules
from kesu_desktop.domain.enums import Priority, Severity
from kesu_desktop.domain.validation import normalize_phone
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.queries import case_rows
from kesu_desktop.services.reference import category_departments, office_rules
from kesu_desktop.services.unit import scope_filter
from kesu_desktop.services.views import CaseRow
from kesu_desktop.storage.models import Case

HISTORY_LIMIT = 20


def customer_query(phone: str, account_no: str | None) -> Select[tuple[Case]] | None:
    """All cases of one customer (same phone or account), newest first; None when neither is usable."""
    try:
        normalized = normalize_phone(phone) if phone else None
    except ValueError:
        normalized = None
    who = ([Case.phone == normalized] if normalized else []) + (
        [Case.account_no == account_no] if account_no else []
    )
    if not who:
        return None
    return select(Case).where(or_(*who), Case.deleted_at.is_(None)).order_by(Case.created_at.desc())


def customer_history(desk: Desk, actor: Actor, phone: str, account_no: str | None = None) -> list[CaseRow]:
    """Earlier cases of this phone (or account) the user may see, newest first; [] while still typing.

    The rows' phones are as the user may see them, like every case the services hand out.
    """
    query = customer_query(phone, account_no)
    if query is None:
        return []
    with desk.db.read() as session:
        return case_rows(session, actor, session.scalars(scope_filter(query, actor).limit(HISTORY_LIMIT)))


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
    priority: Priority | None = None,
    urgent: bool = False,
) -> Suggestion:
    now = desk.clock.now()
    with desk.db.read() as session:
        policy = office_rules(session, actor.office_code).policy
        department = category_departments(session).get(category)
        # The repeat rule looks across all offices, as registration does; only case numbers are shown.
        query = customer_query(phone or "", account_no)
        rows = session.scalars(query.limit(HISTORY_LIMIT * 5)) if query is not None else []
        earlier = [
            rules.PriorCase(c.case_no, "", None, c.category, Severity(c.severity), c.created_at)
            for c in rows
            if c.validity != "invalid"
        ]
    repeat_of = rules.find_repeats(
        phone="",
        account_no=None,
        category=category,
        at=now,
        window_days=policy.repeat_window_days,
        earlier=earlier,
    )
    effective = rules.effective_severity(severity, urgent)
    priority = rules.effective_priority(
        priority, severity=effective, urgent=urgent, is_repeat=bool(repeat_of)
    )
    return Suggestion(department=department, priority=priority, severity=effective, repeat_of=repeat_of)
