"""Appending events and projecting them onto the case row, in one transaction.

An event's payload carries ``set``: the field values the event gives the case. The projection is the
fold of those ``set`` maps in HLC order, which is why replaying the log (sync, repair, audit) rebuilds
exactly the row the desk wrote.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.storage.models import Case, CaseEvent
from kesu_desktop.storage.types import UTCDateTime

_DATETIME_FIELDS = frozenset(c.key for c in Case.__table__.columns if isinstance(c.type, UTCDateTime))
_UUID_FIELDS = frozenset({"id", "assignee_id"})


def to_json_value(value: Any) -> Any:
    """Make a field value JSON-safe in a form from_json_value reads back exactly."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def from_json_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in _DATETIME_FIELDS:
        return datetime.fromisoformat(value)
    if field in _UUID_FIELDS:
        return uuid.UUID(value)
    return value


def json_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: to_json_value(v) for k, v in changes.items()}


def event_payload(changes: Mapping[str, Any], info: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """An event's stored payload: its ``set`` map plus the details, all JSON-safe.

    One function for every writer (``append`` and the bulk loader of kesu_desktop.devtools), so an event
    says the same thing however it was written.
    """
    return {"set": json_changes(changes), **{k: to_json_value(v) for k, v in (info or {}).items()}}


def apply_changes(case: Case, changes: Mapping[str, Any]) -> None:
    for field, value in changes.items():
        setattr(case, field, from_json_value(field, value))


def append(
    session: Session,
    case: Case,
    *,
    event_id: uuid.UUID,
    kind: str,
    actor_id: uuid.UUID | None,
    actor: str,
    at: datetime,
    hlc: str,
    node_id: str,
    changes: Mapping[str, Any],
    info: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Record one event and apply its changes to the (already added) case row."""
    payload = event_payload(changes, info)
    apply_changes(case, payload["set"])
    case.last_hlc = hlc
    case.updated_at = at
    event = CaseEvent(
        id=event_id,
        case_id=case.id,
        hlc=hlc,
        node_id=node_id,
        actor_id=actor_id,
        actor=actor,
        kind=kind,
        at=at,
        payload=payload,
    )
    session.add(event)
    return event


def events_of(session: Session, case_id: uuid.UUID) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.hlc, CaseEvent.node_id, CaseEvent.id)
        )
    )


def replay(events: list[CaseEvent]) -> dict[str, Any]:
    """The case fields implied by a list of events in order (used to check and rebuild projections)."""
    state: dict[str, Any] = {}
    for event in events:
        for field, value in event.payload.get("set", {}).items():
            state[field] = from_json_value(field, value)
    return state
