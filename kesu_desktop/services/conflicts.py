"""Conflicts after offices worked apart: listing them (冲突) and settling them with one action.

What a conflict is comes from domain/merge.py; the rows in ``case_conflicts`` are derived from a
case's events whenever sync brings new ones, and again here when a supervisor settles one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain import merge, timeline
from kesu_desktop.domain.enums import Priority, Role, Severity
from kesu_desktop.domain.errors import NotAllowed, NotFound
from kesu_desktop.domain.privacy import phone_for
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.live import field_labels
from kesu_desktop.services.unit import in_scope, record, scope_filter
from kesu_desktop.storage import eventlog, search
from kesu_desktop.storage.models import Case, CaseConflict

#: Who sees and settles conflicts.
SETTLERS = (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class ConflictView:
    """A conflict as the reader may see it (a phone number masked as everywhere else)."""

    id: str
    case_no: str
    kind: str
    field: str
    kept: Any
    lost: Any
    kept_by: str
    lost_by: str
    resolved: bool
    #: The field's name as users know it (for a workflow clash, 流程), and the two values as shown
    #: (labels for codes, the events' names for a workflow clash); the JSON keeps the codes.
    field_label: str = ""
    kept_text: Any = None
    lost_text: Any = None

    def as_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for shown in ("field_label", "kept_text", "lost_text"):
            out.pop(shown)
        return out


def merge_event(e: Any) -> merge.MergeEvent:
    """What merging needs of an event (an ORM row or any object with its attributes)."""
    return merge.MergeEvent(
        id=str(e.id),
        hlc=e.hlc,
        node_id=e.node_id,
        actor=e.actor,
        kind=e.kind,
        changes=e.payload.get("set") or {},
        base=e.payload.get("base"),
        resolves=e.payload.get("conflict") if e.kind == merge.RESOLVED_KIND else None,
    )


def derive_conflicts(session: Session, case_id: uuid.UUID, events: Sequence[Any] | None = None) -> None:
    """Bring the case's ``case_conflicts`` rows in line with its events (same result on every node).

    ``events``: all the case's events when the caller has them at hand (sync's apply), else read.
    Events of one node only can never conflict, so such a case costs nothing.
    """
    every = eventlog.events_of(session, case_id) if events is None else events
    if len({e.node_id for e in every}) < 2:
        return
    for c in merge.conflicts(merge_event(e) for e in every):
        row = session.get(CaseConflict, c.id)
        if row is None:
            row = CaseConflict(id=c.id, case_id=case_id, lost=c.lost, lost_by=c.lost_by)
            row.kind, row.field, row.lost_event_id = c.kind, c.field, uuid.UUID(c.lost_event_id)
            session.add(row)
        row.kept, row.kept_by, row.kept_event_id = c.kept, c.kept_by, uuid.UUID(c.kept_event_id)
        row.resolved = c.resolved
    session.flush()


def _enum_label(enum: Any, value: Any) -> Any:
    try:
        return enum(value).label
    except ValueError:
        return value


def _view(row: CaseConflict, case_no: str, actor: Actor) -> ConflictView:
    kept, lost = row.kept, row.lost
    if row.field == "phone":
        kept, lost = (None if v is None else phone_for(actor.role, str(v)) for v in (kept, lost))
    kept_text, lost_text = kept, lost
    enum = {"priority": Priority, "severity": Severity}.get(row.field)
    if enum is not None:
        kept_text, lost_text = (_enum_label(enum, v) for v in (kept, lost))
    if row.kind == "workflow":
        label = _("流程")
        kept_text, lost_text = timeline.kind_label(str(kept)), timeline.kind_label(str(lost))
    else:
        label = field_labels().get(row.field, row.field)
    return ConflictView(
        id=row.id,
        case_no=case_no,
        kind=row.kind,
        field=row.field,
        kept=kept,
        lost=lost,
        kept_by=row.kept_by,
        lost_by=row.lost_by,
        resolved=row.resolved,
        field_label=label,
        kept_text=kept_text,
        lost_text=lost_text,
    )


def conflicts_for(desk: Desk, actor: Actor, *, include_resolved: bool = False) -> list[ConflictView]:
    """The conflicts within the actor's scope, open ones only unless asked (supervisors and up)."""
    if actor.role not in SETTLERS:
        raise NotAllowed(_("只有主管、经理或管理员可以查看冲突"))
    with desk.db.read() as session:
        query = scope_filter(
            select(CaseConflict, Case.case_no).join(Case, Case.id == CaseConflict.case_id), actor
        ).order_by(Case.case_no, CaseConflict.id)
        if not include_resolved:
            query = query.where(CaseConflict.resolved.is_(False))
        return [_view(row, no, actor) for row, no in session.execute(query)]


def resolve_conflict(desk: Desk, actor: Actor, conflict_id: str, *, reapply: bool) -> ConflictView:
    """Settle a conflict: ``reapply`` writes the lost value again (a field conflict), else the kept
    value stands. Either way a ``conflict_resolved`` event records who decided, on every node."""
    if actor.role not in SETTLERS:
        raise NotAllowed(_("只有主管、经理或管理员可以处理冲突"))
    with desk.db.write() as session:
        row = session.get(CaseConflict, conflict_id)
        case = None if row is None else session.get(Case, row.case_id, with_for_update=True)
        if row is None or case is None or not in_scope(case, actor):
            raise NotFound(_("冲突“{id}”不存在或不在您的查看范围内").format(id=conflict_id), field="conflict")
        if row.resolved:
            raise NotAllowed(_("该冲突已处理"))
        changes: dict[str, Any] = {}
        if reapply and row.kind == "field":
            changes[row.field] = eventlog.from_json_value(row.field, row.lost)
        before = search.case_texts(case)
        info = {"conflict": row.id, "field": row.field, "reapplied": bool(changes)}
        record(session, desk, case, actor, merge.RESOLVED_KIND, changes, info)
        if search.case_texts(case) != before:
            search.index_case(session, case, before)
        derive_conflicts(session, case.id)
        return _view(session.get(CaseConflict, conflict_id), case.case_no, actor)  # type: ignore[arg-type]
