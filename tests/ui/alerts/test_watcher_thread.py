"""The deadline watcher on its thread: each alert is announced once, the cases it escalates are broadcast
on ``sig_cases_changed`` like any write, failures are reported, and closing the main window leaves no
thread behind. Real SQLite files, a clock the test moves by hand."""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.logs import log_file
from kesu_desktop.storage.database import Database
from kesu_desktop.ui.alerts.tray import tray_message
from kesu_desktop.ui.alerts.watcher_thread import DeadlineWatcher
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.main_window import MainWindow
from tests.helpers.data import START, MutableClock
from tests.helpers.ui import Office, open_office, register

#: Long enough that the timer never fires during a test: ticks come from start() and tick_now().
NO_TIMER = 3600
SIGNAL_MS = 15_000


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    o = open_office(tmp_path)
    yield o
    tasks.wait_for_idle()
    o.desk.close()


def close_case(office: Office, case_no: str) -> None:
    services.act(office.desk, office.lily, case_no, "verify", {"valid": False, "reason": "非本公司产品"})
    services.act(office.desk, office.bob, case_no, "close", {})


def started(qtbot: QtBot, watcher: DeadlineWatcher) -> DeadlineWatcher:
    """Start and wait for the first tick, which runs at once."""
    with qtbot.waitSignal(watcher.sig_ticked, timeout=SIGNAL_MS):
        watcher.start()
    return watcher


@pytest.fixture
def watcher(qtbot: QtBot, office: Office) -> Iterator[DeadlineWatcher]:
    w = DeadlineWatcher(office.desk, office.lily, interval=NO_TIMER)
    yield w
    w.stop()


def tick(qtbot: QtBot, watcher: DeadlineWatcher) -> list[services.AlertView]:
    """One tick on the worker thread; the alerts it announced (none if it announced nothing)."""
    announced: list[list[services.AlertView]] = []
    watcher.sig_new_alerts.connect(announced.append)
    try:
        with qtbot.waitSignal(watcher.sig_ticked, timeout=SIGNAL_MS):
            watcher.tick_now()
    finally:
        watcher.sig_new_alerts.disconnect(announced.append)
    assert len(announced) <= 1  # one batch per tick
    return announced[0] if announced else []


# (1) each crossing is announced exactly once; a closed case never


def test_due_soon_then_overdue_each_announced_once_and_never_for_a_closed_case(
    qtbot: QtBot, office: Office, watcher: DeadlineWatcher
) -> None:
    case = register(office)
    closed = register(office, 1)
    close_case(office, closed.case_no)
    assert case.respond_by is not None
    started(qtbot, watcher)
    assert watcher.worker_thread is not None and watcher.worker_thread.isRunning()

    office.clock.instant = case.respond_by - timedelta(minutes=20)  # inside the due-soon lead
    with qtbot.waitSignal(watcher.sig_new_alerts, timeout=SIGNAL_MS) as announced:
        watcher.tick_now()
    soon = announced.args[0]
    assert [(a.case_no, a.deadline, a.state) for a in soon] == [(case.case_no, "respond", "due_soon")]
    assert "即将到期" in soon[0].message
    with qtbot.assertNotEmitted(watcher.sig_new_alerts, wait=200):
        tick(qtbot, watcher)  # same instant: nothing new

    office.clock.instant = case.respond_by + timedelta(minutes=1)
    overdue = tick(qtbot, watcher)
    assert [(a.case_no, a.deadline, a.state) for a in overdue] == [(case.case_no, "respond", "overdue")]
    office.clock.advance(minutes=5)
    assert tick(qtbot, watcher) == []  # still overdue, already announced

    announced_cases = {a.case_no for a in services.alerts_for(office.desk, office.carol, "all")}
    assert closed.case_no not in announced_cases
    # the automatic rule: an overdue response goes up to the supervisor
    assert services.get_case(office.desk, office.carol, case.case_no).status == "escalated"


def test_the_cases_a_tick_escalates_are_broadcast_on_the_gui_thread(
    qtbot: QtBot, office: Office, watcher: DeadlineWatcher
) -> None:
    case = register(office)
    other = register(office, 1)
    started(qtbot, watcher)
    changes = tasks.app_signals().sig_cases_changed
    with qtbot.assertNotEmitted(changes, wait=200):
        tick(qtbot, watcher)  # nothing due: nothing changed, nothing broadcast

    office.clock.instant = case.respond_by + timedelta(minutes=1)
    on_gui_thread: list[bool] = []

    def received(_ids: list) -> None:
        on_gui_thread.append(QThread.currentThread() is QCoreApplication.instance().thread())

    changes.connect(received)
    try:
        with qtbot.waitSignal(changes, timeout=SIGNAL_MS) as changed:
            watcher.tick_now()
    finally:
        changes.disconnect(received)
    assert sorted(changed.args[0]) == sorted([case.id, other.id])  # both were registered together
    assert on_gui_thread == [True]  # re-emitted where every other write's broadcast is emitted
    assert services.get_case(office.desk, office.carol, case.case_no).status == "escalated"
    with qtbot.assertNotEmitted(changes, wait=200):
        tick(qtbot, watcher)  # already escalated: nothing new to broadcast


def test_alerts_survive_a_restart_of_the_watcher(qtbot: QtBot, office: Office) -> None:
    case = register(office)
    office.clock.instant = case.respond_by + timedelta(minutes=1)
    first = DeadlineWatcher(office.desk, office.lily, interval=NO_TIMER)
    with qtbot.waitSignal(first.sig_new_alerts, timeout=SIGNAL_MS):
        first.start()
    assert first.stop() and first.worker_thread.isFinished()
    assert first.stop()  # idempotent

    again = DeadlineWatcher(office.desk, office.lily, interval=NO_TIMER)
    started(qtbot, again)
    assert tick(qtbot, again) == []  # stored: not announced a second time
    first.start()  # a stopped watcher can be started again, on a new thread
    qtbot.waitUntil(first.is_running)
    assert tick(qtbot, first) == []
    again.stop()
    first.stop()


def test_the_interval_comes_from_the_office_settings(qtbot: QtBot, office: Office) -> None:
    w = DeadlineWatcher(office.desk, office.lily)
    started(qtbot, w)
    assert w.interval_ms() == services.watch_interval_seconds(office.desk, office.lily) * 1000 == 30_000
    w.stop()


def test_a_failing_tick_is_reported_and_logged_and_the_thread_goes_on(
    qtbot: QtBot, tmp_path: Path, data_dir: Path
) -> None:
    broken = services.Desk(db=Database(f"sqlite:///{tmp_path / 'empty.db'}"), clock=MutableClock(START))
    w = DeadlineWatcher(broken, None, interval=NO_TIMER)  # no tables: every tick fails
    try:
        with qtbot.waitSignal(w.sig_failed, timeout=SIGNAL_MS) as failed:
            w.start()
        assert "检查期限失败" in failed.args[0] and str(log_file()) in failed.args[0]
        assert "no such table" in log_file().read_text(encoding="utf-8")
        with qtbot.waitSignal(w.sig_failed, timeout=SIGNAL_MS):
            w.tick_now()  # the thread survived and keeps trying
        assert w.is_running()
    finally:
        assert w.stop()
        broken.close()


# (2) the main window starts the watcher and leaves no thread behind


def test_main_window_runs_the_watcher_and_stops_its_thread_on_close(qtbot: QtBot, office: Office) -> None:
    case = register(office)
    window = MainWindow(office.desk, office.lily)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.watcher.sig_ticked, timeout=SIGNAL_MS):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window._status_alerts.text() == "提醒：0", timeout=SIGNAL_MS)

    # 案件 → 立即检查期限 (Shift+F5) after the deadline passed: the panel and the status bar follow.
    office.clock.instant = case.respond_by + timedelta(minutes=1)
    with qtbot.waitSignal(window.watcher.sig_new_alerts, timeout=SIGNAL_MS):
        qtbot.keyClick(window.case_list, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window._status_alerts.text() == "提醒：1", timeout=SIGNAL_MS)
    assert [a.case_no for a in window.alerts.alerts()] == [case.case_no]
    assert window.tray.icon is None or window.tray.last_message is not None

    thread = window.watcher.worker_thread
    assert thread is not None and thread.isRunning()
    window.close()
    assert thread.isFinished() and not thread.isRunning()
    # The collector is off during ticks and left as it was before (the UI tests keep it off app-wide).
    assert not gc.isenabled()
    window.watcher.tick_now()  # after close: ignored, no thread to queue to
    assert not window.watcher.is_running()


# the tray's balloon text (the tray itself is absent offscreen)


def _alert(case_no: str, state: str, priority: str, deadline: str = "resolve") -> services.AlertView:
    return services.AlertView(
        id=uuid.uuid4(),
        case_no=case_no,
        deadline=deadline,
        state=state,
        due_at=START,
        created_at=START,
        priority=priority,
        department=None,
        assignee=None,
        message="",
        acknowledged=False,
        snoozed_until=None,
    )


def test_tray_balloon_names_overdue_and_p0_only() -> None:
    assert tray_message([_alert("A-1", "due_soon", "p1")]) is None
    title, body = tray_message(
        [
            _alert("A-1", "overdue", "p2", "respond"),
            _alert("A-1", "overdue", "p2"),
            _alert("A-2", "overdue", "p1"),
            _alert("A-3", "overdue", "p1"),
            _alert("A-4", "overdue", "p2"),
            _alert("B-1", "due_soon", "p0"),
            _alert("C-1", "due_soon", "p1"),
        ]
    )
    assert title == "客诉台提醒"
    assert body.splitlines() == [
        "5 项已超时：A-1（响应期限、解决期限）、A-2（解决期限）、A-3（解决期限）等 4 个案件",
        "1 项 P0 即将到期：B-1（解决期限）",
    ]
