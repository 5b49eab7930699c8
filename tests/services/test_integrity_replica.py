"""verify_log on a partial replica: a branch holds only its office's events of the central's nodes, so
those chains have gaps and no head there. Each copied event's hash and each link whose previous event
is present are still checked; a gap is no break; the node is flagged ``replica``.

The replica is built as sync would leave it: selected event rows (and their cases) copied with Core
inserts into a fresh SQLite database that has no head row for the source node."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from kesu_desktop import services
from kesu_desktop.cli.main import main
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Desk
from kesu_desktop.storage import eventlog
from kesu_desktop.storage.models import Case, CaseEvent
from tests.helpers.data import ADMIN_PASSWORD, complaint

SOURCE_NODE = "test-node"


@pytest.fixture
def source(desk: Desk, people: Any) -> list[list[dict[str, Any]]]:
    """Three verified cases on the source (either database): per case, its case row then its events."""
    numbers = []
    for i in range(3):
        case = services.register_case(desk, people.alice, complaint(phone=f"1390000{i:04d}"))
        services.act(desk, people.bob, case.case_no, "verify", {"valid": True})
        numbers.append(case.id)
    found = []
    with desk.db.read() as session:
        for case_id in numbers:
            case = session.execute(select(Case.__table__).where(Case.id == case_id)).mappings().one()
            events = session.execute(
                select(CaseEvent.__table__).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
            ).mappings()
            found.append([dict(case), *map(dict, events)])
    return found


@pytest.fixture
def replica(tmp_path: Path, clock: Any) -> Iterator[Desk]:
    """A fresh, initialised SQLite database: its own node writes with a head, as a branch's does."""
    d = Desk.open(f"sqlite:///{tmp_path / 'replica.db'}", clock=clock, node_id="replica-node")
    services.initialize(d, office_code="GZ01", office_name="广州分部", admin="admin", password=ADMIN_PASSWORD)
    admin = services.login(d, "admin", ADMIN_PASSWORD)
    services.add_user(d, admin, username="rita", password="rita-pass-12", role=Role.FRONT_DESK)
    services.register_case(d, services.get_actor(d, "rita"), complaint(phone="13700000001"))
    yield d
    d.close()


def _copy(replica: Desk, case: dict[str, Any], events: list[dict[str, Any]]) -> None:
    with replica.db.write() as session:
        if session.scalar(select(Case.id).where(Case.id == case["id"])) is None:
            session.execute(Case.__table__.insert(), [case])
        session.execute(CaseEvent.__table__.insert(), events)


def _nodes(desk: Desk) -> dict[str, Any]:
    report = services.verify_log(desk, services.get_actor(desk, "admin"))
    return {node["node_id"]: node for node in report.as_json()["nodes"]}


def test_a_chain_with_gaps_and_no_head_is_an_intact_replica(replica: Desk, source) -> None:
    first, _second, third = source  # the second case stays away: a gap in the middle of the chain
    _copy(replica, first[0], first[1:])
    _copy(replica, third[0], third[1:])
    report = services.verify_log(replica, services.get_actor(replica, "admin"))
    assert report.intact
    nodes = {node["node_id"]: node for node in report.as_json()["nodes"]}
    copied = len(first) - 1 + len(third) - 1
    assert nodes[SOURCE_NODE] == {
        "node_id": SOURCE_NODE,
        "events": copied,
        "head_hash": None,
        "first_break": None,
        "replica": True,
    }
    assert nodes["replica-node"]["replica"] is False and nodes["replica-node"]["head_hash"]
    assert third[1]["seq"] > len(first)  # the copied chain resumes after the gap


def test_a_tampered_copy_is_still_named(replica: Desk, source) -> None:
    first, _second, third = source
    _copy(replica, first[0], first[1:])
    forged = dict(third[1], actor="mallory")  # rewritten in transit, hash left as it was
    _copy(replica, third[0], [forged, *third[2:]])
    node = _nodes(replica)[SOURCE_NODE]
    assert node["replica"] is True
    assert node["first_break"]["kind"] == "content_changed"
    assert node["first_break"]["event_id"] == str(forged["id"])
    assert node["first_break"]["case_no"] == third[0]["case_no"]


def test_a_present_link_is_checked(replica: Desk, source) -> None:
    """Consecutive events must still link: a made-up event with a recomputed hash but a prev_hash of
    its own breaks the link to the event before it, which is present."""
    first = source[0]
    made_up = dict(first[2], prev_hash="ab" * 32)
    made_up["hash"] = eventlog.event_hash(SimpleNamespace(**made_up))
    _copy(replica, first[0], [first[1], made_up, *first[3:]])
    node = _nodes(replica)[SOURCE_NODE]
    assert node["replica"] is True
    assert node["first_break"]["kind"] == "unknown_prev" and node["first_break"]["seq"] == made_up["seq"]


def test_verify_log_text_says_replica(
    replica: Desk, source, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, _second, third = source
    _copy(replica, first[0], first[1:])
    _copy(replica, third[0], third[1:])
    monkeypatch.setenv("KESU_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("KESU_NODE_ID", "replica-node")
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    code = main(["--db", replica.db.url, "--user", "admin", "verify-log"])
    out = capsys.readouterr().out
    assert code == 0, out
    lines = out.splitlines()
    assert any(SOURCE_NODE in line and "（副本，允许缺号）" in line and "链完整" in line for line in lines)
    assert any("replica-node" in line and "副本" not in line for line in lines)
