"""How codes and times look on screen: one place, so every panel shows them alike."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

#: Offices reason in their own zone; the policy's default until the office setting is read here.
DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


def label_of(enum: type[StrEnum], code: str) -> str:
    """The enum's Chinese label, or the raw code if a newer desk stored a value this one lacks."""
    try:
        return enum(code).label  # type: ignore[attr-defined]
    except ValueError:
        return code


HINT_STYLE = "color: #666;"


def local_time(value: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(DISPLAY_TZ).strftime(fmt)
