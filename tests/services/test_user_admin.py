"""Administering users on both databases: changes are checked, recorded, and a deactivated user is out."""

from __future__ import annotations

from typing import Any

import pytest

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import AuthenticationFailed, NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.models import SyncLink
from tests.helpers.data import ADMIN_PASSWORD


def _user(desk: Desk, actor: Any, name: str) -> services.UserView:
    return next(u for u in services.list_users(desk, actor) if u.username == name)


def test_an_admin_changes_a_user_and_the_change_is_recorded(desk: Desk, people: Any) -> None:
    view = services.set_user(
        desk, people.admin, "alice", role=Role.DEPARTMENT, department="wl", display_name=" 李爱丽 "
    )
    assert (view.role, view.department_code, view.display_name) == (Role.DEPARTMENT, "WL", "李爱丽")
    assert _user(desk, people.mia, "alice") == view  # a manager may read the list
    actor = services.get_actor(desk, "alice")
    assert actor.role is Role.DEPARTMENT and actor.department_code == "WL"
    change = services.list_changes(desk, people.admin, entity="user", key="alice")[0]
    assert change.actor == "admin"
    assert change.before == {"role": "front_desk", "department": None, "display_name": "alice"}
    assert change.after == {"role": "department", "department": "WL", "display_name": "李爱丽"}


def test_adding_a_user_is_recorded(desk: Desk, people: Any) -> None:
    services.add_user(desk, people.admin, username="zoe", password="zoe-pass-123", role=Role.SPECIALIST)
    change = services.list_changes(desk, people.admin, entity="user", key="zoe")[0]
    assert change.before is None
    assert change.after == {
        "role": "specialist",
        "office": "BJ01",
        "department": None,
        "display_name": "zoe",
        "active": True,
    }


def test_a_deactivated_user_cannot_sign_in_and_is_still_listed(desk: Desk, people: Any) -> None:
    services.set_user(desk, people.admin, "bob", active=False)
    with pytest.raises(AuthenticationFailed):
        services.login(desk, "bob", "bob-pass-12")
    assert _user(desk, people.admin, "bob").active is False
    services.set_user(desk, people.admin, "bob", active=True)
    assert services.login(desk, "bob", "bob-pass-12").username == "bob"


def test_a_password_reset_works_and_is_recorded_without_the_password(desk: Desk, people: Any) -> None:
    services.set_user(desk, people.admin, "carol", new_password="carol-new-pass")
    with pytest.raises(AuthenticationFailed):
        services.login(desk, "carol", "carol-pass-1")
    assert services.login(desk, "carol", "carol-new-pass").username == "carol"
    change = services.list_changes(desk, people.admin, entity="user", key="carol")[0]
    assert change.before == {} and change.after == {"password": "reset"}
    assert "carol-new-pass" not in repr(change)


def test_bad_values_are_refused_together_and_change_nothing(desk: Desk, people: Any) -> None:
    before = _user(desk, people.admin, "alice")
    recorded = len(services.list_changes(desk, people.admin, entity="user", key="alice"))
    with pytest.raises(ValidationError) as caught:
        services.set_user(
            desk,
            people.admin,
            "alice",
            office="ZZ99",
            department="XX",
            display_name="  ",
            new_password="short",
        )
    assert set(caught.value.errors) == {"office", "department", "display_name", "password"}
    assert "ZZ99" in caught.value.errors["office"]
    with pytest.raises(ValidationError) as caught:
        services.set_user(desk, people.admin, "alice", role=Role.DEPARTMENT)
    assert caught.value.errors == {"department": "责任部门用户必须指定部门"}
    with pytest.raises(ValidationError) as caught:
        services.set_user(desk, people.admin, "dave", department="")  # a department user keeps one
    assert set(caught.value.errors) == {"department"}
    with pytest.raises(NotFound):
        services.set_user(desk, people.admin, "nobody", active=False)
    with pytest.raises(NotAllowed):
        services.set_user(desk, people.mia, "alice", active=False)
    with pytest.raises(NotAllowed):
        services.list_users(desk, people.carol)
    assert _user(desk, people.admin, "alice") == before
    assert services.login(desk, "alice", "alice-pass-1").role is Role.FRONT_DESK
    assert len(services.list_changes(desk, people.admin, entity="user", key="alice")) == recorded


def test_the_last_active_admin_cannot_leave(desk: Desk, people: Any) -> None:
    for change in ({"active": False}, {"role": Role.MANAGER}):
        with pytest.raises(ValidationError) as caught:
            services.set_user(desk, people.admin, "admin", **change)
        (message,) = caught.value.errors.values()
        assert "最后一位在用的管理员" in message
    assert services.login(desk, "admin", ADMIN_PASSWORD).role is Role.ADMIN
    # with a second admin, the first may step down
    services.set_user(desk, people.admin, "mia", role=Role.ADMIN)
    services.set_user(desk, people.admin, "admin", role=Role.MANAGER)
    assert services.get_actor(desk, "admin").role is Role.MANAGER
    with pytest.raises(ValidationError):  # now mia is the last one
        services.set_user(desk, services.get_actor(desk, "mia"), "mia", active=False)


def test_a_branch_leaves_users_to_the_central(desk: Desk, people: Any) -> None:
    with desk.db.write() as session:
        session.add(SyncLink(office_code="BJ01", branch_id="branch-1", created_at=desk.clock.now()))
    with pytest.raises(NotAllowed, match="总部"):
        services.set_user(desk, people.admin, "alice", active=False)
    assert _user(desk, people.admin, "alice").active is True
