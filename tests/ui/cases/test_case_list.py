"""The case list as a clerk meets it: lazy pages, filters and search, masked phones, SLA badges."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.devtools.seed import seed_demo
from kesu_desktop.domain.enums import Role, Status
from kesu_desktop.domain.sla import SlaState
from kesu_desktop.services import CaseFilter
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.cases.case_list import CaseListView
from kesu_desktop.ui.cases.case_table_model import (
    COL_CASE_NO,
    COL_CATEGORY,
    COL_CREATED,
    COL_PHONE,
    COL_SLA,
    PAGE_SIZE,
    SLA_ROLE,
)
from tests.helpers.ui import ADMIN_PASSWORD, CLERK_PASSWORD, COMPLAINTS, type_chinese

DEPT_PASSWORD = "dept-pass-123"


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """450 realistic cases at office BJ01 (more than two pages, less than three), seeded once per module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    desk = services.Desk.open(f"sqlite:///{path}", node_id="test-demo")
    try:
        services.initialize(
            desk, office_code="BJ01", office_name="北京总部", admin="admin", password=ADMIN_PASSWORD
        )
        admin = services.get_actor(desk, "admin")
        services.add_user(
            desk, admin, username="lily", password=CLERK_PASSWORD, role=Role.FRONT_DESK, display_name="王丽"
        )
        services.add_user(
            desk,
            admin,
            username="as_li",
            password=DEPT_PASSWORD,
            role=Role.DEPARTMENT,
            department_code="AS",
            display_name="李工",
        )
        assert seed_demo(desk, admin, count=450, seed=1) == 450
    finally:
        desk.close()
    return path


@pytest.fixture
def demo_desk(demo_template: Path, db_file: Path) -> Iterator[services.Desk]:
    """A private copy of the seeded database: each test may change it freely."""
    shutil.copyfile(demo_template, db_file)
    desk = services.Desk.open(f"sqlite:///{db_file}")
    yield desk
    tasks.wait_for_idle()
    desk.close()


@pytest.fixture
def demo_clerk(demo_desk: services.Desk) -> services.Actor:
    return services.get_actor(demo_desk, "lily")


def open_list(qtbot: QtBot, desk: services.Desk, actor: services.Actor) -> CaseListView:
    """Show the list as a dock would, and wait for its first page."""
    view = CaseListView(desk, actor)
    qtbot.addWidget(view)
    view.resize(1200, 600)
    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        view.show()
    return view


def case_nos(view: CaseListView) -> list[str]:
    model = view.model
    return [model.data(model.index(r, COL_CASE_NO)) for r in range(model.rowCount())]


def load_everything(qtbot: QtBot, view: CaseListView) -> None:
    while view.model.canFetchMore():
        with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
            view.model.fetchMore()


def expected(desk: services.Desk, actor: services.Actor, **conditions: object) -> list[str]:
    return [r.case_no for r in services.list_cases(desk, actor, CaseFilter(limit=1000, **conditions))]


# (1) lazy pages


def test_rows_are_fetched_a_page_at_a_time_as_the_user_scrolls(
    qtbot: QtBot, demo_desk: services.Desk, demo_clerk: services.Actor
) -> None:
    view = open_list(qtbot, demo_desk, demo_clerk)
    model = view.model

    assert model.rowCount() == PAGE_SIZE == 200
    assert model.rows_fetched == 200 and model.requests == 1  # not the 450 the office has
    assert model.canFetchMore()
    assert view.count_label.text().startswith("已加载 200 件")

    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        view.table.scrollToBottom()  # the view asks for more when the user reaches the end
    assert model.rowCount() == 400 and model.rows_fetched == 400

    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        model.fetchMore()
    assert model.rowCount() == 450 and model.rows_fetched == 450
    assert not model.canFetchMore()
    assert view.count_label.text() == "已加载 450 件"
    # Newest first, no row twice: the keyset pages join without gaps or overlaps.
    assert case_nos(view) == expected(demo_desk, demo_clerk)

    model.fetchMore()  # at the end: nothing is asked for
    assert model.requests == 3


# (2) filters and search


def test_category_filter_and_search_narrow_to_exactly_the_matching_cases(
    qtbot: QtBot, demo_desk: services.Desk, demo_clerk: services.Actor
) -> None:
    view = open_list(qtbot, demo_desk, demo_clerk)
    combo = view.category_combo
    qtbot.waitUntil(lambda: combo.findData("product_quality") >= 0)  # names arrive from the worker

    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        combo.setCurrentIndex(combo.findData("product_quality"))
    load_everything(qtbot, view)
    in_category = expected(demo_desk, demo_clerk, category="product_quality")
    assert 0 < len(in_category) < 450
    assert case_nos(view) == in_category
    model = view.model
    assert {model.data(model.index(r, COL_CATEGORY)) for r in range(model.rowCount())} == {"产品质量"}

    type_chinese(view.search, "退款")
    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
    load_everything(qtbot, view)
    both = expected(demo_desk, demo_clerk, category="product_quality", search="退款")
    assert 0 < len(both) < len(in_category)
    assert case_nos(view) == both


def test_an_answer_for_an_older_filter_is_dropped(
    qtbot: QtBot, demo_desk: services.Desk, demo_clerk: services.Actor
) -> None:
    view = open_list(qtbot, demo_desk, demo_clerk)
    fetched = view.model.rows_fetched
    view.category_combo.setCurrentIndex(view.category_combo.findData("logistics"))
    view.status_combo.setCurrentIndex(view.status_combo.findData("assigned"))  # before the first answer
    qtbot.waitUntil(lambda: view.model.requests == 3 and not view.model.loading)

    both = expected(demo_desk, demo_clerk, category="logistics", status=Status.ASSIGNED)
    only_category = expected(demo_desk, demo_clerk, category="logistics")
    assert 0 < len(both) < len(only_category)
    assert case_nos(view) == both  # never the logistics-only rows, nor both answers mixed
    assert view.model.rows_fetched == fetched + len(only_category) + len(both)  # both did arrive


def test_search_runs_after_a_pause_in_typing(
    qtbot: QtBot, demo_desk: services.Desk, demo_clerk: services.Actor
) -> None:
    view = open_list(qtbot, demo_desk, demo_clerk)
    last4 = view.model.row_at(7).phone[-4:]
    wanted = expected(demo_desk, demo_clerk, search=last4)

    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        qtbot.keyClicks(view.search, last4)  # no Enter: the 300 ms debounce runs it
    assert case_nos(view) == wanted
    assert view.model.requests == 2  # four keystrokes, one query

    qtbot.keyClick(view.search, Qt.Key.Key_Return)  # Enter on the same text asks for nothing new
    assert view.model.requests == 2


# (3) phone numbers


def test_department_users_see_masked_phones_front_desk_sees_the_whole_number(
    qtbot: QtBot, demo_desk: services.Desk, demo_clerk: services.Actor
) -> None:
    handler = services.get_actor(demo_desk, "as_li")
    dept_view = open_list(qtbot, demo_desk, handler)
    assert dept_view.model.rowCount() > 0
    assert dept_view.department_combo.isHidden()  # their scope is their department already
    case_no = dept_view.model.data(dept_view.model.index(0, COL_CASE_NO))
    masked = dept_view.model.data(dept_view.model.index(0, COL_PHONE))
    assert re.fullmatch(r"1\d\d\*{4}\d{4}", masked), masked

    desk_view = open_list(qtbot, demo_desk, demo_clerk)
    with qtbot.waitSignal(desk_view.sig_page_loaded, timeout=10_000):
        qtbot.keyClicks(desk_view.search, case_no)
        qtbot.keyClick(desk_view.search, Qt.Key.Key_Return)
    assert case_nos(desk_view) == [case_no]
    full = desk_view.model.data(desk_view.model.index(0, COL_PHONE))
    assert re.fullmatch(r"1\d{10}", full), full
    assert masked == f"{full[:3]}****{full[-4:]}"


# (4) SLA badge


def test_a_case_past_its_deadline_shows_the_red_overdue_badge(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    today = open_list(qtbot, seeded_desk, clerk)
    cell = today.model.index(0, COL_SLA)
    assert today.model.data(cell, SLA_ROLE) is SlaState.OK
    assert today.model.data(cell) == "正常"

    late = three_cases[0].next_due_at
    assert late is not None
    future = services.Desk(
        db=seeded_desk.db, clock=services.FixedClock(late + timedelta(days=30)), node_id="test-future"
    )
    later = open_list(qtbot, future, clerk)
    cell = later.model.index(0, COL_SLA)
    assert later.model.data(cell, SLA_ROLE) is SlaState.OVERDUE
    assert later.model.data(cell) == "已超时"
    background = later.model.data(cell, Qt.ItemDataRole.BackgroundRole).color()
    assert background.red() > background.green()  # red, where the case on time was green
    ok_background = today.model.data(today.model.index(0, COL_SLA), Qt.ItemDataRole.BackgroundRole).color()
    assert ok_background.green() > ok_background.red()
    assert "下一时限" in later.model.data(cell, Qt.ItemDataRole.ToolTipRole)

    with qtbot.waitSignal(later.sig_page_loaded, timeout=10_000):
        later.overdue_check.setChecked(True)
    assert later.model.rowCount() == 3  # all three are overdue a month after their deadline


# (5) activation, selection, refresh


def test_selecting_and_activating_a_row_emits_its_case_number(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    view = open_list(qtbot, seeded_desk, clerk)
    newest = three_cases[-1].case_no
    row_rect = view.table.visualRect(view.model.index(0, COL_CASE_NO))

    with qtbot.waitSignal(view.sig_case_activated, timeout=2_000) as clicked:
        qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=row_rect.center())
    assert clicked.args == [newest]

    with qtbot.waitSignal(view.sig_case_activated, timeout=2_000) as entered:
        qtbot.keyClick(view.table, Qt.Key.Key_Down)  # the selection moves: the next case
    assert entered.args == [three_cases[1].case_no]

    with qtbot.waitSignal(view.sig_case_activated, timeout=2_000) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [three_cases[1].case_no]

    with qtbot.waitSignal(view.sig_case_activated, timeout=2_000) as double:
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=row_rect.center())
    assert double.args == [newest]


def test_a_write_elsewhere_refreshes_the_list_and_keeps_the_selected_case(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    view = open_list(qtbot, seeded_desk, clerk)
    chosen = three_cases[1].case_no
    view.table.selectRow(view.model.row_of(chosen))

    data = dict(COMPLAINTS[0], phone="13600136000", description="洗衣机漏水")
    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        tasks.run(lambda: services.register_case(seeded_desk, clerk, data), cases_changed=lambda v: [v.id])
    assert view.model.rowCount() == 4
    assert view.selected_case_no() == chosen  # it moved down a row; still the one selected


def test_find_goes_to_search_and_down_goes_into_the_list(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    """What the window's Ctrl+F calls (tests/ui/test_layouts.py presses it from every panel)."""
    view = open_list(qtbot, seeded_desk, clerk)
    view.activateWindow()
    view.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table)

    view.focus_search()
    assert QApplication.focusWidget() is view.search

    with qtbot.waitSignal(view.sig_case_activated, timeout=2_000) as first:
        qtbot.keyClick(view.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is view.table
    assert first.args == [three_cases[-1].case_no]


def test_only_registration_time_can_be_sorted(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    view = open_list(qtbot, seeded_desk, clerk)
    header = view.table.horizontalHeader()
    requests = view.model.requests
    header.setSortIndicator(COL_CATEGORY, Qt.SortOrder.AscendingOrder)  # what a header click does
    assert header.sortIndicatorSection() != COL_CATEGORY
    assert view.model.requests == requests  # no query pretending to sort by category
    assert case_nos(view) == [c.case_no for c in reversed(three_cases)]

    header.setSortIndicator(COL_CREATED, Qt.SortOrder.AscendingOrder)  # oldest first: not offered yet
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        COL_CREATED,
        Qt.SortOrder.DescendingOrder,
    )
    assert view.model.requests == requests
