"""Priority, severity, repeat-complaint and mass-complaint rules, and SLA deadlines.

Pure functions over plain values, so the service layer, the deadline watcher and sync replay all
reach the same answer from the same facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kesu_desktop.domain.calendar import BusinessCalendar
from kesu_desktop.domain.enums import Priority, Severity, stricter
from kesu_desktop.domain.policy import Policy


def calendar_for(policy: Policy, overrides: dict | None = None) -> BusinessCalendar:
    return BusinessCalendar(
        hours=policy.working_hours,
        tz=policy.timezone,
        overrides=overrides or {},
        use_statutory=policy.use_statutory_holidays,
    )


def effective_severity(requested: Severity | None, urgent: bool) -> Severity:
    """Urgent complaints (safety, major property loss) are at least major; the default is general."""
    severity = requested or Severity.GENERAL
    if urgent and severity.rank < Severity.MAJOR.rank:
        return Severity.MAJOR
    return severity


def effective_priority(
    requested: Priority | None, *, severity: Severity, urgent: bool, is_repeat: bool
) -> Priority:
    """The stricter of what staff chose and the floors in docs/domain.md (urgent → P0; repeat/major → P1)."""
    priority = requested or Priority.P2
    if urgent:
        priority = Priority.P0
    if is_repeat or severity.rank >= Severity.MAJOR.rank:
        priority = stricter(priority, Priority.P1)
    return priority


@dataclass(frozen=True)
class PriorCase:
    """An earlier complaint as the repeat and mass rules see it."""

    case_no: str
    phone: str
    account_no: str | None
    category: str
    severity: Severity
    created_at: datetime
    closed: bool = False


def find_repeats(
    *,
    phone: str,
    account_no: str | None,
    category: str,
    at: datetime,
    earlier: Iterable[PriorCase],
    window_days: int,
) -> list[str]:
    """Earlier cases of the same customer (phone or account) and category within the window."""
    since = at - timedelta(days=window_days)
    return sorted(
        c.case_no
        for c in earlier
        if c.category == category
        and since <= c.created_at <= at
        and (c.phone == phone or (account_no and c.account_no == account_no))
    )


def mass_complaint_group(
    *, category: str, severity: Severity, at: datetime, recent: Sequence[PriorCase], policy: Policy
) -> list[str]:
    """Case numbers of the earlier general complaints that, with this one, make a mass complaint.

    docs/domain.md: three general complaints of the same category within one week — the third, and the
    group, become major. Returns an empty list when the rule does not fire.
    """
    if severity is not Severity.GENERAL:
        return []
    since = at - timedelta(days=policy.mass_complaint_days)
    group = [
        c.case_no
        for c in recent
        if c.category == category and c.severity is Severity.GENERAL and since < c.created_at <= at
    ]
    return sorted(group) if len(group) + 1 >= policy.mass_complaint_count else []


@dataclass(frozen=True)
class Deadlines:
    respond_by: datetime
    resolve_by: datetime
    update_by: datetime


def case_deadlines(
    policy: Policy, calendar: BusinessCalendar, *, priority: Priority, severity: Severity, start: datetime
) -> Deadlines:
    """Deadlines from registration: the priority clock, tightened for major and serious complaints."""
    clock = policy.clock(priority)
    respond = calendar.add(start, clock.respond)
    resolve = calendar.add(start, clock.resolve)
    if severity.rank >= Severity.MAJOR.rank:
        respond = min(respond, calendar.add(start, policy.major_respond))
        resolve = min(
            resolve, calendar.add(start, policy.major_resolve), calendar.add(start, policy.major_resolve_cap)
        )
    return Deadlines(respond_by=respond, resolve_by=resolve, update_by=calendar.add(start, clock.update))


def next_update_by(
    policy: Policy, calendar: BusinessCalendar, priority: Priority, last_update: datetime
) -> datetime:
    return calendar.add(last_update, policy.clock(priority).update)


def plan_by(
    policy: Policy, calendar: BusinessCalendar, priority: Priority, assigned_at: datetime
) -> datetime:
    span = policy.plan_within_p0 if priority is Priority.P0 else policy.plan_within
    return calendar.add(assigned_at, span)


def survey_by(policy: Policy, calendar: BusinessCalendar, confirmed_at: datetime) -> datetime:
    return calendar.add(confirmed_at, policy.survey_within)
