"""Background sync: a branch desktop syncs on its own thread, reports progress and the status bar's
state, and brings the central's new cases to the panels."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from kesu_desktop import services, sync
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.sync.background_sync import BranchSync, status_text
from tests.helpers.data import MutableClock, complaint
from tests.helpers.sync import CLERK_PASSWORD, Central, make_branch


def test_a_run_pushes_and_pulls_and_says_so(
    qtbot: QtBot, central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    clerk_b = services.login(branch, "sh_clerk", CLERK_PASSWORD)
    clerk_c = services.login(central.desk, "sh_clerk", CLERK_PASSWORD)
    mine = services.register_case(branch, clerk_b, complaint(customer_name="赵六"))
    assert sync.sync_status(branch).pending >= 1  # type: ignore[union-attr]
    services.set_setting(central.desk, central.admin, "sla.p1.respond", "3wh")
    worker = BranchSync(branch, clerk_b, interval=3600)
    reports: list[sync.SyncReport] = []
    statuses: list[sync.SyncStatus | None] = []
    changed: list[list] = []
    worker.sig_finished.connect(reports.append)
    worker.sig_status.connect(statuses.append)
    tasks.app_signals().sig_cases_changed.connect(changed.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(reports) and bool(statuses), timeout=20_000)
        assert reports[0].agree and reports[0].pushed >= 1
        assert statuses[-1] is not None and statuses[-1].pending == 0
        assert worker.interval_ms() == 3_600_000  # a branch: the timer runs
        text = status_text(statuses[-1], clerk_b.timezone)
        assert text.startswith("同步：上次 ") and "待同步 0 项" in text
        assert services.get_case(central.desk, clerk_c, mine.case_no).case_no == mine.case_no
        # 立即同步: the central's change to the case comes down, and the panels are told
        lead_c = services.login(central.desk, "sh_lead", CLERK_PASSWORD)
        services.act(central.desk, lead_c, mine.case_no, "classify", {"priority": "p0"})
        reports.clear()
        worker.run_now()
        qtbot.waitUntil(lambda: bool(reports), timeout=20_000)
        assert reports[0].pulled >= 1
        qtbot.waitUntil(lambda: [] in changed, timeout=5_000)
        assert services.get_case(branch, clerk_b, mine.case_no).priority == "p0"
    finally:
        assert worker.stop()
    branch.close()


def test_an_unreachable_central_is_a_status_not_a_crash(
    qtbot: QtBot, central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    from kesu_desktop.storage.models import SyncLink

    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    with branch.db.write() as session:
        link = session.query(SyncLink).one()
        link.central_url = "postgresql://nobody:x@127.0.0.1:1/none"  # nothing listens on port 1
    clerk_b = services.login(branch, "sh_clerk", CLERK_PASSWORD)
    worker = BranchSync(branch, clerk_b, interval=3600)
    failures: list[str] = []
    worker.sig_failed.connect(failures.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(failures), timeout=20_000)
    finally:
        assert worker.stop()
    assert failures == ["连不上中心，稍后自动重试"]
    branch.close()


def test_no_timer_on_a_database_that_is_no_branch(qtbot: QtBot, central: Central) -> None:
    worker = BranchSync(central.desk, central.admin, interval=1)
    statuses: list[object] = []
    worker.sig_status.connect(statuses.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: bool(statuses), timeout=5_000)
        assert statuses == [None] and worker.interval_ms() == 0
    finally:
        assert worker.stop()
    assert status_text(None, "Asia/Shanghai") == "同步：未启用"
