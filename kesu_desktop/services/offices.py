"""Offices (营业网点): the head office adds them; users, cases and branches belong to one.

Offices are reference data the central owns. A branch database gets its office rows from the central
when it is created and by sync, so an office added on a branch would exist nowhere else: a database
with a sync link (``sync_links``, i.e. a branch) refuses to add one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kesu_desktop.domain.case_number import validate_code
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import Conflict, NotAllowed, ValidationError
from kesu_desktop.domain.localtime import local_iso
from kesu_desktop.domain.text import field_text
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.storage.models import Office, SyncLink

DEFAULT_TIMEZONE = "Asia/Shanghai"  # not translated
_NAME_MAX = 100


@dataclass(frozen=True)
class OfficeView:
    code: str
    name: str
    timezone: str
    created_at: datetime

    def as_json(self, zone: str) -> dict[str, Any]:
        """``created_at`` in the reader's zone, as every time the CLI prints."""
        return {
            "code": self.code,
            "name": self.name,
            "timezone": self.timezone,
            "created_at": local_iso(self.created_at, zone),
        }


def is_branch(session: Session) -> bool:
    """A branch database is one with a link to its central: its reference data is the central's."""
    return bool(session.scalar(select(exists().where(SyncLink.id.is_not(None)))))


def refuse_on_branch(session: Session) -> None:
    if is_branch(session):
        raise NotAllowed(_("分支机构的网点由总部管理"))


def validate_timezone(zone: str) -> str:
    """An IANA zone name the machine knows (``Asia/Shanghai``): every time of the office is shown in it."""
    zone = (zone or "").strip()
    try:
        if not zone or len(zone) > 64:
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError.single(
            "timezone", _("时区“{zone}”无效，请使用如 Asia/Shanghai 的时区名称").format(zone=zone)
        ) from None
    return zone


def _view(office: Office) -> OfficeView:
    return OfficeView(office.code, office.name, office.timezone, office.created_at)


def add_office(
    desk: Desk, actor: Actor, code: str, name: str, timezone: str = DEFAULT_TIMEZONE
) -> OfficeView:
    """An administrator adds an office on the central; its code goes into the case numbers it issues."""
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以添加网点"))
    errors: dict[str, str] = {}
    try:
        code = validate_code("code", code)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        name = field_text(name or "", "name")
        if not name:
            errors["name"] = _("网点名称不能为空")
        elif len(name) > _NAME_MAX:
            errors["name"] = _("网点名称最多 {n} 个字符").format(n=_NAME_MAX)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        timezone = validate_timezone(timezone)
    except ValidationError as exc:
        errors.update(exc.errors)
    with desk.db.write() as session:
        refuse_on_branch(session)
        if errors:
            raise ValidationError(errors)
        if session.scalar(select(Office).where(Office.code == code)) is not None:
            raise Conflict(_("网点“{code}”已存在").format(code=code), field="code")
        office = Office(code=code, name=name, timezone=timezone, created_at=desk.clock.now())
        session.add(office)
        try:
            session.flush()
        except IntegrityError as exc:  # another desk added the same code a moment ago
            raise Conflict(_("网点“{code}”已存在").format(code=code), field="code") from exc
        return _view(office)


def list_offices(desk: Desk, actor: Actor) -> list[OfficeView]:
    """Every office, in the order they were added (any signed-in user: codes and names are no secret)."""
    del actor  # signed in is enough
    with desk.db.read() as session:
        rows = session.scalars(select(Office).order_by(Office.created_at, Office.code))
        return [_view(office) for office in rows]
