"""Signing in (services.users.login) on both databases: the same work for known and unknown names, and
failures throttled per user name and per desk, lifted by time or by an administrator (docs/security.md)."""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from pathlib import Path

import pytest

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import AuthenticationFailed, NotAllowed
from kesu_desktop.services import Desk
from kesu_desktop.storage.database import Database
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS, START, MutableClock, People

BOB_PASSWORD = STANDARD_USERS["bob"][2]


@pytest.fixture
def wall(desk: Desk) -> MutableClock:
    """The desk's real clock, moved by hand: lock-outs are timed by it, never by a stated ``--now``."""
    desk.wall = MutableClock(START)
    return desk.wall


def _fail(desk: Desk, name: str, times: int) -> list[str]:
    messages = []
    for _ in range(times):
        with pytest.raises(AuthenticationFailed) as info:
            services.login(desk, name, "wrong-password")
        messages.append(str(info.value))
    return messages


def test_six_wrong_passwords_lock_the_name_until_the_time_passes(desk: Desk, wall: MutableClock) -> None:
    messages = _fail(desk, "bob", 6)
    assert messages[:4] == ["用户名或密码错误"] * 4
    assert all("已暂时锁定" in m and "后再试" in m for m in messages[4:])
    with pytest.raises(AuthenticationFailed, match="已暂时锁定"):
        services.login(desk, "bob", BOB_PASSWORD)  # the right password is refused while locked
    wall.advance(minutes=14)
    with pytest.raises(AuthenticationFailed, match="已暂时锁定"):
        services.login(desk, "bob", BOB_PASSWORD)
    wall.advance(minutes=2)
    assert services.login(desk, "bob", BOB_PASSWORD).username == "bob"


def test_the_second_lock_out_lasts_twice_as_long_and_success_resets(desk: Desk, wall: MutableClock) -> None:
    _fail(desk, "bob", 5)
    wall.advance(minutes=16)
    _fail(desk, "bob", 5)  # the second lock-out: 30 minutes
    wall.advance(minutes=20)
    with pytest.raises(AuthenticationFailed, match="已暂时锁定"):
        services.login(desk, "bob", BOB_PASSWORD)
    wall.advance(minutes=11)
    services.login(desk, "bob", BOB_PASSWORD)
    assert _fail(desk, "bob", 4) == ["用户名或密码错误"] * 4  # the success started the count again


def test_the_stated_clock_does_not_lift_a_lock(desk: Desk, wall: MutableClock, clock: MutableClock) -> None:
    _fail(desk, "bob", 5)
    clock.advance(days=30)  # what --now would state
    with pytest.raises(AuthenticationFailed, match="已暂时锁定"):
        services.login(desk, "bob", BOB_PASSWORD)


def test_an_administrator_unlocks_a_name(desk: Desk, wall: MutableClock, people: People) -> None:
    _fail(desk, "bob", 6)
    with pytest.raises(NotAllowed):
        services.unlock_user(desk, people.carol, "bob")
    assert services.unlock_user(desk, people.admin, "bob") is True
    assert services.login(desk, "bob", BOB_PASSWORD).username == "bob"
    assert services.unlock_user(desk, people.admin, "bob") is False  # nothing left to lift


def test_unknown_names_lock_the_same_way(desk: Desk, wall: MutableClock) -> None:
    """The refusal for a locked name is the same whether the name exists, so it reveals nothing."""
    known = _fail(desk, "bob", 6)
    unknown = _fail(desk, "nobody-here", 6)
    assert known == unknown


def test_a_desk_guessing_many_names_is_locked(desk: Desk, wall: MutableClock, people: People) -> None:
    for i in range(19):
        _fail(desk, f"guess-{i}", 1)
    with pytest.raises(AuthenticationFailed, match="已暂时锁定"):
        services.login(desk, "guess-19", "wrong-password")  # the desk's 20th failure locks the desk
    with pytest.raises(AuthenticationFailed, match="已暂时锁定"):
        services.login(desk, "bob", BOB_PASSWORD)  # every name on this desk waits
    other = Desk(db=Database(desk.db.url), clock=desk.clock, node_id="other-node", wall=wall)
    try:
        assert services.login(other, "bob", BOB_PASSWORD).username == "bob"  # other desks are not locked
        admin = services.login(other, "admin", ADMIN_PASSWORD)
        assert services.unlock_desk(other, admin, "test-node") is True
    finally:
        other.close()
    assert services.login(desk, "bob", BOB_PASSWORD).username == "bob"


def test_an_inactive_user_is_refused_like_an_unknown_name(desk: Desk, people: People) -> None:
    services.add_user(desk, people.admin, username="gone", password="gone-pass-1", role=Role.SPECIALIST)
    with desk.db.write() as session:
        from kesu_desktop.storage.models import User

        session.query(User).filter(User.username == "gone").update({"active": False})
    with pytest.raises(AuthenticationFailed, match="用户名或密码错误"):
        services.login(desk, "gone", "gone-pass-1")


def _attempt_seconds(desk: Desk, name: str) -> float:
    started = time.perf_counter()
    with pytest.raises(AuthenticationFailed):
        services.login(desk, name, "wrong-password")
    elapsed = time.perf_counter() - started
    admin = services.get_actor(desk, "admin")
    services.unlock_user(desk, admin, name)  # stay below the lock-out
    services.unlock_desk(desk, admin, desk.node_id)
    return elapsed


def test_unknown_and_known_names_take_the_same_time(desk: Desk, wall: MutableClock) -> None:
    """Medians of ten tries each, interleaved so a change in the machine's load hits both alike."""
    known: list[float] = []
    unknown: list[float] = []
    for i in range(12):
        pair = (_attempt_seconds(desk, "bob"), _attempt_seconds(desk, "nobody-here"))
        if i >= 2:  # the first two pairs warm up (the dummy hash is made on first use)
            known.append(pair[0])
            unknown.append(pair[1])
    k, u = statistics.median(known), statistics.median(unknown)
    assert abs(u - k) <= 0.3 * k, (k, u)


def test_signing_in_does_not_wait_for_another_desks_write(sqlite_template: Path, tmp_path: Path) -> None:
    """A clerk signing in while another desk holds SQLite's write lock (an import, a sync) gets in at
    once: a sign-in with nothing counted against the name writes nothing (it used to wait up to 30 s)."""
    path = tmp_path / "shared.db"
    shutil.copy(sqlite_template, path)
    desk = Desk.open(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        assert services.login(desk, "bob", BOB_PASSWORD).username == "bob"
    finally:
        other.execute("ROLLBACK")
        other.close()
        desk.close()
