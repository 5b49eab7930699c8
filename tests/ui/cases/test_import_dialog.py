"""导入登记表: the check previews the first rows and lists the bad ones; 导入 adds the good ones, once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.ui.cases.import_dialog import ImportRegisterDialog
from tests.helpers.ui import ADMIN_PASSWORD, CLERK_PASSWORD


def write_register(path: Path) -> Path:
    """Four complaints of 2025; the third has no customer name."""
    book = Workbook()
    sheet = book.active
    sheet.append(["登记时间", "客户姓名", "联系电话", "投诉渠道", "投诉类别", "投诉内容", "处理状态"])
    for i in range(1, 5):
        name = None if i == 3 else f"客户{i}"
        sheet.append(
            [datetime(2025, 5, i, 9, 0), name, f"1370013{i:04d}", "电话", "服务态度", "态度差", "已结案"]
        )
    book.save(path)
    return path


def open_dialog(qtbot: QtBot, desk: services.Desk, user: str, password: str) -> ImportRegisterDialog:
    dialog = ImportRegisterDialog(desk, services.login(desk, user, password))
    qtbot.addWidget(dialog)
    return dialog


def test_check_then_import_then_nothing_more(
    qtbot: QtBot, seeded_desk: services.Desk, tmp_path: Path
) -> None:
    dialog = open_dialog(qtbot, seeded_desk, "admin", ADMIN_PASSWORD)
    dialog.file_edit.setText(str(write_register(tmp_path / "登记表.xlsx")))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert "可导入 3 行" in dialog.summary.text() and "有误 1 行" in dialog.summary.text()
    assert dialog.preview.rowCount() == 4
    headers = [dialog.preview.horizontalHeaderItem(c).text() for c in range(dialog.preview.columnCount())]
    assert headers[:3] == ["行号", "客户姓名", "联系电话"]
    assert dialog.preview.item(1, 1).text() == "客户2"
    assert dialog.errors.rowCount() == 1
    assert [dialog.errors.item(0, c).text() for c in range(3)] == ["4", "客户姓名", "必填"]
    assert dialog.import_button.isEnabled()

    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.report.dry_run, timeout=10_000)
    assert dialog.summary.text().startswith("已导入 3 件")
    assert not dialog.import_button.isEnabled()
    rows = services.list_cases(seeded_desk, dialog.actor, services.CaseFilter(search="客户2"))
    assert [r.case_no[:8] for r in rows] == ["20250502"]

    dialog.check()  # the same file again: everything is already there
    qtbot.waitUntil(lambda: dialog.report is not None and dialog.report.dry_run, timeout=10_000)
    assert "可导入 0 行" in dialog.summary.text() and "已导入过 3 行" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()


def test_a_clerk_is_told_no(qtbot: QtBot, seeded_desk: services.Desk, tmp_path: Path) -> None:
    dialog = open_dialog(qtbot, seeded_desk, "lily", CLERK_PASSWORD)
    dialog.file_edit.setText(str(write_register(tmp_path / "r.xlsx")))
    dialog.check()
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=10_000)
    assert "导入" in dialog.error.text() and not dialog.import_button.isEnabled()
