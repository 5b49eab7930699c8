"""Merging what offices wrote apart: the rules every node applies identically, so all converge.

A case's state is the fold of its events' ``set`` maps in one total order, ``(hlc, node_id, id)``:
for a single-valued field the later write wins, the node id breaking a tie of stamps. Nothing is
dropped, though. Two events are **concurrent** when neither writer had seen the other: each event
records ``base``, the case's last stamp when it was written, so an earlier event ``f`` was unseen by a
later event ``e`` of another node exactly when ``f.hlc > e.base``. For concurrent events this module
names

- a **field conflict** when both set one single-valued field to different values: the later value is
  kept, the other is the lost value a supervisor sees and can re-apply;
- a **workflow clash** when either changed the case's status (one closed it while the other logged a
  new call, escalated, …): the case is flagged for review, and the timeline shows both events.

Pure functions of the events, so every node derives the same conflicts from the same events, in any
order of arrival. A conflict is resolved by a later ``conflict_resolved`` event naming it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Fields one person decides: a concurrent second write is a conflict, not silently merged.
SINGLE_VALUED = frozenset(
    {
        "priority",
        "severity",
        "category",
        "assignee",
        "assignee_id",
        "department_code",
        "description",
        "demand",
        "customer_name",
        "phone",
        "phone_ext",
        "email",
        "address",
        "account_no",
        "validity",
        "urgent",
    }
)
#: The event kind that settles a conflict (payload ``conflict``: the conflict's id).
RESOLVED_KIND = "conflict_resolved"


@dataclass(frozen=True)
class MergeEvent:
    """What merging needs of an event."""

    id: str
    hlc: str
    node_id: str
    actor: str
    kind: str
    changes: Mapping[str, Any]
    base: str | None
    resolves: str | None = None


@dataclass(frozen=True)
class Conflict:
    id: str
    kind: str  # "field" or "workflow"
    field: str
    kept: Any
    lost: Any
    kept_by: str
    lost_by: str
    kept_event_id: str
    lost_event_id: str
    resolved: bool


def order_key(event: MergeEvent) -> tuple[str, str, str]:
    return (event.hlc, event.node_id, event.id)


def concurrent(earlier: MergeEvent, later: MergeEvent) -> bool:
    """True when ``later`` was written without having seen ``earlier`` (on another node)."""
    if earlier.node_id == later.node_id or later.base is None:
        return False
    return earlier.hlc > later.base


def conflict_id(lost_event_id: str, field: str) -> str:
    return f"{lost_event_id}:{field}"


def conflicts(events: Iterable[MergeEvent]) -> list[Conflict]:
    """Every conflict among a case's events (any order given), with whether it was resolved."""
    ordered = sorted(events, key=order_key)
    resolved = {e.resolves for e in ordered if e.resolves}
    found: dict[str, Conflict] = {}
    for i, later in enumerate(ordered):
        if later.base is None:
            continue
        for earlier in ordered[:i]:
            if not concurrent(earlier, later):
                continue
            for conflict in _between(earlier, later):
                found.setdefault(conflict.id, _with_resolution(conflict, resolved))
    return sorted(found.values(), key=lambda c: c.id)


def _with_resolution(conflict: Conflict, resolved: set[str | None]) -> Conflict:
    if conflict.id not in resolved:
        return conflict
    return Conflict(**{**conflict.__dict__, "resolved": True})


def _between(earlier: MergeEvent, later: MergeEvent) -> list[Conflict]:
    out: list[Conflict] = []
    for field in sorted(SINGLE_VALUED & earlier.changes.keys() & later.changes.keys()):
        if earlier.changes[field] != later.changes[field]:
            out.append(
                Conflict(
                    id=conflict_id(earlier.id, field),
                    kind="field",
                    field=field,
                    kept=later.changes[field],
                    lost=earlier.changes[field],
                    kept_by=later.actor,
                    lost_by=earlier.actor,
                    kept_event_id=later.id,
                    lost_event_id=earlier.id,
                    resolved=False,
                )
            )
    if "status" in earlier.changes or "status" in later.changes:
        out.append(
            Conflict(
                id=conflict_id(earlier.id, "status"),
                kind="workflow",
                field="status",
                kept=later.kind,
                lost=earlier.kind,
                kept_by=later.actor,
                lost_by=earlier.actor,
                kept_event_id=later.id,
                lost_event_id=earlier.id,
                resolved=False,
            )
        )
    return out


def open_conflicts(found: Sequence[Conflict]) -> list[Conflict]:
    return [c for c in found if not c.resolved]
