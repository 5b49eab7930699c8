"""Appending events and projecting them onto the case row, in one transaction.

An event's payload carries ``set``: the field values the event gives the case. The projection is the
fold of those ``set`` maps in HLC order, which is why replaying the log (sync, repair, audit) rebuilds
exactly the row the desk wrote.

Every event is also a link in its node's hash chain: it carries its place in the chain (``seq``), the
SHA-256 of the node's previous event (``prev_hash``) and of its own canonical content (``hash``,
``event_hash``). The chain head (``node_chain_heads``) is read and advanced in the writing transaction
(SQLite: under BEGIN IMMEDIATE; PostgreSQL: the head row locked FOR UPDATE), so the CLI and the desktop
sharing one node id never fork it; the unique (node_id, seq) index would refuse a fork anyway. Chains
are per node, so sync can carry many nodes' chains side by side unchanged.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from kesu_desktop.storage.models import Case, CaseEvent, NodeChainHead
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


#: ``prev_hash`` of a node's first event.
GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """The one spelling of a JSON value that is hashed: sorted keys, no whitespace, text as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_body(
    *,
    event_id: uuid.UUID,
    case_id: uuid.UUID,
    hlc: str,
    node_id: str,
    actor_id: uuid.UUID | None,
    actor: str,
    kind: str,
    at: datetime,
    payload: Mapping[str, Any],
) -> str:
    """The canonical JSON of an event's content without its chain link (``chain_hash`` adds it).

    Separate so the bulk loader can make it in its worker processes and chain in the writing one.
    """
    return canonical_json(
        {
            "actor": actor,
            "actor_id": None if actor_id is None else str(actor_id),
            "at": at.astimezone(UTC).isoformat(),
            "case_id": str(case_id),
            "hlc": hlc,
            "id": str(event_id),
            "kind": kind,
            "node_id": node_id,
            "payload": payload,
        }
    )


def chain_hash(body: str, prev_hash: str) -> str:
    """SHA-256 of the canonical JSON of the content plus ``prev_hash`` (which sorts after every other key,
    so this is exactly ``canonical_json`` of the whole record)."""
    record = f'{body[:-1]},"prev_hash":"{prev_hash}"}}'
    # surrogatepass: a lone surrogate that reached a payload before the input boundary still hashes.
    return hashlib.sha256(record.encode("utf-8", "surrogatepass")).hexdigest()


def event_hash(event: CaseEvent | Any) -> str:
    """The hash an event (an ORM row or any row with the same attributes) should carry."""
    body = event_body(
        event_id=event.id,
        case_id=event.case_id,
        hlc=event.hlc,
        node_id=event.node_id,
        actor_id=event.actor_id,
        actor=event.actor,
        kind=event.kind,
        at=event.at,
        payload=event.payload,
    )
    return chain_hash(body, event.prev_hash)


@dataclass
class Head:
    """A node's chain head as read (and then advanced) inside one write transaction."""

    node_id: str
    last_event_id: uuid.UUID | None
    last_hash: str
    count: int


_HEADS = NodeChainHead.__table__
# Built once: the chain head is read and stored on every event, and building a statement (coercing
# its clauses, computing its cache key) cost more than running it.
_READ_HEAD = (
    select(_HEADS.c.last_event_id, _HEADS.c.last_hash, _HEADS.c.count)
    .where(_HEADS.c.node_id == bindparam("node"))
    .with_for_update()
)
_STORE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.node_id == bindparam("node"))
    .values(last_event_id=bindparam("last_event"), last_hash=bindparam("last_digest"), count=bindparam("n"))
)


def lock_head(session: Session, node_id: str) -> Head:
    """The node's chain head, locked for this transaction (made on the node's first event).

    The SQLite write transaction already holds the database's write lock (BEGIN IMMEDIATE); on
    PostgreSQL FOR UPDATE makes a second writer of the same node wait here until this one commits.
    The head is read with Core, not the ORM, so a head another process advanced is never read from
    this session's identity map.
    """
    row = session.execute(_READ_HEAD, {"node": node_id}).one_or_none()
    if row is None:
        values = {"node_id": node_id, "last_event_id": None, "last_hash": GENESIS, "count": 0}
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            session.execute(pg_insert(_HEADS).values(values).on_conflict_do_nothing())
        else:
            session.execute(insert(_HEADS).values(values))
        row = session.execute(_READ_HEAD, {"node": node_id}).one()
    return Head(node_id, row[0], row[1], row[2])


def advance_head(session: Session, head: Head) -> None:
    """Store the head after the events chained onto it in this transaction."""
    session.execute(
        _STORE_HEAD,
        {
            "node": head.node_id,
            "last_event": head.last_event_id,
            "last_digest": head.last_hash,
            "n": head.count,
        },
    )


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
    head: Head | None = None,
) -> CaseEvent:
    """Record one event, chained onto its node's head, and apply its changes to the (already added) case
    row. Costs one indexed read and one update of the node's head row; with ``head`` (locked by the
    caller, who stores it once after all its events: ``advance_head``) neither.

    The payload also records ``base``, the case's last stamp the writer saw: two events of different
    nodes where neither saw the other are concurrent, which is how sync finds conflicts (domain/merge.py).
    """
    payload = event_payload(changes, {**(info or {}), "base": case.last_hlc})
    apply_changes(case, payload["set"])
    case.last_hlc = hlc
    case.updated_at = at
    chained_alone = head is None
    if head is None:
        head = lock_head(session, node_id)
    elif head.node_id != node_id:
        raise ValueError(f"an event of node {node_id} chained onto the head of {head.node_id}")
    fields: dict[str, Any] = {
        "case_id": case.id,
        "hlc": hlc,
        "node_id": node_id,
        "actor_id": actor_id,
        "actor": actor,
        "kind": kind,
        "at": at,
        "payload": payload,
    }
    digest = chain_hash(event_body(event_id=event_id, **fields), head.last_hash)
    event = CaseEvent(
        id=event_id,
        **fields,
        seq=head.count + 1,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(event)
    head.last_event_id, head.last_hash, head.count = event_id, digest, head.count + 1
    if chained_alone:
        advance_head(session, head)
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
