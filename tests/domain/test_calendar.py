"""Tests for the business calendar behind SLA deadlines.

Expected values are worked out by hand in the comments (weekday names, holiday tables), and the
property tests compare against a deliberately naive reference: Asia/Shanghai has had no DST since
1991, so local wall-clock arithmetic on naive datetimes is exact there and shares no code with the
UTC-based implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kesu_desktop.domain.calendar import (
    BusinessCalendar,
    Coverage,
    Span,
    SpanUnit,
    WorkingHours,
    coverage,
    parse_arrangement,
    statutory_years,
    year_to_import,
)
from kesu_desktop.domain.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
LUNCH = WorkingHours.parse("09:00-12:00,13:30-18:00")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# --------------------------------------------------------------------------------------------------
# Span and WorkingHours


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", Span(2, SpanUnit.CLOCK_HOURS)),
        ("0.5h", Span(0.5, SpanUnit.CLOCK_HOURS)),
        ("4wh", Span(4, SpanUnit.WORKING_HOURS)),
        ("7wd", Span(7, SpanUnit.WORKING_DAYS)),
        (" 7WD ", Span(7, SpanUnit.WORKING_DAYS)),
    ],
)
def test_span_parse(text: str, expected: Span) -> None:
    assert Span.parse(text) == expected


@pytest.mark.parametrize("text", ["2h", "0.5h", "4wh", "7wd", "1.25wh", "48h"])
def test_span_str_is_inverse_of_parse(text: str) -> None:
    assert str(Span.parse(text)) == text


@given(
    st.one_of(
        st.builds(
            Span, st.floats(min_value=1e-3, max_value=1e6), st.sampled_from(["clock_hours", "working_hours"])
        ),
        st.builds(Span, st.integers(1, 10_000), st.just(SpanUnit.WORKING_DAYS)),
    )
)
def test_span_round_trips(span: Span) -> None:
    assert Span.parse(str(span)) == span


@pytest.mark.parametrize(
    "text", ["", "2", "h", "2d", "-2h", "0h", "0wd", "1.5wd", "2 hours", "2h30m", "nanh"]
)
def test_span_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        Span.parse(text)


def test_span_rejects_bad_values_built_in_code() -> None:
    with pytest.raises(ValueError):
        Span(0, SpanUnit.CLOCK_HOURS)
    with pytest.raises(ValueError):
        Span(-1, SpanUnit.WORKING_HOURS)
    with pytest.raises(ValueError):
        Span(float("inf"), SpanUnit.WORKING_HOURS)
    with pytest.raises(ValueError):
        Span(2.5, SpanUnit.WORKING_DAYS)


def test_working_hours_parse_str_and_length() -> None:
    assert LUNCH.intervals == ((time(9), time(12)), (time(13, 30), time(18)))
    assert str(LUNCH) == "09:00-12:00,13:30-18:00"
    # 3 h in the morning + 4.5 h in the afternoon.
    assert LUNCH.length == timedelta(hours=7, minutes=30)
    assert WorkingHours().length == timedelta(hours=9)
    assert str(WorkingHours()) == "09:00-18:00"
    assert WorkingHours.parse(" 9:00 - 12:00 ").intervals == ((time(9), time(12)),)
    # Touching intervals do not overlap.
    assert WorkingHours.parse("09:00-12:00,12:00-13:00").length == timedelta(hours=4)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "09:00",
        "18:00-09:00",  # would cross midnight
        "09:00-09:00",  # empty
        "13:00-18:00,09:00-12:00",  # unsorted
        "09:00-13:00,12:00-18:00",  # overlapping
        "09:00-25:00",
        "9-18",
        "09:00-12:00;13:00-18:00",
    ],
)
def test_working_hours_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        WorkingHours.parse(text)


def test_working_hours_requires_an_interval() -> None:
    with pytest.raises(ValueError):
        WorkingHours(())


# --------------------------------------------------------------------------------------------------
# The brief's scenarios


def test_p0_counts_clock_hours() -> None:
    # 17:30 + 2 wall-clock hours, working hours are irrelevant.
    assert BusinessCalendar().add(sh(2026, 11, 20, 17, 30), Span(2, SpanUnit.CLOCK_HOURS)) == sh(
        2026, 11, 20, 19, 30
    )


def test_p1_counts_working_hours_over_a_weekend() -> None:
    assert date(2026, 11, 20).weekday() == 4  # Friday
    # Friday 17:30-18:00 uses 0.5 h; Saturday and Sunday are skipped; Monday 09:00 + 3.5 h = 12:30.
    result = BusinessCalendar().add(sh(2026, 11, 20, 17, 30), Span(4, SpanUnit.WORKING_HOURS))
    assert result == sh(2026, 11, 23, 12, 30)
    assert result.tzinfo == SHANGHAI


def test_lunch_break_is_skipped() -> None:
    cal = BusinessCalendar(LUNCH)
    assert date(2026, 11, 16).weekday() == 0  # Monday
    # 11:00-12:00 uses 1 h, lunch is skipped, 13:30 + 1 h = 14:30.
    assert cal.add_working_time(sh(2026, 11, 16, 11), timedelta(hours=2)) == sh(2026, 11, 16, 14, 30)
    # Registered during lunch: the clock starts at 13:30.
    assert cal.next_working_moment(sh(2026, 11, 16, 12, 30)) == sh(2026, 11, 16, 13, 30)
    assert cal.add_working_time(sh(2026, 11, 16, 12, 30), timedelta(hours=1)) == sh(2026, 11, 16, 14, 30)
    assert not cal.is_working_time(sh(2026, 11, 16, 12, 30))


def test_deadline_ending_at_closing_time_stays_at_closing_time() -> None:
    cal = BusinessCalendar()
    # Monday 10:00 + 8 h = 18:00 exactly; not Tuesday 09:00.
    assert cal.add_working_time(sh(2026, 11, 16, 10), timedelta(hours=8)) == sh(2026, 11, 16, 18)
    assert cal.is_working_time(sh(2026, 11, 16, 18))
    # Same at the end of the morning interval.
    lunch = BusinessCalendar(LUNCH)
    assert lunch.add_working_time(sh(2026, 11, 16, 10), timedelta(hours=2)) == sh(2026, 11, 16, 12)


def test_one_more_minute_after_closing_goes_to_next_morning() -> None:
    cal = BusinessCalendar()
    assert cal.add_working_time(sh(2026, 11, 16, 10), timedelta(hours=8, minutes=1)) == sh(2026, 11, 17, 9, 1)


def test_national_day_2026_facts_in_chinese_calendar() -> None:
    # Check the library's data before building on it.
    for day in range(1, 8):
        assert chinese_calendar.is_holiday(date(2026, 10, day)), day
    assert date(2026, 10, 10).weekday() == 5  # Saturday...
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # ...that is a make-up working day
    assert date(2026, 9, 20).weekday() == 6  # Sunday...
    assert chinese_calendar.is_workday(date(2026, 9, 20))  # ...also a make-up working day
    assert chinese_calendar.is_workday(date(2026, 10, 8))
    assert chinese_calendar.is_workday(date(2026, 10, 9))


def test_national_day_2026_working_days() -> None:
    cal = BusinessCalendar()
    for day in range(1, 8):
        assert not cal.is_working_day(date(2026, 10, day)), day
    assert cal.is_working_day(date(2026, 10, 10))
    assert cal.is_working_day(date(2026, 9, 20))
    assert not cal.is_working_day(date(2026, 10, 11))  # ordinary Sunday
    assert cal.has_statutory_data(date(2026, 10, 1))
    # Wednesday 30 Sept 10:00 + 7 working days: Oct 8 (1), 9 (2), 10 make-up Saturday (3), 12 (4),
    # 13 (5), 14 (6), 15 (7) -> Thursday 15 Oct at the same time of day.
    assert cal.add(sh(2026, 9, 30, 10), Span(7, SpanUnit.WORKING_DAYS)) == sh(2026, 10, 15, 10)
    # Working hours skip the holiday too: 30 Sept 17:00 + 2 wh = 1 h on 30 Sept + 1 h on 8 Oct.
    assert cal.add(sh(2026, 9, 30, 17), Span(2, SpanUnit.WORKING_HOURS)) == sh(2026, 10, 8, 10)
    # And the make-up Saturday counts in working hours: Friday 9 Oct 17:00 + 2 wh -> Saturday 10:00.
    assert cal.add(sh(2026, 10, 9, 17), Span(2, SpanUnit.WORKING_HOURS)) == sh(2026, 10, 10, 10)


def test_without_statutory_data_holidays_are_ordinary_days() -> None:
    cal = BusinessCalendar(use_statutory=False)
    assert cal.is_working_day(date(2026, 10, 1))  # Thursday
    assert not cal.is_working_day(date(2026, 10, 10))  # Saturday
    # 30 Sept (Wed) + 7 working days: Oct 1, 2, 5, 6, 7, 8, 9 -> Friday 9 Oct.
    assert cal.add(sh(2026, 9, 30, 10), Span(7, SpanUnit.WORKING_DAYS)) == sh(2026, 10, 9, 10)


def test_override_monday_off_moves_deadline() -> None:
    start = sh(2026, 11, 20, 17, 30)  # Friday
    cal = BusinessCalendar(overrides={date(2026, 11, 23): False})
    # Monday is closed, so the 3.5 h left after Friday run on Tuesday: 09:00 + 3.5 h.
    assert cal.add(start, Span(4, SpanUnit.WORKING_HOURS)) == sh(2026, 11, 24, 12, 30)
    assert not cal.is_working_day(date(2026, 11, 23))


def test_override_sunday_on_counts_it() -> None:
    start = sh(2026, 11, 20, 17, 30)  # Friday
    cal = BusinessCalendar(overrides={date(2026, 11, 22): True})
    # Sunday is open: 09:00 + 3.5 h.
    assert cal.add(start, Span(4, SpanUnit.WORKING_HOURS)) == sh(2026, 11, 22, 12, 30)
    assert cal.is_working_day(date(2026, 11, 22))


def test_overrides_win_over_statutory_data() -> None:
    start = sh(2026, 9, 30, 10)
    # The make-up Saturday closed: Oct 8, 9, 12, 13, 14, 15, 16 -> 16 Oct.
    closed = BusinessCalendar(overrides={date(2026, 10, 10): False})
    assert not closed.is_working_day(date(2026, 10, 10))
    assert closed.add(start, Span(7, SpanUnit.WORKING_DAYS)) == sh(2026, 10, 16, 10)
    # A holiday opened: Oct 5, 8, 9, 10, 12, 13, 14 -> 14 Oct.
    opened = BusinessCalendar(overrides={date(2026, 10, 5): True})
    assert opened.is_working_day(date(2026, 10, 5))
    assert opened.add(start, Span(7, SpanUnit.WORKING_DAYS)) == sh(2026, 10, 14, 10)


def test_year_without_statutory_data_falls_back_to_weekdays() -> None:
    cal = BusinessCalendar()
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2031, 1, 1))
    assert not cal.has_statutory_data(date(2031, 1, 1))
    assert date(2031, 1, 1).weekday() == 2  # Wednesday: New Year's Day, but no data -> working day
    assert cal.is_working_day(date(2031, 1, 1))
    assert not cal.is_working_day(date(2031, 1, 4))  # Saturday
    # Friday 3 Jan 2031 17:00 + 2 wh: 1 h on Friday, weekend skipped, Monday 6 Jan 10:00.
    assert cal.add(sh(2031, 1, 3, 17), Span(2, SpanUnit.WORKING_HOURS)) == sh(2031, 1, 6, 10)
    # A custom weekend applies in the fallback as well.
    friday_off = BusinessCalendar(weekend=frozenset({4, 5}))
    assert not friday_off.is_working_day(date(2031, 1, 3))
    assert friday_off.is_working_day(date(2031, 1, 5))  # Sunday


def test_add_working_days_same_time_next_week() -> None:
    cal = BusinessCalendar(use_statutory=False)
    # Monday 16 Nov 10:00: Tue(1) Wed(2) Thu(3) Fri(4) Mon(5) Tue(6) Wed 25 Nov(7).
    assert cal.add(sh(2026, 11, 16, 10), Span(7, SpanUnit.WORKING_DAYS)) == sh(2026, 11, 25, 10)


def test_add_working_days_from_outside_hours() -> None:
    cal = BusinessCalendar()
    # Friday 20:00 -> clock starts Monday 09:00 (position 0); one working day later is Tuesday 09:00.
    assert cal.add_working_days(sh(2026, 11, 20, 20), 1) == sh(2026, 11, 24, 9)
    # Before opening on a working day is the same day's 09:00.
    assert cal.add_working_days(sh(2026, 11, 17, 7), 1) == sh(2026, 11, 18, 9)


def test_add_working_days_keeps_the_side_of_the_lunch_break() -> None:
    cal = BusinessCalendar(LUNCH)
    # 12:00 and 13:30 are both 3 h into the working day; each keeps its wall-clock time.
    assert cal.add_working_days(sh(2026, 11, 16, 12), 1) == sh(2026, 11, 17, 12)
    assert cal.add_working_days(sh(2026, 11, 16, 13, 30), 1) == sh(2026, 11, 17, 13, 30)
    # Registered in the lunch break: starts at 13:30.
    assert cal.add_working_days(sh(2026, 11, 16, 12, 45), 1) == sh(2026, 11, 17, 13, 30)
    assert cal.add_working_days(sh(2026, 11, 16, 18), 1) == sh(2026, 11, 17, 18)


def test_zero_and_negative_amounts() -> None:
    cal = BusinessCalendar()
    saturday = sh(2026, 11, 21, 3)
    assert cal.add_working_time(saturday, timedelta(0)) == saturday
    assert cal.add_working_days(saturday, 0) == saturday
    with pytest.raises(ValueError):
        cal.add_working_time(saturday, timedelta(minutes=-1))
    with pytest.raises(ValueError):
        cal.add_working_days(saturday, -1)


def test_naive_datetimes_are_refused() -> None:
    cal = BusinessCalendar()
    naive = datetime(2026, 11, 16, 10)
    aware = sh(2026, 11, 16, 10)
    with pytest.raises(ValueError):
        cal.is_working_time(naive)
    with pytest.raises(ValueError):
        cal.next_working_moment(naive)
    with pytest.raises(ValueError):
        cal.add_working_time(naive, timedelta(hours=1))
    with pytest.raises(ValueError):
        cal.add_working_days(naive, 1)
    with pytest.raises(ValueError):
        cal.working_time_between(naive, aware)
    with pytest.raises(ValueError):
        cal.working_time_between(aware, naive)
    with pytest.raises(ValueError):
        cal.add(naive, Span(1, SpanUnit.CLOCK_HOURS))


def test_other_time_zones_in_results_are_converted() -> None:
    cal = BusinessCalendar()
    # 01:30 UTC is 09:30 in Shanghai on Monday 16 Nov; + 1 wh = 10:30 Shanghai.
    result = cal.add_working_time(datetime(2026, 11, 16, 1, 30, tzinfo=UTC), timedelta(hours=1))
    assert result == sh(2026, 11, 16, 10, 30)
    assert result.tzinfo == SHANGHAI
    assert result.hour == 10


def test_no_working_day_raises() -> None:
    start = date(2026, 1, 1)
    all_off = {start + timedelta(days=i): False for i in range(366 * 3 + 10)}
    cal = BusinessCalendar(overrides=all_off)
    with pytest.raises(ValueError, match="日历中没有工作日"):
        cal.add_working_time(sh(2026, 1, 1, 10), timedelta(hours=1))
    with pytest.raises(ValueError, match="日历中没有工作日"):
        cal.add_working_days(sh(2026, 1, 1, 10), 1)
    with pytest.raises(ValueError, match="日历中没有工作日"):
        cal.next_working_moment(sh(2026, 1, 1, 10))
    # Measuring a closed range is fine: nothing worked.
    assert cal.working_time_between(sh(2026, 1, 1), sh(2027, 1, 1)) == timedelta(0)


def test_working_time_between() -> None:
    cal = BusinessCalendar(LUNCH)
    # Friday 20 Nov 11:00 -> Monday 23 Nov 14:00: Friday 1 h + 4.5 h, Monday 3 h + 0.5 h.
    assert cal.working_time_between(sh(2026, 11, 20, 11), sh(2026, 11, 23, 14)) == timedelta(hours=9)
    assert cal.working_time_between(sh(2026, 11, 23, 14), sh(2026, 11, 20, 11)) == timedelta(0)


def test_time_zone_with_dst_uses_elapsed_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Clocks go from 02:00 to 03:00 on Sunday 29 March 2026, inside the 01:00-05:00 working interval,
    # so that day has only 3 h of working time.
    cal = BusinessCalendar(
        WorkingHours.parse("01:00-05:00"), tz="Europe/Berlin", use_statutory=False, weekend=frozenset()
    )
    day = datetime(2026, 3, 29, tzinfo=berlin)
    assert cal.working_time_between(day, day + timedelta(days=1)) == timedelta(hours=3)
    # 01:00 + 2 clock hours is 04:00 summer time, not 03:00.
    assert cal.add(datetime(2026, 3, 29, 1, tzinfo=berlin), Span(2, SpanUnit.CLOCK_HOURS)) == datetime(
        2026, 3, 29, 4, tzinfo=berlin
    )
    # 3.5 h into Saturday's day is past the end of Sunday's 3 h day: clamp to Sunday 05:00.
    assert cal.add_working_days(datetime(2026, 3, 28, 4, 30, tzinfo=berlin), 1) == datetime(
        2026, 3, 29, 5, tzinfo=berlin
    )


def test_invalid_configuration() -> None:
    with pytest.raises(ValueError):
        BusinessCalendar(tz="Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        BusinessCalendar(weekend=frozenset({7}))
    with pytest.raises(ValueError):
        BusinessCalendar(overrides={datetime(2026, 1, 1, tzinfo=SHANGHAI): True})


# --------------------------------------------------------------------------------------------------
# Properties against a naive reference


@dataclass(frozen=True)
class Setup:
    intervals: tuple[tuple[int, int], ...]  # minutes of the day
    overrides: dict[date, bool]
    use_statutory: bool
    weekend: frozenset[int]

    def calendar(self) -> BusinessCalendar:
        hours = WorkingHours(tuple((_minute_time(a), _minute_time(b)) for a, b in self.intervals))
        return BusinessCalendar(
            hours, overrides=self.overrides, use_statutory=self.use_statutory, weekend=self.weekend
        )


def _minute_time(minute: int) -> time:
    return time(minute // 60, minute % 60)


def ref_is_working_day(setup: Setup, day: date) -> bool:
    """The rule written out independently: override, then the library, then the weekend."""
    if day in setup.overrides:
        return setup.overrides[day]
    if setup.use_statutory:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            pass
    return day.weekday() not in setup.weekend


def ref_working_time(setup: Setup, start: datetime, end: datetime) -> timedelta:
    """Working time between two instants using naive Shanghai wall-clock arithmetic (no DST there)."""
    a = start.astimezone(SHANGHAI).replace(tzinfo=None)
    b = end.astimezone(SHANGHAI).replace(tzinfo=None)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if ref_is_working_day(setup, day):
            midnight = datetime.combine(day, time())
            for lo, hi in setup.intervals:
                lo_dt = midnight + timedelta(minutes=lo)
                hi_dt = midnight + timedelta(minutes=hi)
                overlap = min(hi_dt, b) - max(lo_dt, a)
                if overlap > timedelta(0):
                    total += overlap
        day += timedelta(days=1)
    return total


@st.composite
def interval_lists(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    count = draw(st.integers(1, 3))
    points = sorted(draw(st.lists(st.integers(0, 24 * 60 - 1), min_size=2 * count, max_size=2 * count)))
    pairs = tuple((points[2 * i], points[2 * i + 1]) for i in range(count))
    # Starts strictly before ends; consecutive intervals may touch (12:00-12:00) but not overlap.
    assume(all(lo < hi for lo, hi in pairs))
    # At least an hour a day keeps 200 working hours within a year or so of calendar days.
    assume(sum(hi - lo for lo, hi in pairs) >= 60)
    return pairs


WINDOW_START = date(2025, 1, 1)
WINDOW_DAYS = 3 * 366

setups = st.builds(
    Setup,
    intervals=interval_lists(),
    overrides=st.dictionaries(
        st.integers(0, WINDOW_DAYS).map(lambda n: WINDOW_START + timedelta(days=n)),
        st.booleans(),
        max_size=40,
    ),
    use_statutory=st.booleans(),
    weekend=st.frozensets(st.integers(0, 6), max_size=3),
)

# Whole minutes plus some seconds, in Shanghai or expressed in another zone.
starts = st.builds(
    lambda minute, second, zone: (
        datetime(2025, 1, 1, tzinfo=SHANGHAI) + timedelta(minutes=minute, seconds=second)
    ).astimezone(zone),
    st.integers(0, 3 * 365 * 24 * 60),
    st.sampled_from([0, 0, 0, 30]),
    st.sampled_from([SHANGHAI, UTC, ZoneInfo("America/New_York")]),
)
deltas = st.integers(1, 200 * 60).map(lambda m: timedelta(minutes=m))

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(setups, starts, deltas)
def test_add_working_time_lands_in_working_time_and_uses_exactly_delta(
    setup: Setup, start: datetime, delta: timedelta
) -> None:
    cal = setup.calendar()
    result = cal.add_working_time(start, delta)
    assert result.tzinfo == cal.tz
    assert result > start
    assert cal.is_working_time(result)
    assert ref_is_working_day(setup, result.astimezone(SHANGHAI).date())
    assert cal.working_time_between(start, result) == delta
    assert ref_working_time(setup, start, result) == delta
    # Minimality: the deadline is not later than needed (no working time is wasted before it).
    assert ref_working_time(setup, start, result - timedelta(minutes=1)) < delta


@PROPERTY_SETTINGS
@given(setups, starts, deltas)
def test_non_working_days_never_contribute(setup: Setup, start: datetime, delta: timedelta) -> None:
    cal = setup.calendar()
    result = cal.add_working_time(start, delta)
    total = timedelta(0)
    day = start.astimezone(SHANGHAI).date()
    while day <= result.astimezone(SHANGHAI).date():
        day_start = max(start, datetime.combine(day, time(), tzinfo=SHANGHAI))
        day_end = min(result, datetime.combine(day + timedelta(days=1), time(), tzinfo=SHANGHAI))
        contribution = cal.working_time_between(day_start, day_end)
        if contribution > timedelta(0):
            assert cal.is_working_day(day)
            assert ref_is_working_day(setup, day)
        else:
            # Either a day off or nothing of its working hours lies in the range.
            assert not ref_is_working_day(setup, day) or ref_working_time(
                setup, day_start, day_end
            ) == timedelta(0)
        total += contribution
        day += timedelta(days=1)
    assert total == delta


@PROPERTY_SETTINGS
@given(setups, starts, st.integers(0, 200 * 60), st.integers(0, 200 * 60))
def test_add_working_time_is_monotonic_in_delta(setup: Setup, start: datetime, m1: int, m2: int) -> None:
    cal = setup.calendar()
    d1, d2 = sorted((timedelta(minutes=m1), timedelta(minutes=m2)))
    assert cal.add_working_time(start, d1) <= cal.add_working_time(start, d2)


@PROPERTY_SETTINGS
@given(setups, starts, st.integers(0, 14 * 24 * 60), deltas)
def test_add_working_time_is_monotonic_in_start(
    setup: Setup, s1: datetime, gap: int, delta: timedelta
) -> None:
    cal = setup.calendar()
    s2 = s1 + timedelta(minutes=gap)
    assert cal.add_working_time(s1, delta) <= cal.add_working_time(s2, delta)


@PROPERTY_SETTINGS
@given(setups, starts)
def test_next_working_moment(setup: Setup, start: datetime) -> None:
    cal = setup.calendar()
    moment = cal.next_working_moment(start)
    assert moment >= start
    assert cal.is_working_time(moment)
    # Nothing worked in between, and if start was working time the moment is start itself.
    assert ref_working_time(setup, start, moment) == timedelta(0)
    if cal.is_working_time(start):
        assert moment == start


@PROPERTY_SETTINGS
@given(setups, starts, st.integers(0, 30))
def test_add_working_days(setup: Setup, start: datetime, days: int) -> None:
    cal = setup.calendar()
    result = cal.add_working_days(start, days)
    if days == 0:
        assert result == start
        return
    moment = cal.next_working_moment(start).astimezone(SHANGHAI)
    local = result.astimezone(SHANGHAI)
    assert ref_is_working_day(setup, local.date())
    assert cal.is_working_time(result)
    # Exactly `days` working days in (day the clock started, result day].
    counted = sum(
        ref_is_working_day(setup, moment.date() + timedelta(days=i))
        for i in range(1, (local.date() - moment.date()).days + 1)
    )
    assert counted == days
    if cal.is_working_time(start):
        assert moment == start
    # Same working-day position; every working day has the same hours in Shanghai, so same wall time.
    assert local.time() == moment.time()


@PROPERTY_SETTINGS
@given(setups, starts, st.integers(0, 20), st.integers(0, 20), st.integers(0, 14 * 24 * 60))
def test_add_working_days_is_monotonic(setup: Setup, start: datetime, n1: int, n2: int, gap: int) -> None:
    cal = setup.calendar()
    n1, n2 = sorted((n1, n2))
    assert cal.add_working_days(start, n1) <= cal.add_working_days(start, n2)
    later = start + timedelta(minutes=gap)
    assert cal.add_working_days(start, n2) <= cal.add_working_days(later, n2)


@PROPERTY_SETTINGS
@given(setups, starts, starts)
def test_working_time_between_matches_reference(setup: Setup, a: datetime, b: datetime) -> None:
    cal = setup.calendar()
    assume(abs(a - b) <= timedelta(days=120))
    assert cal.working_time_between(a, b) == ref_working_time(setup, a, b)


# -- which years are known: bundled data, imports, estimates ---------------------------------------

#: The last year the installed chinese_calendar knows (read from the library, never written down).
LAST = statutory_years()[-1]


def test_the_bundled_years_are_the_ones_the_library_answers_for() -> None:
    years = statutory_years()
    assert len(years) > 10 and years[0] <= 2010
    for year in (years[0], years[-1]):
        chinese_calendar.is_workday(date(year, 6, 1))
    for year in (years[0] - 1, years[-1] + 1):
        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(year, 6, 1))


def test_a_year_without_holiday_data_is_uncovered_and_its_deadlines_estimated() -> None:
    known = coverage(use_statutory=True)
    assert known.covers(LAST) and not known.covers(LAST + 1)
    late_december, early_january = sh(LAST, 12, 28, 10), sh(LAST + 1, 1, 8, 10)
    assert known.uncovered_years(late_december, early_january, SHANGHAI) == (LAST + 1,)
    assert known.uncovered_years(late_december, sh(LAST, 12, 31, 18), SHANGHAI) == ()
    assert not known.is_estimated(sh(LAST, 12, 31, 23, 59), SHANGHAI)
    assert known.is_estimated(sh(LAST + 1, 1, 1), SHANGHAI)
    # The year is judged in the office's zone: 16:30 UTC on 31 December is already New Year in Shanghai.
    assert known.is_estimated(datetime(LAST, 12, 31, 16, 30, tzinfo=UTC), SHANGHAI)
    # What "estimated" means: the fallback counts New Year's Day as a working day when it is a weekday.
    new_year = date(LAST + 1, 1, 1)
    assert BusinessCalendar().is_working_day(new_year) is (new_year.weekday() < 5)


def test_an_imported_year_is_covered_and_switching_statutory_days_off_estimates_nothing() -> None:
    known = coverage(use_statutory=True, imported=[LAST + 1])
    assert known.uncovered_years(sh(LAST, 12, 28), sh(LAST + 2, 1, 8), SHANGHAI) == (LAST + 2,)
    assert not known.is_estimated(sh(LAST + 1, 6, 1), SHANGHAI)
    weekend_rule = coverage(use_statutory=False)
    assert weekend_rule.covers(LAST + 50) and not weekend_rule.is_estimated(sh(LAST + 50, 1, 1), SHANGHAI)
    assert Coverage(frozenset({LAST})).first_uncovered(LAST, LAST + 3) == LAST + 1


def test_admins_are_reminded_from_november_of_the_year_before() -> None:
    known = coverage(use_statutory=True)
    assert year_to_import(known, date(LAST, 10, 31)) is None
    assert year_to_import(known, date(LAST, 11, 1)) == LAST + 1
    assert year_to_import(known, date(LAST + 1, 3, 1)) == LAST + 1  # too late, but still the thing to do
    assert year_to_import(coverage(use_statutory=True, imported=[LAST + 1]), date(LAST, 11, 1)) is None


ARRANGEMENT = """
# 国务院办公厅通知（示例）
year 2031
2030-12-29 workday 元旦调休上班   # late December belongs to the next year's arrangement
2031-01-01 holiday 元旦
2031-01-22..2031-01-28 holiday 春节
2031-02-08 班 春节调休
"""


def test_an_arrangement_file_gives_its_years_and_days() -> None:
    parsed = parse_arrangement(ARRANGEMENT)
    assert parsed.years == (2031,)
    assert parsed.days[date(2031, 1, 1)] == (False, "元旦")
    assert all(parsed.days[date(2031, 1, d)] == (False, "春节") for d in range(22, 29))
    assert parsed.days[date(2030, 12, 29)] == (True, "元旦调休上班")
    assert parsed.days[date(2031, 2, 8)] == (True, "春节调休")
    assert len(parsed.days) == 10
    imported = BusinessCalendar(overrides={d: w for d, (w, _n) in parsed.days.items()})
    assert not imported.is_working_day(date(2031, 1, 1)) and imported.is_working_day(date(2031, 2, 8))


def test_every_bad_line_is_reported_with_its_number() -> None:
    text = "\n".join(
        [
            "year 2031",
            "year 2031",  # 2
            "2031-02-30 holiday 不存在",  # 3
            "2031-01-01 vacation",  # 4
            "2033-05-01 holiday 不在声明的年份",  # 5
            "2031-05-01 holiday 劳动节",
            "2031-05-01 workday 重复",  # 7
            "2031-03-09..2031-03-01 holiday 反了",  # 8
            "2031-03-01..2031-05-01 holiday 太长",  # 9
            "明天 放假",  # 10
            "year twenty",  # 11
        ]
    )
    with pytest.raises(ValidationError) as info:
        parse_arrangement(text)
    errors = info.value.errors
    assert list(errors) == [f"line {n}" for n in (2, 3, 4, 5, 7, 8, 9, 10, 11)]
    assert "第 1 行" in errors["line 2"] and "2031-02-30" in errors["line 3"]
    assert "vacation" in errors["line 4"] and "2033-05-01" in errors["line 5"]
    assert "第 6 行" in errors["line 7"] and "明天" in errors["line 10"]


def test_a_file_must_say_which_year_it_covers_and_list_its_days() -> None:
    with pytest.raises(ValidationError) as info:
        parse_arrangement("2031-01-01 holiday 元旦\n")
    assert list(info.value.errors) == ["file"] and "year" in info.value.errors["file"]
    with pytest.raises(ValidationError) as info:
        parse_arrangement("# nothing but a comment\n")
    assert list(info.value.errors) == ["file"]
    with pytest.raises(ValidationError) as info:
        parse_arrangement("year 2031\nyear 2032\n2031-01-01 holiday 元旦\n")
    assert info.value.errors == {"line 2": "年份 2032 没有列出任何日期"}


def test_the_sample_in_docs_is_refused_until_its_year_line_is_uncommented() -> None:
    from pathlib import Path

    sample = (Path(__file__).resolve().parents[2] / "docs" / "calendar-2027.txt").read_text(encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        parse_arrangement(sample)
    assert list(info.value.errors) == ["file"]
    checked = parse_arrangement(sample.replace("# year 2027", "year 2027"))
    assert checked.years == (2027,)
    assert not any(working for working, _note in checked.days.values())  # the statutory days only
    assert date(2027, 2, 5) in checked.days and date(2027, 10, 3) in checked.days
