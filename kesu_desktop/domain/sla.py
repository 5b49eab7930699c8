"""Which deadlines of a case are still running, and how close each is (ok / due soon / overdue).

Kept apart from the deadline arithmetic so the list badge, the CLI's ``due`` and the watcher all
classify a case the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from kesu_desktop.domain.enums import Status

_WORKING_STATES = frozenset(
    {
        Status.REGISTERED,
        Status.VERIFIED,
        Status.ASSIGNED,
        Status.PLAN_PROPOSED,
        Status.IN_PROGRESS,
        Status.ESCALATED,
    }
)


class SlaState(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class CaseClock:
    status: Status
    created_at: datetime
    respond_by: datetime | None
    responded_at: datetime | None
    plan_by: datetime | None
    resolve_by: datetime | None
    update_by: datetime | None
    survey_by: datetime | None
    callback_by: datetime | None


def pending_deadlines(c: CaseClock) -> dict[str, datetime]:
    """The deadlines not yet met, keyed by the names `kesu due` reports."""
    if c.status is Status.CLOSED:
        return {}
    due: dict[str, datetime] = {}
    if c.responded_at is None and c.respond_by is not None:
        due["respond"] = c.respond_by
    if c.status is Status.ASSIGNED and c.plan_by is not None:
        due["plan"] = c.plan_by
    if c.status in _WORKING_STATES:
        if c.resolve_by is not None:
            due["resolve"] = c.resolve_by
        if c.update_by is not None:
            due["update"] = c.update_by
    if c.status is Status.CONFIRMED and c.survey_by is not None:
        due["survey"] = c.survey_by
    if c.callback_by is not None:
        due["callback"] = c.callback_by
    return due


def next_due(c: CaseClock) -> datetime | None:
    pending = pending_deadlines(c)
    return min(pending.values()) if pending else None


def sla_state(
    due_at: datetime,
    *,
    started_at: datetime,
    at: datetime,
    share: float = 0.2,
    minimum_lead: timedelta = timedelta(minutes=30),
) -> SlaState:
    """Due soon once inside the larger of a share of the window and a fixed lead (DOMAIN defaults)."""
    if at >= due_at:
        return SlaState.OVERDUE
    lead = max((due_at - started_at) * share, minimum_lead)
    return SlaState.DUE_SOON if due_at - at <= lead else SlaState.OK
