"""Administrators change the rules' numbers and the calendar; registrations follow at once."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kesu_desktop import services
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
