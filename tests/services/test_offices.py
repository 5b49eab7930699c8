"""Offices on both databases: an admin adds them, users are placed in them, a branch refuses them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import Conflict, NotAllowed, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.models import Office, SyncLink
from tests.helpers.data import complaint

#: The PostgreSQL test database is shared by the session and offices are not reset: codes of our own.
CODE = f"G{os.getpid() % 10**7:07d}"


@pytest.fixture
def admin(desk: Desk, people: Any) -> Iterator[Any]:
    yield people.admin
    with desk.db.write() as session:
        session.execute(text("DELETE FROM offices WHERE code = :c"), {"c": CODE})


def _offices(desk: Desk) -> int:
    with desk.db.read() as session:
        return session.scalar(select(func.count()).select_from(Office))


def test_an_admin_adds_an_office_and_places_users_in_it(desk: Desk, people: Any, admin: Any) -> None:
    office = services.add_office(desk, admin, f" {CODE.lower()} ", "  广州分部 ", timezone="Asia/Urumqi")
    assert (office.code, office.name, office.timezone) == (CODE, "广州分部", "Asia/Urumqi")
    listed = services.list_offices(desk, people.alice)
    codes = [o.code for o in listed]
    assert codes[:1] == ["BJ01"] and CODE in codes  # in the order they were added
    assert next(o for o in listed if o.code == CODE).as_json("Asia/Shanghai")["timezone"] == "Asia/Urumqi"

    clerk = services.add_user(
        desk,
        admin,
        username="gz_clerk",
        password="gz-pass-123",
        role=Role.FRONT_DESK,
        office_code=CODE.lower(),
    )
    assert clerk.office_code == CODE and clerk.timezone == "Asia/Urumqi"
    case = services.register_case(desk, services.get_actor(desk, "gz_clerk"), complaint())
    assert f"-{CODE}-" in case.case_no  # the office's code is in its case numbers
    # without an office, the admin's own (as before)
    plain = services.add_user(desk, admin, username="bj_clerk", password="bj-pass-123", role=Role.FRONT_DESK)
    assert plain.office_code == "BJ01"


def test_bad_offices_are_refused_and_change_nothing(desk: Desk, people: Any, admin: Any) -> None:
    before = _offices(desk)
    with pytest.raises(NotAllowed):
        services.add_office(desk, people.carol, CODE, "广州分部")
    with pytest.raises(ValidationError) as caught:
        services.add_office(desk, admin, "广州-1", "", timezone="Mars/Olympus")
    assert set(caught.value.errors) == {"code", "name", "timezone"}
    for zone in ("", "Asia/Nowhere", "../../etc/passwd", "x" * 100):
        with pytest.raises(ValidationError) as caught:
            services.add_office(desk, admin, CODE, "广州分部", timezone=zone)
        assert set(caught.value.errors) == {"timezone"}
    with pytest.raises(Conflict):
        services.add_office(desk, admin, "bj01", "又一个北京")
    with pytest.raises(ValidationError) as caught:
        services.add_user(
            desk,
            admin,
            username="nowhere",
            password="nowhere-pass-1",
            role=Role.FRONT_DESK,
            office_code="ZZ99",
        )
    assert set(caught.value.errors) == {"office"}
    assert _offices(desk) == before
    assert "nowhere" not in _usernames(desk)


def _usernames(desk: Desk) -> list[str]:
    with desk.db.read() as session:
        return list(session.scalars(text("SELECT username FROM users")))


def test_a_branch_database_leaves_offices_to_the_central(desk: Desk, admin: Any) -> None:
    with desk.db.write() as session:
        session.add(SyncLink(office_code="BJ01", branch_id="branch-1", created_at=desk.clock.now()))
    before = _offices(desk)
    with pytest.raises(NotAllowed) as caught:
        services.add_office(desk, admin, CODE, "广州分部")
    assert "总部" in str(caught.value)
    assert _offices(desk) == before
    assert [o.code for o in services.list_offices(desk, admin)] == ["BJ01"]  # reading is fine
