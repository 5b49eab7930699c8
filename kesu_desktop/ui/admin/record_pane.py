"""What the 用户, 营业网点 and 部门与类别 dialogs share: a list, the chosen row's form beside it, and
新建 / 保存 / 停用 buttons, with every refusal shown under the field it concerns.

A pane never decides whether a value is good: it sends what was typed to the service and shows the
service's field messages (``ValidationError.errors``; ``Conflict``/``NotFound`` name their field too).
A message for a field the form does not show goes to the line above the buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop.domain.errors import KesuError, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.ui.admin.scope import failure_text
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import HINT_STYLE


def state_text(active: bool) -> str:
    return _("在用") if active else _("已停用")


class RecordPane(QWidget):
    """The list on the left, the form on the right; subclasses fill both and say what saving means."""

    def __init__(
        self,
        headers: Sequence[str],
        parent: QWidget | None = None,
        *,
        toggle: bool = True,
        form_share: int = 2,
    ) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(headers))
        self.table.setHorizontalHeaderLabels(list(headers))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.errors: dict[str, QLabel] = {}
        self.general_error = error_label()
        self.status = QLabel()
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setWordWrap(True)
        self.add_button = QPushButton(_("新建"))
        self.add_button.setToolTip(_("新建（Ctrl+N）"))
        self.save_button = QPushButton(_("保存"))
        self.save_button.setToolTip(_("保存（Enter）"))
        self.toggle_button = QPushButton(_("停用"))
        self.toggle_button.setVisible(toggle)
        self.buttons = QHBoxLayout()
        for button in (self.add_button, self.save_button, self.toggle_button):
            button.setAutoDefault(False)
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        self.add_button.clicked.connect(self.new_record)
        self.save_button.clicked.connect(self.save)
        self.toggle_button.clicked.connect(self.toggle_active)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_record)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        right = QVBoxLayout()
        right.addLayout(self.form)
        right.addStretch(1)
        right.addWidget(self.general_error)
        right.addWidget(self.status)
        right.addLayout(self.buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.table, 3)
        layout.addLayout(right, form_share)
        self.rows: list[Any] = []
        #: The record shown in the form; None while a new one is being typed.
        self.editing: Any = None

    # -- the form --------------------------------------------------------------------------------

    def add_field(self, key: str, label: str, widget: QWidget, *aliases: str) -> QWidget:
        """A form row with its error label below; ``aliases`` are other service field names for it."""
        error = error_label()
        self.form.addRow(label, widget)
        self.form.addRow("", error)
        for name in (key, *aliases):
            self.errors[name] = error
        if isinstance(widget, QLineEdit):
            widget.returnPressed.connect(self.save)
        return widget

    def clear_errors(self) -> None:
        for label in set(self.errors.values()):
            show_error(label, "")
        show_error(self.general_error, "")

    def show_failure(self, exc: BaseException) -> None:
        """The service's refusal, under the fields it names (or above the buttons)."""
        self.clear_errors()
        self.status.setText("")
        if isinstance(exc, ValidationError):
            rest = []
            for field, message in exc.errors.items():
                label = self.errors.get(field)
                if label is None:
                    rest.append(str(message))
                else:
                    show_error(label, str(message))
            show_error(self.general_error, "\n".join(rest))
            return
        field = getattr(exc, "field", None) if isinstance(exc, KesuError) else None
        label = self.errors.get(field) if field else None
        show_error(label or self.general_error, failure_text(exc))

    def call(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run one service call off the GUI thread; refusals go to the form (or to ``on_error``)."""
        self.clear_errors()
        tasks.run(fn, on_result=done, on_error=on_error or self.show_failure, context=self)

    def show_general_failure(self, exc: BaseException) -> None:
        """A refusal shown above the buttons, whatever field it names (for a field the form hides)."""
        self.clear_errors()
        show_error(self.general_error, failure_text(exc))

    # -- the list --------------------------------------------------------------------------------

    def fill(self, rows: list[Any], keep: str | None = None) -> None:
        """Show ``rows`` (via ``cells``) and select the one whose ``key`` is ``keep``, else the first."""
        self.rows = rows
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(self.cells(row)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.blockSignals(False)
        keys = [self.key(row) for row in rows]
        if keep in keys:
            self.table.selectRow(keys.index(keep))
        elif rows:
            self.table.selectRow(0)
        self._selection_changed()

    def current(self) -> Any:
        selected = self.table.selectionModel().selectedRows()
        if not selected:
            return None
        row = selected[0].row()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selection_changed(self) -> None:
        record = self.current()
        if record is None:
            return
        self.editing = record
        self.clear_errors()
        self.show_record(record)
        self.toggle_button.setEnabled(True)
        self.toggle_button.setText(_("停用") if getattr(record, "active", True) else _("启用"))

    def new_record(self) -> None:
        self.table.clearSelection()
        self.editing = None
        self.clear_errors()
        self.status.setText("")
        self.show_record(None)
        self.toggle_button.setEnabled(False)

    def saved(self, record: Any, text: str) -> None:
        self.status.setText(text)
        self.editing = record
        self.reload(keep=self.key(record))

    # -- what subclasses say -----------------------------------------------------------------------

    def cells(self, row: Any) -> list[str]:
        raise NotImplementedError

    def key(self, row: Any) -> str:
        return row.code

    def show_record(self, record: Any) -> None:
        """Put ``record`` (None: an empty new one) into the form."""
        raise NotImplementedError

    def reload(self, keep: str | None = None) -> None:
        raise NotImplementedError

    def save(self) -> None:
        raise NotImplementedError

    def toggle_active(self) -> None:
        """Deactivate the record shown, or activate it again."""


class AdminDialog(QDialog):
    """A modal dialog around one pane (or tabs of panes) with 关闭; Esc closes, Enter saves the form.

    No button is a default button: Enter in a field saves that form (``RecordPane.add_field``) and
    must never also close the dialog.
    """

    def __init__(self, title: str, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        for button in box.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addWidget(content, 1)
        layout.addWidget(box)
        self.resize(880, 540)
