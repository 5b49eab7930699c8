"""Report periods: a calendar month or a range of days, read in each office's own time zone.

A month's report counts what an office registered between midnight of the 1st and midnight of the next
1st *on its own wall clock*; with offices in several zones, one "November" is a different UTC span for
each. The services turn these local spans into UTC bounds per office.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kesu_desktop.i18n import _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """Local days ``first`` up to and including ``last``."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(_("结束日期早于开始日期"))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """[start, end) in UTC for an office whose wall clock is ``zone``."""
        tz = ZoneInfo(zone)
        start = datetime.combine(self.first, time(), tz)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def before(self) -> Period:
        """The period of the same length just before (for a month: the previous calendar month)."""
        if self.is_month:
            previous_last = self.first - timedelta(days=1)
            return month_period(previous_last.year, previous_last.month)
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    @property
    def is_month(self) -> bool:
        nxt = self.last + timedelta(days=1)
        return self.first.day == 1 and nxt.day == 1 and (nxt - self.first).days <= 31

    @property
    def code(self) -> str:
        """``2026-11`` for a month, ``2026-11-03..2026-11-09`` otherwise (what JSON output carries)."""
        if self.is_month:
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, nxt - timedelta(days=1))


def parse_month(text: str) -> Period:
    """``YYYY-MM`` → that month; ValueError with a message a user can act on otherwise."""
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise ValueError(_("月份“{text}”无效：应写作 YYYY-MM，例如 2026-11").format(text=text))
    return month_period(int(found.group(1)), int(found.group(2)))


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` between 0 and 1, or None when there is nothing to rate (never a made-up 100%)."""
    return None if whole == 0 else part / whole
