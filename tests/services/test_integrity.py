"""verify_log on both databases: an intact log, and each rewrite an attacker with the database can make
(by SQL, after dropping or disabling the append-only trigger) named at the first break of its chain.
And the desks' least-privilege PostgreSQL role: what it may not do to the log, and that the desk works."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.database import Database
from tests.helpers.data import complaint

#: Roles belong to the whole server: one name per test process.
ROLE = f"kesu_desk_{os.getpid()}"


def _cases(desk: Desk, people: Any, n: int = 3) -> list[str]:
    numbers = []
    for i in range(n):
        case = services.register_case(desk, people.alice, complaint(phone=f"1390000{i:04d}"))
        services.act(desk, people.bob, case.case_no, "verify", {"valid": True})
        numbers.append(case.case_no)
    return numbers


@contextmanager
def _attacker(desk: Desk) -> Iterator[Connection]:
    """A connection with the append-only triggers out of the way, as someone holding the database file
    or a superuser's password would have it."""
    with desk.db.write_engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for name in ("no_update", "no_delete", "no_replace"):
                conn.execute(text(f"DROP TRIGGER case_events_{name}"))
            conn.execute(text("PRAGMA recursive_triggers=OFF"))
        else:
            conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
        yield conn
        if conn.dialect.name != "sqlite":
            conn.execute(text("ALTER TABLE case_events ENABLE TRIGGER USER"))


def _event(conn: Connection, seq: int) -> Any:
    return conn.execute(
        text("SELECT * FROM case_events WHERE node_id = 'test-node' AND seq = :seq"), {"seq": seq}
    ).one()


def _case_no(conn: Connection, case_id: Any) -> str:
    return conn.execute(text("SELECT case_no FROM cases WHERE id = :id"), {"id": case_id}).scalar_one()


def _only_break(desk: Desk, actor: Any, **kw: Any) -> dict[str, Any]:
    report = services.verify_log(desk, actor, **kw)
    assert not report.intact
    (node,) = report.breaks
    assert node.node_id == "test-node"
    return node.first_break.as_json()


def test_an_untouched_log_is_intact(desk: Desk, people, clock) -> None:
    _cases(desk, people)
    other = Desk(db=desk.db, clock=clock, node_id="other-node")
    services.register_case(other, people.alice, complaint(phone="13900009999"))
    report = services.verify_log(desk, people.carol)
    assert report.intact
    as_json = report.as_json()
    assert as_json["intact"] is True
    assert [(n["node_id"], n["events"], n["first_break"]) for n in as_json["nodes"]] == [
        ("other-node", 1, None),
        ("test-node", 9, None),  # registered, a second event at registration, verified
    ]
    assert all(len(n["head_hash"]) == 64 for n in as_json["nodes"])


def test_only_supervisors_managers_and_admins_verify(desk: Desk, people) -> None:
    for actor in (people.alice, people.bob, people.dave):
        with pytest.raises(NotAllowed):
            services.verify_log(desk, actor)
    for actor in (people.carol, people.mia, people.admin):
        assert services.verify_log(desk, actor).intact


def test_a_rewritten_actor_is_named_as_content_changed(desk: Desk, people) -> None:
    _cases(desk, people)
    with _attacker(desk) as conn:
        target = _event(conn, 3)
        conn.execute(text("UPDATE case_events SET actor = 'mallory' WHERE id = :id"), {"id": target.id})
        case_no = _case_no(conn, target.case_id)
    found = _only_break(desk, people.admin)
    assert found["kind"] == "content_changed" and found["seq"] == 3 and found["case_no"] == case_no
    assert found["event_id"] == str(services.get_case(desk, people.bob, case_no).events[0].id)


def test_a_rewrite_with_a_recomputed_hash_breaks_the_next_link(desk: Desk, people) -> None:
    from sqlalchemy import select

    from kesu_desktop.storage import eventlog
    from kesu_desktop.storage.models import CaseEvent

    _cases(desk, people)
    with desk.db.read() as s:
        event = s.scalar(select(CaseEvent).where(CaseEvent.node_id == "test-node", CaseEvent.seq == 3))
        forged = SimpleNamespace(
            **{k: getattr(event, k) for k in ("id", "case_id", "hlc", "node_id", "kind")}
        )
        forged.__dict__.update(actor_id=None, actor="mallory", at=event.at, payload=event.payload)
        forged.prev_hash = event.prev_hash
        digest = eventlog.event_hash(forged)
    with _attacker(desk) as conn:
        target = _event(conn, 3)
        conn.execute(
            text("UPDATE case_events SET actor = 'mallory', actor_id = NULL, hash = :h WHERE id = :id"),
            {"id": target.id, "h": digest},
        )
    found = _only_break(desk, people.admin)
    assert found["kind"] == "unknown_prev" and found["seq"] == 4


def test_a_deleted_event_is_named_as_missing(desk: Desk, people) -> None:
    _cases(desk, people)
    with _attacker(desk) as conn:
        target = _event(conn, 2)
        conn.execute(text("DELETE FROM case_events WHERE id = :id"), {"id": target.id})
        after = _event(conn, 3)
    found = _only_break(desk, people.mia)
    assert found["kind"] == "event_missing" and found["seq"] == 3
    assert found["case_no"] == _case_no_of(desk, after.case_id)


def _case_no_of(desk: Desk, case_id: Any) -> str:
    with desk.db.engine.connect() as conn:
        return _case_no(conn, case_id)


def test_deleting_the_last_events_is_named_by_the_head(desk: Desk, people) -> None:
    _cases(desk, people)
    with _attacker(desk) as conn:
        conn.execute(text("DELETE FROM case_events WHERE seq >= 7"))
    found = _only_break(desk, people.admin)
    assert found["kind"] == "event_missing" and found["seq"] == 9


def test_renumbered_events_are_named_as_order_changed(desk: Desk, people) -> None:
    _cases(desk, people)
    with _attacker(desk) as conn:
        conn.execute(text("UPDATE case_events SET seq = 100 WHERE seq = 2"))
        conn.execute(text("UPDATE case_events SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE case_events SET seq = 3 WHERE seq = 100"))
    found = _only_break(desk, people.admin)
    assert found["kind"] == "order_changed" and found["seq"] == 2


def test_truncated_events_on_postgresql_are_named_as_missing(desk: Desk, people, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("TRUNCATE is PostgreSQL's")
    _cases(desk, people)
    with _attacker(desk) as conn:
        conn.execute(text("TRUNCATE case_events"))
    report = services.verify_log(desk, people.admin)
    (node,) = report.nodes
    assert node.events == 0 and node.first_break is not None
    assert node.first_break.kind == "event_missing" and node.first_break.seq == 9


def test_insert_or_replace_on_sqlite_is_refused_and_if_forced_named(desk: Desk, people, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("INSERT OR REPLACE is SQLite's")
    _cases(desk, people)
    replace = (
        "INSERT OR REPLACE INTO case_events SELECT id, case_id, hlc, node_id, actor_id, 'mallory', kind, "
        "at, payload, seq, prev_hash, hash FROM case_events WHERE seq = 4"
    )
    with pytest.raises(Exception, match="append-only"), desk.db.write_engine.begin() as conn:
        conn.execute(text(replace))
    assert services.verify_log(desk, people.admin).intact
    with _attacker(desk) as conn:
        conn.execute(text(replace))
    found = _only_break(desk, people.admin)
    assert found["kind"] == "content_changed" and found["seq"] == 4


def test_case_narrows_to_the_nodes_that_wrote_the_case(desk: Desk, people, clock) -> None:
    numbers = _cases(desk, people, 2)
    other = Desk(db=desk.db, clock=clock, node_id="other-node")
    lone = services.register_case(other, people.alice, complaint(phone="13900009999"))
    assert [n.node_id for n in services.verify_log(desk, people.admin, case_no=lone.case_no).nodes] == [
        "other-node"
    ]
    with _attacker(desk) as conn:
        conn.execute(text("UPDATE case_events SET actor = 'mallory' WHERE node_id = 'test-node' AND seq = 1"))
    assert services.verify_log(desk, people.admin, case_no=lone.case_no).intact
    assert not services.verify_log(desk, people.admin, case_no=numbers[1]).intact
    with pytest.raises(NotFound):
        services.verify_log(desk, people.admin, case_no="20261123-BJ01-CS-9999")
    with pytest.raises(ValidationError):
        services.verify_log(desk, people.admin, case_no="  ")


def test_two_processes_sharing_a_node_id_never_fork_its_chain(db_url: str, people, clock) -> None:
    """The CLI and the desktop on one machine: separate connections, one node id, writing at once."""
    desks = [Desk(db=Database(db_url), clock=clock, node_id="test-node") for _ in range(3)]
    errors: list[BaseException] = []

    def work(desk: Desk, k: int) -> None:
        try:
            for i in range(4):
                services.register_case(desk, people.alice, complaint(phone=f"1380{k}{i:06d}"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d, k)) for k, d in enumerate(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = services.verify_log(desks[0], people.admin)
    with desks[0].db.engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM case_events")).scalar_one()
        cases = conn.execute(text("SELECT count(*) FROM cases")).scalar_one()
    assert cases == 12 and report.intact and report.nodes[0].events == stored
    for d in desks:
        d.close()


# -- the desks' PostgreSQL role ------------------------------------------------------------------


def test_the_desk_role_cannot_rewrite_the_log_but_runs_the_desk(desk: Desk, people, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        with pytest.raises(ValidationError):
            services.create_db_role(desk, people.admin, ROLE)
        return
    with pytest.raises(NotAllowed):
        services.create_db_role(desk, people.carol, ROLE)
    with pytest.raises(ValidationError):
        services.create_db_role(desk, people.admin, "kesu; DROP TABLE cases")
    shown = services.create_db_role(desk, people.admin, ROLE, password="s3cret'pw")
    assert any("PASSWORD '********'" in s for s in shown) and not any("s3cret" in s for s in shown)
    services.create_db_role(desk, people.admin, ROLE, password="s3cret'pw")  # again: brought up to date
    url = make_url(db_url).set(username=ROLE, password="s3cret'pw")
    as_role = Desk(
        db=Database(url.render_as_string(hide_password=False)), clock=desk.clock, node_id="role-node"
    )
    try:
        case = services.register_case(as_role, people.alice, complaint())
        services.act(as_role, people.bob, case.case_no, "verify", {"valid": True})
        assert services.verify_log(as_role, people.admin).intact
        raw = make_url(db_url)
        with psycopg.connect(
            host=raw.host, port=raw.port, dbname=raw.database, user=ROLE, password="s3cret'pw"
        ) as conn:
            for statement in (
                "UPDATE case_events SET actor = 'mallory'",
                "DELETE FROM case_events",
                "TRUNCATE case_events",
                "ALTER TABLE case_events DISABLE TRIGGER USER",
                "DROP TRIGGER case_events_append_only ON case_events",
                "SET session_replication_role = replica",
                "UPDATE alembic_version SET version_num = '0001'",
            ):
                with pytest.raises(psycopg.Error), conn.transaction():
                    conn.execute(statement)
    finally:
        as_role.close()
        with psycopg.connect(db_url, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {ROLE}")
            admin.execute(f"DROP ROLE {ROLE}")
    assert services.verify_log(desk, people.admin).intact
