"""The event log's hash chain per node, on both databases: what append and the bulk loader write, what
the migration gives events stored before it, and the rewrites the database itself now refuses."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from kesu_desktop import services
from kesu_desktop.devtools.seed import seed_demo
from kesu_desktop.services import Desk
from kesu_desktop.storage import eventlog
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.storage.models import CaseEvent, NodeChainHead
from tests.helpers.data import complaint


def _chain(desk: Desk, node_id: str = "test-node") -> list[CaseEvent]:
    with desk.db.read() as s:
        query = select(CaseEvent).where(CaseEvent.node_id == node_id).order_by(CaseEvent.seq)
        events = list(s.scalars(query))
        s.expunge_all()
        return events


def _head(desk: Desk, node_id: str = "test-node") -> NodeChainHead | None:
    with desk.db.read() as s:
        head = s.get(NodeChainHead, node_id)
        s.expunge_all()
        return head


def _assert_chained(events: list[CaseEvent], head: NodeChainHead | None) -> None:
    prev = eventlog.GENESIS
    for n, event in enumerate(events, start=1):
        assert event.seq == n and event.prev_hash == prev
        assert event.hash == eventlog.event_hash(event)
        prev = event.hash
    assert head is not None and head.count == len(events) and head.last_hash == prev
    assert head.last_event_id == events[-1].id


def test_append_chains_each_event_onto_the_nodes_previous_one(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(desk, people.bob, case.case_no, "verify", {"valid": True})
    services.register_case(desk, people.alice, complaint(phone="13900001111"))
    events = _chain(desk)
    assert len(events) >= 3
    _assert_chained(events, _head(desk))


def test_the_hash_is_sha256_of_the_canonical_json_of_the_whole_record(desk: Desk, people) -> None:
    services.register_case(desk, people.alice, complaint(customer_name="张三 Zoë"))
    event = _chain(desk)[0]
    record = {
        "id": str(event.id),
        "case_id": str(event.case_id),
        "hlc": event.hlc,
        "node_id": event.node_id,
        "actor_id": str(event.actor_id),
        "actor": event.actor,
        "kind": event.kind,
        "at": event.at.isoformat(),
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "张三 Zoë" in canonical and event.at.isoformat().endswith("+00:00")
    assert event.hash == hashlib.sha256(canonical.encode()).hexdigest()


def test_nodes_keep_separate_chains(desk: Desk, people, db_url: str, clock) -> None:
    services.register_case(desk, people.alice, complaint())
    other = Desk(db=desk.db, clock=clock, node_id="other-node")
    services.register_case(other, people.alice, complaint(phone="13900001111"))
    services.register_case(desk, people.alice, complaint(phone="13900002222"))
    for node in ("test-node", "other-node"):
        _assert_chained(_chain(desk, node), _head(desk, node))


def test_the_bulk_loader_chains_its_events_onto_the_same_heads(desk: Desk, people) -> None:
    services.register_case(desk, people.alice, complaint())
    assert seed_demo(desk, people.admin, count=40, seed=5) == 40
    services.register_case(desk, people.alice, complaint(phone="13900001111"))
    with desk.db.read() as s:
        nodes = set(s.scalars(select(CaseEvent.node_id)))
    for node in nodes:
        _assert_chained(_chain(desk, node), _head(desk, node))
    assert services.verify_log(desk, people.admin).intact


def test_migration_0010_chains_the_events_stored_before_it_in_hlc_order(desk: Desk, people, clock) -> None:
    from alembic import command
    from alembic.config import Config

    from kesu_desktop.storage.migrate import MIGRATIONS

    for phone in ("13900001111", "13900002222", "13900003333"):
        case = services.register_case(desk, people.alice, complaint(phone=phone))
        clock.advance(minutes=5)
    services.act(desk, people.bob, case.case_no, "verify", {"valid": True})
    with desk.db.write_engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    upgrade(desk.db)
    events = _chain(desk)
    assert [e.hlc for e in events] == sorted(e.hlc for e in events) and len(events) >= 4
    _assert_chained(events, _head(desk))
    services.register_case(desk, people.alice, complaint(phone="13900004444"))  # the chain goes on
    _assert_chained(_chain(desk), _head(desk))
    # the append-only triggers are back
    with pytest.raises(DBAPIError, match="append-only"), desk.db.write_engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor = 'mallory'"))


def test_sqlite_refuses_insert_or_replace_of_an_event(desk: Desk, people, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("INSERT OR REPLACE is SQLite's")
    services.register_case(desk, people.alice, complaint())
    replace = (
        "INSERT OR REPLACE INTO case_events SELECT id, case_id, hlc, node_id, actor_id, 'mallory', kind, at, "
        "payload, seq, prev_hash, hash FROM case_events"
    )
    with pytest.raises(DBAPIError, match="append-only"), desk.db.write_engine.begin() as conn:
        conn.execute(text(replace))
    # Without the BEFORE INSERT trigger, recursive triggers make the REPLACE's deletion fire the DELETE one.
    with desk.db.write_engine.begin() as conn:
        conn.execute(text("DROP TRIGGER case_events_no_replace"))
    with pytest.raises(DBAPIError, match="append-only"), desk.db.write_engine.begin() as conn:
        conn.execute(text(replace))
    assert {e.actor for e in _chain(desk)} == {"alice"}


def test_postgresql_refuses_truncate_of_the_events(desk: Desk, people, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("the TRUNCATE trigger is PostgreSQL's")
    services.register_case(desk, people.alice, complaint())
    with pytest.raises(DBAPIError, match="append-only"), desk.db.write_engine.begin() as conn:
        conn.execute(text("TRUNCATE case_events"))
    assert len(_chain(desk)) >= 1
