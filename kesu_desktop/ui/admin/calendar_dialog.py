"""工作日历: a month of the business calendar, company-wide or for one office, as deadlines count it.

Statutory holidays, make-up working days (调休上班) and administrators' overrides have their own
colours (the legend says which). Clicking a date turns it into a day off when it is a working day and
the other way round (``services.set_calendar_day``, with a note the administrator types): deadlines
counted from then on follow. 导入节假日安排… loads the State Council's arrangement for a year from a
text file (``services.import_calendar``, format in docs/cli.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _, join_items
from kesu_desktop.ui.admin.scope import ScopeCombo, failure_text, show_failure
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_open_file
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import HINT_STYLE

#: Background of each kind of day (light, so the black date stays readable).
COLOURS: dict[services.DayKind, str] = {
    services.DayKind.WORKING: "#ffffff",
    services.DayKind.WEEKEND: "#eeeeee",
    services.DayKind.HOLIDAY: "#f8c9c4",
    services.DayKind.MAKEUP: "#c8e6c9",
    services.DayKind.OVERRIDE_WORKING: "#bbdefb",
    services.DayKind.OVERRIDE_OFF: "#ffe0b2",
}


def _weekday_names() -> list[str]:
    return [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")]


class CalendarDialog(QDialog):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        today = services.to_local(desk.clock.now(), actor.timezone).date()
        self.year, self.month = today.year, today.month
        self.month_view: services.CalendarMonth | None = None
        #: (row, column) → the date shown there.
        self.cells: dict[tuple[int, int], services.CalendarDay] = {}
        #: Asks for the note of a change; returns None when the administrator cancels (tests replace it).
        self.ask_note: Callable[[str], str | None] = self._ask_note
        self.setWindowTitle(_("工作日历"))

        self.scope = ScopeCombo(desk, actor, self)
        self.scope.currentIndexChanged.connect(lambda _i: self.reload())
        self.previous = QPushButton("‹")
        self.next = QPushButton("›")
        for button in (self.previous, self.next):
            button.setFixedWidth(36)
            button.setAutoDefault(False)
        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.import_button = QPushButton(_("导入节假日安排…"))
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(lambda: self.import_file())
        top = QHBoxLayout()
        top.addWidget(QLabel(_("适用范围：")))
        top.addWidget(self.scope)
        top.addStretch(1)
        top.addWidget(self.import_button)
        header = QHBoxLayout()
        header.addWidget(self.previous)
        header.addWidget(self.title, 1)
        header.addWidget(self.next)

        self.grid = QTableWidget(6, 7)
        self.grid.setHorizontalHeaderLabels(_weekday_names())
        self.grid.verticalHeader().hide()
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.setWordWrap(True)
        self.grid.cellClicked.connect(self.on_cell)
        self.grid.cellActivated.connect(self.on_cell)

        legend = QHBoxLayout()
        for kind, colour in COLOURS.items():
            swatch = QLabel(kind.label)
            swatch.setStyleSheet(f"background: {colour}; border: 1px solid #999; padding: 2px 6px;")
            legend.addWidget(swatch)
        legend.addStretch(1)
        self.hint = QLabel(_("点击某一天，可在工作日与休息日之间切换（须填写说明）。"))
        self.hint.setStyleSheet(HINT_STYLE)
        self.hint.setWordWrap(True)
        self.status = error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(header)
        layout.addWidget(self.grid, 1)
        layout.addLayout(legend)
        layout.addWidget(self.hint)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(QKeySequence.StandardKey.MoveToPreviousPage), self, lambda: self.step(-1))
        QShortcut(QKeySequence(QKeySequence.StandardKey.MoveToNextPage), self, lambda: self.step(1))
        self.resize(820, 600)
        self.reload()

    # --- the month shown ----------------------------------------------------------------------------
    def step(self, months: int) -> None:
        index = self.year * 12 + self.month - 1 + months
        self.show_month(index // 12, index % 12 + 1)

    def show_month(self, year: int, month: int) -> None:
        self.year, self.month = year, month
        self.reload()

    def reload(self) -> None:
        year, month, office = self.year, self.month, self.scope.office()
        self.title.setText(_("{year}年{month}月").format(year=year, month=month))
        tasks.run(
            lambda: services.calendar_month(self.desk, self.actor, year, month, office=office),
            on_result=self._fill,
            on_error=lambda exc: show_failure(self.status, exc),
            context=self,
        )

    def _fill(self, month: services.CalendarMonth) -> None:
        if (month.year, month.month) != (self.year, self.month):
            return  # an answer for a month already left
        self.month_view = month
        self.cells.clear()
        self.grid.clearContents()
        offset = month.days[0].day.weekday()
        rows = (offset + len(month.days) + 6) // 7
        self.grid.setRowCount(rows)
        for index, day in enumerate(month.days):
            row, col = divmod(offset + index, 7)
            text = str(day.day.day)
            if day.note:
                text += "\n" + day.note
            elif day.kind is not services.DayKind.WORKING and day.kind is not services.DayKind.WEEKEND:
                text += "\n" + day.kind.label
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            item.setBackground(QColor(COLOURS[day.kind]))
            item.setForeground(QColor("#000000"))
            tip = (
                _("{kind}：{note}").format(kind=day.kind.label, note=day.note) if day.note else day.kind.label
            )
            if day.override_scope is not None:
                where = day.override_scope or _("全公司")
                tip += "\n" + _("调整范围：{scope}").format(scope=where)
            item.setToolTip(tip)
            self.grid.setItem(row, col, item)
            self.cells[(row, col)] = day
        if month.known:
            show_error(self.status, "")
        else:
            show_error(
                self.status,
                _("{year} 年节假日安排尚未导入：按周一至周五计算，法定假日须导入或逐日调整。").format(
                    year=month.year
                ),
            )

    def day_at(self, when: date) -> services.CalendarDay | None:
        return next((day for day in self.cells.values() if day.day == when), None)

    def cell_of(self, when: date) -> tuple[int, int] | None:
        return next((cell for cell, day in self.cells.items() if day.day == when), None)

    # --- changing a day -------------------------------------------------------------------------------
    def on_cell(self, row: int, col: int) -> None:
        day = self.cells.get((row, col))
        if day is not None:
            self.toggle(day)

    def _ask_note(self, question: str) -> str | None:
        note, ok = QInputDialog.getText(self, _("工作日历"), question)
        return note.strip() if ok else None

    def toggle(self, day: services.CalendarDay) -> None:
        working = not day.working
        scope = self.scope.currentText()
        question = (
            _("把 {day}（{scope}）设为工作日。说明：")
            if working
            else _("把 {day}（{scope}）设为休息日。说明：")
        ).format(day=day.day.isoformat(), scope=scope)
        note = self.ask_note(question)
        if note is None:
            return
        office = self.scope.office()
        tasks.run(
            lambda: services.set_calendar_day(
                self.desk, self.actor, day.day, working=working, note=note, office=office
            ),
            on_result=lambda _r: self.reload(),
            on_error=lambda exc: show_failure(self.status, exc),
            context=self,
        )

    # --- importing a year's arrangement -------------------------------------------------------------
    def import_file(self, path: str | None = None) -> None:
        if path is None:
            path = choose_open_file(
                self, _("导入节假日安排"), "calendar", _("文本文件 (*.txt);;所有文件 (*)")
            )
            if not path:
                return
        try:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            show_error(self.status, _("无法读取文件：{e}").format(e=exc))
            return
        office = self.scope.office()
        tasks.run(
            lambda: services.import_calendar(self.desk, self.actor, text, office=office),
            on_result=self._imported,
            on_error=self._import_failed,
            context=self,
        )

    def _imported(self, result: services.CalendarImport) -> None:
        years = join_items(str(year) for year in result.years)
        show_error(self.status, "")
        QMessageBox.information(
            self,
            _("导入节假日安排"),
            _("已导入 {years} 年节假日安排：放假 {off} 天，调休上班 {on} 天（{scope}）").format(
                years=years, off=result.holidays, on=result.workdays, scope=result.scope or _("全公司")
            ),
        )
        self.reload()

    def _import_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            lines = [
                (_("第 {n} 行：").format(n=key.split()[1]) if key.startswith("line ") else "") + message
                for key, message in exc.errors.items()
            ]
            show_error(self.status, _("文件有误，未导入任何日期：") + "\n" + "\n".join(lines[:10]))
            return
        show_error(self.status, failure_text(exc))
