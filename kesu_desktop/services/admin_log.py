"""The record of administrators' changes (users, offices, reference data, settings, calendar).

Every administration use case calls ``record_change`` inside its own write transaction, so the change
and its record commit together or not at all. The values are plain JSON (codes, names, flags; never a
password or its hash), enough to say who changed what from which value to which, and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.storage.models import AdminChange


@dataclass(frozen=True)
class ChangeView:
    """One recorded change, as the 管理 → 变更记录 list and ``kesu admin changes`` show it."""

    at: datetime
    actor: str
    entity: str
    entity_key: str
    before: Any
    after: Any

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "entity": self.entity,
            "key": self.entity_key,
            "before": self.before,
            "after": self.after,
        }


def record_change(
    session: Session, desk: Desk, actor: Actor, entity: str, key: str, before: Any, after: Any
) -> None:
    """Add the record of one change to the caller's transaction; nothing is recorded when nothing changed."""
    if before == after:
        return
    session.add(
        AdminChange(
            at=desk.wall.now(),
            actor=actor.username,
            node_id=desk.node_id,
            entity=entity,
            entity_key=key,
            before=before,
            after=after,
        )
    )


def list_changes(
    desk: Desk, actor: Actor, *, entity: str | None = None, key: str | None = None, limit: int = 200
) -> list[ChangeView]:
    """The newest changes first (administrators and managers: they answer for the set-up)."""
    if actor.role not in (Role.ADMIN, Role.MANAGER):
        raise NotAllowed(_("只有管理员或经理可以查看管理变更记录"))
    query = select(AdminChange).order_by(AdminChange.at.desc(), AdminChange.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AdminChange.entity == entity)
    if key is not None:
        query = query.where(AdminChange.entity_key == key)
    with desk.db.read() as session:
        return [
            ChangeView(row.at, row.actor, row.entity, row.entity_key, row.before, row.after)
            for row in session.scalars(query)
        ]
