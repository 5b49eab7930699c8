"""Plain data the services hand out (never ORM objects), and their JSON form for the CLI.

A view is what its reader may see and do, already decided: the phone masked for roles that may not see
it (``domain.privacy``), the actions the reader may take now (``domain.workflow``, the table the services
enforce), the deadline windows (``domain.sla``) and the timeline lines. Front ends draw these; they
never re-derive a rule. Times stay UTC instants here; ``to_json`` and every front end show them in the
zone the actor carries (``domain.localtime``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from kesu_desktop.domain import sla
from kesu_desktop.domain.enums import Action
from kesu_desktop.domain.localtime import Zone, local_iso
from kesu_desktop.domain.sla import SlaState
from kesu_desktop.domain.text import escape_unencodable
from kesu_desktop.i18n import join_clauses
from kesu_desktop.storage.models import Case, CaseEvent


def _json(value: Any, zone: Zone) -> Any:
    if isinstance(value, datetime):
        return local_iso(value, zone)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Action):
        return value.value
    if isinstance(value, tuple | list):
        return [_json(v, zone) for v in value]
    return value


@dataclass(frozen=True)
class EventView:
    id: uuid.UUID
    kind: str
    actor: str
    at: datetime
    hlc: str
    node_id: str
    #: The event's details and its field changes (``set``), the phone masked as for the case's reader.
    payload: dict[str, Any]

    @classmethod
    def of(cls, event: CaseEvent, payload: dict[str, Any] | None = None) -> EventView:
        return cls(
            event.id,
            event.kind,
            event.actor,
            event.at,
            event.hlc,
            event.node_id,
            # A payload stored before the input boundary may hold lone surrogates: shown named, never a crash.
            escape_unencodable(dict(event.payload) if payload is None else payload),
        )


@dataclass(frozen=True)
class DeadlineView:
    """One deadline of a case as the detail shows it: when it falls due and, while it runs, its window."""

    #: ``respond``, ``plan``, ``resolve``, ``update``, ``survey`` or ``callback`` (as ``kesu due`` says).
    name: str
    due_at: datetime
    #: When it turns "due soon" under the office's policy; None when it is not running (met, paused,
    #: or not in this state), so it has no badge.
    soon_at: datetime | None
    #: The response or resolution it asks for has happened.
    met: bool = False

    @property
    def pending(self) -> bool:
        return self.soon_at is not None

    def state_at(self, at: datetime) -> SlaState | None:
        """ok / due soon / overdue at ``at`` (a screen redraws this as time passes), None when not running."""
        return None if self.soon_at is None else sla.state_at(at, self.due_at, self.soon_at)


@dataclass(frozen=True)
class TimelineLine:
    """One line of the case's timeline in plain language, as the services word it."""

    at: datetime
    actor: str
    kind: str
    label: str
    summary: str
    #: The event's details with codes as names and instants as the reader's office time (never ``set``).
    details: dict[str, Any] = field(default_factory=dict)
    #: When the event was really recorded (its HLC), if more than five minutes from its stated ``at``.
    recorded_at: datetime | None = None
    #: "记录于 …（所述时间 …）" when ``recorded_at`` is set, in the reader's office time; else "".
    recorded_note: str = ""

    @property
    def summary_with_note(self) -> str:
        """What the timeline's text column shows: the summary and, when they differ, the recorded time."""
        return join_clauses(text for text in (self.summary, self.recorded_note) if text)


@dataclass(frozen=True)
class CaseView:
    id: uuid.UUID
    case_no: str
    status: str
    office_code: str
    reg_department_code: str
    department: str | None
    assignee: str | None
    customer_name: str
    #: As the reader may see it: the stored E.164 number, or its masked form (``domain.privacy``).
    phone: str
    email: str | None
    address: str | None
    account_no: str | None
    member_level: str | None
    room_no: str | None
    employer: str | None
    channel: str
    occurred_at: datetime | None
    location: str | None
    product: str | None
    description: str
    demand: str | None
    category: str
    severity: str
    priority: str
    urgent: bool
    is_repeat: bool
    validity: str | None
    escalation_level: int
    respond_by: datetime | None
    plan_by: datetime | None
    resolve_by: datetime | None
    update_by: datetime | None
    survey_by: datetime | None
    callback_by: datetime | None
    next_due_at: datetime | None
    responded_at: datetime | None
    resolved_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None
    held_at: datetime | None
    survey_efficiency: int | None
    survey_attitude: int | None
    survey_solution: int | None
    registered_by: str
    created_at: datetime
    updated_at: datetime
    repeat_of: list[str] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    #: What the reader may do now, in workflow order: exactly what ``services.act`` would accept.
    allowed_actions: tuple[Action, ...] = ()
    #: Waiting on the customer or a third party: the resolution clock is paused (挂起).
    on_hold: bool = False
    #: The extension (分机) written after the phone number, digits only; None when there is none.
    phone_ext: str | None = None
    #: Some deadline falls in a year whose holidays are not loaded: counted Monday to Friday, an estimate.
    deadlines_estimated: bool = False
    #: The deadlines that are set, in a fixed order (respond, plan, resolve, update, survey, callback).
    deadlines: tuple[DeadlineView, ...] = ()
    timeline: tuple[TimelineLine, ...] = ()
    #: The case's ``last_hlc`` when this view was read: pass it back as ``expected_version`` so a write
    #: on a case another desk changed meanwhile is refused (``StaleCase``), never a silent overwrite.
    version: str = ""

    @classmethod
    def of(cls, case: Case, **given: Any) -> CaseView:
        """The case row's own fields, with what the services decided (``given``) on top."""
        values = {
            f.name: getattr(case, f.name)
            for f in fields(cls)
            if f.name not in given and f.name in Case.__table__.columns
        }
        values.setdefault("department", case.department_code)
        values.setdefault("version", case.last_hlc)
        return cls(**{**values, **given})

    def to_json(self, zone: Zone) -> dict[str, Any]:
        """The CLI's form: instants in ``zone`` (the actor's office zone), actions as codes."""
        skip = {"events", "deadlines", "timeline"}
        out = {f.name: _json(getattr(self, f.name), zone) for f in fields(self) if f.name not in skip}
        out["events"] = [
            {
                "id": str(e.id),
                "kind": e.kind,
                "actor": e.actor,
                "at": _json(e.at, zone),
                "hlc": e.hlc,
                "recorded_at": _json(line.recorded_at, zone) if line else None,
                "details": {k: v for k, v in e.payload.items() if k != "set"},
                "changes": e.payload.get("set", {}),
            }
            for e, line in zip(self.events, self._lines_by_event(), strict=True)
        ]
        return out

    def _lines_by_event(self) -> list[TimelineLine | None]:
        """The timeline line of each event (one each, in the same order), or None if none was built."""
        if len(self.timeline) == len(self.events):
            return list(self.timeline)
        return [None] * len(self.events)


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list: only what the list shows, decided for its reader as ``CaseView`` is."""

    id: uuid.UUID
    case_no: str
    status: str
    customer_name: str
    #: As the reader may see it (``domain.privacy``).
    phone: str
    category: str
    severity: str
    priority: str
    department: str | None
    assignee: str | None
    created_at: datetime
    next_due_at: datetime | None
    #: When the first of its running deadlines turns "due soon" (office policy); None when none runs.
    due_soon_at: datetime | None = None
    allowed_actions: tuple[Action, ...] = ()
    on_hold: bool = False

    def sla_state_at(self, at: datetime) -> SlaState | None:
        """The list badge at ``at``: the worst state of the case's running deadlines, None when none runs."""
        if self.next_due_at is None or self.due_soon_at is None:
            return None
        return sla.state_at(at, self.next_due_at, self.due_soon_at)

    def to_json(self, zone: Zone) -> dict[str, Any]:
        return {f.name: _json(getattr(self, f.name), zone) for f in fields(self)}


@dataclass(frozen=True)
class DueItem:
    case_no: str
    deadline: str
    due_at: datetime
    state: str
    priority: str
    status: str

    def to_json(self, zone: Zone) -> dict[str, Any]:
        return {
            "case_no": self.case_no,
            "deadline": self.deadline,
            "due_at": local_iso(self.due_at, zone),
            "state": self.state,
            "priority": self.priority,
            "status": self.status,
        }
