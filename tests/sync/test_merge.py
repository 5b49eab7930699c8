"""Central and branch change one case apart: both converge, the losing value is a conflict to settle."""

from __future__ import annotations

from pathlib import Path

from kesu_desktop import services
from kesu_desktop.services.conflicts import conflicts_for, resolve_conflict
from kesu_desktop.sync.network import sync_now
from tests.helpers.data import MutableClock, complaint
from tests.helpers.sync import CLERK_PASSWORD, Central, make_branch, priority_conflict


def _state(desk, actor, case_no):  # type: ignore[no-untyped-def]
    view = services.get_case(desk, actor, case_no)
    return view.status, view.priority, view.severity, sorted(str(e.id) for e in view.events)


def test_concurrent_priorities_converge_and_the_loser_is_kept(
    central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    made = priority_conflict(central, tmp_path / "b.db", clock)
    branch, lead_b, lead_c, report = made.branch, made.lead_b, made.lead_c, made.report
    case = services.get_case(branch, lead_b, made.case_no)
    assert report.agree and report.conflicts == 1
    assert _state(branch, lead_b, case.case_no) == _state(central.desk, lead_c, case.case_no)
    assert services.get_case(branch, lead_b, case.case_no).priority == "p2"  # the later write is kept
    for desk, actor in ((branch, lead_b), (central.desk, lead_c)):
        (conflict,) = conflicts_for(desk, actor)
        assert (conflict.field, conflict.kept, conflict.lost) == ("priority", "p2", "p0")
        assert (conflict.kept_by, conflict.lost_by) == ("sh_lead", "sh_lead")
    # one action puts the lost value back, on every node after the next sync
    resolve_conflict(branch, lead_b, conflict.id, reapply=True)
    sync_now(branch, lead_b)
    assert services.get_case(central.desk, lead_c, case.case_no).priority == "p0"
    assert conflicts_for(central.desk, lead_c) == [] == conflicts_for(branch, lead_b)
    assert _state(branch, lead_b, case.case_no) == _state(central.desk, lead_c, case.case_no)
    branch.close()


def test_closing_against_a_new_call_flags_the_case_for_review(
    central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    clerk = services.login(central.desk, "sh_clerk", CLERK_PASSWORD)
    case = services.register_case(central.desk, clerk, complaint())
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    lead_b = services.login(branch, "sh_lead", CLERK_PASSWORD)
    lead_c = services.login(central.desk, "sh_lead", CLERK_PASSWORD)
    services.act(branch, lead_b, case.case_no, "verify", {"valid": True})
    services.act(
        central.desk, lead_c, case.case_no, "log", {"channel": "phone", "summary": "客户来电补充情况"}
    )
    sync_now(branch, lead_b)
    kinds = {c.kind for c in conflicts_for(central.desk, lead_c)}
    assert "workflow" in kinds
    timeline = [e.kind for e in services.get_case(central.desk, lead_c, case.case_no).events]
    assert "verified" in timeline and "communication_logged" in timeline
    branch.close()
