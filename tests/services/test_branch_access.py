"""The branch's PostgreSQL role on the central: it reads its office's rows and the reference tables,
inserts its office's facts, and nothing else — proved by connecting with the URL it is given."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.services.branch_access import branch_role_name, create_branch_credentials
from kesu_desktop.services.offices import add_office
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.models import SyncLink
from tests.helpers.data import complaint

#: Roles belong to the whole server: office codes (and so role names) unique to this test process.
_PID = os.getpid() % 10**7
NORTH, SOUTH = f"N{_PID:07d}", f"S{_PID:07d}"
DESK_ROLE = f"kesu_desks_{_PID}"


def _drop_role(url: str, role: str) -> None:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


@pytest.fixture
def offices(desk: Desk, people: Any, db_url: str) -> Iterator[dict[str, Any]]:
    """Two offices, each with a clerk, a specialist and a registered, verified case with a reply draft."""
    found: dict[str, Any] = {}
    for code in (NORTH, SOUTH):
        add_office(desk, people.admin, code, f"网点 {code}")
        low = code.lower()
        for name, role in ((f"clerk_{low}", Role.FRONT_DESK), (f"spec_{low}", Role.SPECIALIST)):
            services.add_user(
                desk, people.admin, username=name, password="office-pass-1", role=role, office_code=code
            )
        clerk = services.get_actor(desk, f"clerk_{low}")
        specialist = services.get_actor(desk, f"spec_{low}")
        case = services.register_case(desk, clerk, complaint(phone=f"139{_PID:07d}"[:8] + code[-3:]))
        services.act(desk, specialist, case.case_no, "verify", {"valid": True})
        services.save_reply_draft(desk, specialist, case.case_no, "acceptance", f"您好，{code} 已受理。")
        found[code] = case
    yield found
    with desk.db.write() as session:  # offices are not among the tables conftest resets
        session.execute(text("DELETE FROM offices WHERE code IN (:n, :s)"), {"n": NORTH, "s": SOUTH})
    for code in (NORTH, SOUTH):
        _drop_role(db_url, branch_role_name(code))
    _drop_role(db_url, DESK_ROLE)


def _connect(url: str) -> Connection:
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1)).connect()


def _fails(conn: Connection, statement: str, params: dict | None = None) -> str:
    """The statement is refused; the error text (permission or policy)."""
    with pytest.raises(Exception) as caught:
        conn.execute(text(statement), params or {})
    conn.rollback()
    return str(caught.value)


def _event_row(conn: Connection, case_id: uuid.UUID) -> dict[str, Any]:
    """A new event of ``case_id`` shaped like a real one (a fresh node's first), for the privilege test."""
    row = dict(conn.execute(text("SELECT * FROM case_events LIMIT 1")).mappings().one())
    row.update(id=uuid.uuid4(), case_id=case_id, node_id=f"branch-{uuid.uuid4()}", seq=1)
    return row


def _insert_event(conn: Connection, row: dict[str, Any]) -> None:
    columns = ", ".join(row)
    values = ", ".join(f"CAST(:{c} AS JSONB)" if c == "payload" else f":{c}" for c in row)
    params = dict(row, payload=json.dumps(row["payload"]))
    conn.execute(text(f"INSERT INTO case_events ({columns}) VALUES ({values})"), params)


#: Row-level security is PostgreSQL's; on SQLite the service refuses (the last test).
only_postgresql = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@only_postgresql
def test_a_branch_role_sees_and_writes_only_its_office(desk: Desk, people: Any, offices, db_url) -> None:
    north, south = offices[NORTH], offices[SOUTH]
    creds = create_branch_credentials(desk, people.admin, NORTH)
    url = make_url(creds.url)
    assert creds.role == url.username == f"kesu_branch_{NORTH.lower()}"
    assert url.password == creds.password and len(creds.password) >= 24
    assert url.host == make_url(db_url).host and url.database == make_url(db_url).database
    with _connect(creds.url) as conn:
        assert conn.execute(text("SELECT kesu_branch_office()")).scalar() == NORTH
        assert conn.execute(text("SELECT case_no FROM cases")).scalars().all() == [north.case_no]
        events = conn.execute(text("SELECT DISTINCT case_id FROM case_events")).scalars().all()
        assert events == [north.id]
        assert conn.execute(text("SELECT count(*) FROM case_events")).scalar() >= 2
        # the other office's rows are simply not there
        for table in ("cases", "case_events", "replies", "case_search", "case_watch"):
            column = "id" if table == "cases" else "case_id"
            query = text(f"SELECT count(*) FROM {table} WHERE {column} = :id")
            assert conn.execute(query, {"id": south.id}).scalar() == 0, table
        users = set(conn.execute(text("SELECT username FROM users")).scalars())
        low = NORTH.lower()
        assert {f"clerk_{low}", f"spec_{low}", "admin"} <= users
        assert not any(SOUTH.lower() in name for name in users) and "alice" not in users
        assert conn.execute(text("SELECT count(*) FROM replies")).scalar() == 1
        # reference data in full
        offices_seen = set(conn.execute(text("SELECT code FROM offices")).scalars())
        assert {NORTH, SOUTH, "BJ01"} <= offices_seen
        assert conn.execute(text("SELECT count(*) FROM categories")).scalar() > 0

        # the log cannot be rewritten, nothing deleted, nothing outside the office written
        for statement in (
            "UPDATE case_events SET actor = 'mallory'",
            "DELETE FROM case_events",
            "TRUNCATE case_events",
            "DELETE FROM cases",
            "DELETE FROM replies",
            "UPDATE users SET role = 'admin'",
            "UPDATE offices SET name = 'x'",
            "SELECT * FROM login_throttle",
            "SELECT * FROM node_chain_heads",
            "CREATE TABLE mine (x int)",
            "ALTER TABLE cases DISABLE ROW LEVEL SECURITY",
            "ALTER TABLE case_events DISABLE TRIGGER USER",
        ):
            _fails(conn, statement)
        conn.execute(text("SET row_security = off"))  # then a filtered read is an error, not everything
        _fails(conn, "SELECT count(*) FROM cases")
        own_case = conn.execute(text("SELECT * FROM cases")).mappings().one()
        foreign = dict(own_case, id=uuid.uuid4(), case_no=f"X-{uuid.uuid4().hex[:20]}", office_code=SOUTH)
        columns = ", ".join(foreign)
        values = ", ".join(f":{c}" for c in foreign)
        assert "row-level security" in _fails(
            conn, f"INSERT INTO cases ({columns}) VALUES ({values})", foreign
        )
        message = _fails(
            conn, "UPDATE cases SET office_code = :o WHERE id = :id", {"o": SOUTH, "id": north.id}
        )
        assert "row-level security" in message
        # an UPDATE of the other office's case finds no row
        updated = conn.execute(text("UPDATE cases SET priority = 'P0' WHERE id = :id"), {"id": south.id})
        assert updated.rowcount == 0
        conn.rollback()
        # an event for the other office's case is refused by the policy; for its own, inserting is allowed
        assert "row-level security" in _fails_insert_event(conn, south.id)
        _insert_event(conn, _event_row(conn, north.id))
        conn.rollback()  # the privilege is shown; a real push brings whole chained rows
        # its own office's key and cursors only
        cursor = text(
            "INSERT INTO sync_branches (branch_id, office_code, pushed_through, pulled_through) "
            "VALUES (:b, :o, 0, 0)"
        )
        conn.execute(cursor, {"b": "north-1", "o": NORTH})
        conn.commit()
        assert "row-level security" in _fails(conn, cursor.text, {"b": "north-2", "o": SOUTH})
        assert conn.execute(text("SELECT count(*) FROM office_keys")).scalar() == 0
    with desk.db.read() as session:  # the refused writes left nothing
        assert session.execute(text("SELECT office_code FROM sync_branches")).scalars().all() == [NORTH]
        assert session.execute(text("SELECT count(*) FROM cases")).scalar() == 2


def _fails_insert_event(conn: Connection, case_id: uuid.UUID) -> str:
    with pytest.raises(Exception) as caught:
        _insert_event(conn, _event_row(conn, case_id))
    conn.rollback()
    return str(caught.value)


@only_postgresql
def test_credentials_are_idempotent_and_the_desks_role_still_sees_everything(
    desk: Desk, people: Any, offices, db_url: str
) -> None:
    first = create_branch_credentials(desk, people.admin, NORTH)
    role = first.role

    def stored_password() -> str:
        with psycopg.connect(db_url, autocommit=True) as admin:
            row = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()
            return row[0]

    before = stored_password()
    again = create_branch_credentials(desk, people.admin, NORTH, password="chosen-pass-123")
    assert again.role == role and again.password == "chosen-pass-123" and "chosen-pass-123" in again.url
    assert stored_password() != before  # the password was renewed
    south = create_branch_credentials(desk, people.admin, SOUTH)
    with desk.db.read() as session:
        rows = session.execute(text("SELECT role_name, office_code FROM branch_roles ORDER BY 2")).all()
    assert [tuple(r) for r in rows] == [(role, NORTH), (south.role, SOUTH)]
    with _connect(again.url) as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 1
        assert conn.execute(text("SELECT role_name FROM branch_roles")).scalars().all() == [role]
    with _connect(south.url) as conn:
        assert conn.execute(text("SELECT case_no FROM cases")).scalars().all() == [offices[SOUTH].case_no]

    # the desks' own role: no row filter at all (every case, every event; the search index still usable)
    services.create_db_role(desk, people.admin, DESK_ROLE, password="desk-pass-123")
    desk_url = make_url(db_url).set(username=DESK_ROLE, password="desk-pass-123")
    as_desk = Desk(
        db=Database(desk_url.render_as_string(hide_password=False)), clock=desk.clock, node_id="d2"
    )
    try:  # and a desk connected as it still registers (for the first office, through the services)
        services.register_case(as_desk, people.alice, complaint(phone="13700001234"))
        with pytest.raises(NotAllowed):  # but it cannot make roles, policies or grants
            create_branch_credentials(as_desk, people.admin, NORTH)
    finally:
        as_desk.close()
    with _connect(desk_url.render_as_string(hide_password=False)) as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 3
        with desk.db.read() as session:
            total = session.execute(text("SELECT count(*) FROM case_events")).scalar()
        assert conn.execute(text("SELECT count(*) FROM case_events")).scalar() == total
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() > 8
        plan = "\n".join(
            conn.execute(text("EXPLAIN SELECT case_id FROM case_search WHERE folded LIKE '%冰箱%'")).scalars()
        )
        assert "kesu_branch_office" not in plan and "InitPlan" not in plan


def test_who_may_make_credentials_and_where(desk: Desk, people: Any, db_url: str) -> None:
    with pytest.raises(NotAllowed):
        create_branch_credentials(desk, people.carol, "BJ01")
    if not db_url.startswith("postgresql"):
        with pytest.raises(ValidationError) as caught:
            create_branch_credentials(desk, people.admin, "BJ01")
        assert "db" in caught.value.errors
        return
    with pytest.raises(NotFound):
        create_branch_credentials(desk, people.admin, "NOPE99")
    with pytest.raises(ValidationError):
        create_branch_credentials(desk, people.admin, "bad code!")
    with pytest.raises(ValidationError):
        create_branch_credentials(desk, people.admin, "BJ01", password="short")
    with desk.db.write() as session:  # a branch database: its credentials are the central's business
        session.add(SyncLink(office_code="BJ01", branch_id="b-1", created_at=desk.clock.now()))
    with pytest.raises(NotAllowed):
        create_branch_credentials(desk, people.admin, "BJ01")
    with desk.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM branch_roles")).scalar() == 0
