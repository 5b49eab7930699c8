"""An office with no network at all: a branch made from a carried file, and files carried both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import AuthenticationFailed, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.sync.bundle import export_bundle, import_bundle, init_from_bundle
from kesu_desktop.sync.network import office_digest
from tests.helpers.data import ADMIN_PASSWORD, MutableClock, complaint
from tests.helpers.sync import BRANCH_OFFICE, CLERK_PASSWORD, Central


def _digest(desk: Desk) -> tuple[int, str]:
    with desk.db.read() as session:
        return office_digest(session, BRANCH_OFFICE)


def test_branch_from_a_bundle_and_files_carried_both_ways(
    central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    clerk_c = services.login(central.desk, "sh_clerk", CLERK_PASSWORD)
    first = services.register_case(central.desk, clerk_c, complaint(customer_name="李四"))
    full = tmp_path / "full.kesu"
    export_bundle(central.desk, central.admin, full, office=BRANCH_OFFICE)
    branch = Desk(db=Database(f"sqlite:///{tmp_path / 'b.db'}"), clock=clock, node_id="offline-branch")
    upgrade(branch.db)
    with pytest.raises(AuthenticationFailed):
        init_from_bundle(branch, full, BRANCH_OFFICE, "admin", "not-the-password")
    with pytest.raises(ValidationError) as wrong_office:
        init_from_bundle(branch, full, "BJ01", "admin", ADMIN_PASSWORD)
    assert "office" in wrong_office.value.errors
    made = init_from_bundle(branch, full, BRANCH_OFFICE, "admin", ADMIN_PASSWORD)
    assert made.applied_events >= 1
    clerk_b = services.login(branch, "sh_clerk", CLERK_PASSWORD)
    assert services.get_case(branch, clerk_b, first.case_no).customer_name.startswith("李")
    offline = services.register_case(branch, clerk_b, complaint(customer_name="赵六"))
    up = tmp_path / "up.kesu"
    export_bundle(branch, clerk_b, up)
    for _twice in range(2):
        import_bundle(central.desk, central.admin, up)
    assert services.get_case(central.desk, clerk_c, offline.case_no).customer_name.startswith("赵")
    lead_c = services.login(central.desk, "sh_lead", CLERK_PASSWORD)
    services.act(central.desk, lead_c, offline.case_no, "classify", {"priority": "p0"})
    down = tmp_path / "down.kesu"
    export_bundle(central.desk, central.admin, down, office=BRANCH_OFFICE, since=made.through)
    info = import_bundle(branch, clerk_b, down)
    assert info.applied_events >= 1
    assert services.get_case(branch, clerk_b, offline.case_no).priority == "p0"
    assert _digest(branch) == _digest(central.desk)
    # the same file again, and the first one again, change nothing
    assert import_bundle(branch, clerk_b, down).applied_events == 0
    with pytest.raises(ValidationError) as not_empty:
        init_from_bundle(branch, full, BRANCH_OFFICE, "admin", ADMIN_PASSWORD)
    assert "db" in not_empty.value.errors
    branch.close()
