"""The signed-in user as services see it: plain data, no ORM object crosses into the UI.

It carries its office's time zone (decided once at sign-in by ``reference.office_timezone``), so every
front end shows times the way the services do without knowing where the zone comes from.
"""

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
    #: The zone of the user's office: every time shown to this user is this zone's wall-clock time.
    timezone: str
    #: The office's default language (``Policy.language``); the desktop and CLI may override it.
    language: str = "zh_CN"

    @property
    def facts(self) -> ActorFacts:
        return ActorFacts(role=self.role, department_code=self.department_code)
