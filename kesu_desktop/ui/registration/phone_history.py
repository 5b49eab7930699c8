"""While the counter types: the customer's earlier cases, and what registering now would decide.

Why here and not in the form: the lookup has its own timing rules (wait until typing pauses, drop
answers to a question nobody is asking any more), and the form only has to say what it currently holds.
Both answers come from services (``customer_history`` and ``suggest``), so the repeat rule and the
priority rule are never written a second time in the GUI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Priority, Severity, Status
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _, join_items
from kesu_desktop.services import CaseRow, Suggestion
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.formatting import label_of, local_time

DEBOUNCE_MS = 400
VISIBLE_ROWS = 4
#: Fewer digits than the shortest Chinese landline without area code cannot be a number yet.
MIN_PHONE_DIGITS = 7
WARNING_STYLE = (
    "background: #fff3cd; color: #664d03; border: 1px solid #e0c165; border-radius: 3px; padding: 4px 6px;"
)
HINT_STYLE = "color: #37474f;"


def plausible_phone(text: str) -> bool:
    """Worth asking about: enough digits, only the characters people type in phone numbers."""
    stripped = re.sub(r"[\s()\-]", "", text)
    return bool(re.fullmatch(r"\+?\d+", stripped)) and len(stripped.lstrip("+")) >= MIN_PHONE_DIGITS


@dataclass(frozen=True)
class LookupQuery:
    """Everything on the form that the answers depend on."""

    phone: str = ""
    account_no: str = ""
    category: str = ""
    severity: Severity | None = None
    urgent: bool = False

    @property
    def asks_history(self) -> bool:
        return plausible_phone(self.phone) or bool(self.account_no)


@dataclass(frozen=True)
class LookupAnswer:
    history: list[CaseRow]
    suggestion: Suggestion | None


def look_up(desk: services.Desk, actor: services.Actor, query: LookupQuery) -> LookupAnswer:
    """Runs on the worker: both answers in one trip, so they always describe the same form state."""
    phone = query.phone if plausible_phone(query.phone) else ""
    account = query.account_no or None
    history = services.customer_history(desk, actor, phone, account) if query.asks_history else []
    suggestion = None
    if query.category:
        suggestion = services.suggest(
            desk,
            actor,
            category=query.category,
            phone=phone or None,
            account_no=account,
            severity=query.severity,
            urgent=query.urgent,
        )
    return LookupAnswer(history=history, suggestion=suggestion)


class CustomerLookup(QObject):
    """Debounced lookups; an answer to an older question is dropped, never shown over a newer one."""

    sig_answer = Signal(object)  # LookupAnswer
    sig_failed = Signal(str)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._desk, self._actor = desk, actor
        self._query = LookupQuery()
        self._generation = 0
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.fetch_now)

    def request(self, query: LookupQuery) -> None:
        """Ask again once typing pauses; anything already in flight is outdated from now on."""
        if query == self._query:
            return
        self._query = query
        self._generation += 1
        if not query.asks_history and not query.category:
            self._timer.stop()
            self.sig_answer.emit(LookupAnswer(history=[], suggestion=None))
            return
        self._timer.start()

    @Slot()
    def fetch_now(self) -> tasks.Task:
        """Ask now (the timer's slot; tests call it to skip the wait)."""
        self._timer.stop()
        generation, query, desk, actor = self._generation, self._query, self._desk, self._actor
        return tasks.run(
            lambda: look_up(desk, actor, query),
            on_result=lambda answer: self._deliver(generation, answer),
            on_error=lambda exc: self._fail(generation, exc),
            context=self,
        )

    def _deliver(self, generation: int, answer: LookupAnswer) -> None:
        if generation == self._generation:
            self.sig_answer.emit(answer)

    def _fail(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, KesuError):
            self.sig_failed.emit(str(exc))
        else:
            self.sig_failed.emit(_("查询客户历史时发生了意外错误"))
            tasks.unexpected(exc)


class CustomerHistoryPanel(QWidget):
    """该客户的历史投诉: case no, date, category, status; hidden while there is nothing to show.

    Dates are the user's office's (``zone``), as everywhere else on the desk.
    """

    sig_case_activated = Signal(str)

    def __init__(self, zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone = zone
        self.title = QLabel()
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # informative: Tab goes on to the next field
        self.tree.itemActivated.connect(self.on_item_activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.tree)
        self._rows: list[CaseRow] = []
        self._category_names: dict[str, str] = {}
        self.retranslate_ui()
        self.hide()

    def retranslate_ui(self) -> None:
        self.tree.setHeaderLabels([_("案件编号"), _("登记日期"), _("类别"), _("状态")])
        self.show_rows(self._rows, self._category_names)

    def case_numbers(self) -> list[str]:
        return [row.case_no for row in self._rows]

    def show_rows(self, rows: list[CaseRow], category_names: Mapping[str, str]) -> None:
        self._rows, self._category_names = list(rows), dict(category_names)
        self.title.setText(_("该客户的历史投诉（{n} 件）").format(n=len(rows)))
        self.tree.clear()
        for row in rows:
            item = QTreeWidgetItem(
                [
                    row.case_no,
                    local_time(row.created_at, self.zone, "date"),
                    self._category_names.get(row.category, row.category),
                    label_of(Status, row.status),
                ]
            )
            self.tree.addTopLevelItem(item)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        # As tall as its rows (up to VISIBLE_ROWS), so one earlier case does not take a big empty box.
        row_height = self.tree.sizeHintForRow(0) if rows else 0
        shown = min(len(rows), VISIBLE_ROWS)
        header = self.tree.header().sizeHint().height()
        self.tree.setFixedHeight(header + row_height * shown + 2 * self.tree.frameWidth() + 2)
        self.setVisible(bool(rows))

    @Slot(QTreeWidgetItem, int)
    def on_item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        del column
        self.sig_case_activated.emit(item.text(0))


class SuggestionPanel(QWidget):
    """Suggested department and priority, and the yellow repeat-complaint warning."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hint = QLabel(wordWrap=True)
        self.hint.setStyleSheet(HINT_STYLE)
        self.warning = QLabel(wordWrap=True)
        self.warning.setStyleSheet(WARNING_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.hint)
        layout.addWidget(self.warning)
        self._suggestion: Suggestion | None = None
        self._department_names: dict[str, str] = {}
        self.show_suggestion(None, {})

    def retranslate_ui(self) -> None:
        self.show_suggestion(self._suggestion, self._department_names)

    def warning_text(self) -> str:
        return self.warning.text() if self.warning.isVisibleTo(self) else ""

    def show_suggestion(self, suggestion: Suggestion | None, department_names: Mapping[str, str]) -> None:
        self._suggestion, self._department_names = suggestion, dict(department_names)
        if suggestion is None:
            self.hint.clear()
            self.warning.clear()
            self.hide()
            return
        department = (
            self._department_names.get(suggestion.department, suggestion.department)
            if suggestion.department
            else _("未设定")
        )
        self.hint.setText(
            _("建议责任部门：{department}　建议优先级：{priority}").format(
                department=department, priority=label_of(Priority, suggestion.priority)
            )
        )
        if suggestion.repeat_of:
            self.warning.setText(
                _("重复投诉：与 {case_nos} 同类，优先级将至少为 P1").format(
                    case_nos=join_items(suggestion.repeat_of)
                )
            )
        self.warning.setVisible(bool(suggestion.repeat_of))
        self.show()
