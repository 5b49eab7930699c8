"""Dates, times, money and durations as each language writes them (Babel), 24-hour everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from kesu_desktop import i18n
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.formatting import (
    countdown_text,
    date_text,
    datetime_text,
    duration_text,
    money_text,
    number_text,
    percent_text,
)

AFTERNOON = datetime(2026, 3, 5, 15, 7, 9)


@pytest.mark.parametrize(
    ("language", "minute", "long_date", "long_minute"),
    [
        ("zh_CN", "2026/3/5 15:07", "2026年3月5日", "2026年3月5日 15:07"),
        ("zh_TW", "2026/3/5 15:07", "2026年3月5日", "2026年3月5日 15:07"),
        ("en", "3/5/2026, 15:07", "March 5, 2026", "March 5, 2026, 15:07"),
    ],
)
def test_dates_and_times_per_language(language: str, minute: str, long_date: str, long_minute: str) -> None:
    with i18n.speaking(language):
        assert datetime_text(AFTERNOON) == minute
        assert datetime_text(AFTERNOON, "long_date") == long_date
        assert datetime_text(AFTERNOON, "long_minute") == long_minute
        assert datetime_text(AFTERNOON, "time") == "15:07"  # never 3:07 PM
        assert datetime_text(AFTERNOON, "second").endswith("15:07:09")
        assert (
            date_text(date(2026, 12, 31), long=True)
            == {"zh_CN": "2026年12月31日", "zh_TW": "2026年12月31日", "en": "December 31, 2026"}[language]
        )


def test_an_instant_is_shown_in_the_offices_zone_in_the_language() -> None:
    instant = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with i18n.speaking("en"):
        assert local_time(instant, "Asia/Tokyo") == "11/23/2026, 11:00"
    assert local_time(instant, "Asia/Shanghai") == "2026/11/23 10:00"


@pytest.mark.parametrize(
    ("language", "money", "number", "percent"),
    [
        ("zh_CN", "¥1,234.50", "1,234,567", "12.5%"),
        ("zh_TW", "CN¥1,234.50", "1,234,567", "12.5%"),
        ("en", "CN¥1,234.50", "1,234,567", "12.5%"),
    ],
)
def test_money_numbers_and_shares(language: str, money: str, number: str, percent: str) -> None:
    with i18n.speaking(language):
        assert money_text(Decimal("1234.5")) == money
        assert number_text(1234567) == number
        assert percent_text(0.125) == percent


@pytest.mark.parametrize(
    ("language", "hours_and_minutes", "fifty_hours", "days", "minutes"),
    [
        ("zh_CN", "2小时 15分钟", "50小时", "3天 4小时", "45分钟"),
        ("zh_TW", "2 小時 15 分鐘", "50 小時", "3 天 4 小時", "45 分鐘"),
        ("en", "2 hr 15 min", "50 hr", "3 days 4 hr", "45 min"),
    ],
)
def test_durations_read_at_a_glance(
    language: str, hours_and_minutes: str, fifty_hours: str, days: str, minutes: str
) -> None:
    with i18n.speaking(language):
        assert duration_text(timedelta(hours=2, minutes=15, seconds=59)) == hours_and_minutes  # rounded down
        assert duration_text(timedelta(hours=50)) == fifty_hours  # not "2 days"
        assert duration_text(timedelta(hours=76)) == days
        assert duration_text(timedelta(minutes=45)) == minutes


def test_a_countdown_says_left_or_overdue() -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert countdown_text(now + timedelta(hours=2, minutes=15), now) == "剩余 2小时 15分钟"
    assert countdown_text(now - timedelta(hours=3), now) == "超时 3小时"
    with i18n.speaking("en"):
        assert countdown_text(now + timedelta(hours=2, minutes=15), now) == "2 hr 15 min left"
        assert countdown_text(now - timedelta(hours=3), now) == "3 hr overdue"
