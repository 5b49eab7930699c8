"""One rule for an office's time zone, on both databases: the ``timezone`` setting (the office's, else the
company's) when one is stored, else the zone on the office's row; the signed-in user carries it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import update

from kesu_desktop import services
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.services.documents import case_file
from kesu_desktop.services.reference import office_policy, office_timezone
from kesu_desktop.storage.models import Office
from tests.helpers.data import START, complaint


def set_office_row_zone(desk: Desk, zone: str) -> None:
    with desk.db.write() as session:
        session.execute(update(Office).where(Office.code == "BJ01").values(timezone=zone))


@pytest.fixture
def urumqi(desk: Desk) -> Iterator[Desk]:
    """The seeded office's own row says Asia/Urumqi (restored after: PostgreSQL keeps offices)."""
    set_office_row_zone(desk, "Asia/Urumqi")
    yield desk
    set_office_row_zone(desk, "Asia/Shanghai")


def test_the_office_row_decides_until_a_setting_is_stored(urumqi: Desk, people) -> None:
    desk = urumqi
    assert services.get_actor(desk, "bob").timezone != "Asia/Shanghai"
    alice = services.get_actor(desk, "alice")
    assert alice.timezone == "Asia/Urumqi"
    view = services.register_case(desk, alice, complaint())
    assert view.to_json(alice.timezone)["created_at"] == "2026-11-23T08:00:00+06:00"

    services.set_setting(desk, people.admin, "timezone", "Asia/Hong_Kong")  # company-wide
    assert services.get_actor(desk, "alice").timezone == "Asia/Hong_Kong"
    services.set_setting(desk, people.admin, "timezone", "Asia/Tokyo", office="BJ01")  # the office's own
    tokyo = services.get_actor(desk, "alice")
    assert tokyo.timezone == "Asia/Tokyo"
    with desk.db.read() as session:
        assert office_timezone(session, "BJ01") == "Asia/Tokyo"
        assert office_policy(session, "BJ01").timezone == "Asia/Tokyo"  # the calendar's zone too
    assert case_file(desk, people.carol, view.case_no, "record").timezone == "Asia/Tokyo"
    assert services.get_case(desk, tokyo, view.case_no).to_json(tokyo.timezone)["created_at"] == (
        "2026-11-23T11:00:00+09:00"
    )


def test_a_typed_time_without_offset_is_read_in_the_users_office_zone(desk: Desk, people) -> None:
    services.set_setting(desk, people.admin, "timezone", "Asia/Tokyo", office="BJ01")
    assert services.user_timezone(desk, "alice") == "Asia/Tokyo"
    assert services.user_timezone(desk, None) == "Asia/Tokyo"  # no user yet: the first office's
    assert services.user_timezone(desk, "nobody") == "Asia/Tokyo"
    zone = services.user_timezone(desk, "alice")
    assert services.parse_instant("2026-11-23T11:00", zone=zone) == START
    assert services.parse_instant("2026-11-23T10:00:00+08:00", zone=zone) == START  # an offset wins
    with pytest.raises(ValidationError) as bad:
        services.read_instant("yesterday")
    assert list(bad.value.errors) == ["now"]
