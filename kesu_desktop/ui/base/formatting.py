"""How codes, phones and times look on screen: one place, so every panel shows them alike.

Times are shown in the zone the signed-in user carries (``Actor.timezone``, their office's zone), with the
services' own ``local_time``: a panel never picks a zone of its own. Phones are shown as the services
handed them (already masked for roles that may not see the number); only the country code is dropped.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import QDate, QDateTime, QTime

from kesu_desktop.services import local_time, to_local, wall_clock

__all__ = ["HINT_STYLE", "from_qdatetime", "label_of", "local_time", "phone_text", "to_local", "to_qdatetime"]


def label_of(enum: type[StrEnum], code: str) -> str:
    """The enum's Chinese label, or the raw code if a newer desk stored a value this one lacks."""
    try:
        return enum(code).label  # type: ignore[attr-defined]
    except ValueError:
        return code


HINT_STYLE = "color: #666;"


def phone_text(phone: str) -> str:
    """A phone as the counter reads it: ``+8613800138000`` → ``13800138000``; masked ones unchanged."""
    return phone[3:] if phone.startswith("+86") else phone


def to_qdatetime(value: datetime, zone: str) -> QDateTime:
    """An instant as ``zone``'s wall-clock time, to the minute, for a date-time editor (whatever the PC's
    own zone is)."""
    local = to_local(value, zone)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))


def from_qdatetime(value: QDateTime, zone: str) -> datetime:
    """What a date-time editor shows, read as ``zone``'s wall-clock time: an aware instant."""
    d, t = value.date(), value.time()
    return wall_clock(datetime(d.year(), d.month(), d.day(), t.hour(), t.minute()), zone)
