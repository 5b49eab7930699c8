"""The figures of the monthly analysis report (月度投诉分析报告), the statistics panel and staff appraisal.

Every figure is counted by the database (GROUP BY and conditional sums), not by loading cases, so a
month of a million-case installation reads a few aggregate rows. What is counted:

- **the month's cases**: registered (``created_at``) between midnight of the 1st and of the next 1st on
  each office's own wall clock; totals, distributions, rates, satisfaction and repeats are of these;
- **on time**: the response (resolution) was given no later than its deadline. The deadlines are the
  ones the desk set in working time on the office's business calendar (holidays, 调休 and overrides), so
  the rate is in working time without recounting it. A case is *rated* once its response was given or
  its deadline has passed by the time the report is made; one still within its deadline is not rated;
- **escalations**: cases escalated during the month (whenever they were registered);
- **overdue at month end**: cases registered before the month ended, not resolved and not closed by then,
  whose resolution deadline had passed by then.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.domain.periods import Period, parse_month, rate
from kesu_desktop.domain.policy import Policy
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_policy, office_timezone, reference_names
from kesu_desktop.services.unit import scope_filter
from kesu_desktop.storage.models import Case, CaseEvent, Office, Setting, User

#: Who may read the report and the statistics: they answer for the month's figures.
REPORT_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN)
#: Staff figures are for appraisal: supervisors (their office) and managers (all) only.
STAFF_ROLES = (Role.SUPERVISOR, Role.MANAGER)
TOP_PROBLEMS = 10
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Problem:
    """One recurring problem: a category, with the product when the cases name one."""

    category: str
    product: str | None
    label: str
    count: int


@dataclass(frozen=True)
class Figures:
    """The figures of one period, one office (or all in the reader's scope), optionally one category."""

    period: Period
    office: str | None
    category: str | None
    total: int
    previous_total: int
    by_category: dict[str, int]
    by_channel: dict[str, int]
    by_office: dict[str, int]
    by_department: dict[str, int]
    responded_on_time: int
    response_rated: int
    resolved_on_time: int
    resolution_rated: int
    satisfaction: dict[str, float | None]
    surveyed: int
    repeats: int
    escalated: int
    overdue_open: int
    top_problems: tuple[Problem, ...]
    made_at: datetime
    #: Category, department and office code → the name a reader sees.
    names: dict[str, str] = field(default_factory=dict)
    #: Who the printed report is from (the office's print name, else its name; the company's for all).
    organisation: str = ""
    #: The zone the report's times are shown in (the reader's office).
    timezone: str = "Asia/Shanghai"

    @property
    def on_time_response_rate(self) -> float | None:
        return rate(self.responded_on_time, self.response_rated)

    @property
    def on_time_resolution_rate(self) -> float | None:
        return rate(self.resolved_on_time, self.resolution_rated)

    @property
    def repeat_rate(self) -> float | None:
        return rate(self.repeats, self.total)

    @property
    def change(self) -> float | None:
        """Month-on-month change of the total, e.g. 0.25 for a quarter more; None after an empty month."""
        return None if self.previous_total == 0 else (self.total - self.previous_total) / self.previous_total

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    def as_json(self) -> dict[str, Any]:
        key = "month" if self.period.is_month else "period"
        return {
            key: self.period.code,
            "office": self.office,
            "category": self.category,
            "total": self.total,
            "previous_total": self.previous_total,
            "by_category": self.by_category,
            "by_channel": self.by_channel,
            "by_office": self.by_office,
            "by_department": self.by_department,
            "on_time_response_rate": self.on_time_response_rate,
            "on_time_resolution_rate": self.on_time_resolution_rate,
            "satisfaction": self.satisfaction,
            "repeat_rate": self.repeat_rate,
            "escalated": self.escalated,
            "overdue_open": self.overdue_open,
            "top_problems": [
                {"label": p.label, "count": p.count, "category": p.category, "product": p.product}
                for p in self.top_problems
            ],
        }


@dataclass(frozen=True)
class StaffLine:
    """One person's month for appraisal (cases are counted against their current assignee)."""

    username: str
    display_name: str
    handled: int
    responded_on_time: int
    response_rated: int
    resolved_on_time: int
    resolution_rated: int
    satisfaction: float | None
    escalated: int
    errors: int

    @property
    def on_time_response_rate(self) -> float | None:
        return rate(self.responded_on_time, self.response_rated)

    @property
    def on_time_resolution_rate(self) -> float | None:
        return rate(self.resolved_on_time, self.resolution_rated)

    def as_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "handled": self.handled,
            "on_time_response_rate": self.on_time_response_rate,
            "on_time_resolution_rate": self.on_time_resolution_rate,
            "satisfaction": self.satisfaction,
            "escalated": self.escalated,
            "errors": self.errors,
        }


@dataclass(frozen=True)
class StaffFigures:
    period: Period
    office: str | None
    lines: tuple[StaffLine, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "month": self.period.code,
            "office": self.office,
            "staff": [line.as_json() for line in self.lines],
        }


def month_of(text: str) -> Period:
    """``YYYY-MM`` as a report period, or a field error for ``month``."""
    try:
        return parse_month(text)
    except ValueError as exc:
        raise ValidationError.single("month", str(exc)) from None


def may_read_reports(actor: Actor) -> bool:
    return actor.role in REPORT_ROLES


def monthly_report(desk: Desk, actor: Actor, month: str, *, office: str | None = None) -> Figures:
    """The 月度投诉分析报告 figures of ``month`` (``YYYY-MM``) for one office, or every office in scope."""
    return period_figures(desk, actor, month_of(month), office=office)


def period_figures(
    desk: Desk, actor: Actor, period: Period, *, office: str | None = None, category: str | None = None
) -> Figures:
    """The report's figures for any period (the statistics panel), optionally of one category."""
    if actor.role not in REPORT_ROLES:
        raise NotAllowed(_("只有客服主管、经理或管理员可以查看统计与报告"))
    now = desk.clock.now()
    with desk.db.read() as session:
        zones = _office_zones(session, actor, office)
        if period.first > now.astimezone(ZoneInfo(actor.timezone)).date():
            raise ValidationError.single("month", _("{period} 尚未开始").format(period=period.code))
        cohort = _cohort(actor, zones, period, category)
        previous = _cohort(actor, zones, period.before(), category)
        counted = _counts(session, cohort, now)
        names = {**reference_names(session), **_office_names(session)}
        return Figures(
            period=period,
            office=office,
            category=category,
            total=counted["total"],
            previous_total=session.scalar(select(func.count()).select_from(Case).where(previous)) or 0,
            by_category=_grouped(session, Case.category, cohort),
            by_channel=_grouped(session, Case.channel, cohort),
            by_office=_grouped(session, Case.office_code, cohort),
            by_department=_grouped(session, func.coalesce(Case.department_code, UNASSIGNED), cohort),
            responded_on_time=counted["responded_on_time"],
            response_rated=counted["response_rated"],
            resolved_on_time=counted["resolved_on_time"],
            resolution_rated=counted["resolution_rated"],
            satisfaction={
                "efficiency": _average(counted["efficiency"]),
                "attitude": _average(counted["attitude"]),
                "solution": _average(counted["solution"]),
            },
            surveyed=counted["surveyed"],
            repeats=counted["repeats"],
            escalated=_escalated(session, actor, zones, period, category),
            overdue_open=_overdue_at_end(session, actor, zones, period, category, now),
            top_problems=_top_problems(session, cohort, names),
            made_at=now,
            names=names,
            organisation=_organisation(session, office, names),
            timezone=actor.timezone,
        )


def staff_figures(desk: Desk, actor: Actor, month: str, *, office: str | None = None) -> StaffFigures:
    """Per person: cases handled in ``month``, on-time rates, satisfaction, escalations, errors found.

    "Errors found" are escalations whose report records a staff assessment (升级报告 § 4: where staff erred).
    """
    if actor.role not in STAFF_ROLES:
        raise NotAllowed(_("只有客服主管或经理可以查看员工考核数据"))
    period = month_of(month)
    now = desk.clock.now()
    with desk.db.read() as session:
        zones = _office_zones(session, actor, office)
        cohort = and_(_cohort(actor, zones, period, None), Case.assignee.is_not(None))
        rows = session.execute(
            select(Case.assignee, *_count_columns(now)).where(cohort).group_by(Case.assignee)
        ).all()
        escalations: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        for assignee, payload in session.execute(
            select(Case.assignee, CaseEvent.payload)
            .join(Case, Case.id == CaseEvent.case_id)
            .where(
                CaseEvent.kind == "escalated",
                Case.assignee.is_not(None),
                _events_within(actor, zones, period, None),
            )
        ):
            escalations[assignee] += 1
            if str((payload or {}).get("assessment") or "").strip():
                errors[assignee] += 1
        names = dict(session.execute(select(User.username, User.display_name)).all())
        lines = []
        for row in rows:
            counted = _Counted({k: int(v or 0) for k, v in row._mapping.items() if k != "assignee"})
            scores = [counted[d] for d in ("efficiency", "attitude", "solution")]
            total_score = sum(s for s, _n in scores)
            total_n = sum(n for _s, n in scores)
            lines.append(
                StaffLine(
                    username=row.assignee,
                    display_name=names.get(row.assignee, row.assignee),
                    handled=counted["total"],
                    responded_on_time=counted["responded_on_time"],
                    response_rated=counted["response_rated"],
                    resolved_on_time=counted["resolved_on_time"],
                    resolution_rated=counted["resolution_rated"],
                    satisfaction=None if not total_n else total_score / total_n,
                    escalated=escalations[row.assignee],
                    errors=errors[row.assignee],
                )
            )
        lines.sort(key=lambda line: (-line.handled, line.username))
        return StaffFigures(period, office, tuple(lines))


# --- the counting ---------------------------------------------------------------------------------


def _office_zones(session: Session, actor: Actor, office: str | None) -> dict[str, str]:
    """Office code → zone for the offices the report covers (a supervisor: their own office only)."""
    codes = list(session.scalars(select(Office.code).order_by(Office.code)))
    if office is not None:
        office = office.strip().upper()
        if office not in codes:
            raise NotFound(_("网点“{code}”不存在").format(code=office), field="office")
        if actor.role not in (Role.MANAGER, Role.ADMIN) and office != actor.office_code:
            raise NotAllowed(_("只能查看本网点（{code}）的统计").format(code=actor.office_code))
        codes = [office]
    elif actor.role not in (Role.MANAGER, Role.ADMIN):
        codes = [actor.office_code]
    return {code: office_timezone(session, code) for code in codes}


def _office_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Office.code, Office.name))}


def _organisation(session: Session, office: str | None, names: dict[str, str]) -> str:
    if office is not None:
        return office_policy(session, office).print_organisation or names.get(office, office)
    company = Policy.from_settings(
        dict(session.execute(select(Setting.key, Setting.value).where(Setting.scope == "")).all())
    )
    return company.print_organisation


def _scoped(actor: Actor) -> ColumnElement[bool]:
    """The reader's scope (services.unit.scope_filter) as a condition, without the deleted cases."""
    where = scope_filter(select(Case.id), actor).where(Case.deleted_at.is_(None)).whereclause
    assert where is not None  # the deleted_at condition at least
    return where


def _within(column: Any, zones: dict[str, str], period: Period) -> ColumnElement[bool]:
    """``column`` falls in ``period`` on the wall clock of the case's office."""
    spans = []
    for code, zone in zones.items():
        start, end = period.bounds(zone)
        spans.append(and_(Case.office_code == code, column >= start, column < end))
    return or_(*spans) if spans else Case.id.is_(None)


def _cohort(actor: Actor, zones: dict[str, str], period: Period, category: str | None) -> ColumnElement[bool]:
    conditions = [_scoped(actor), _within(Case.created_at, zones, period)]
    if category is not None:
        conditions.append(Case.category == category)
    return and_(*conditions)


def _events_within(
    actor: Actor, zones: dict[str, str], period: Period, category: str | None
) -> ColumnElement[bool]:
    conditions = [_scoped(actor), _within(CaseEvent.at, zones, period)]
    if category is not None:
        conditions.append(Case.category == category)
    return and_(*conditions)


def _flag(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _count_columns(now: datetime) -> list[Any]:
    responded_on_time = and_(
        Case.responded_at.is_not(None), or_(Case.respond_by.is_(None), Case.responded_at <= Case.respond_by)
    )
    response_rated = or_(
        Case.responded_at.is_not(None), and_(Case.respond_by.is_not(None), Case.respond_by <= now)
    )
    resolved_on_time = and_(
        Case.resolved_at.is_not(None), or_(Case.resolve_by.is_(None), Case.resolved_at <= Case.resolve_by)
    )
    resolution_rated = or_(
        Case.resolved_at.is_not(None), and_(Case.resolve_by.is_not(None), Case.resolve_by <= now)
    )
    columns: list[Any] = [
        func.count().label("total"),
        _flag(responded_on_time).label("responded_on_time"),
        _flag(response_rated).label("response_rated"),
        _flag(resolved_on_time).label("resolved_on_time"),
        _flag(resolution_rated).label("resolution_rated"),
        _flag(Case.is_repeat.is_(True)).label("repeats"),
        _flag(Case.survey_efficiency.is_not(None)).label("surveyed"),
    ]
    for name, column in (
        ("efficiency", Case.survey_efficiency),
        ("attitude", Case.survey_attitude),
        ("solution", Case.survey_solution),
    ):
        columns += [
            func.coalesce(func.sum(column), 0).label(f"{name}_sum"),
            func.count(column).label(f"{name}_n"),
        ]
    return columns


class _Counted(dict[str, Any]):
    """One row of ``_count_columns`` by name, the score sums paired with their counts."""

    def __missing__(self, key: str) -> Any:
        return (self[f"{key}_sum"], self[f"{key}_n"])


def _counts(session: Session, cohort: ColumnElement[bool], now: datetime) -> _Counted:
    row = session.execute(select(*_count_columns(now)).where(cohort)).one()
    return _Counted({k: int(v or 0) for k, v in row._mapping.items()})


def _average(pair: tuple[int, int]) -> float | None:
    total, count = pair
    return None if count == 0 else total / count


def _grouped(session: Session, column: Any, cohort: ColumnElement[bool]) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).where(cohort).group_by(column)).all()
    return {str(code): int(n) for code, n in sorted(rows, key=lambda r: (-r[1], str(r[0])))}


def _escalated(
    session: Session, actor: Actor, zones: dict[str, str], period: Period, category: str | None
) -> int:
    query = (
        select(func.count(func.distinct(CaseEvent.case_id)))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "escalated", _events_within(actor, zones, period, category))
    )
    return session.scalar(query) or 0


def _overdue_at_end(
    session: Session,
    actor: Actor,
    zones: dict[str, str],
    period: Period,
    category: str | None,
    now: datetime,
) -> int:
    spans = []
    for code, zone in zones.items():
        end = min(period.bounds(zone)[1], now)
        spans.append(
            and_(
                Case.office_code == code,
                Case.created_at < end,
                or_(Case.closed_at.is_(None), Case.closed_at >= end),
                or_(Case.resolved_at.is_(None), Case.resolved_at >= end),
                Case.resolve_by < end,
            )
        )
    conditions = [_scoped(actor), or_(*spans) if spans else Case.id.is_(None)]
    if category is not None:
        conditions.append(Case.category == category)
    return session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0


def _top_problems(
    session: Session, cohort: ColumnElement[bool], names: dict[str, str]
) -> tuple[Problem, ...]:
    product = func.coalesce(func.nullif(func.trim(Case.product), ""), "")
    rows = session.execute(
        select(Case.category, product.label("product"), func.count().label("n"))
        .where(cohort)
        .group_by(Case.category, product)
        .order_by(func.count().desc(), Case.category, product)
        .limit(TOP_PROBLEMS)
    ).all()
    return tuple(_problem(code, item or None, int(n), names) for code, item, n in rows)


def _problem(category: str, product: str | None, count: int, names: dict[str, str]) -> Problem:
    name = names.get(category, category)
    label = _("{category} · {product}").format(category=name, product=product) if product else name
    return Problem(category, product, label, count)
