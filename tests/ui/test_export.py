"""导出… on the case list: the filter shown goes to a file off the GUI thread, the user is told when it is
done, and 取消 leaves neither a file nor a record."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.base import file_dialogs, tasks
from kesu_desktop.ui.cases.case_list import CaseListView
from tests.helpers.ui import ADMIN_PASSWORD


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "exports"
    made.mkdir()
    return made


@pytest.fixture
def save_as(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The save dialog answers ``folder/清单`` (typed without a suffix); returns the names it offered."""
    offered: list[str] = []

    def fake_dialog(_parent: object, _title: str, start: str, _filter: str, **_kw: object) -> tuple[str, str]:
        offered.append(Path(start).name)
        return (str(folder / "清单"), "")

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName", fake_dialog)
    return offered


def open_list(qtbot: QtBot, desk: services.Desk, actor: services.Actor) -> CaseListView:
    view = CaseListView(desk, actor)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        view.show()
    return view


def exports_recorded(desk: services.Desk) -> list[services.ChangeView]:
    return services.list_changes(desk, services.login(desk, "admin", ADMIN_PASSWORD), entity="export")


def test_export_action_writes_the_filtered_list_and_says_so(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases, folder: Path, save_as
) -> None:
    view = open_list(qtbot, seeded_desk, clerk)
    with qtbot.waitSignal(view.sig_page_loaded, timeout=10_000):
        view.search.setText("冰箱")
        view.on_filter_changed()

    assert view.export_action.text() == "导出…" and view.export_action.shortcut().toString() == "Ctrl+E"
    view.export_action.trigger()
    assert not view.export_action.isEnabled()  # one export at a time
    run = view.export_run
    with qtbot.waitSignal(run.sig_done, timeout=20_000) as done:
        pass

    target = folder / "清单.xlsx"  # the suffix the user left out
    assert save_as[0].startswith("案件清单-") and save_as[0].endswith(".xlsx")
    assert done.args[0].path == target and done.args[0].rows == 1
    book = load_workbook(target, read_only=True)
    header, only = list(book.active.iter_rows(values_only=True))
    book.close()
    assert header[0] == "案件编号" and only[8] == "张三" and only[9] == "13800138000"  # a clerk's full phone
    box = run.done_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "已导出 1 件案件" in box.text() and str(target) in box.text()
    assert view.export_action.isEnabled()
    (record,) = exports_recorded(seeded_desk)
    assert record.actor == "lily" and record.after["filter"] == {"search": "冰箱"}
    box.close()


def test_cancel_leaves_no_file_and_no_record(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases, folder: Path, save_as
) -> None:
    view = open_list(qtbot, seeded_desk, clerk)
    gate = threading.Event()
    tasks.run(lambda: gate.wait(10))  # hold the worker so 取消 is pressed before the export starts

    view.export_action.trigger()
    run = view.export_run
    (cancel,) = run.progress.findChildren(QPushButton)
    assert cancel.text() == "取消"
    cancel.click()
    with qtbot.waitSignal(run.sig_done, timeout=20_000) as done:
        gate.set()

    assert done.args == [None] and run.done_box is None
    assert list(folder.iterdir()) == []
    assert exports_recorded(seeded_desk) == []
    assert view.export_action.isEnabled()
