"""Administrators change the rules' numbers and the calendar; registrations follow at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kesu_desktop import services
from kesu_desktop.domain.calendar import BusinessCalendar, statutory_years
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.services import Desk
from tests.helpers.data import complaint

SH = ZoneInfo("Asia/Shanghai")


def test_an_office_setting_changes_the_deadline_of_new_cases(desk: Desk, people) -> None:
    services.set_setting(desk, people.admin, "sla.p2.respond", "2wh", office="BJ01")
    case = services.register_case(desk, people.alice, complaint())
    assert case.respond_by == datetime(2026, 11, 23, 12, 0, tzinfo=SH)  # Monday 10:00 + 2 working hours
    assert services.settings(desk, people.admin) == {"BJ01": {"sla.p2.respond": "2wh"}}


def test_a_declared_day_off_is_skipped(desk: Desk, people, clock) -> None:
    clock.instant = datetime(2026, 11, 23, 17, 0, tzinfo=SH)  # Monday 17:00, 8 working hours to respond
    services.set_calendar_day(desk, people.admin, date(2026, 11, 24), working=False, note="停电检修")
    case = services.register_case(desk, people.alice, complaint())
    assert case.respond_by == datetime(2026, 11, 25, 16, 0, tzinfo=SH)


def test_lunch_break_configured_as_working_hours(desk: Desk, people, clock) -> None:
    services.set_setting(desk, people.admin, "working_hours", "09:00-12:00,13:30-18:00")
    clock.instant = datetime(2026, 11, 23, 11, 0, tzinfo=SH)
    services.set_setting(desk, people.admin, "sla.p2.respond", "2wh")
    case = services.register_case(desk, people.alice, complaint())
    assert case.respond_by == datetime(2026, 11, 23, 14, 30, tzinfo=SH)


def test_bad_settings_and_non_admins_are_refused(desk: Desk, people) -> None:
    with pytest.raises(ValidationError):
        services.set_setting(desk, people.admin, "sla.p2.respond", "soon")
    with pytest.raises(ValidationError):
        services.set_setting(desk, people.admin, "no_such_setting", "1")
    with pytest.raises(ValidationError, match="Mars"):
        services.set_setting(desk, people.admin, "timezone", "Mars/Olympus")
    with pytest.raises(ValidationError):
        services.set_setting(desk, people.admin, "repeat_window_days", "30", office="XX99")
    with pytest.raises(NotAllowed):
        services.set_setting(desk, people.carol, "repeat_window_days", "30")
    assert services.settings(desk, people.admin) == {}


# -- a year the holiday data does not cover --------------------------------------------------------

#: The last year the installed chinese_calendar knows; the year after it is not covered.
LAST = statutory_years()[-1]


def _late_december_morning() -> datetime:
    """10:00 on the first working day from 24 December of the last covered year: 7 working days later
    is in January, in the year nobody has the holidays of."""
    day = date(LAST, 12, 24)
    while not BusinessCalendar().is_working_day(day):
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=SH)


def _first_weekday_of_january() -> date:
    day = date(LAST + 1, 1, 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _arrangement() -> str:
    return f"year {LAST + 1}\n{_first_weekday_of_january().isoformat()} holiday 元旦\n"


def test_deadlines_in_a_year_without_holiday_data_are_estimated_until_it_is_imported(
    desk: Desk, people, clock
) -> None:
    clock.instant = _late_december_morning()
    before = services.register_case(desk, people.alice, complaint())
    assert before.resolve_by is not None and before.resolve_by.year == LAST + 1
    assert before.deadlines_estimated
    assert services.get_case(desk, people.carol, before.case_no).deadlines_estimated  # as kesu show says
    assert services.calendar_coverage(desk, people.alice).uncovered_in([before.resolve_by]) == (LAST + 1,)

    result = services.import_calendar(desk, people.admin, _arrangement())
    assert (result.years, result.holidays, result.workdays, result.scope) == ((LAST + 1,), 1, 0, "")
    after = services.register_case(desk, people.alice, complaint(phone="13900139000"))
    assert not after.deadlines_estimated
    assert after.resolve_by is not None and after.resolve_by > before.resolve_by  # the holiday is skipped
    assert services.calendar_coverage(desk, people.admin).imported == (LAST + 1,)


def test_a_bad_arrangement_file_writes_nothing(desk: Desk, people, clock) -> None:
    clock.instant = _late_december_morning()
    before = services.register_case(desk, people.alice, complaint())
    first = _first_weekday_of_january().isoformat()
    bad = f"year {LAST + 1}\n{first} holiday 元旦\n{LAST + 1}-02-30 holiday 春节\nxyz\n"
    with pytest.raises(ValidationError) as info:
        services.import_calendar(desk, people.admin, bad)
    assert set(info.value.errors) == {"line 3", "line 4"}
    after = services.register_case(desk, people.alice, complaint(phone="13900139000"))
    assert after.deadlines_estimated  # no year recorded
    assert after.resolve_by == before.resolve_by  # and no day: the valid line 2 was not stored either
    coverage = services.calendar_coverage(desk, people.admin)
    assert coverage.imported == () and coverage.year_to_import == LAST + 1
    with pytest.raises(NotAllowed):
        services.import_calendar(desk, people.bob, _arrangement())
    with pytest.raises(ValidationError) as info:
        services.import_calendar(desk, people.admin, _arrangement(), office="NOPE")
    assert set(info.value.errors) == {"office"}


def test_an_office_import_covers_that_office_only(desk: Desk, people, clock) -> None:
    services.import_calendar(desk, people.admin, _arrangement(), office="BJ01")
    clock.instant = _late_december_morning()
    assert not services.register_case(desk, people.alice, complaint()).deadlines_estimated
    assert services.calendar_coverage(desk, people.alice).imported == (LAST + 1,)


def test_only_admins_get_the_notice_and_only_from_november(desk: Desk, people, clock) -> None:
    clock.instant = datetime(LAST, 10, 31, 12, 0, tzinfo=SH)
    assert services.calendar_coverage(desk, people.admin).notice is None
    clock.instant = datetime(LAST, 11, 1, 9, 0, tzinfo=SH)
    notice = services.calendar_coverage(desk, people.admin).notice
    assert notice is not None and f"{LAST + 1} 年节假日安排尚未导入" in notice
    assert "周一至周五估算" in notice and "calendar-import" in notice
    clerk = services.calendar_coverage(desk, people.alice)
    assert clerk.notice is None and clerk.year_to_import == LAST + 1
    services.import_calendar(desk, people.admin, _arrangement())
    assert services.calendar_coverage(desk, people.admin).notice is None
