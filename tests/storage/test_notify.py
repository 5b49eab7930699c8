"""Hearing other desks' writes: a real PostgreSQL listener, a terminated backend, SQLite's data_version."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from kesu_desktop import services
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.notify import Changes, PgListener, SqlitePoller, conninfo, open_listener
from tests.helpers.data import People, complaint
from tests.helpers.postgres import pg_admin


def wait_for(listener, predicate, within_s: float = 2.0) -> Changes:
    """Everything the listener reports until ``predicate`` holds for it or ``within_s`` has passed."""
    seen = Changes()
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        seen = seen.merge(listener.wait(max(0.0, deadline - time.monotonic())))
        if predicate(seen):
            break
    return seen


@pytest.fixture
def pg_url(pg_database: str) -> str:
    return pg_database


@pytest.fixture
def listener(pg_url: str) -> Iterator[PgListener]:
    it = PgListener(Database(pg_url).url, backoff=(0.1, 0.2))
    yield it
    it.close()


def test_conninfo_drops_the_driver_and_keeps_the_rest() -> None:
    url = Database("postgresql://kesu:s3cret@db.example:6543/kesu?sslmode=require").url
    assert url.startswith("postgresql+psycopg://")
    assert conninfo(url) == "postgresql://kesu:s3cret@db.example:6543/kesu?sslmode=require"


def test_an_event_written_by_another_connection_is_heard_within_two_seconds(
    pg_url: str, listener: PgListener
) -> None:
    case_id = uuid.uuid4()
    with psycopg.connect(conninfo(Database(pg_url).url), autocommit=True) as other:
        started = time.monotonic()
        other.execute("SELECT pg_notify('kesu_events', %s)", (str(case_id),))
        other.execute("SELECT pg_notify('kesu_alerts', 'BJ01')")
        seen = wait_for(listener, lambda c: case_id in c.case_ids and c.alerts)
        assert time.monotonic() - started < 2.0
    assert case_id in seen.case_ids and seen.alerts and not seen.everything


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_real_write_by_another_desk_names_its_case(
    db_url: str, listener: PgListener, desk: services.Desk, people: People
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    seen = wait_for(listener, lambda c: case.id in c.case_ids)
    assert case.id in seen.case_ids


def test_a_terminated_backend_is_survived_and_everything_reloaded(pg_url: str, listener: PgListener) -> None:
    pid = listener.backend_pid
    assert pid is not None
    with pg_admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # No exception reaches the caller; after the reconnect it says: reload everything.
    seen = wait_for(listener, lambda c: c.everything, within_s=5.0)
    assert seen.everything
    assert listener.connected and listener.backend_pid not in (None, pid)
    # And it listens again.
    case_id = uuid.uuid4()
    with psycopg.connect(conninfo(Database(pg_url).url), autocommit=True) as other:
        other.execute("SELECT pg_notify('kesu_events', %s)", (str(case_id),))
    assert case_id in wait_for(listener, lambda c: case_id in c.case_ids).case_ids


def test_a_server_that_is_not_there_is_no_error() -> None:
    unreachable = PgListener(Database("postgresql://postgres@127.0.0.1:1/none").url, backoff=(0.1,))
    try:
        started = time.monotonic()
        assert not unreachable.wait(0.3)
        assert time.monotonic() - started < 3.0
        assert not unreachable.connected
    finally:
        unreachable.close()


def test_sqlite_reports_a_commit_by_another_database_object(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    writer = Database(f"sqlite:///{path}")
    with writer.write() as session:
        session.connection().exec_driver_sql("CREATE TABLE t (x INTEGER)")
    poller = open_listener(Database(f"sqlite:///{path}"))
    assert isinstance(poller, SqlitePoller)
    try:
        assert not poller.wait(0.6)  # nothing written since it opened
        with writer.write() as session:
            session.connection().exec_driver_sql("INSERT INTO t VALUES (1)")
        seen = wait_for(poller, lambda c: c.everything)
        assert seen.everything and not seen.case_ids
        assert not poller.wait(0.6)  # reported once
    finally:
        poller.close()
        writer.dispose()
