"""工作日历: clicking a Saturday makes it a working day, and deadlines count it from then on."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.admin.calendar_dialog import CalendarDialog
from kesu_desktop.ui.base import tasks
from tests.helpers.data import START
from tests.helpers.ui import ADMIN_PASSWORD, CLERK_PASSWORD, COMPLAINTS

SH = ZoneInfo("Asia/Shanghai")


def open_dialog(qtbot: QtBot, desk: services.Desk) -> tuple[CalendarDialog, services.Actor]:
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    dialog = CalendarDialog(desk, admin)
    qtbot.addWidget(dialog)
    dialog.show_month(2026, 11)
    qtbot.waitUntil(lambda: dialog.day_at(date(2026, 11, 28)) is not None, timeout=5_000)
    return dialog, admin


def test_clicking_a_saturday_makes_it_a_working_day(
    qtbot: QtBot, seeded_desk: services.Desk, db_file: Path
) -> None:
    # the same database, seen on Monday 2026-11-23 10:00 in Shanghai (deadlines depend on "now")
    desk = services.Desk.open(f"sqlite:///{db_file}", clock=services.FixedClock(START))
    clerk = services.login(desk, "lily", CLERK_PASSWORD)
    before = services.register_case(desk, clerk, COMPLAINTS[0])
    assert before.resolve_by == datetime(2026, 12, 2, 10, 0, tzinfo=SH)  # P2: 7 working days
    dialog, admin = open_dialog(qtbot, desk)
    assert dialog.title.text() == "2026年11月"
    saturday = dialog.day_at(date(2026, 11, 28))
    assert saturday is not None and saturday.kind is services.DayKind.WEEKEND and not saturday.working
    dialog.scope.setCurrentIndex(dialog.scope.findData("BJ01"))
    qtbot.waitUntil(
        lambda: dialog.month_view is not None and dialog.month_view.scope == "BJ01", timeout=5_000
    )
    asked: list[str] = []
    dialog.ask_note = lambda question: asked.append(question) or "促销加班"
    row, col = dialog.cell_of(date(2026, 11, 28))
    dialog.grid.cellClicked.emit(row, col)
    qtbot.waitUntil(
        lambda: dialog.day_at(date(2026, 11, 28)).kind is services.DayKind.OVERRIDE_WORKING, timeout=5_000
    )
    assert "设为工作日" in asked[0]
    assert "促销加班" in dialog.grid.item(row, col).text()
    change = services.list_changes(desk, admin, entity="calendar")[0]
    assert change.entity_key == "BJ01:2026-11-28" and change.after == {"working": True, "note": "促销加班"}
    # the deadline calendar counts it: the same complaint now has to be resolved a day earlier
    after = services.register_case(desk, clerk, COMPLAINTS[1])
    assert after.resolve_by == datetime(2026, 12, 1, 10, 0, tzinfo=SH)
    tasks.wait_for_idle()
    desk.close()


def test_a_cancelled_note_changes_nothing_and_months_move(qtbot: QtBot, seeded_desk: services.Desk) -> None:
    dialog, admin = open_dialog(qtbot, seeded_desk)
    dialog.ask_note = lambda _question: None
    dialog.toggle(dialog.day_at(date(2026, 11, 24)))
    assert services.list_changes(seeded_desk, admin, entity="calendar") == []
    dialog.next.click()
    qtbot.waitUntil(lambda: dialog.day_at(date(2026, 12, 1)) is not None, timeout=5_000)
    assert dialog.title.text() == "2026年12月"
    dialog.step(-2)
    qtbot.waitUntil(lambda: dialog.day_at(date(2026, 10, 1)) is not None, timeout=5_000)
    national_day = dialog.day_at(date(2026, 10, 1))
    assert national_day.kind is services.DayKind.HOLIDAY and national_day.note == "国庆节"


def test_an_arrangement_file_is_imported_and_a_bad_one_refused(
    qtbot: QtBot, seeded_desk: services.Desk, tmp_path: Path, monkeypatch
) -> None:
    dialog, admin = open_dialog(qtbot, seeded_desk)
    bad = tmp_path / "bad.txt"
    bad.write_text("year 2027\n2027-02-30 holiday 春节\n", encoding="utf-8")
    dialog.import_file(str(bad))
    qtbot.waitUntil(lambda: "未导入" in dialog.status.text(), timeout=5_000)
    assert "第 2 行" in dialog.status.text()
    good = tmp_path / "2027.txt"
    good.write_text(
        "year 2027\n2027-02-06..2027-02-12 holiday 春节\n2027-02-14 workday 春节调休\n", encoding="utf-8"
    )
    monkeypatch.setattr("kesu_desktop.ui.admin.calendar_dialog.QMessageBox.information", lambda *a: None)
    dialog.import_file(str(good))
    qtbot.waitUntil(lambda: services.calendar_coverage(seeded_desk, admin).known.covers(2027), timeout=5_000)
    dialog.show_month(2027, 2)
    qtbot.waitUntil(lambda: dialog.day_at(date(2027, 2, 14)) is not None, timeout=5_000)
    assert dialog.day_at(date(2027, 2, 14)).working and not dialog.day_at(date(2027, 2, 8)).working
