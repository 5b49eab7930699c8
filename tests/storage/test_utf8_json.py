"""JSON is stored as UTF-8 on SQLite, and migration 0014 rewrites documents stored escaped before it."""

from __future__ import annotations

import importlib
import json
import sqlite3
from pathlib import Path

import pytest

from kesu_desktop import services
from kesu_desktop.services import Desk
from kesu_desktop.storage.database import Database
from tests.helpers.data import complaint

NO_UPDATE_TRIGGER = (
    "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
    "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END"
)


@pytest.fixture
def sqlite_file(sqlite_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kesu.db"
    target.write_bytes(sqlite_template.read_bytes())
    return target


def _payloads(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT payload FROM case_events ORDER BY seq")]


def test_new_events_keep_chinese_as_utf8(sqlite_file: Path, clock) -> None:
    desk = Desk(db=Database(f"sqlite:///{sqlite_file}"), clock=clock, node_id="test-node")
    try:
        services.register_case(desk, services.get_actor(desk, "alice"), complaint(description="冰箱不制冷"))
    finally:
        desk.close()
    (stored,) = _payloads(sqlite_file)
    assert "冰箱不制冷" in stored and "\\u" not in stored


def test_the_migration_rewrites_escaped_documents_and_the_log_still_verifies(
    sqlite_file: Path, clock
) -> None:
    url = f"sqlite:///{sqlite_file}"
    desk = Desk(db=Database(url), clock=clock, node_id="test-node")
    try:
        alice = services.get_actor(desk, "alice")
        case = services.register_case(desk, alice, complaint(description="冰箱不制冷"))
    finally:
        desk.close()
    # As a database written before 0014 holds it: every non-ASCII character escaped.
    with sqlite3.connect(sqlite_file) as conn:
        (stored,) = conn.execute("SELECT payload FROM case_events").fetchone()
        escaped = json.dumps(json.loads(stored))
        conn.execute("DROP TRIGGER case_events_no_update")
        conn.execute("UPDATE case_events SET payload = ?", (escaped,))
    assert "\\u51b0" in _payloads(sqlite_file)[0]
    size_before = len(escaped.encode())

    # Migration 0014's rewrite, run on the escaped rows (the trigger is lifted above, as 0014 does).
    migration = importlib.import_module("kesu_desktop.storage.migrations.versions.0014_utf8_json")
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            migration._rewrite(conn, "case_events", "payload")
            conn.exec_driver_sql(NO_UPDATE_TRIGGER)
    finally:
        db.dispose()
    (rewritten,) = _payloads(sqlite_file)
    assert json.loads(rewritten) == json.loads(escaped)
    assert "冰箱不制冷" in rewritten and len(rewritten.encode()) < size_before
    desk = Desk(db=Database(url), clock=clock, node_id="test-node")
    try:
        admin = services.get_actor(desk, "admin")
        assert services.verify_log(desk, admin).intact
        assert services.get_case(desk, alice, case.case_no).description == "冰箱不制冷"
    finally:
        desk.close()
    with sqlite3.connect(sqlite_file) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE case_events SET actor = 'x'")  # still append-only
