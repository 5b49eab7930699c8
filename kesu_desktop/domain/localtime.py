"""Instants as an office's wall-clock time: the one way every screen, CLI line and printed page shows one.

Instants are stored and compared in UTC; only showing (and reading what a person typed) involves a zone,
and the zone is always an office's (``reference.office_timezone`` says which). Keeping formatting here,
as one pure function, is what lets the desktop, the CLI and printing never disagree about the time.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kesu_desktop.formatting import Style, datetime_text
from kesu_desktop.i18n import _

Zone = str | ZoneInfo


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(_("未知的时区：{tz}").format(tz=name)) from exc


def zone_info(zone: Zone) -> ZoneInfo:
    """The ZoneInfo of a zone name (cached: formatting a 200-row page must not re-read tzdata)."""
    return zone if isinstance(zone, ZoneInfo) else _zone(zone)


def to_local(value: datetime, zone: Zone) -> datetime:
    """The same instant as an aware datetime in ``zone``; a naive value is refused, never guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(_("日期时间必须带时区：{value}").format(value=value))
    return value.astimezone(zone_info(zone))


def local_time(value: datetime, zone: Zone, style: Style = "minute") -> str:
    """``value`` as ``zone``'s wall-clock time in the current language (``formatting.Style``; to the
    minute unless asked otherwise, as the counter reads it)."""
    return datetime_text(to_local(value, zone), style)


def local_iso(value: datetime, zone: Zone) -> str:
    """ISO 8601 with the zone's offset, e.g. ``2026-11-23T11:00:00+09:00`` (the CLI's JSON form)."""
    return to_local(value, zone).isoformat()


def wall_clock(value: datetime, zone: Zone) -> datetime:
    """A time a person gave without an offset (a ``--now``, a date editor), read in ``zone``.

    An aware value is returned unchanged: its offset already says where it was meant.
    """
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    return value.replace(tzinfo=zone_info(zone))
