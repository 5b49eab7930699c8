"""Administrators' settings: policy numbers and calendar overrides, company-wide or per office.

Values are validated by building the policy they would produce, so a setting that the rules could not
use is refused at the door instead of breaking every registration afterwards.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.domain.policy import Policy
from kesu_desktop.domain.rules import calendar_for
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.storage.models import CalendarOverride, Office, Setting


def _require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以修改设置"))


def _scope(session: Session, office: str | None) -> str:
    if office is None:
        return ""
    code = office.strip().upper()
    if session.scalar(select(Office).where(Office.code == code)) is None:
        raise ValidationError.single("office", _("营业网点“{code}”不存在").format(code=code))
    return code


def set_setting(desk: Desk, actor: Actor, key: str, value: str, *, office: str | None = None) -> None:
    """Store one policy setting (e.g. ``sla.p1.respond = 3wh``) after checking it makes a valid policy."""
    _require_admin(actor)
    try:
        calendar_for(Policy.from_settings({key: value}))
    except ValueError as exc:  # e.g. an unknown time zone only shows when the calendar is built
        raise ValidationError.single(
            key, _("设置值无效：{value}（{detail}）").format(value=value, detail=exc)
        ) from None
    with desk.db.write() as session:
        scope = _scope(session, office)
        row = session.scalar(select(Setting).where(Setting.scope == scope, Setting.key == key))
        if row is None:
            session.add(Setting(scope=scope, key=key, value=value))
        else:
            row.value = value


def settings(desk: Desk, actor: Actor) -> dict[str, dict[str, str]]:
    """Stored settings by scope ('' is company-wide)."""
    _require_admin(actor)
    with desk.db.read() as session:
        out: dict[str, dict[str, str]] = {}
        for scope, key, value in session.execute(select(Setting.scope, Setting.key, Setting.value)):
            out.setdefault(scope, {})[key] = value
        return out


def set_calendar_day(
    desk: Desk, actor: Actor, day: date, *, working: bool, note: str = "", office: str | None = None
) -> None:
    """Declare one date a working day or a day off, overriding the bundled holiday data."""
    _require_admin(actor)
    with desk.db.write() as session:
        scope = _scope(session, office)
        row = session.scalar(
            select(CalendarOverride).where(CalendarOverride.scope == scope, CalendarOverride.day == day)
        )
        if row is None:
            session.add(CalendarOverride(scope=scope, day=day, is_working=working, note=note))
        else:
            row.is_working, row.note = working, note
