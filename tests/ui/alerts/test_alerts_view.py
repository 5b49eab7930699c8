"""The 提醒 panel as a clerk uses it: the alerts listed, 确认 removes one for good, 稍后提醒 hides one until
its time, Enter opens the case, and the scope combo follows the role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.alerts.alerts_view import AlertsView, tomorrow_morning_minutes
from kesu_desktop.ui.base import tasks
from tests.helpers.data import START
from tests.helpers.ui import Office, open_office, register

SIGNAL_MS = 15_000


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    o = open_office(tmp_path)
    yield o
    tasks.wait_for_idle()
    o.desk.close()


@pytest.fixture
def overdue(office: Office) -> list[services.CaseView]:
    """Two cases whose response deadline passed; the watcher has announced both."""
    cases = [register(office, 0), register(office, 1)]
    office.clock.instant = cases[0].respond_by + timedelta(minutes=5)
    assert len(services.watch_tick(office.desk).new_alerts) == 2
    return cases


def open_view(qtbot: QtBot, office: Office, actor: services.Actor | None = None) -> AlertsView:
    view = AlertsView(office.desk, actor or office.lily)
    qtbot.addWidget(view)
    view.resize(760, 260)
    view.show()
    qtbot.waitUntil(lambda: view.count_label.text() != "", timeout=SIGNAL_MS)
    return view


def texts(view: AlertsView) -> list[str]:
    return [view.list.item(n).text() for n in range(view.list.count())]


def select(qtbot: QtBot, view: AlertsView, case_no: str) -> None:
    row = [a.case_no for a in view.alerts()].index(case_no)
    view.list.setFocus()
    view.list.setCurrentRow(row)
    assert [a.case_no for a in view.selected_alerts()] == [case_no]


# (3) listed, acknowledged, snoozed


def test_lists_the_alerts_with_state_case_deadline_and_priority(
    qtbot: QtBot, office: Office, overdue: list[services.CaseView]
) -> None:
    view = open_view(qtbot, office)
    due = overdue[0].respond_by.astimezone(ZoneInfo(office.lily.timezone))
    when = f"{due.month}/{due.day} {due:%H:%M}"
    expected = {f"已超时 · {c.case_no} · 响应期限 {when} · P2 · 超时 " for c in overdue}
    shown = texts(view)
    assert len(shown) == len(expected)
    # each line ends with how far past the deadline it is, in the language's words (超时 5分钟)
    assert {text[: text.rindex("超时 ") + 3] for text in shown} == expected
    assert all(re.search(r"超时 \d+(分钟|小时)", text) for text in shown)
    assert view.count_label.text() == "2 条"
    assert view.empty.isHidden()


def test_acknowledge_removes_the_alert_for_good_and_records_it_on_the_case(
    qtbot: QtBot, office: Office, overdue: list[services.CaseView]
) -> None:
    view = open_view(qtbot, office)
    first, second = overdue
    select(qtbot, view, first.case_no)
    with qtbot.waitSignal(view.sig_count_changed, timeout=SIGNAL_MS) as counted:
        qtbot.keyClick(view.list, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert counted.args == [1]
    assert [a.case_no for a in view.alerts()] == [second.case_no]
    assert view.alerts()[0].case_no == view.selected_alerts()[0].case_no  # Ctrl+K again takes the next
    tasks.wait_for_idle()
    assert [a.case_no for a in services.alerts_for(office.desk, office.lily)] == [second.case_no]
    kinds = [e.kind for e in services.get_case(office.desk, office.lily, first.case_no).events]
    assert "alert_acknowledged" in kinds
    # the refresh that follows the write (and a later tick) does not bring it back
    services.watch_tick(office.desk)
    view.refresh()
    qtbot.waitUntil(lambda: [a.case_no for a in view.alerts()] == [second.case_no], timeout=SIGNAL_MS)

    # Delete acknowledges too
    with qtbot.waitSignal(view.sig_count_changed, timeout=SIGNAL_MS):
        qtbot.keyClick(view.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(view.empty.isVisible, timeout=SIGNAL_MS)
    assert view.empty.text() == "没有需要处理的提醒"
    tasks.wait_for_idle()
    assert services.alerts_for(office.desk, office.lily) == []


def test_snooze_hides_the_alert_until_its_time_has_come(
    qtbot: QtBot, office: Office, overdue: list[services.CaseView]
) -> None:
    view = open_view(qtbot, office)
    first, second = overdue
    select(qtbot, view, first.case_no)
    assert [a.text() for a in view.snooze_menu.actions()] == ["15 分钟", "1 小时", "明天上午"]
    view.snooze_menu.actions()[0].trigger()  # 15 分钟
    assert [a.case_no for a in view.alerts()] == [second.case_no]
    tasks.wait_for_idle()
    kinds = [e.kind for e in services.get_case(office.desk, office.lily, first.case_no).events]
    assert "alert_snoozed" in kinds

    office.clock.advance(minutes=14)
    with qtbot.waitSignal(view.sig_count_changed, timeout=SIGNAL_MS) as counted:
        view.refresh()
    assert counted.args == [1]  # still hidden a minute before its time

    office.clock.advance(minutes=2)
    view.refresh()
    qtbot.waitUntil(lambda: {a.case_no for a in view.alerts()} == {first.case_no, second.case_no})


def test_snooze_until_tomorrow_morning_in_the_offices_zone() -> None:
    # 17:30 in Shanghai → 09:00 next day is 15.5 hours
    assert tomorrow_morning_minutes(START.replace(hour=9, minute=30), "Asia/Shanghai") == 15 * 60 + 30
    # the same instant is 18:30 in Tokyo: 14.5 hours to go
    assert tomorrow_morning_minutes(START.replace(hour=9, minute=30), "Asia/Tokyo") == 14 * 60 + 30


# (4) activation opens the case


def test_enter_on_an_alert_emits_its_case_number(
    qtbot: QtBot, office: Office, overdue: list[services.CaseView]
) -> None:
    view = open_view(qtbot, office)
    select(qtbot, view, overdue[1].case_no)
    with qtbot.waitSignal(view.sig_case_activated, timeout=SIGNAL_MS) as activated:
        qtbot.keyClick(view.list, Qt.Key.Key_Return)
    assert activated.args == [overdue[1].case_no]


# scope


def test_scope_follows_the_role_and_filters_the_list(qtbot: QtBot, office: Office) -> None:
    mine, taken = register(office, 0), register(office, 1)
    services.act(office.desk, office.lily, taken.case_no, "verify", {"valid": True})
    taken = services.act(
        office.desk, office.carol, taken.case_no, "assign", {"department": "AS", "assignee": "dave"}
    )
    office.clock.instant = max(taken.plan_by, mine.respond_by) + timedelta(minutes=1)
    assert len(services.watch_tick(office.desk).new_alerts) == 2  # mine: respond; taken (dave's): plan

    clerk = open_view(qtbot, office)
    assert [clerk.scope_combo.itemText(n) for n in range(clerk.scope_combo.count())] == ["我的", "全部"]
    # 我的: alerts of my cases and of unassigned ones; the case with dave is not mine
    assert [(a.case_no, a.deadline) for a in clerk.alerts()] == [(mine.case_no, "respond")]
    clerk.scope_combo.setCurrentIndex(1)  # 全部: the whole office
    qtbot.waitUntil(lambda: len(clerk.alerts()) == 2, timeout=SIGNAL_MS)
    assert "方案期限" in texts(clerk)[1]

    department = open_view(qtbot, office, office.dave)
    assert department.scope_combo.count() == 1 and not department.scope_combo.isEnabled()
    assert [(a.case_no, a.deadline) for a in department.alerts()] == [(taken.case_no, "plan")]

    supervisor = open_view(qtbot, office, office.carol)
    assert supervisor.scope_combo.currentText() == "全部"
    assert len(supervisor.alerts()) == 2
