"""Dates, times, numbers, money and durations as the current language writes them (Babel's CLDR data).

Why one module: a screen, a CLI line and a printed letter must agree on how 2026-11-23 11:00 or ¥1,234.50
reads, and that depends on the language (``2026/11/23 11:00`` in Chinese, ``11/23/2026, 11:00`` in
English). Times are always 24-hour (a counter never reads "PM"). Machine output (CLI ``--json``) never
comes through here: it keeps ISO 8601 and codes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from babel import dates, numbers, units

from kesu_desktop.i18n import _, babel_locale

#: minute: 2026/11/23 11:00 · second: … 11:00:05 · date: 2026/11/23 · time: 11:00 · month_minute: 11/23 11:00
#: (a short list line) · long_date: 2026年11月23日 (a letter) · long_minute: 2026年11月23日 11:00.
Style = Literal["minute", "second", "date", "time", "month_minute", "long_date", "long_minute"]

_DATE_SKELETON = {"minute": "yMd", "second": "yMd", "date": "yMd", "month_minute": "Md"}
_TIME_SKELETON = {"minute": "Hm", "second": "Hms", "time": "Hm", "month_minute": "Hm", "long_minute": "Hm"}

#: Under this a duration shows hours and minutes (50 h stays "50 hr", not "2 days"); at or above, days.
DAYS_FROM = timedelta(hours=72)


def datetime_text(value: datetime, style: Style = "minute") -> str:
    """``value`` (already in the zone it should be read in) in the current language; 24-hour."""
    locale = babel_locale()
    if style == "long_date":
        return dates.format_date(value, "long", locale=locale)
    date_part = ""
    if style == "long_minute":
        date_part = dates.format_date(value, "long", locale=locale)
    elif style in _DATE_SKELETON:
        date_part = dates.format_skeleton(_DATE_SKELETON[style], value, locale=locale)
    time_part = ""
    if style in _TIME_SKELETON:
        time_part = dates.format_skeleton(_TIME_SKELETON[style], value, locale=locale)
    if date_part and time_part:
        pattern = str(locale.datetime_formats.get("short", "{1} {0}"))
        date_part = pattern.replace("{1}", date_part).replace("{0}", time_part)
    # CLDR's thin and narrow spaces become plain ones: every font has that glyph, and a pasted time matches
    return (date_part or time_part).replace("\u2009", " ").replace("\u202f", " ")


def date_text(value: date, long: bool = False) -> str:
    """A calendar day (a holiday, a certificate's last day): short in lists, long on letters."""
    locale = babel_locale()
    if long:
        return dates.format_date(value, "long", locale=locale)
    return dates.format_skeleton("yMd", value, locale=locale)


def number_text(value: int | float | Decimal) -> str:
    """A count or quantity with the language's grouping (1,234,567)."""
    return numbers.format_decimal(value, locale=babel_locale())


def money_text(amount: int | float | Decimal, currency: str = "CNY") -> str:
    """An amount of money (compensation): ¥1,234.50 in Chinese, CN¥1,234.50 in English."""
    return numbers.format_currency(amount, currency, locale=babel_locale())


def percent_text(ratio: float | Decimal) -> str:
    """A share (0.125 → 12.5%): report columns such as 按时办结率."""
    return numbers.format_percent(ratio, "#,##0.#%", locale=babel_locale())


def size_text(size: int) -> str:
    """A file size for people (attachments): 0.8 MB, 12 KB."""
    locale = babel_locale()
    if size >= 1024 * 1024:
        value = numbers.format_decimal(round(size / 1024 / 1024, 1), "#,##0.0", locale=locale)
        return units.format_unit(value, "digital-megabyte", "short", locale=locale)
    value = numbers.format_decimal(max(1, round(size / 1024)), locale=locale)
    return units.format_unit(value, "digital-kilobyte", "short", locale=locale)


def _unit(amount: int, unit: str) -> str:
    return units.format_unit(amount, unit, "short", locale=babel_locale())


def duration_text(span: timedelta) -> str:
    """A span people read at a glance: 45 分钟 · 2 小时 15 分钟 · 50 小时 · 3 天 4 小时 (never seconds).

    Under :data:`DAYS_FROM` it stays in hours, so a 50-hour deadline is not rounded to "2 days"; above
    it, days and hours. Rounded down to the minute: a countdown never promises time that is not there.
    """
    minutes = max(0, int(span.total_seconds() // 60))
    hours, minute = divmod(minutes, 60)
    if span < timedelta(hours=1):
        return _unit(minutes, "duration-minute")
    if span < DAYS_FROM:
        parts = [_unit(hours, "duration-hour")]
        if minute:
            parts.append(_unit(minute, "duration-minute"))
        return " ".join(parts)
    days, hour = divmod(hours, 24)
    parts = [_unit(days, "duration-day")]
    if hour:
        parts.append(_unit(hour, "duration-hour"))
    return " ".join(parts)


def countdown_text(due_at: datetime, now: datetime) -> str:
    """How long until a deadline, or how long past it: 剩余 2 小时 15 分钟 / 超时 3 小时."""
    if due_at >= now:
        return _("剩余 {duration}").format(duration=duration_text(due_at - now))
    return _("超时 {duration}").format(duration=duration_text(now - due_at))
