"""Password hashes at today's argon2 parameters (docs/security.md): new hashes use them, and a hash
stored with the old parameters still signs in and is replaced by one with today's on that sign-in."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import VerificationError
from sqlalchemy import select

from kesu_desktop import services
from kesu_desktop.domain.errors import AuthenticationFailed
from kesu_desktop.services import Desk
from kesu_desktop.services.users import PASSWORD_MEMORY_KIB, PASSWORD_PARALLELISM, PASSWORD_TIME_COST
from kesu_desktop.storage.models import User
from tests.helpers.data import STANDARD_USERS

BOB_PASSWORD = STANDARD_USERS["bob"][2]
#: argon2-cffi's defaults, which every hash written before the parameters were chosen carries.
OLD = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)


def _stored_hash(desk: Desk, name: str) -> str:
    with desk.db.read() as session:
        return session.scalar(select(User.password_hash).where(User.username == name)) or ""


def _store_hash(desk: Desk, name: str, value: str) -> None:
    with desk.db.write() as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        user.password_hash = value


def test_the_parameters_meet_owasps_minimum() -> None:
    """OWASP's Password Storage Cheat Sheet: argon2id with at least 19 MiB, 2 passes, 1 lane."""
    assert PASSWORD_MEMORY_KIB >= 19 * 1024
    assert PASSWORD_TIME_COST >= 2
    assert PASSWORD_PARALLELISM >= 1


def test_a_new_users_hash_is_argon2id_at_todays_parameters(desk: Desk) -> None:
    stored = _stored_hash(desk, "bob")
    assert stored.startswith(
        f"$argon2id$v=19$m={PASSWORD_MEMORY_KIB},t={PASSWORD_TIME_COST},p={PASSWORD_PARALLELISM}$"
    )


def test_an_old_parameter_hash_signs_in_and_is_upgraded(desk: Desk) -> None:
    _store_hash(desk, "bob", OLD.hash(BOB_PASSWORD))

    assert services.login(desk, "bob", BOB_PASSWORD).username == "bob"

    upgraded = _stored_hash(desk, "bob")
    assert f"m={PASSWORD_MEMORY_KIB},t={PASSWORD_TIME_COST},p={PASSWORD_PARALLELISM}$" in upgraded
    assert PasswordHasher().verify(upgraded, BOB_PASSWORD)  # the same password, only rehashed
    with pytest.raises(VerificationError):
        PasswordHasher().verify(upgraded, "wrong-password")
    assert services.login(desk, "bob", BOB_PASSWORD).username == "bob"  # and it signs in again
    assert _stored_hash(desk, "bob") == upgraded  # a current hash is left as it is


def test_a_wrong_password_leaves_an_old_hash_alone(desk: Desk) -> None:
    old = OLD.hash(BOB_PASSWORD)
    _store_hash(desk, "bob", old)

    with pytest.raises(AuthenticationFailed):
        services.login(desk, "bob", "wrong-password")

    assert _stored_hash(desk, "bob") == old
