"""Two desktops on one PostgreSQL (shared mode): another desk's writes show here within two seconds, and
acting on a case another desk changed meanwhile asks the user instead of overwriting."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Action
from kesu_desktop.storage.database import Database
from kesu_desktop.ui.main_window import MainWindow
from tests.helpers.data import MutableClock, People, complaint
from tests.helpers.ui import kinds, open_dialog, open_window, type_chinese

LIVE_MS = 2_000  # the promise: another desk's change is on screen within two seconds

on_postgres = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
def other_desk(db_url: str, clock: MutableClock) -> Iterator[services.Desk]:
    """The second desktop: its own engine and connections, its own node."""
    d = services.Desk(db=Database(db_url), clock=clock, node_id="other-node")
    yield d
    d.close()


def live_window(qtbot: QtBot, desk: services.Desk, actor: services.Actor) -> MainWindow:
    window = open_window(qtbot, desk, actor)
    assert window.live.listening.wait(10), "the live-update thread never started listening"
    return window


def wait_for_stale_dialog(qtbot: QtBot, owner: QWidget) -> None:
    """Until ``owner`` (an action dialog or the detail's quick log) shows its 案件已被修改 dialog."""

    def shown() -> bool:
        stale = getattr(owner, "stale_dialog", None)
        return stale is not None and stale.isVisible()

    qtbot.waitUntil(shown, timeout=10_000)


@on_postgres
def test_a_case_registered_on_another_desk_appears_in_the_list(
    qtbot: QtBot, desk: services.Desk, other_desk: services.Desk, people: People
) -> None:
    first = services.register_case(desk, people.alice, complaint())
    window = live_window(qtbot, desk, people.bob)
    assert window.case_list.loaded_rows() == 1
    window.case_list.table.selectRow(0)

    new = services.register_case(
        other_desk, people.alice, complaint(customer_name="赵六", phone="13912345678")
    )

    qtbot.waitUntil(lambda: window.case_list.first_case_no() == new.case_no, timeout=LIVE_MS)
    assert window.case_list.loaded_rows() == 2
    assert window.case_list.selected_case_no() == first.case_no  # the selection stays where it was
    assert window.detail.case is not None and window.detail.case.case_no == first.case_no
    window.close()


@on_postgres
def test_another_desks_action_on_the_open_case_refreshes_the_detail(
    qtbot: QtBot, desk: services.Desk, other_desk: services.Desk, people: People
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    window = live_window(qtbot, desk, people.bob)
    qtbot.waitUntil(lambda: window.detail.case is not None and window.detail.case.case_no == case.case_no)
    assert kinds(window.detail) == ["登记投诉"]

    services.act(other_desk, people.carol, case.case_no, "classify", {"priority": "p0"})

    qtbot.waitUntil(lambda: kinds(window.detail) == ["登记投诉", "分类定级"], timeout=LIVE_MS)
    assert window.detail.case is not None and window.detail.case.priority == "p0"
    assert "P0" in window.detail.visible_text()
    window.close()


@on_postgres
def test_acting_on_a_stale_view_asks_and_reapplies_on_the_new_version(
    qtbot: QtBot, desk: services.Desk, other_desk: services.Desk, people: People
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    window = live_window(qtbot, desk, people.bob)
    qtbot.waitUntil(lambda: window.detail.case is not None and window.detail.case.case_no == case.case_no)
    dialog = open_dialog(qtbot, window.detail, Action.VERIFY)
    type_chinese(dialog.fields["reason"].widget, "现场查看属实")

    # While bob fills in the dialog, carol (another desk) raises the priority.
    services.act(other_desk, people.carol, case.case_no, "classify", {"priority": "p0"})
    qtbot.waitUntil(lambda: kinds(window.detail) == ["登记投诉", "分类定级"], timeout=LIVE_MS)

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.stale_dialog is not None and dialog.stale_dialog.isVisible(), timeout=10_000
    )
    stale = dialog.stale_dialog
    assert stale is not None
    assert stale.windowTitle() == "案件已被修改"
    (line,) = stale.lines()
    assert "carol" in line and "分类定级" in line and "优先级" in line
    assert stale.reapply_button.text() == "重新应用" and stale.abandon_button.text() == "放弃"
    assert services.get_case(desk, people.bob, case.case_no).status == "registered"  # nothing written yet

    with qtbot.waitSignal(window.detail.sig_case_loaded, timeout=10_000):
        qtbot.mouseClick(stale.reapply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.detail.active_dialog is None, timeout=10_000)
    after = services.get_case(desk, people.bob, case.case_no)
    assert after.status == "verified" and after.priority == "p0"  # re-applied; carol's change kept
    qtbot.waitUntil(lambda: kinds(window.detail) == ["登记投诉", "分类定级", "初步核实"], timeout=LIVE_MS)
    window.close()


@on_postgres
def test_abandoning_writes_nothing_and_shows_the_case_as_it_is(
    qtbot: QtBot, desk: services.Desk, other_desk: services.Desk, people: People
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    window = live_window(qtbot, desk, people.bob)
    qtbot.waitUntil(lambda: window.detail.case is not None and window.detail.case.case_no == case.case_no)
    dialog = open_dialog(qtbot, window.detail, Action.ESCALATE)
    type_chinese(dialog.fields["reason"].widget, "客户要求经理处理")
    services.act(other_desk, people.carol, case.case_no, "verify", {"valid": True})

    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.stale_dialog is not None and dialog.stale_dialog.isVisible(), timeout=10_000
    )
    stale = dialog.stale_dialog
    assert stale is not None and "初步核实" in stale.lines()[0]
    qtbot.mouseClick(stale.abandon_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.detail.active_dialog is None, timeout=10_000)
    qtbot.waitUntil(lambda: kinds(window.detail) == ["登记投诉", "初步核实"], timeout=LIVE_MS)
    assert [e.kind for e in services.get_case(desk, people.bob, case.case_no).events] == [
        "registered",
        "verified",
    ]
    window.close()


@on_postgres
def test_the_quick_log_is_not_pulled_away_while_typing_and_a_stale_log_asks(
    qtbot: QtBot, desk: services.Desk, other_desk: services.Desk, people: People
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    window = live_window(qtbot, desk, people.bob)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.case is not None and detail.case.case_no == case.case_no)
    detail.log_summary.setFocus()
    qtbot.waitUntil(detail.log_summary.hasFocus)
    type_chinese(detail.log_summary, "客户来电询问进度")
    shown = detail.case.version

    services.act(other_desk, people.carol, case.case_no, "verify", {"valid": True})
    qtbot.wait(LIVE_MS)
    assert detail.case.version == shown  # not reloaded under the user's hands
    assert detail.log_summary.text() == "客户来电询问进度"

    qtbot.keyClick(detail.log_summary, Qt.Key.Key_Return)  # record it: the case changed meanwhile
    qtbot.waitUntil(
        lambda: detail.stale_dialog is not None and detail.stale_dialog.isVisible(), timeout=10_000
    )
    stale = detail.stale_dialog
    assert stale is not None and "carol" in stale.lines()[0]
    qtbot.mouseClick(stale.reapply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kinds(detail) == ["登记投诉", "初步核实", "客户沟通"], timeout=10_000)
    assert detail.log_summary.text() == ""
    window.close()


def test_on_sqlite_another_process_write_reaches_the_list(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    window = live_window(qtbot, seeded_desk, clerk)
    assert window.case_list.loaded_rows() == 0
    other = services.Desk(db=Database(seeded_desk.db.url), node_id="other-process")
    try:
        new = services.register_case(other, clerk, complaint())
    finally:
        other.close()
    qtbot.waitUntil(lambda: window.case_list.first_case_no() == new.case_no, timeout=LIVE_MS)
    window.close()


@on_postgres
def test_the_list_keeps_its_scroll_position_when_another_desk_writes(
    qtbot: QtBot, desk: services.Desk, other_desk: services.Desk, people: People
) -> None:
    for n in range(40):
        services.register_case(desk, people.alice, complaint(customer_name=f"客户{n}"))
    window = live_window(qtbot, desk, people.bob)
    bar = window.case_list.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    where = bar.value()
    assert where > 0

    new = services.register_case(other_desk, people.alice, complaint(customer_name="赵六"))
    qtbot.waitUntil(lambda: window.case_list.first_case_no() == new.case_no, timeout=LIVE_MS)
    qtbot.wait(50)
    assert bar.value() == where
    window.close()


@on_postgres
def test_an_alert_raised_on_another_desk_appears_in_the_alerts_panel(
    qtbot: QtBot, desk: services.Desk, other_desk: services.Desk, people: People, clock: MutableClock
) -> None:
    case = services.register_case(desk, people.alice, complaint())
    window = live_window(qtbot, desk, people.alice)
    qtbot.waitUntil(lambda: window.alerts.count_label.text() != "", timeout=10_000)
    assert window.alerts.list.count() == 0

    assert case.respond_by is not None
    clock.instant = case.respond_by - timedelta(minutes=1)  # due soon: an alert, no escalation
    assert services.watch_tick(other_desk).new_alerts  # the other desk's watcher announced it

    qtbot.waitUntil(lambda: window.alerts.list.count() == 1, timeout=LIVE_MS)
    assert case.case_no in window.alerts.list.item(0).text()
    window.close()


def test_closing_the_window_stops_the_live_thread_promptly(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    window = live_window(qtbot, seeded_desk, clerk)
    assert window.live.isRunning()
    started = time.monotonic()
    window.close()
    assert not window.live.isRunning()
    assert time.monotonic() - started < 2.0  # a wait in progress ends within half a second
