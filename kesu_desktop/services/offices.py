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
from kesu_desktop.domain.errors import Conflict, NotAllowed, NotFound, ValidationError
from kesu_desktop.domain.localtime import local_iso
from kesu_desktop.domain.text import field_text, name_text
from kesu_desktop.domain.validation import parse_phone
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import refuse_reference_edit_on_branch
from kesu_desktop.storage.models import Office, Setting, SyncLink

DEFAULT_TIMEZONE = "Asia/Shanghai"  # not translated
_NAME_MAX = 100
_CONTACT_MAX = 60
#: The office-scoped policy settings the office dialog edits (domain/policy.py: printed letters).
CONTACT_KEY, ORGANISATION_KEY = "print_contact", "print_organisation"  # not translated


@dataclass(frozen=True)
class OfficeView:
    code: str
    name: str
    timezone: str
    created_at: datetime
    #: The office's own follow-up phone and organisation name on printed letters ('' when not set here).
    contact: str = ""
    organisation: str = ""

    def as_json(self, zone: str) -> dict[str, Any]:
        """``created_at`` in the reader's zone, as every time the CLI prints."""
        return {
            "code": self.code,
            "name": self.name,
            "timezone": self.timezone,
            "created_at": local_iso(self.created_at, zone),
            "contact": self.contact,
            "organisation": self.organisation,
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


def _print_settings(session: Session, code: str) -> dict[str, Setting]:
    rows = session.scalars(
        select(Setting).where(Setting.scope == code, Setting.key.in_((CONTACT_KEY, ORGANISATION_KEY)))
    )
    return {row.key: row for row in rows}


def _view(session: Session, office: Office) -> OfficeView:
    printed = _print_settings(session, office.code)
    return OfficeView(
        office.code,
        office.name,
        office.timezone,
        office.created_at,
        contact=printed[CONTACT_KEY].value if CONTACT_KEY in printed else "",
        organisation=printed[ORGANISATION_KEY].value if ORGANISATION_KEY in printed else "",
    )


def add_office(
    desk: Desk,
    actor: Actor,
    code: str,
    name: str,
    timezone: str = DEFAULT_TIMEZONE,
    *,
    contact: str = "",
    organisation: str = "",
) -> OfficeView:
    """An administrator adds an office on the central; its code goes into the case numbers it issues.

    ``contact`` and ``organisation`` are what its letters print (see ``set_office``), checked with the
    rest so a bad phone adds nothing.
    """
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以添加网点"))
    errors: dict[str, str] = {}
    try:
        code = validate_code("code", code)
    except ValidationError as exc:
        errors.update(exc.errors)
    name = name_text(name, errors, label=_("网点名称"), limit=_NAME_MAX)
    try:
        timezone = validate_timezone(timezone)
    except ValidationError as exc:
        errors.update(exc.errors)
    contact = _check_contact(contact, errors)
    organisation = _check_organisation(organisation, errors)
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
        _store_printed(session, code, contact, organisation)
        after = {"name": name, "timezone": timezone}
        after.update({k: v for k, v in (("contact", contact), ("organisation", organisation)) if v})
        record_change(session, desk, actor, "office", code, None, after)
        session.flush()
        return _view(session, office)


def list_offices(desk: Desk, actor: Actor) -> list[OfficeView]:
    """Every office, in the order they were added (any signed-in user: codes and names are no secret)."""
    del actor  # signed in is enough
    with desk.db.read() as session:
        rows = session.scalars(select(Office).order_by(Office.created_at, Office.code))
        return [_view(session, office) for office in rows]


def _check_contact(contact: str, errors: dict[str, str]) -> str:
    """The follow-up phone as the administrator wrote it (it is printed), once ``parse_phone`` accepts it."""
    try:
        contact = field_text(contact, "contact")
    except ValidationError as exc:
        errors.update(exc.errors)
        return contact
    if not contact:
        return ""
    if len(contact) > _CONTACT_MAX:
        errors["contact"] = _("跟进电话最多 {n} 个字符").format(n=_CONTACT_MAX)
        return contact
    try:
        parse_phone(contact)
    except ValueError as exc:
        errors["contact"] = _("跟进电话无效（{reason}）：{value}").format(reason=exc, value=contact)
    return contact


def _check_organisation(organisation: str, errors: dict[str, str]) -> str:
    try:
        organisation = field_text(organisation, "organisation")
        if len(organisation) > _NAME_MAX:
            errors["organisation"] = _("单位名称最多 {n} 个字符").format(n=_NAME_MAX)
    except ValidationError as exc:
        errors.update(exc.errors)
    return organisation


def _store_printed(session: Session, code: str, contact: str | None, organisation: str | None) -> None:
    """The office's own print settings; None leaves one as it is, '' removes it."""
    printed = _print_settings(session, code)
    for key, value in ((CONTACT_KEY, contact), (ORGANISATION_KEY, organisation)):
        if value is None:
            continue
        row = printed.get(key)
        if not value:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(Setting(scope=code, key=key, value=value))
        else:
            row.value = value


def set_office(
    desk: Desk,
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    timezone: str | None = None,
    contact: str | None = None,
    organisation: str | None = None,
) -> OfficeView:
    """Change an office's name, zone, and the follow-up phone and organisation its letters print.

    The name and zone live on the office's row; the contact and organisation are the office's own
    ``print_contact`` and ``print_organisation`` settings (an empty value removes the office's own, so
    the company-wide one applies again). An office-scoped ``timezone`` setting would win over the row
    (reference.office_policy), so it is changed along with the row. None leaves a field as it is.
    """
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以修改网点"))
    errors: dict[str, str] = {}
    if name is not None:
        name = name_text(name, errors, label=_("网点名称"), limit=_NAME_MAX)
    if timezone is not None:
        try:
            timezone = validate_timezone(timezone)
        except ValidationError as exc:
            errors.update(exc.errors)
    if contact is not None:
        contact = _check_contact(contact, errors)
    if organisation is not None:
        organisation = _check_organisation(organisation, errors)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        code = (code or "").strip().upper()
        office = session.scalar(select(Office).where(Office.code == code))
        if office is None:
            raise NotFound(_("营业网点“{code}”不存在").format(code=code), field="code")
        if errors:
            raise ValidationError(errors)
        view = _view(session, office)
        before = {
            "name": view.name,
            "timezone": view.timezone,
            "contact": view.contact,
            "organisation": view.organisation,
        }
        after = dict(before)
        if name is not None:
            office.name = after["name"] = name
        if timezone is not None:
            office.timezone = after["timezone"] = timezone
            zone_row = session.scalar(select(Setting).where(Setting.scope == code, Setting.key == "timezone"))
            if zone_row is not None:
                zone_row.value = timezone
        if contact is not None:
            after["contact"] = contact
        if organisation is not None:
            after["organisation"] = organisation
        _store_printed(session, code, contact, organisation)
        changed = [key for key in after if after[key] != before[key]]
        record_change(
            session,
            desk,
            actor,
            "office",
            code,
            {key: before[key] for key in changed},
            {key: after[key] for key in changed},
        )
        session.flush()
        return _view(session, office)
