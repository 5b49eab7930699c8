"""The signed-in user as services see it: plain data, no ORM object crosses into the UI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.workflow import ActorFacts


@dataclass(frozen=True)
class Actor:
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    office_code: str
    department_code: str | None

    @property
    def facts(self) -> ActorFacts:
        return ActorFacts(role=self.role, department_code=self.department_code)
