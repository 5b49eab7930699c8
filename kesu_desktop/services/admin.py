"""Administrators' settings: policy numbers and calendar overrides, company-wide or per office.

Values are validated by building the policy they would produce, so a setting that the rules could not
use is refused at the door instead of breaking every registration afterwards.

The business calendar knows a year's holidays only when the bundled data or an administrator's import
of the State Council's arrangement covers it; the coverage is read here too (``calendar_coverage``,
``with_estimate``), because importing is what changes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain.calendar import (
    Coverage,
    coverage,
    parse_arrangement,
    statutory_years,
    year_to_import,
)
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.domain.policy import Policy
from kesu_desktop.domain.rules import calendar_for
from kesu_desktop.domain.text import bad_code_points, escape_unencodable, field_text, has_unencodable
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_rules, refuse_reference_edit_on_branch
from kesu_desktop.services.setting_labels import COMPANY_ONLY_KEYS, default_text, setting_labels
from kesu_desktop.services.views import CaseView
from kesu_desktop.storage.models import CalendarOverride, CalendarYear, Case, CaseEvent, Office, Setting


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
    key, value = field_text(key, "key"), field_text(value, key)
    try:
        calendar_for(Policy.from_settings({key: value}))
    except ValueError as exc:  # e.g. an unknown time zone only shows when the calendar is built
        raise ValidationError.single(
            key, _("设置值无效：{value}（{detail}）").format(value=value, detail=exc)
        ) from None
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        scope = _scope(session, office)
        row = session.scalar(select(Setting).where(Setting.scope == scope, Setting.key == key))
        before = None if row is None else row.value
        if row is None:
            session.add(Setting(scope=scope, key=key, value=value))
        else:
            row.value = value
        record_change(session, desk, actor, "setting", f"{scope or '*'}:{key}", before, value)


def settings(desk: Desk, actor: Actor) -> dict[str, dict[str, str]]:
    """Stored settings by scope ('' is company-wide)."""
    _require_admin(actor)
    with desk.db.read() as session:
        out: dict[str, dict[str, str]] = {}
        for scope, key, value in session.execute(select(Setting.scope, Setting.key, Setting.value)):
            out.setdefault(scope, {})[key] = value
        return out


def _check_settings(values: dict[str, str]) -> None:
    """Refuse the whole batch when one value would not make a usable policy (every bad key reported)."""
    try:
        calendar_for(Policy.from_settings(values))
    except ValidationError:
        raise
    except ValueError as exc:  # e.g. an unknown time zone only shows when the calendar is built
        key = next(iter(values)) if len(values) == 1 else "settings"
        raise ValidationError.single(key, _("设置值无效：{detail}").format(detail=exc)) from None


def set_settings(
    desk: Desk, actor: Actor, values: Mapping[str, str | None], *, office: str | None = None
) -> list[str]:
    """Store several policy settings at once (the 时限与规则 dialog's 保存); returns the keys changed.

    All values are checked before anything is written, and all are written in one transaction, so a
    form with one bad field changes nothing. ``None`` or an empty value removes the stored setting
    (the office then follows the company's, or the built-in default). Each change is recorded.
    """
    _require_admin(actor)
    cleaned: dict[str, str | None] = {}
    for raw_key, raw_value in values.items():
        key = field_text(raw_key, "key")
        value = None if raw_value is None else field_text(raw_value, key)
        cleaned[key] = value or None
    if office is not None:
        wrong = {key: _("只能在全公司范围设置") for key in cleaned if key in COMPANY_ONLY_KEYS}
        if wrong:
            raise ValidationError(wrong)
    _check_settings({key: value for key, value in cleaned.items() if value is not None})
    changed: list[str] = []
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        scope = _scope(session, office)
        rows = {
            row.key: row
            for row in session.scalars(
                select(Setting).where(Setting.scope == scope, Setting.key.in_(list(cleaned)))
            )
        }
        for key, value in cleaned.items():
            row = rows.get(key)
            before = None if row is None else row.value
            if before == value:
                continue
            if value is None:
                session.delete(row)
            elif row is None:
                session.add(Setting(scope=scope, key=key, value=value))
            else:
                row.value = value
            record_change(session, desk, actor, "setting", f"{scope or '*'}:{key}", before, value)
            changed.append(key)
    return changed


@dataclass(frozen=True)
class SettingRow:
    """One line of the 时限与规则 form: what the setting is called, its default, what is stored."""

    key: str
    label: str
    hint: str
    #: ``span``, ``int``, ``share``, ``money``, ``hours`` or ``bool``.
    kind: str
    group: str
    default: str
    #: The value stored for the scope asked about (None: not set there).
    stored: str | None
    #: For an office: the company-wide value it inherits when it has none of its own.
    inherited: str | None
    #: Read company-wide only: not settable for an office.
    company_only: bool = False


def setting_rows(desk: Desk, actor: Actor, *, office: str | None = None) -> list[SettingRow]:
    """Every time limit and rule switch with its label, default and stored value, company-wide or for an
    office (the print and time-zone settings are the office dialog's)."""
    _require_admin(actor)
    with desk.db.read() as session:
        scope = _scope(session, office)
        stored: dict[str, dict[str, str]] = {}
        for row_scope, key, value in session.execute(
            select(Setting.scope, Setting.key, Setting.value).where(
                or_(Setting.scope == "", Setting.scope == scope)
            )
        ):
            stored.setdefault(row_scope, {})[key] = value
    own, company = stored.get(scope, {}), stored.get("", {})
    return [
        SettingRow(
            label.key,
            label.label,
            label.hint,
            label.kind,
            label.group,
            default_text(label.key),
            own.get(label.key),
            company.get(label.key) if scope else None,
            label.key in COMPANY_ONLY_KEYS,
        )
        for label in setting_labels()
    ]


def set_calendar_day(
    desk: Desk, actor: Actor, day: date, *, working: bool, note: str = "", office: str | None = None
) -> None:
    """Declare one date a working day or a day off, overriding the bundled holiday data."""
    _require_admin(actor)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        scope = _scope(session, office)
        row = session.scalar(
            select(CalendarOverride).where(CalendarOverride.scope == scope, CalendarOverride.day == day)
        )
        before = None if row is None else {"working": row.is_working, "note": row.note}
        if row is None:
            session.add(CalendarOverride(scope=scope, day=day, is_working=working, note=note))
        else:
            row.is_working, row.note = working, note
        after = {"working": working, "note": note}
        record_change(session, desk, actor, "calendar", f"{scope or '*'}:{day.isoformat()}", before, after)


# -- holiday arrangements: importing a year, and which years are known ---------------------------------


@dataclass(frozen=True)
class CalendarImport:
    """What ``import_calendar`` stored."""

    years: tuple[int, ...]
    holidays: int
    workdays: int
    #: '' for company-wide, else the office code.
    scope: str


def import_calendar(desk: Desk, actor: Actor, text: str, *, office: str | None = None) -> CalendarImport:
    """Store a year's State Council arrangement (``domain.calendar.parse_arrangement``) and mark it known.

    The whole file is checked before anything is written; one bad line refuses it all (field errors
    ``line N``). Each listed date becomes a calendar override (replacing an earlier one for that date);
    dates the file does not list keep what they had. From then on deadlines in those years are exact.
    """
    _require_admin(actor)
    arrangement = parse_arrangement(text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    now = desk.clock.now()
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        scope = _scope(session, office)
        existing = {
            row.day: row
            for row in session.scalars(
                select(CalendarOverride).where(
                    CalendarOverride.scope == scope, CalendarOverride.day.in_(list(arrangement.days))
                )
            )
        }
        for day, (working, note) in arrangement.days.items():
            row = existing.get(day)
            if row is None:
                session.add(CalendarOverride(scope=scope, day=day, is_working=working, note=note))
            else:
                row.is_working, row.note = working, note
        counts = {year: 0 for year in arrangement.years}
        for day in arrangement.days:
            counts[day.year if day.year in counts else min(counts, key=lambda y: abs(y - day.year))] += 1
        for year, days in counts.items():
            row = session.scalar(
                select(CalendarYear).where(CalendarYear.scope == scope, CalendarYear.year == year)
            )
            if row is None:
                row = CalendarYear(scope=scope, year=year)
                session.add(row)
            row.days, row.source_sha256 = days, digest
            row.imported_by, row.imported_at = actor.username, now
    working_days = sum(1 for working, _note in arrangement.days.values() if working)
    return CalendarImport(arrangement.years, len(arrangement.days) - working_days, working_days, scope)


class DayKind(StrEnum):
    """What decides a date in the calendar month view (each has its own colour in 工作日历)."""

    WORKING = "working"
    WEEKEND = "weekend"
    #: A statutory holiday from the bundled State Council data.
    HOLIDAY = "holiday"
    #: A weekend day the State Council made a working day (调休上班).
    MAKEUP = "makeup"
    #: An administrator's (or an import's) word: a working day, or a day off.
    OVERRIDE_WORKING = "override_working"
    OVERRIDE_OFF = "override_off"

    @property
    def label(self) -> str:
        return {
            DayKind.WORKING: _("工作日"),
            DayKind.WEEKEND: _("周末"),
            DayKind.HOLIDAY: _("法定节假日"),
            DayKind.MAKEUP: _("调休上班"),
            DayKind.OVERRIDE_WORKING: _("调整为工作日"),
            DayKind.OVERRIDE_OFF: _("调整为休息日"),
        }[self]


def _holiday_names() -> dict[str, str]:
    # chinese_calendar names its holidays in English.
    return {
        "New Year's Day": _("元旦"),
        "Spring Festival": _("春节"),
        "Tomb-sweeping Day": _("清明节"),
        "Labour Day": _("劳动节"),
        "Dragon Boat Festival": _("端午节"),
        "National Day": _("国庆节"),
        "Mid-autumn Festival": _("中秋节"),
        "Anti-Fascist 70th Day": _("抗战胜利纪念日"),
    }


@dataclass(frozen=True)
class CalendarDay:
    day: date
    working: bool
    kind: DayKind
    #: The holiday's name, or the override's note.
    note: str
    #: For an override: '' when it is company-wide, else the office code.
    override_scope: str | None


@dataclass(frozen=True)
class CalendarMonth:
    year: int
    month: int
    #: '' for the company-wide calendar, else the office code.
    scope: str
    days: tuple[CalendarDay, ...]
    #: Whether the month's year is known (bundled data or an import), or counted Monday to Friday.
    known: bool


def calendar_month(
    desk: Desk, actor: Actor, year: int, month: int, *, office: str | None = None
) -> CalendarMonth:
    """Every date of a month with what makes it a working day or a day off (the 工作日历 dialog).

    Company-wide (``office=None``) shows the company's settings and overrides; an office adds its own,
    which win, exactly as its deadlines count them (``office_rules``).
    """
    _require_admin(actor)
    if not 1 <= month <= 12 or not 1900 <= year <= 2199:
        raise ValidationError.single("month", _("无效的月份：{year}-{month}").format(year=year, month=month))
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1)
    with desk.db.read() as session:
        scope = _scope(session, office)
        scopes = [""] if not scope else ["", scope]
        if scope:
            rules = office_rules(session, scope)
            policy, calendar = rules.policy, rules.calendar
        else:
            company = dict(
                session.execute(select(Setting.key, Setting.value).where(Setting.scope == "")).all()
            )
            policy = Policy.from_settings(company)
            calendar = None
        overrides: dict[date, tuple[bool, str, str]] = {}  # day → (working, note, scope)
        for row in sorted(
            session.scalars(
                select(CalendarOverride).where(
                    CalendarOverride.scope.in_(scopes),
                    CalendarOverride.day >= first,
                    CalendarOverride.day < last,
                )
            ),
            key=lambda r: r.scope != "",
        ):
            overrides[row.day] = (row.is_working, row.note, row.scope)
        if calendar is None:
            every = session.scalars(select(CalendarOverride).where(CalendarOverride.scope == ""))
            calendar = calendar_for(policy, {row.day: row.is_working for row in every})
        known = coverage(
            use_statutory=policy.use_statutory_holidays, imported=_imported_years_of(session, scopes)
        ).covers(year)
    names = _holiday_names()
    days: list[CalendarDay] = []
    day = first
    while day < last:
        working = calendar.is_working_day(day)
        weekend = day.weekday() in calendar.weekend
        override = overrides.get(day)
        note, override_scope = "", None
        if override is not None:
            is_working, note, override_scope = override
            kind = DayKind.OVERRIDE_WORKING if is_working else DayKind.OVERRIDE_OFF
        elif policy.use_statutory_holidays and calendar.has_statutory_data(day):
            _holiday, name = chinese_calendar.get_holiday_detail(day)
            if not working and name is not None:
                kind, note = DayKind.HOLIDAY, names.get(name, name)
            elif working and weekend:
                kind, note = DayKind.MAKEUP, names.get(name, name) if name else ""
            else:
                kind = DayKind.WORKING if working else DayKind.WEEKEND
        else:
            kind = DayKind.WORKING if working else DayKind.WEEKEND
        days.append(CalendarDay(day, working, kind, note, override_scope))
        day += timedelta(days=1)
    return CalendarMonth(year, month, scope, tuple(days), known)


def _imported_years_of(session: Session, scopes: list[str]) -> tuple[int, ...]:
    query = select(CalendarYear.year).where(CalendarYear.scope.in_(scopes))
    return tuple(sorted(set(session.scalars(query))))


def office_coverage(session: Session, office_code: str) -> Coverage:
    """The years an office's calendar knows: bundled data (if the office uses it) and imports for it."""
    use_statutory = office_rules(session, office_code).policy.use_statutory_holidays
    return coverage(use_statutory=use_statutory, imported=imported_years(session, office_code))


def imported_years(session: Session, office_code: str) -> tuple[int, ...]:
    """Years imported company-wide or for this office."""
    scopes = or_(CalendarYear.scope == "", CalendarYear.scope == office_code)
    return tuple(sorted(set(session.scalars(select(CalendarYear.year).where(scopes)))))


@dataclass(frozen=True)
class CalendarCoverage:
    """Which years the actor's office knows the holidays of, and what to tell the actor about it."""

    office_code: str
    timezone: str
    known: Coverage
    #: The bundled ``chinese_calendar`` data's first and last year, None when the office does not use it.
    bundled: tuple[int, int] | None
    imported: tuple[int, ...]
    #: The year that should be imported now (this year, or next year from November), if any.
    year_to_import: int | None
    #: What to show an administrator (the desktop's banner); None for everyone else, or when all is known.
    notice: str | None

    def uncovered_in(self, instants: Iterable[datetime | None]) -> tuple[int, ...]:
        """The uncovered years some of these deadlines fall in, in order: the reason they are estimates."""
        zone = ZoneInfo(self.timezone)
        years = {moment.astimezone(zone).year for moment in instants if moment is not None}
        return tuple(sorted(year for year in years if not self.known.covers(year)))


def calendar_coverage(desk: Desk, actor: Actor) -> CalendarCoverage:
    """The coverage of the actor's office today; administrators also get the notice telling them to act."""
    with desk.db.read() as session:
        rules = office_rules(session, actor.office_code)
        known = office_coverage(session, actor.office_code)
        imported = imported_years(session, actor.office_code)
    zone = rules.calendar.tz
    today = desk.clock.now().astimezone(zone).date()
    due_year = year_to_import(known, today)
    bundled_range = statutory_years()
    bundled = (
        (bundled_range[0], bundled_range[-1])
        if rules.policy.use_statutory_holidays and len(bundled_range)
        else None
    )
    notice = None
    if due_year is not None and actor.role is Role.ADMIN:
        notice = _(
            "{year} 年节假日安排尚未导入，截止时间按周一至周五估算（元旦、春节等假日会被算作工作日）。"
            "国务院办公厅发布 {year} 年部分节假日安排的通知后，请把放假和调休上班的日期写成文本文件，"
            "用 kesu admin calendar-import 文件 导入（格式见 docs/cli.md 和 docs/calendar-{year}.txt）。"
        ).format(year=due_year)
    return CalendarCoverage(actor.office_code, zone.key, known, bundled, imported, due_year, notice)


def deadlines_estimated(session: Session, case: CaseView) -> bool:
    """Whether some deadline of the case falls in a year whose holidays nobody has loaded."""
    known = office_coverage(session, case.office_code)
    return estimated_in(known, office_rules(session, case.office_code).calendar.tz, case)


def estimated_in(known: Coverage, zone: ZoneInfo, case: CaseView) -> bool:
    """``deadlines_estimated`` for an office whose coverage and zone the caller has in hand."""
    deadlines = (
        case.respond_by,
        case.plan_by,
        case.resolve_by,
        case.update_by,
        case.survey_by,
        case.callback_by,
    )
    return any(known.is_estimated(moment, zone) for moment in deadlines if moment is not None)


def with_estimate(session: Session, case: CaseView, *, desk: Desk | None = None) -> CaseView:
    """The case view with ``deadlines_estimated`` decided (see ``deadlines_estimated``); with ``desk``,
    from the office's rules and coverage in its reference cache."""
    if desk is None:
        return replace(case, deadlines_estimated=deadlines_estimated(session, case))
    code = case.office_code
    ref = desk.reference.snapshot(session)
    rules = ref.get(("rules", code), lambda: office_rules(session, code))
    known = ref.get(
        ("coverage", code),
        lambda: coverage(
            use_statutory=rules.policy.use_statutory_holidays, imported=imported_years(session, code)
        ),
    )
    return replace(case, deadlines_estimated=estimated_in(known, rules.calendar.tz, case))


@dataclass(frozen=True)
class PoisonEvent:
    """An event whose payload holds code points UTF-8 cannot encode (stored before the input boundary)."""

    event_id: str
    case_no: str
    kind: str
    at: datetime
    #: The bad code points, named (``U+D800``).
    code_points: tuple[str, ...]
    #: The payload with every bad code point written ``〔U+D800〕``: what show/print now display.
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "case_no": self.case_no,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "code_points": list(self.code_points),
            "payload": self.payload,
        }


def find_poison(desk: Desk, actor: Actor) -> list[PoisonEvent]:
    """Events whose payloads cannot be encoded, with the bad code points escaped (``kesu admin repair``).

    Nothing is rewritten: the log is append-only (and hash-chained), so the repair is on the reading
    side, where every payload is escaped (services/views.EventView.of); this lists what was hit.
    """
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以检查事件日志"))
    found: list[PoisonEvent] = []
    with desk.db.read() as session:
        rows = session.execute(
            select(CaseEvent, Case.case_no).join(Case, Case.id == CaseEvent.case_id).order_by(CaseEvent.hlc)
        )
        for event, case_no in rows:
            payload = event.payload
            if not has_unencodable(payload):
                continue
            found.append(
                PoisonEvent(
                    str(event.id),
                    case_no,
                    event.kind,
                    event.at,
                    tuple(bad_code_points(payload)),
                    escape_unencodable(payload),
                )
            )
    return found
