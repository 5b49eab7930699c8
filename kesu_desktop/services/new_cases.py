"""The rows of a brand-new case, built once for both writers of new cases: registration and import.

Both write through the bulk path (storage/bulk.py): one INSERT per table and one flush, nothing read
back. What the rows say is decided by ``registration.registered_event`` (the fields) and by the same
functions ``unit.record`` uses (the next-due instant, the watcher's next look), so a case says the same
whether it was registered at the counter or imported from an old register.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from kesu_desktop.domain.ids import uuid7
from kesu_desktop.domain.policy import Policy
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.unit import add_next_due, next_look
from kesu_desktop.storage import search
from kesu_desktop.storage.bulk import CaseTables
from kesu_desktop.storage.eventlog import event_payload
from kesu_desktop.storage.tokens import index_tokens


@dataclass
class NewCase:
    """One new case's rows, ready for ``CaseTables.params``; ``case`` has every column as an attribute."""

    case: SimpleNamespace
    event: dict[str, Any]
    watch: dict[str, Any]
    document: tuple[uuid.UUID, list[str], str]


def new_case_rows(
    tables: CaseTables,
    desk: Desk,
    actor: Actor,
    fields: dict[str, Any],
    info: dict[str, Any],
    policy: Policy,
    *,
    at: datetime,
    now: datetime,
) -> NewCase:
    """The case row (columns not in ``fields`` at their defaults), its ``registered`` event at ``at``,
    its watch entry seen from ``now`` and its search entry."""
    case = SimpleNamespace(**tables.cases.defaults)
    add_next_due(case, fields)
    hlc = desk.stamp()
    payload = event_payload(fields, {**info, "base": hlc})
    for name, value in fields.items():
        setattr(case, name, value.astimezone(UTC) if isinstance(value, datetime) else value)
    case.last_hlc = hlc
    case.updated_at = at
    event = {
        "id": uuid7(),
        "case_id": case.id,
        "hlc": hlc,
        "node_id": desk.node_id,
        "actor_id": actor.id,
        "actor": actor.username,
        "kind": "registered",
        "at": at,
        "payload": payload,
    }
    watch = {"case_id": case.id, "next_alert_at": next_look(case, policy, now)}
    texts = search.case_texts(case)
    return NewCase(case, event, watch, (case.id, index_tokens(texts), search.folded_text(texts)))
