"""Reading office-wide configuration: the policy, the business calendar, categories, departments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain.calendar import BusinessCalendar
from kesu_desktop.domain.defaults import shown_name
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.domain.policy import Policy
from kesu_desktop.domain.rules import calendar_for
from kesu_desktop.i18n import _
from kesu_desktop.services.desk import Desk
from kesu_desktop.storage.models import CalendarOverride, Category, Department, Office, Setting


@dataclass(frozen=True)
class OfficeRules:
    policy: Policy
    calendar: BusinessCalendar


def office_policy(session: Session, office_code: str) -> Policy:
    """The office's policy: company-wide settings overlaid by the office's own.

    The office's time zone follows one rule: the ``timezone`` setting (the office's, else the company's)
    when an administrator stored one, else the zone on the office's own row. Every deadline, screen, CLI
    line and printed page of the office uses the zone decided here (``office_timezone``).
    """
    rows = session.execute(
        select(Setting.scope, Setting.key, Setting.value).where(
            or_(Setting.scope == "", Setting.scope == office_code)
        )
    ).all()
    settings = {k: v for scope, k, v in sorted(rows, key=lambda r: r[0] != "")}
    if "timezone" not in settings:
        row_zone = session.scalar(select(Office.timezone).where(Office.code == office_code))
        if row_zone:
            settings["timezone"] = row_zone
    return Policy.from_settings(settings)


def office_timezone(session: Session, office_code: str) -> str:
    """The zone the office's times are shown in (see ``office_policy`` for the rule)."""
    return office_policy(session, office_code).timezone


def office_rules(session: Session, office_code: str) -> OfficeRules:
    """The office's policy and business calendar (holidays, then company and office overrides)."""
    policy = office_policy(session, office_code)
    overrides: dict = {}
    for scope, day, working in sorted(
        session.execute(
            select(CalendarOverride.scope, CalendarOverride.day, CalendarOverride.is_working).where(
                or_(CalendarOverride.scope == "", CalendarOverride.scope == office_code)
            )
        ).all(),
        key=lambda r: r[0] != "",
    ):
        del scope
        overrides[day] = working
    return OfficeRules(policy=policy, calendar=calendar_for(policy, overrides))


def category_departments(session: Session) -> dict[str, str | None]:
    """Active category codes and their default responsible department."""
    return dict(
        session.execute(
            select(Category.code, Category.default_department_code).where(Category.active.is_(True))
        ).all()
    )


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


def categories(desk: Desk) -> list[Choice]:
    with desk.db.read() as session:
        rows = session.execute(
            select(Category.code, Category.name)
            .where(Category.active.is_(True))
            .order_by(Category.sort_order)
        ).all()
        return [Choice(c, shown_name(n)) for c, n in rows]


def reference_names(session: Session) -> dict[str, str]:
    """Category and department code → name as the reader sees it (``defaults.shown_name``)."""
    rows = [
        *session.execute(select(Category.code, Category.name)).all(),
        *session.execute(select(Department.code, Department.name)).all(),
    ]
    return {code: shown_name(name) for code, name in rows}


def reference_labels(desk: Desk) -> dict[str, str]:
    """Every category and department code (inactive ones too: old cases keep them) → its shown name."""
    with desk.db.read() as session:
        return reference_names(session)


def departments(desk: Desk) -> list[Choice]:
    with desk.db.read() as session:
        rows = session.execute(
            select(Department.code, Department.name)
            .where(Department.active.is_(True))
            .order_by(Department.code)
        ).all()
        return [Choice(c, shown_name(n)) for c, n in rows]


def refuse_reference_edit_on_branch(session: Session) -> None:
    """Reference data flows one way, central → branch (docs/sync.md): a branch's admin changes it at
    the central, so every node holds the same rules and nothing needs merging."""
    from kesu_desktop.storage.models import SyncLink

    if session.scalar(select(SyncLink.id).limit(1)) is not None:
        raise NotAllowed(
            _("分支机构的基础数据（设置、日历、模板、用语、证书、用户）由总部维护：请在总部修改，同步后生效")
        )
