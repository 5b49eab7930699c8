"""Business calendar for SLA deadlines.

Deadlines promised to complainants are counted in the desk's working time, not around the clock: a
complaint registered on Friday evening must not be "overdue" on Sunday. Chinese public holidays move
every year and are paid back with make-up working days (调休) that fall on weekends, and the lunch break
is simply time nobody is at the counter. So the calendar is exact about three things:

* which days are working days (administrator overrides, then the statutory calendar published by the
  State Council via ``chinese_calendar``, then a plain weekend rule for years the library lacks);
* which years that answer is known for (``Coverage``): a year neither the bundled data nor an
  administrator's import of the State Council's arrangement (``parse_arrangement``) covers is counted
  Monday to Friday, so deadlines falling in it are only estimates and are marked so;
* which hours of a working day count (one or more intervals, so a lunch break is a gap, not a "holiday");
* how to step over both without minute-by-minute loops.

All arithmetic on instants is done in UTC, so that a duration is elapsed time even in a zone with DST;
local wall-clock times are only used to decide *where* a day and its intervals lie.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _, join_items

__all__ = [
    "Arrangement",
    "BusinessCalendar",
    "Coverage",
    "Span",
    "SpanUnit",
    "WorkingHours",
    "coverage",
    "parse_arrangement",
    "statutory_years",
]

# A calendar that goes three years without a single working day is misconfigured (e.g. every day
# overridden off); searching further would only hang the caller.
_MAX_IDLE_DAYS = 366 * 3

_ZERO = timedelta(0)


class SpanUnit(StrEnum):
    CLOCK_HOURS = "clock_hours"  # wall-clock, 24/7 (used for P0)
    WORKING_HOURS = "working_hours"  # only time inside working intervals of working days
    WORKING_DAYS = "working_days"


_UNIT_SUFFIX: dict[SpanUnit, str] = {
    SpanUnit.CLOCK_HOURS: "h",
    SpanUnit.WORKING_HOURS: "wh",
    SpanUnit.WORKING_DAYS: "wd",
}
_SUFFIX_UNIT: dict[str, SpanUnit] = {suffix: unit for unit, suffix in _UNIT_SUFFIX.items()}
_SPAN_RE = re.compile(r"^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(h|wh|wd)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """An SLA allowance as administrators write it in settings ("2h", "4wh", "7wd")."""

    amount: float
    unit: SpanUnit

    def __post_init__(self) -> None:
        # Validate here rather than only in parse(): spans are also built in code (policy defaults),
        # and a zero or negative allowance would silently make every case overdue on arrival.
        if isinstance(self.amount, bool) or not isinstance(self.amount, int | float):
            raise ValueError(_("时长必须是数字：{amount!r}").format(amount=self.amount))
        amount = float(self.amount)
        if not math.isfinite(amount) or amount <= 0:
            raise ValueError(_("时长必须大于 0：{amount}").format(amount=self.amount))
        unit = SpanUnit(self.unit)
        if unit is SpanUnit.WORKING_DAYS and not amount.is_integer():
            raise ValueError(_("工作日数必须是整数：{amount}").format(amount=self.amount))
        # Normalise so that Span(2, ...) and Span(2.0, ...) print and compare the same way.
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "unit", unit)

    @classmethod
    def parse(cls, text: str) -> Span:
        """Read the settings notation, the only form administrators type."""
        match = _SPAN_RE.match(text)
        if match is None:
            raise ValueError(
                _(
                    "无法识别的时长“{text}”：应为数字加单位（h 自然小时，wh 工作小时，wd 工作日），如 7wd"
                ).format(text=text)
            )
        return cls(float(match.group(1)), _SUFFIX_UNIT[match.group(2).lower()])

    def __str__(self) -> str:
        # repr() of a float round-trips exactly, so parse(str(span)) == span for every valid span.
        number = str(int(self.amount)) if self.amount.is_integer() else repr(self.amount)
        return f"{number}{_UNIT_SUFFIX[self.unit]}"


_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")


def _parse_time(text: str) -> time:
    match = _TIME_RE.match(text.strip())
    if match is None:
        raise ValueError(_("无法识别的时间“{text}”：应为 HH:MM").format(text=text.strip()))
    hour, minute, second, fraction = match.groups()
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    try:
        return time(int(hour), int(minute), int(second or 0), micro)
    except ValueError as exc:
        raise ValueError(_("无效的时间“{text}”").format(text=text.strip())) from exc


def _format_time(value: time) -> str:
    if value.microsecond:
        return value.isoformat(timespec="microseconds")
    if value.second:
        return value.isoformat(timespec="seconds")
    return value.isoformat(timespec="minutes")


def _seconds_of_day(value: time) -> timedelta:
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


@dataclass(frozen=True)
class WorkingHours:
    """The counter's opening intervals, identical on every working day.

    Several intervals rather than one so that a lunch break is a gap that working-hour SLAs skip;
    modelling it as a holiday (as web helpdesks do) cannot express "closed from 12:00 to 13:30 daily".
    """

    intervals: tuple[tuple[time, time], ...] = ((time(9, 0), time(18, 0)),)

    def __post_init__(self) -> None:
        # Deadline arithmetic relies on these invariants; a bad setting must be refused at the door,
        # not surface later as a deadline in the past.
        intervals = tuple(tuple(pair) for pair in self.intervals)
        if not intervals:
            raise ValueError(_("工作时间至少需要一个时段"))
        previous_end: time | None = None
        for pair in intervals:
            if len(pair) != 2 or not all(isinstance(t, time) for t in pair):
                raise ValueError(_("工作时段必须是（开始, 结束）两个时间"))
            start, end = pair
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError(_("工作时段不能带时区，时区由日历决定"))
            if not start < end:
                raise ValueError(
                    _("工作时段 {start}-{end} 的开始必须早于结束（不支持跨午夜）").format(
                        start=_format_time(start), end=_format_time(end)
                    )
                )
            if previous_end is not None and start < previous_end:
                raise ValueError(
                    _("工作时段必须按时间顺序排列且互不重叠：{start} 早于上一时段的结束 {end}").format(
                        start=_format_time(start), end=_format_time(previous_end)
                    )
                )
            previous_end = end
        object.__setattr__(self, "intervals", intervals)

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Read the settings notation "09:00-12:00,13:30-18:00"."""
        pairs: list[tuple[time, time]] = []
        for part in text.split(","):
            pieces = part.split("-")
            if len(pieces) != 2:
                raise ValueError(
                    _("无法识别的工作时段“{part}”：应为 HH:MM-HH:MM，多个时段用逗号分隔").format(
                        part=part.strip()
                    )
                )
            pairs.append((_parse_time(pieces[0]), _parse_time(pieces[1])))
        return cls(tuple(pairs))

    def __str__(self) -> str:
        return ",".join(f"{_format_time(start)}-{_format_time(end)}" for start, end in self.intervals)

    @property
    def length(self) -> timedelta:
        """Nominal working time of one day, e.g. to turn "1 working day" into hours for display."""
        return sum((_seconds_of_day(end) - _seconds_of_day(start) for start, end in self.intervals), _ZERO)


_DEFAULT_HOURS = WorkingHours()
_DEFAULT_WEEKEND: frozenset[int] = frozenset({5, 6})

_Interval = tuple[datetime, datetime]  # (start, end) in UTC, start < end


def _position_in_day(moment: datetime, intervals: tuple[_Interval, ...]) -> tuple[int, timedelta]:
    """Index of the interval holding ``moment`` and the working time elapsed that day before it."""
    position = _ZERO
    for index, (start, end) in enumerate(intervals):
        if start <= moment <= end:
            return index, position + (moment - start)
        position += end - start
    raise AssertionError("moment must lie inside one of the day's intervals")  # pragma: no cover


class BusinessCalendar:
    """Where working time lies, and how far a deadline moves when only working time counts.

    Stateless apart from caches, so one instance can be shared by the service layer and the deadline
    watcher; results depend only on the arguments, never on the current time.
    """

    def __init__(
        self,
        hours: WorkingHours = _DEFAULT_HOURS,
        tz: str | ZoneInfo = "Asia/Shanghai",
        overrides: Mapping[date, bool] | None = None,
        use_statutory: bool = True,
        weekend: frozenset[int] = _DEFAULT_WEEKEND,
    ) -> None:
        if isinstance(tz, ZoneInfo):
            self.tz: ZoneInfo = tz
        else:
            try:
                self.tz = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(_("未知的时区：{tz}").format(tz=tz)) from exc
        clean: dict[date, bool] = {}
        for day, working in (overrides or {}).items():
            # A datetime key would never equal the date being looked up and the override would be
            # silently ignored.
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(_("调整日必须是日期：{day!r}").format(day=day))
            clean[day] = bool(working)
        weekend = frozenset(weekend)
        if not weekend <= set(range(7)):
            raise ValueError(_("周末必须是 0（周一）到 6（周日）之间的数字"))
        self.hours = hours
        self.overrides: Mapping[date, bool] = MappingProxyType(clean)
        self.use_statutory = bool(use_statutory)
        self.weekend = weekend
        # Deadline computations ask about the same few weeks over and over; the statutory lookup and
        # the tz conversions are cheap individually but not when repeated per interval.
        self._working_day_cache: dict[date, bool] = {}
        self._statutory_year_cache: dict[int, bool] = {}
        self._interval_cache: dict[date, tuple[_Interval, ...]] = {}

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(hours={str(self.hours)!r}, tz={self.tz.key!r}, "
            f"overrides={dict(self.overrides)!r}, use_statutory={self.use_statutory!r}, "
            f"weekend={sorted(self.weekend)!r})"
        )

    # -- days -------------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Whether the desk is open that day; an aware datetime is judged by its local date."""
        day = self._local_date(day)
        cached = self._working_day_cache.get(day)
        if cached is None:
            cached = self._compute_working_day(day)
            self._working_day_cache[day] = cached
        return cached

    def _compute_working_day(self, day: date) -> bool:
        # Administrators know about local closures and extra openings the State Council does not,
        # so their word is final.
        override = self.overrides.get(day)
        if override is not None:
            return override
        if self.use_statutory and self.has_statutory_data(day):
            # is_workday already treats make-up weekend days (调休) as working and holidays as off.
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() not in self.weekend

    def has_statutory_data(self, day: date) -> bool:
        """Whether the statutory calendar knows the year, so callers can warn before trusting a deadline.

        The State Council publishes each year's arrangement only late in the previous year; beyond
        the library's data the calendar silently falls back to the weekend rule.
        """
        day = self._local_date(day)
        known = self._statutory_year_cache.get(day.year)
        if known is None:
            try:
                chinese_calendar.is_workday(day)
            except NotImplementedError:
                known = False
            else:
                known = True
            self._statutory_year_cache[day.year] = known
        return known

    def _local_date(self, day: date) -> date:
        if isinstance(day, datetime):
            return self._to_utc(day).astimezone(self.tz).date()
        return day

    # -- instants ---------------------------------------------------------------------------------

    def _to_utc(self, instant: datetime) -> datetime:
        # A naive datetime would be read in whatever zone the machine happens to be in, and the
        # desks of one office may not agree; refusing it is the only safe choice.
        if not isinstance(instant, datetime):
            raise ValueError(_("需要带时区的日期时间：{value!r}").format(value=instant))
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError(_("日期时间必须带时区：{value}").format(value=instant.isoformat()))
        return instant.astimezone(UTC)

    def _out(self, instant_utc: datetime) -> datetime:
        return instant_utc.astimezone(self.tz)

    def _day_intervals(self, day: date) -> tuple[_Interval, ...]:
        """Working intervals of one day in UTC, empty on a day off.

        Built from the local wall-clock times of that very day, so a DST change shortens or lengthens
        the affected interval instead of shifting every later one.
        """
        cached = self._interval_cache.get(day)
        if cached is not None:
            return cached
        intervals: tuple[_Interval, ...] = ()
        if self.is_working_day(day):
            built = []
            for start, end in self.hours.intervals:
                start_utc = datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC)
                end_utc = datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC)
                if start_utc < end_utc:  # an interval swallowed by a DST gap has no working time
                    built.append((start_utc, end_utc))
            intervals = tuple(built)
        self._interval_cache[day] = intervals
        return intervals

    def _working_days_from(self, day: date) -> Iterator[tuple[date, tuple[_Interval, ...]]]:
        """Working days from ``day`` on, with a hard stop so a calendar without working days cannot hang."""
        idle = 0
        while True:
            intervals = self._day_intervals(day)
            if intervals:
                idle = 0
                yield day, intervals
            else:
                idle += 1
                if idle >= _MAX_IDLE_DAYS:
                    raise ValueError(_("日历中没有工作日"))
            try:
                day += timedelta(days=1)
            except OverflowError as exc:
                raise ValueError(_("日历中没有工作日")) from exc

    def _intervals_from(self, instant_utc: datetime) -> Iterator[_Interval]:
        """Working intervals that end at or after the instant, in order."""
        for _day, intervals in self._working_days_from(instant_utc.astimezone(self.tz).date()):
            for start, end in intervals:
                if end >= instant_utc:
                    yield start, end

    def is_working_time(self, instant: datetime) -> bool:
        """Closed intervals: a case registered at exactly 18:00 is still registered during opening hours."""
        instant_utc = self._to_utc(instant)
        day = instant_utc.astimezone(self.tz).date()
        return any(start <= instant_utc <= end for start, end in self._day_intervals(day))

    def next_working_moment(self, instant: datetime) -> datetime:
        """When the clock for something registered at ``instant`` actually starts running."""
        instant_utc = self._to_utc(instant)
        start, _end = next(self._intervals_from(instant_utc))
        return self._out(max(start, instant_utc))

    # -- arithmetic -------------------------------------------------------------------------------

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        """Deadline after ``delta`` of working time, counted from when the desk is next open.

        A deadline that uses up an interval exactly ends at that interval's end (18:00), not at the
        next opening: the staff had the whole allowance by then.
        """
        start_utc = self._to_utc(start)
        if delta < _ZERO:
            raise ValueError(_("工作时长不能为负数：{delta}").format(delta=delta))
        if delta == _ZERO:
            return self._out(start_utc)
        remaining = delta
        for interval_start, interval_end in self._intervals_from(start_utc):
            begin = max(interval_start, start_utc)
            available = interval_end - begin
            if remaining <= available:
                return self._out(begin + remaining)
            remaining -= available
        raise AssertionError("unreachable: _intervals_from never ends normally")  # pragma: no cover

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same point of the working day, ``days`` working days later.

        "Same point" is the working time already elapsed that day, so a case registered outside hours
        is treated as registered at the next opening. When that point sits on the boundary of a
        break (12:00 is both 3 h in and, with a 13:30 restart, also "3 h in"), the interval the start
        was in is kept, so 13:30 maps to 13:30 and 12:00 to 12:00 — the same wall-clock time, which
        is what staff expect from "one working day later".
        """
        if isinstance(days, bool) or not isinstance(days, int):
            raise ValueError(_("工作日数必须是整数：{days!r}").format(days=days))
        start_utc = self._to_utc(start)
        if days < 0:
            raise ValueError(_("工作日数不能为负数：{days}").format(days=days))
        if days == 0:
            return self._out(start_utc)
        moment = self._to_utc(self.next_working_moment(start_utc))
        first_day = moment.astimezone(self.tz).date()
        index, position = _position_in_day(moment, self._day_intervals(first_day))

        # The n-th working day after the start day; islice keeps the walk lazy and bounded.
        _target_day, target = next(
            islice(self._working_days_from(first_day + timedelta(days=1)), days - 1, None)
        )

        remaining = position
        for target_index, (interval_start, interval_end) in enumerate(target):
            available = interval_end - interval_start
            if remaining < available or (remaining == available and target_index >= index):
                return self._out(interval_start + remaining)
            remaining -= available
        # Only reachable when DST made the target day shorter than the position.
        return self._out(target[-1][1])

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much of an allowance has been used, e.g. for "time left" displays and for pausing clocks."""
        start_utc = self._to_utc(start)
        end_utc = self._to_utc(end)
        if end_utc <= start_utc:
            return _ZERO
        total = _ZERO
        day = start_utc.astimezone(self.tz).date()
        last_day = end_utc.astimezone(self.tz).date()
        while day <= last_day:
            for interval_start, interval_end in self._day_intervals(day):
                overlap = min(interval_end, end_utc) - max(interval_start, start_utc)
                if overlap > _ZERO:
                    total += overlap
            day += timedelta(days=1)
        return total

    def add(self, start: datetime, span: Span) -> datetime:
        """Single entry point for policy-driven deadlines, whatever unit the administrator chose."""
        if span.unit is SpanUnit.CLOCK_HOURS:
            # Elapsed time, not wall-clock: "2 hours" is 2 hours even across a DST change.
            return self._out(self._to_utc(start) + timedelta(hours=span.amount))
        if span.unit is SpanUnit.WORKING_HOURS:
            return self.add_working_time(start, timedelta(hours=span.amount))
        return self.add_working_days(start, int(span.amount))


# -- which years are known ---------------------------------------------------------------------------

#: Years searched for the bundled data's range; chinese_calendar starts at 2004.
_PROBE_YEARS = range(1990, 2200)


@functools.cache
def statutory_years() -> range:
    """The years the installed ``chinese_calendar`` has the State Council's arrangement for.

    Asked of the library itself (it refuses a year it has no data for) rather than written down here,
    so upgrading the package extends the range without a code change. Empty if it knows no year.
    """
    known = [year for year in _PROBE_YEARS if _library_knows(year)]
    return range(known[0], known[-1] + 1) if known else range(0)


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class Coverage:
    """The years whose holidays and make-up working days (调休) are known rather than guessed.

    Outside them the calendar counts Monday to Friday, which puts New Year's Day and the Spring
    Festival among the working days; deadlines falling there are estimates until an administrator
    imports that year's arrangement. ``every_year`` is the administrator's choice not to use the
    statutory calendar at all: then the weekend rule and their own overrides *are* the calendar.
    """

    years: frozenset[int] = frozenset()
    every_year: bool = False

    def covers(self, year: int) -> bool:
        return self.every_year or year in self.years

    def uncovered_years(self, start: datetime, end: datetime, tz: ZoneInfo) -> tuple[int, ...]:
        """The years of the span from ``start`` to ``end`` (office-local) that are not covered, in order."""
        first, last = (moment.astimezone(tz).year for moment in sorted((start, end)))
        return tuple(year for year in range(first, last + 1) if not self.covers(year))

    def is_estimated(self, instant: datetime, tz: ZoneInfo) -> bool:
        """Whether a deadline falling at ``instant`` was counted over a year nobody has the holidays of."""
        return not self.covers(instant.astimezone(tz).year)

    def first_uncovered(self, since: int, until: int) -> int | None:
        return next((year for year in range(since, until + 1) if not self.covers(year)), None)


def coverage(*, use_statutory: bool, imported: Iterable[int] = ()) -> Coverage:
    """What an office's calendar knows: the bundled years (when it uses them) and the imported ones."""
    if not use_statutory:
        return Coverage(every_year=True)
    return Coverage(frozenset(statutory_years()) | frozenset(imported))


#: The State Council publishes next year's arrangement in the autumn (usually November); from the first
#: of this month of the year before, an administrator is reminded to import a year nobody covers yet.
WARN_FROM_MONTH = 11


def year_to_import(known: Coverage, today: date) -> int | None:
    """The year an administrator should import now: this year if uncovered, or next year from November."""
    if not known.covers(today.year):
        return today.year
    if today.month >= WARN_FROM_MONTH and not known.covers(today.year + 1):
        return today.year + 1
    return None


# -- the State Council's arrangement as a text file ------------------------------------------------


@dataclass(frozen=True)
class Arrangement:
    """One or more years' holidays and make-up working days, as ``parse_arrangement`` read them."""

    years: tuple[int, ...]
    #: date → (is a working day, note)
    days: Mapping[date, tuple[bool, str]]


_KINDS: dict[str, bool] = {
    "holiday": False,
    "off": False,
    "休": False,  # not translated: a word the import file may use
    "workday": True,
    "working": True,
    "班": True,  # not translated: a word the import file may use
}
_YEAR_LINE = re.compile(r"^year\s+(\S+)$", re.IGNORECASE)
_DATE = r"\d{4}-\d{2}-\d{2}"
_DAYS = re.compile(rf"^(?P<first>{_DATE})(?:\.\.(?P<last>{_DATE}))?$")
#: A holiday period is at most a few weeks; a longer range is a typo in a date.
_MAX_RANGE_DAYS = 31
_MAX_NOTE = 200
#: Dates may reach this far into the neighbouring years (a make-up day in late December).
_NEIGHBOUR_DAYS = 31


def parse_arrangement(text: str) -> Arrangement:
    """Read an arrangement file: ``year 2027`` lines, then ``DATE[..DATE] holiday|workday [note]`` lines.

    Why a file of our own: the State Council publishes each year's arrangement as a notice in prose,
    months before ``chinese_calendar`` is updated; an administrator types (or checks) a dozen lines.
    Everything after ``#`` is a comment. Every line is checked and every problem reported at once,
    keyed ``line N`` (``file`` for the file as a whole), so nothing is stored from a file with an error.
    """
    errors: dict[str, str] = {}
    years: dict[int, int] = {}  # year → the line declaring it
    entries: list[tuple[int, date, date, bool, str]] = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key = f"line {number}"
        year_line = _YEAR_LINE.match(line)
        if year_line is not None:
            value = year_line.group(1)
            if not value.isdigit() or not 2000 <= int(value) <= 2199:
                errors[key] = _("年份应为四位数字，如 year 2027：{value}").format(value=value)
            elif int(value) in years:
                errors[key] = _("年份 {year} 已在第 {line} 行声明").format(year=value, line=years[int(value)])
            else:
                years[int(value)] = number
            continue
        parsed = _parse_entry(line)
        if isinstance(parsed, str):
            errors[key] = parsed
        else:
            entries.append((number, *parsed))

    if not years and (entries or not errors):
        errors["file"] = _("缺少年份行：文件须以 year YYYY（如 year 2027）声明所导入的年份")
    seen: dict[date, int] = {}
    days: dict[date, tuple[bool, str]] = {}
    used: set[int] = set()
    for number, first, last, working, note in entries:
        key = f"line {number}"
        owner = _year_of(first, years) if years else None
        if years and (owner is None or _year_of(last, years) is None):
            declared = join_items(str(y) for y in sorted(years))
            errors.setdefault(
                key,
                _("日期不在所声明的年份（{years}）内：{day}").format(years=declared, day=first.isoformat()),
            )
            continue
        day = first
        while day <= last:
            if day in seen:
                errors.setdefault(key, _("{day} 已在第 {line} 行出现").format(day=day, line=seen[day]))
            seen[day] = number
            days[day] = (working, note)
            day += timedelta(days=1)
        if owner is not None:
            used.add(owner)
    for year, number in years.items():
        if not errors and year not in used:  # said only when it is the whole story
            errors[f"line {number}"] = _("年份 {year} 没有列出任何日期").format(year=year)
    if errors:
        raise ValidationError(dict(sorted(errors.items(), key=_error_order)))
    return Arrangement(tuple(sorted(years)), MappingProxyType(dict(sorted(days.items()))))


def _parse_entry(line: str) -> tuple[date, date, bool, str] | str:
    """One ``DATE[..DATE] KIND [note]`` line, or the message saying what is wrong with it."""
    parts = line.split(maxsplit=2)
    if len(parts) < 2:
        return _("应为“日期 holiday|workday 说明”，如 2027-01-01 holiday 元旦：{line}").format(line=line)
    span, kind = parts[0], parts[1].lower()
    note = parts[2].strip() if len(parts) > 2 else ""
    match = _DAYS.match(span)
    if match is None:
        return _("无法识别的日期“{value}”：应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD").format(value=span)
    try:
        first = date.fromisoformat(match.group("first"))
        last = date.fromisoformat(match.group("last") or match.group("first"))
    except ValueError:
        return _("不存在的日期：{value}").format(value=span)
    if last < first:
        return _("日期范围的结束早于开始：{value}").format(value=span)
    if (last - first).days >= _MAX_RANGE_DAYS:
        return _("日期范围过长（最多 {n} 天）：{value}").format(n=_MAX_RANGE_DAYS, value=span)
    if kind not in _KINDS:
        return _("无法识别的类型“{kind}”：应为 holiday（放假）或 workday（调休上班）").format(kind=parts[1])
    if len(note) > _MAX_NOTE:
        return _("说明过长：最多 {n} 个字").format(n=_MAX_NOTE)
    return first, last, _KINDS[kind], note


def _year_of(day: date, years: Collection[int]) -> int | None:
    """The declared year a date belongs to: its own, or a neighbour's within a month of the turn."""
    if day.year in years:
        return day.year
    if day.year + 1 in years and (date(day.year + 1, 1, 1) - day).days <= _NEIGHBOUR_DAYS:
        return day.year + 1
    if day.year - 1 in years and (day - date(day.year - 1, 12, 31)).days <= _NEIGHBOUR_DAYS:
        return day.year - 1
    return None


def _error_order(item: tuple[str, str]) -> tuple[int, int]:
    key = item[0]
    return (0, 0) if key == "file" else (1, int(key.split()[1]))
