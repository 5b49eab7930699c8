"""Which deadlines of a case are still running, and how close each is (ok / due soon / overdue).

Kept apart from the deadline arithmetic so the list badge, the CLI's ``due``, the case detail and the
watcher all classify a case the same way. The watcher also asks *when* a case's state will next change
(``next_alert_at``), which is what lets it look only at the cases whose moment has come.
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
DEFAULT_SHARE = 0.2
DEFAULT_LEAD = timedelta(minutes=30)


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
    held_at: datetime | None = None
    confirmed_at: datetime | None = None


def pending_deadlines(c: CaseClock) -> dict[str, datetime]:
    """The deadlines not yet met, keyed by the names `kesu due` reports.

    While a case is on hold (waiting on the customer or a third party) its resolution clock is paused,
    so the resolve deadline is not pending; the customer must still be kept informed.
    """
    if c.status is Status.CLOSED:
        return {}
    due: dict[str, datetime] = {}
    if c.responded_at is None and c.respond_by is not None:
        due["respond"] = c.respond_by
    if c.status is Status.ASSIGNED and c.plan_by is not None and c.held_at is None:
        due["plan"] = c.plan_by
    if c.status in _WORKING_STATES:
        if c.resolve_by is not None and c.held_at is None:
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
    share: float = DEFAULT_SHARE,
    minimum_lead: timedelta = DEFAULT_LEAD,
) -> SlaState:
    """Due soon once inside the larger of a share of the window and a fixed lead (DOMAIN defaults)."""
    return state_at(at, due_at, due_at - lead(due_at, started_at, share, minimum_lead))


def state_at(at: datetime, due_at: datetime, soon_at: datetime) -> SlaState:
    """The state at ``at`` of a deadline due at ``due_at`` that turns "due soon" at ``soon_at``.

    Split out so that a screen holding both instants can redraw its badge as the clock moves on
    without asking the services again, and still apply exactly this rule.
    """
    if at >= due_at:
        return SlaState.OVERDUE
    return SlaState.DUE_SOON if at >= soon_at else SlaState.OK


def lead(due_at: datetime, started_at: datetime, share: float, minimum_lead: timedelta) -> timedelta:
    return max((due_at - started_at) * share, minimum_lead)


def window_start(c: CaseClock, deadline: str, due_at: datetime) -> datetime:
    """When a deadline's window opened: the case's registration, or for a survey its confirmation.

    Update and call-back deadlines are reset by every contact, so their window is taken as at most one
    day; a long-open case then does not look "due soon" for days before each update.
    """
    if deadline == "survey" and c.confirmed_at is not None:
        return c.confirmed_at
    if deadline in ("update", "callback"):
        return max(c.created_at, due_at - timedelta(days=1))
    return c.created_at


@dataclass(frozen=True)
class DeadlineState:
    deadline: str
    due_at: datetime
    state: SlaState


@dataclass(frozen=True)
class DeadlineWindow:
    """A pending deadline and the instant it starts being "due soon" (its state at any time follows)."""

    deadline: str
    due_at: datetime
    soon_at: datetime

    def state(self, at: datetime) -> SlaState:
        return state_at(at, self.due_at, self.soon_at)


def windows(
    c: CaseClock, share: float = DEFAULT_SHARE, minimum_lead: timedelta = DEFAULT_LEAD
) -> list[DeadlineWindow]:
    """Every pending deadline with the moment it turns due soon (independent of the time of asking)."""
    return [
        DeadlineWindow(name, due, due - lead(due, window_start(c, name, due), share, minimum_lead))
        for name, due in pending_deadlines(c).items()
    ]


def states(
    c: CaseClock, at: datetime, share: float = DEFAULT_SHARE, minimum_lead: timedelta = DEFAULT_LEAD
) -> list[DeadlineState]:
    """Every pending deadline with its state at ``at``."""
    return [DeadlineState(w.deadline, w.due_at, w.state(at)) for w in windows(c, share, minimum_lead)]


def next_alert_at(
    c: CaseClock,
    at: datetime,
    share: float = DEFAULT_SHARE,
    minimum_lead: timedelta = DEFAULT_LEAD,
    *,
    alerted: bool = False,
) -> datetime | None:
    """The next instant the watcher must look at this case, or None when nothing is left to announce.

    The watcher keeps this per case in an indexed column and, at each tick, looks only at the cases whose
    instant has passed, so its cost does not grow with closed or far-from-due cases. After a change to
    the case (``alerted=False``) a deadline already due soon or overdue needs a look now; after the
    watcher has announced the states at ``at`` (``alerted=True``) only later transitions count.
    """
    moments: list[datetime] = []
    for name, due in pending_deadlines(c).items():
        soon = due - lead(due, window_start(c, name, due), share, minimum_lead)
        if soon > at:
            moments.append(soon)
        elif due > at:
            moments.append(due if alerted else at)
        elif not alerted:
            moments.append(at)
    return min(moments) if moments else None
