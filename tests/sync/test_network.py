"""A SQLite branch and the PostgreSQL central exchange their office's cases over the network."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.storage.models import Case, CaseEvent
from kesu_desktop.sync.network import sync_now
from tests.helpers.data import ADMIN_PASSWORD, MutableClock, complaint
from tests.helpers.sync import BRANCH_OFFICE, CLERK_PASSWORD, Central, make_branch


def _timeline(desk, actor, case_no):  # type: ignore[no-untyped-def]
    view = services.get_case(desk, actor, case_no)
    return view.status, view.priority, [e.kind for e in view.events]


def test_branch_gets_office_cases_and_pushes_its_own(
    central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    clerk_c = services.login(central.desk, "sh_clerk", CLERK_PASSWORD)
    at_central = services.register_case(central.desk, clerk_c, complaint(customer_name="李四"))
    alice = services.login(central.desk, "alice", "alice-pass-1")
    hq = services.register_case(central.desk, alice, complaint(customer_name="王五"))
    branch = make_branch(central, tmp_path / "branch.db", clock, "branch-node")
    clerk_b = services.login(branch, "sh_clerk", CLERK_PASSWORD)
    # the office's case came down; the head office's did not
    assert services.get_case(branch, clerk_b, at_central.case_no).customer_name.startswith("李")
    with branch.db.read() as s:
        assert s.get(Case, hq.id) is None
    offline = services.register_case(branch, clerk_b, complaint(customer_name="赵六"))
    assert offline.case_no.split("-")[1] == BRANCH_OFFICE
    report = sync_now(branch, clerk_b)
    assert report.agree and report.pushed >= 1
    assert services.get_case(central.desk, clerk_c, offline.case_no).case_no == offline.case_no
    again = sync_now(branch, clerk_b)
    assert (again.pushed, again.pulled) == (0, 0) and again.agree
    with central.desk.db.read() as s:
        office_events = s.scalar(
            select(func.count()).select_from(CaseEvent).join(Case).where(Case.office_code == BRANCH_OFFICE)
        )
    assert office_events == report.central_events == report.local_events
    branch.close()


def test_a_branch_office_is_managed_at_the_central_and_registers_at_the_branch(
    central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    branch = make_branch(central, tmp_path / "branch.db", clock, "branch-node")
    admin_b = services.login(branch, "admin", ADMIN_PASSWORD)
    clerk_c = services.login(central.desk, "sh_clerk", CLERK_PASSWORD)
    with pytest.raises(NotAllowed, match="分支机构登记"):
        services.register_case(central.desk, clerk_c, complaint())
    for change in (
        lambda: services.set_setting(branch, admin_b, "sla.p1.respond", "3wh"),
        lambda: services.set_phrase(branch, admin_b, "forbidden", "不归我管"),
        lambda: services.add_user(
            branch, admin_b, username="x1", password="Xx#2026pass!", role=Role.FRONT_DESK
        ),
    ):
        with pytest.raises(NotAllowed, match="由总部维护"):
            change()
    # what the central changes reaches the branch with the next sync
    services.set_setting(central.desk, central.admin, "sla.p1.respond", "3wh")
    clerk_b = services.login(branch, "sh_clerk", CLERK_PASSWORD)
    assert sync_now(branch, clerk_b).reference_rows >= 1
    assert services.settings(branch, admin_b)[""]["sla.p1.respond"] == "3wh"
    branch.close()


def test_a_batch_changed_at_the_source_is_refused_whole_and_kept_for_inspection(
    central: Central, tmp_path: Path, clock: MutableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KESU_DATA_DIR", str(tmp_path / "data"))
    clerk_c = services.login(central.desk, "sh_clerk", CLERK_PASSWORD)
    case = services.register_case(central.desk, clerk_c, complaint())
    branch = make_branch(central, tmp_path / "branch.db", clock, "branch-node")
    lead_c = services.login(central.desk, "sh_lead", CLERK_PASSWORD)
    services.act(central.desk, lead_c, case.case_no, "classify", {"priority": "p0"})
    with central.desk.db.engine.begin() as conn:  # someone rewrites the new event behind the app's back
        conn.exec_driver_sql("ALTER TABLE case_events DISABLE TRIGGER USER")
        conn.exec_driver_sql(
            "UPDATE case_events SET payload = jsonb_set(payload, '{set,priority}', '\"p2\"') "
            "WHERE kind = 'classified'"
        )
        conn.exec_driver_sql("ALTER TABLE case_events ENABLE TRIGGER USER")
    lead_b = services.login(branch, "sh_lead", CLERK_PASSWORD)
    with branch.db.read() as s:
        before = s.scalar(select(func.count()).select_from(CaseEvent))
    shown = services.get_case(branch, lead_b, case.case_no)
    with pytest.raises(ValidationError) as refused:
        sync_now(branch, lead_b)
    message = refused.value.errors["sync"]
    assert "does not match its hash" in message
    kept = list((tmp_path / "data" / "quarantine").glob("*.json"))
    assert len(kept) == 1 and str(kept[0]) in message
    with branch.db.read() as s:
        assert s.scalar(select(func.count()).select_from(CaseEvent)) == before
    assert services.get_case(branch, lead_b, case.case_no).version == shown.version  # nothing applied
    branch.close()
