"""The 统计 panel: the monthly report's figures for any period, office and category, as bar charts.

Supervisors see their own office, managers and administrators every office. A click on a category,
office or department bar asks the main window to show just those cases in the case list
(``sig_filter_requested``); the channel chart only informs, since the list has no channel filter.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Channel, Role
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.formatting import number_text, percent_text
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.reports.bar_chart import Bar, BarChart

#: The summary's figures in reading order: (key, how a Figures shows it).
SUMMARY_KEYS = ("total", "change", "response", "resolution", "repeat", "satisfaction", "escalated", "overdue")


def _rate(value: float | None) -> str:
    return "—" if value is None else percent_text(value)


def _score(value: float | None) -> str:
    return "—" if value is None else number_text(round(value, 2))


def _channel(code: str) -> str:
    try:
        return Channel(code).label
    except ValueError:
        return code


def office_today(desk: services.Desk, actor: services.Actor) -> QDate:
    """Today on the office's wall clock (the machine's own date may already be another day)."""
    return QDate(services.to_local(desk.clock.now(), actor.timezone).date())


class StatisticsView(QWidget):
    """Figures for a chosen period; bars that filter the case list."""

    #: (dimension, code): "category", "office" or "department", and the code of the bar clicked.
    sig_filter_requested = Signal(str, str)
    sig_loaded = Signal(object)
    sig_report_requested = Signal()

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.figures: services.Figures | None = None
        today = office_today(desk, actor)
        self.from_edit = QDateEdit(QDate(today.year(), today.month(), 1))
        self.to_edit = QDateEdit(today)
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.office_combo = QComboBox()
        self.category_combo = QComboBox()
        self.refresh_button = QPushButton()
        self.report_button = QPushButton()
        self.error = error_label()
        self.summary_titles: dict[str, QLabel] = {key: QLabel() for key in SUMMARY_KEYS}
        self.summary_values: dict[str, QLabel] = {key: QLabel("—") for key in SUMMARY_KEYS}
        self.charts = {
            "category": BarChart(),
            "channel": BarChart(clickable=False),
            "office": BarChart(),
            "department": BarChart(),
        }
        self.chart_boxes = {name: QGroupBox() for name in self.charts}
        self._build()
        self._fill_choices()
        self.retranslate_ui()
        self.refresh_button.clicked.connect(self.refresh)
        self.report_button.clicked.connect(self.sig_report_requested)
        for dimension in ("category", "office", "department"):
            self.charts[dimension].sig_bar_clicked.connect(lambda code, d=dimension: self._on_bar(d, code))

    def _build(self) -> None:
        controls = QFormLayout()
        period = QHBoxLayout()
        period.addWidget(self.from_edit)
        period.addWidget(QLabel("–"))
        period.addWidget(self.to_edit)
        period.addStretch(1)
        self.period_label, self.office_label, self.category_label = QLabel(), QLabel(), QLabel()
        controls.addRow(self.period_label, period)
        controls.addRow(self.office_label, self.office_combo)
        controls.addRow(self.category_label, self.category_combo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        summary = QGridLayout()
        for i, key in enumerate(SUMMARY_KEYS):
            row, column = divmod(i, 2)
            summary.addWidget(self.summary_titles[key], row, 2 * column)
            value = self.summary_values[key]
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            summary.addWidget(value, row, 2 * column + 1)
        summary.setColumnStretch(1, 1)
        summary.setColumnStretch(3, 1)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(controls)
        column.addLayout(buttons)
        column.addWidget(self.error)
        column.addLayout(summary)
        for name, chart in self.charts.items():
            box = self.chart_boxes[name]
            inner = QVBoxLayout(box)
            inner.addWidget(chart)
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.setFocusProxy(self.from_edit)

    def _fill_choices(self) -> None:
        self.office_combo.addItem("", None)
        if self.actor.role in (Role.MANAGER, Role.ADMIN):
            for office in services.list_offices(self.desk, self.actor):
                self.office_combo.addItem(f"{office.code} {office.name}", office.code)
        else:
            self.office_combo.setItemData(0, self.actor.office_code)
            self.office_combo.setEnabled(False)
        self.category_combo.addItem("", None)
        for choice in services.categories(self.desk):
            self.category_combo.addItem(choice.name, choice.code)

    def retranslate_ui(self) -> None:
        self.period_label.setText(_("期间"))
        self.office_label.setText(_("网点"))
        self.category_label.setText(_("类别"))
        if self.actor.role in (Role.MANAGER, Role.ADMIN):
            self.office_combo.setItemText(0, _("全部网点"))
        else:
            self.office_combo.setItemText(0, self.actor.office_code)
        self.category_combo.setItemText(0, _("全部类别"))
        self.refresh_button.setText(_("统计(&S)"))
        self.report_button.setText(_("月度报告…"))
        titles = {
            "total": _("投诉件数"),
            "change": _("较上一期间"),
            "response": _("按时响应率"),
            "resolution": _("按时解决率"),
            "repeat": _("重复投诉率"),
            "satisfaction": _("满意度（效率/态度/方案）"),
            "escalated": _("升级"),
            "overdue": _("期末超时未结"),
        }
        for key, label in self.summary_titles.items():
            label.setText(titles[key])
        boxes = {
            "category": _("按投诉类别（单击筛选案件列表）"),
            "channel": _("按投诉渠道"),
            "office": _("按网点（单击筛选案件列表）"),
            "department": _("按责任部门（单击筛选案件列表）"),
        }
        for name, box in self.chart_boxes.items():
            box.setTitle(boxes[name])
        if self.figures is not None:
            self.show_figures(self.figures)

    def period(self) -> services.Period | None:
        first, last = self.from_edit.date().toPython(), self.to_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)
        if last < first:
            return None
        return services.Period(first, last)

    @Slot()
    def refresh(self) -> None:
        period = self.period()
        if period is None:
            show_error(self.error, _("结束日期早于开始日期"))
            return
        show_error(self.error, "")
        office, category = self.office_combo.currentData(), self.category_combo.currentData()
        desk, actor = self.desk, self.actor
        self.refresh_button.setEnabled(False)
        tasks.run(
            lambda: services.period_figures(desk, actor, period, office=office, category=category),
            on_result=self.show_figures,
            on_error=self.on_failed,
            context=self,
        )

    def show_figures(self, figures: services.Figures) -> None:
        self.refresh_button.setEnabled(True)
        self.figures = figures
        values = self.summary_values
        values["total"].setText(number_text(figures.total))
        change = figures.change
        values["change"].setText(
            "—"
            if change is None
            else _("{sign}{change}（{previous} 件）").format(
                sign="+" if change > 0 else "", change=percent_text(change), previous=figures.previous_total
            )
        )
        values["response"].setText(_rate(figures.on_time_response_rate))
        values["resolution"].setText(_rate(figures.on_time_resolution_rate))
        values["repeat"].setText(_rate(figures.repeat_rate))
        s = figures.satisfaction
        values["satisfaction"].setText(
            " / ".join(_score(s[k]) for k in ("efficiency", "attitude", "solution"))
        )
        values["escalated"].setText(number_text(figures.escalated))
        values["overdue"].setText(number_text(figures.overdue_open))
        unassigned = _("未分派")
        self.charts["category"].set_bars([Bar(c, figures.name(c), n) for c, n in figures.by_category.items()])
        self.charts["channel"].set_bars([Bar(c, _channel(c), n) for c, n in figures.by_channel.items()])
        self.charts["office"].set_bars([Bar(c, figures.name(c), n) for c, n in figures.by_office.items()])
        self.charts["department"].set_bars(
            [
                Bar(c, unassigned if c == "unassigned" else figures.name(c), n)
                for c, n in figures.by_department.items()
            ]
        )
        self.sig_loaded.emit(figures)

    def on_failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        if isinstance(exc, KesuError):
            show_error(self.error, str(exc))
        else:
            show_error(self.error, _("统计失败"))
            tasks.unexpected(exc)

    def _on_bar(self, dimension: str, code: str) -> None:
        if dimension == "department" and code == "unassigned":
            return  # the list cannot show "no department" alone
        self.sig_filter_requested.emit(dimension, code)
