"""Plain data the services hand out (never ORM objects), and their JSON form for the CLI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kesu_desktop.storage.models import Case, CaseEvent


@dataclass(frozen=True)
class EventView:
    id: uuid.UUID
    kind: str
    actor: str
    at: datetime
    hlc: str
    node_id: str
    payload: dict[str, Any]

    @classmethod
    def of(cls, event: CaseEvent) -> EventView:
        return cls(event.id, event.kind, event.actor, event.at, event.hlc, event.node_id, dict(event.payload))


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
    survey_efficiency: int | None
    survey_attitude: int | None
    survey_solution: int | None
    registered_by: str
    created_at: datetime
    updated_at: datetime
    repeat_of: list[str] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)

    @classmethod
    def of(
        cls, case: Case, *, repeat_of: list[str] | None = None, events: list[CaseEvent] | None = None
    ) -> CaseView:
        names = {f.name for f in fields(cls)} - {"repeat_of", "events", "department"}
        values = {name: getattr(case, name) for name in names}
        return cls(
            **values,
            department=case.department_code,
            repeat_of=repeat_of or [],
            events=[EventView.of(e) for e in events or []],
        )

    def to_json(self, tz: str = "Asia/Shanghai") -> dict[str, Any]:
        zone = ZoneInfo(tz)

        def conv(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.astimezone(zone).isoformat()
            if isinstance(value, uuid.UUID):
                return str(value)
            return value

        out = {f.name: conv(getattr(self, f.name)) for f in fields(self) if f.name != "events"}
        out["events"] = [
            {
                "id": str(e.id),
                "kind": e.kind,
                "actor": e.actor,
                "at": conv(e.at),
                "hlc": e.hlc,
                "details": {k: v for k, v in e.payload.items() if k != "set"},
                "changes": e.payload.get("set", {}),
            }
            for e in self.events
        ]
        return out


@dataclass(frozen=True)
class CaseRow:
    """One line of a case list: only what the list shows."""

    id: uuid.UUID
    case_no: str
    status: str
    customer_name: str
    phone: str
    category: str
    severity: str
    priority: str
    department: str | None
    assignee: str | None
    created_at: datetime
    next_due_at: datetime | None

    def to_json(self, tz: str = "Asia/Shanghai") -> dict[str, Any]:
        zone = ZoneInfo(tz)
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.astimezone(zone).isoformat()
            elif isinstance(value, uuid.UUID):
                value = str(value)
            out[f.name] = value
        return out


@dataclass(frozen=True)
class DueItem:
    case_no: str
    deadline: str
    due_at: datetime
    state: str
    priority: str
    status: str

    def to_json(self, tz: str = "Asia/Shanghai") -> dict[str, Any]:
        return {
            "case_no": self.case_no,
            "deadline": self.deadline,
            "due_at": self.due_at.astimezone(ZoneInfo(tz)).isoformat(),
            "state": self.state,
            "priority": self.priority,
            "status": self.status,
        }
