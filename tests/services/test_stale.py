"""Two desks on one database act on one case: the one acting on what it saw before is told, never
silently overwrites (shared mode, issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kesu_desktop import services
from kesu_desktop.cli.main import main
from kesu_desktop.domain.errors import NotAllowed, StaleCase, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.database import Database
from tests.helpers.data import STANDARD_USERS, MutableClock, People, complaint
from tests.helpers.services import counts


@pytest.fixture
def other_desk(db_url: str, clock: MutableClock) -> Iterator[Desk]:
    """A second desktop: its own engine and connections to the same database, its own node."""
    d = Desk(db=Database(db_url), clock=clock, node_id="other-node")
    yield d
    d.close()


def test_acting_on_a_version_another_desk_changed_is_refused_and_writes_nothing(
    desk: Desk, other_desk: Desk, people: People
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    seen = services.get_case(desk, people.bob, case.case_no)
    assert seen.version == case.version != ""

    # Desk 2 (carol) raises the priority; desk 1 (bob) still shows the case as he loaded it.
    after = services.act(other_desk, people.carol, case.case_no, "classify", {"priority": "p0"})
    assert after.version > seen.version
    before = counts(desk)

    with pytest.raises(StaleCase) as caught:
        services.act(desk, people.bob, case.case_no, "verify", {"valid": True}, expected_version=seen.version)
    stale = caught.value
    assert stale.version == after.version
    assert len(stale.lines) == 1
    line = stale.lines[0]
    assert "carol" in line and "分类定级" in line and "优先级" in line
    assert case.case_no in str(stale)
    assert counts(desk) == before  # nothing written
    assert services.get_case(desk, people.bob, case.case_no).status == "registered"

    # Against the version it was told of, the same action goes through.
    done = services.act(
        desk, people.bob, case.case_no, "verify", {"valid": True}, expected_version=stale.version
    )
    assert done.status == "verified"
    assert done.priority == "p0"  # desk 2's change is kept, not overwritten
    assert done.version > stale.version


def test_the_current_version_or_none_is_not_checked_against(desk: Desk, people: People) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(desk, people.bob, case.case_no, "verify", {"valid": True}, expected_version=case.version)
    services.act(desk, people.bob, case.case_no, "log", {"channel": "phone", "summary": "已致电"})
    assert [e.kind for e in services.get_case(desk, people.bob, case.case_no).events][-1] == (
        "communication_logged"
    )


def test_every_change_since_is_listed_in_order(desk: Desk, other_desk: Desk, people: People) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(other_desk, people.bob, case.case_no, "verify", {"valid": True})
    services.act(other_desk, people.bob, case.case_no, "assign", {"department": "AS", "assignee": "dave"})
    with pytest.raises(StaleCase) as caught:
        services.act(
            desk,
            people.alice,
            case.case_no,
            "log",
            {"channel": "phone", "summary": "客户来电催促"},
            expected_version=case.version,
        )
    lines = caught.value.lines
    assert len(lines) == 2
    assert "初步核实" in lines[0] and "状态" in lines[0]
    assert "分派" in lines[1] and "责任部门" in lines[1] and "处理人" in lines[1] and "dave" in lines[1]
    assert "assignee_id" not in lines[1]


def test_a_malformed_version_is_bad_input(desk: Desk, people: People) -> None:
    case = services.register_case(desk, people.alice, complaint())
    before = counts(desk)
    with pytest.raises(ValidationError) as caught:
        services.act(desk, people.bob, case.case_no, "verify", {"valid": True}, expected_version="yesterday")
    assert "expect_version" in caught.value.errors
    assert counts(desk) == before


def test_show_json_carries_the_version(desk: Desk, people: People) -> None:
    case = services.register_case(desk, people.alice, complaint())
    shown = services.get_case(desk, people.bob, case.case_no).to_json(people.bob.timezone)
    assert shown["version"] == case.version


def test_kesu_act_expect_version_exits_5_with_conflict_lines(
    desk: Desk,
    other_desk: Desk,
    people: People,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KESU_NODE_ID", "cli-desk")
    monkeypatch.setenv("KESU_PASSWORD", STANDARD_USERS["bob"][2])
    case = services.register_case(desk, people.alice, complaint())
    services.act(other_desk, people.carol, case.case_no, "classify", {"priority": "p0"})
    args = tmp_path / "verify.json"
    args.write_text('{"valid": true}', encoding="utf-8")
    before = counts(desk)
    common = ["--db", db_url, "--user", "bob", "act", case.case_no, "verify", str(args)]

    assert main([*common, "--expect-version", case.version]) == 5
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("conflict: ") for line in err)
    assert any("carol" in line and "优先级" in line for line in err)
    assert counts(desk) == before

    current = services.get_case(desk, people.bob, case.case_no).version
    assert main([*common, "--expect-version", current, "--json"]) == 0
    shown = capsys.readouterr().out
    assert '"status": "verified"' in shown and '"version"' in shown


def test_an_action_the_new_state_no_longer_allows_is_not_allowed_rather_than_stale(
    desk: Desk, other_desk: Desk, people: People
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    services.act(other_desk, people.bob, case.case_no, "verify", {"valid": True})
    services.act(other_desk, people.bob, case.case_no, "assign", {})
    before = counts(desk)
    with pytest.raises(NotAllowed):
        services.act(
            desk, people.alice, case.case_no, "verify", {"valid": True}, expected_version=case.version
        )
    assert counts(desk) == before
