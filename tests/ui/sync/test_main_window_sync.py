"""A branch desktop: the status bar's 同步 field, 立即同步 (F9), and 冲突 for supervisors only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from tests.helpers.data import MutableClock, complaint
from tests.helpers.sync import CLERK_PASSWORD, Central, make_branch
from tests.helpers.ui import open_window


def test_f9_syncs_and_the_status_bar_says_when(
    qtbot: QtBot, central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    lead = services.login(branch, "sh_lead", CLERK_PASSWORD)
    clerk = services.login(branch, "sh_clerk", CLERK_PASSWORD)
    case = services.register_case(branch, clerk, complaint())
    window = open_window(qtbot, branch, lead)
    try:
        # the first background run at start pushes the case registered offline
        qtbot.waitUntil(lambda: "待同步 0 项" in window._status_sync.text(), timeout=20_000)
        assert window.act_sync.isEnabled() and window.act_sync.shortcut().toString() == "F9"
        assert services.get_case(
            central.desk, services.login(central.desk, "sh_lead", CLERK_PASSWORD), case.case_no
        )
        assert "conflicts" in window.panels  # a supervisor sees 冲突
        services.act(branch, lead, case.case_no, "verify", {"valid": True})
        finished: list[object] = []
        window.sync_worker.sig_finished.connect(finished.append)
        qtbot.keyClick(window, Qt.Key.Key_F9)
        qtbot.waitUntil(lambda: bool(finished), timeout=20_000)
        lead_c = services.login(central.desk, "sh_lead", CLERK_PASSWORD)
        assert services.get_case(central.desk, lead_c, case.case_no).status == "verified"
        qtbot.waitUntil(lambda: "待同步 0 项" in window._status_sync.text(), timeout=5_000)
    finally:
        window.close()
    branch.close()


def test_a_clerk_has_no_conflicts_panel_and_the_central_no_sync(
    qtbot: QtBot, central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    window = open_window(qtbot, central.desk, services.login(central.desk, "alice", "alice-pass-1"))
    try:
        assert "conflicts" not in window.panels
        qtbot.waitUntil(lambda: window._status_sync.text() == "同步：未启用", timeout=10_000)
        assert not window.act_sync.isEnabled()
    finally:
        window.close()
