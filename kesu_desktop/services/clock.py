"""Where "now" comes from: the real clock, or a fixed instant (``--now``/``KESU_NOW``).

Rules never read the clock themselves; services ask this object once per use case, so tests, demos
and replays of history can act at any time they like.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.localtime import wall_clock
from kesu_desktop.i18n import _


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        return self.instant


def read_instant(text: str, field: str = "now") -> datetime:
    """ISO 8601 time from the command line, as written: aware if it has an offset, else naive.

    Checked before anything is opened, so a mistyped time is bad input whatever state the database is in.
    """
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError.single(
            field,
            _("时间格式无效：{value}（应为 ISO 8601，例如 2026-11-22T14:30:00+08:00）").format(value=text),
        ) from exc


def parse_instant(text: str, field: str = "now", *, zone: str) -> datetime:
    """ISO 8601 time from the command line; a time without offset is read in ``zone``, the office's."""
    return wall_clock(read_instant(text, field), zone).astimezone(UTC)
