"""冲突: a value lost to a concurrent change at the central shows on the branch; one click puts it back."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.sync.conflicts_view import ConflictsView
from tests.helpers.data import MutableClock
from tests.helpers.sync import CLERK_PASSWORD, Central, make_branch, priority_conflict


def test_the_lost_priority_is_listed_and_reapplied(
    qtbot: QtBot, central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    made = priority_conflict(central, tmp_path / "b.db", clock)
    branch, lead_b = made.branch, made.lead_b
    case = services.get_case(branch, lead_b, made.case_no)

    view = ConflictsView(branch, lead_b)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=5_000)
    row = [view.table.item(0, c).text() for c in range(6)]
    assert row == [case.case_no, "优先级", "P2 一般", "sh_lead", "P0 紧急", "sh_lead"]
    assert not view.reapply.isEnabled()  # nothing chosen yet
    opened: list[str] = []
    view.sig_case_activated.connect(opened.append)
    view.table.cellDoubleClicked.emit(0, 0)
    assert opened == [case.case_no]

    view.table.selectRow(0)
    assert view.reapply.isEnabled() and view.keep.isEnabled()
    view.reapply.click()
    qtbot.waitUntil(lambda: view.table.rowCount() == 0, timeout=5_000)
    assert services.get_case(branch, lead_b, case.case_no).priority == "p0"
    assert "没有待处理的冲突" in view.hint.text()
    branch.close()


def test_a_clerk_is_told_conflicts_are_for_supervisors(
    qtbot: QtBot, central: Central, tmp_path: Path, clock: MutableClock
) -> None:
    branch = make_branch(central, tmp_path / "b.db", clock, "branch-node")
    clerk = services.login(branch, "sh_clerk", CLERK_PASSWORD)
    view = ConflictsView(branch, clerk)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: "主管" in view.hint.text(), timeout=5_000)
    assert view.table.rowCount() == 0
    branch.close()
