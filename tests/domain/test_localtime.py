"""One way to show an instant: as an office zone's wall-clock time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from kesu_desktop.domain.localtime import local_iso, local_time, to_local, wall_clock, zone_info

INSTANT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_the_same_instant_in_different_office_zones() -> None:
    assert local_time(INSTANT, "Asia/Shanghai") == "2026/11/23 10:00"
    assert local_time(INSTANT, "Asia/Tokyo") == "2026/11/23 11:00"
    assert local_time(INSTANT, "Asia/Urumqi") == "2026/11/23 08:00"
    assert local_time(INSTANT, zone_info("Asia/Tokyo"), "long_minute") == "2026年11月23日 11:00"
    assert local_iso(INSTANT, "Asia/Tokyo") == "2026-11-23T11:00:00+09:00"
    # an instant given in another offset is the same instant
    assert local_time(INSTANT.astimezone(timezone(timedelta(hours=-5))), "Asia/Tokyo") == "2026/11/23 11:00"


def test_a_naive_time_is_never_guessed() -> None:
    with pytest.raises(ValueError):
        local_time(datetime(2026, 11, 23, 10, 0), "Asia/Shanghai")
    with pytest.raises(ValueError):
        to_local(datetime(2026, 11, 23, 10, 0), "Asia/Shanghai")


def test_unknown_zone_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        local_time(INSTANT, "Mars/Olympus")


def test_a_typed_time_without_offset_is_read_in_the_office_zone() -> None:
    typed = datetime(2026, 11, 23, 11, 0)
    assert wall_clock(typed, "Asia/Tokyo").astimezone(UTC) == INSTANT
    assert wall_clock(typed, "Asia/Shanghai").astimezone(UTC) == INSTANT + timedelta(hours=1)
    aware = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert wall_clock(aware, "Asia/Tokyo") is aware  # an offset already says where it was meant
