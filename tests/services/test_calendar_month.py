"""The 工作日历 month view: what makes each date a working day, and clicks that deadlines then follow."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.services import DayKind, Desk
from tests.helpers.data import complaint

SH = ZoneInfo("Asia/Shanghai")


def kinds(month: services.CalendarMonth) -> dict[date, DayKind]:
    return {day.day: day.kind for day in month.days}


def test_statutory_holidays_and_make_up_days(desk: Desk, people) -> None:
    october = services.calendar_month(desk, people.admin, 2026, 10)
    assert len(october.days) == 31 and october.known
    by_day = {day.day: day for day in october.days}
    assert by_day[date(2026, 10, 1)].kind is DayKind.HOLIDAY and by_day[date(2026, 10, 1)].note == "国庆节"
    assert not by_day[date(2026, 10, 1)].working
    makeup = [d for d in october.days if d.kind is DayKind.MAKEUP]
    assert makeup and all(d.working and d.day.weekday() >= 5 for d in makeup)
    assert by_day[date(2026, 10, 12)].kind is DayKind.WORKING
    assert by_day[date(2026, 10, 17)].kind is DayKind.WEEKEND
    # a year nobody has the holidays of is counted Monday to Friday, and said so
    assert not services.calendar_month(desk, people.admin, 2031, 1).known


def test_an_office_saturday_made_working_moves_the_deadline(desk: Desk, people) -> None:
    before = services.register_case(desk, people.alice, complaint())
    services.set_calendar_day(
        desk, people.admin, date(2026, 11, 28), working=True, note="促销加班", office="BJ01"
    )
    office = kinds(services.calendar_month(desk, people.admin, 2026, 11, office="BJ01"))
    assert office[date(2026, 11, 28)] is DayKind.OVERRIDE_WORKING
    assert kinds(services.calendar_month(desk, people.admin, 2026, 11))[date(2026, 11, 28)] is DayKind.WEEKEND
    after = services.register_case(desk, people.alice, complaint(phone="13900139000"))
    assert after.resolve_by is not None and before.resolve_by is not None
    assert after.resolve_by < before.resolve_by  # 7 working days now include that Saturday
    assert after.resolve_by.astimezone(SH) == datetime(2026, 12, 1, 10, 0, tzinfo=SH)


def test_a_company_day_off_shows_in_every_office(desk: Desk, people) -> None:
    services.set_calendar_day(desk, people.admin, date(2026, 11, 24), working=False, note="停电检修")
    month = services.calendar_month(desk, people.admin, 2026, 11, office="BJ01")
    day = next(d for d in month.days if d.day == date(2026, 11, 24))
    assert (day.kind, day.working, day.note, day.override_scope) == (
        DayKind.OVERRIDE_OFF,
        False,
        "停电检修",
        "",
    )


def test_only_admins_read_the_month(desk: Desk, people) -> None:
    with pytest.raises(NotAllowed):
        services.calendar_month(desk, people.alice, 2026, 11)
