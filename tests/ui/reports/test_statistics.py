"""The 统计 panel and the monthly report dialog, as a supervisor uses them."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.printing.pdf_view import PdfPreviewDialog
from kesu_desktop.ui.reports.monthly_dialog import MonthlyReportDialog
from kesu_desktop.ui.reports.statistics_view import office_today
from tests.helpers.data import ADMIN_PASSWORD
from tests.helpers.printing import pdf_text
from tests.helpers.ui import open_window

SUPERVISOR_PASSWORD = "carol-pass-1"


def _supervisor(desk: services.Desk) -> services.Actor:
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    services.add_user(
        desk,
        admin,
        username="carol",
        password=SUPERVISOR_PASSWORD,
        role=Role.SUPERVISOR,
        display_name="陈主管",
    )
    return services.login(desk, "carol", SUPERVISOR_PASSWORD)


def test_figures_show_as_bars_and_a_bar_filters_the_case_list(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    carol = _supervisor(seeded_desk)
    window = open_window(qtbot, seeded_desk, carol)
    assert "dock_statistics" in {p.objectName() for p in window.panels.values()}
    stats = window.statistics
    assert stats is not None
    window.act_statistics.trigger()
    with qtbot.waitSignal(stats.sig_loaded, timeout=15_000) as loaded:
        pass
    figures = loaded.args[0] if loaded.args else stats.figures
    assert figures.total == 3 == int(stats.summary_values["total"].text())
    bars = stats.charts["category"].bars
    assert sum(b.count for b in bars) == 3
    chosen = bars[0]
    assert chosen.label == figures.name(chosen.code)  # names, not codes

    # clicking the first (largest) bar shows only that category's cases in the list
    chart = stats.charts["category"]
    chart.show()
    y = 4 + chart._row_height() // 2
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() // 2, y))
    qtbot.waitUntil(lambda: window.case_list.current_filter().category == chosen.code, timeout=5_000)
    qtbot.waitUntil(lambda: window.case_list.loaded_rows() == chosen.count, timeout=10_000)


def test_a_period_ending_before_it_starts_is_refused(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor
) -> None:
    from kesu_desktop.ui.reports.statistics_view import StatisticsView

    view = StatisticsView(seeded_desk, _supervisor(seeded_desk))
    qtbot.addWidget(view)
    view.to_edit.setDate(view.from_edit.date().addDays(-3))
    view.refresh_button.click()
    assert view.error.isVisibleTo(view) and "结束日期早于开始日期" in view.error.text()


def test_monthly_report_dialog_previews_the_pdf(
    qtbot: QtBot, seeded_desk: services.Desk, clerk: services.Actor, three_cases: list[services.CaseView]
) -> None:
    carol = _supervisor(seeded_desk)
    this_month = office_today(seeded_desk, carol)
    dialog = MonthlyReportDialog(
        seeded_desk, carol, month=f"{this_month.year():04d}-{this_month.month():02d}"
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
    tasks.wait_for_idle()
    preview = dialog.preview
    assert isinstance(preview, PdfPreviewDialog)
    text = pdf_text(preview._pdf)
    assert "月度投诉分析报告" in text and "本月投诉3件" in text
    preview.close()
