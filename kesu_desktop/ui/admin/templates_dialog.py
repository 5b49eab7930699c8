"""回复模板与用语: the reply templates (one per kind) and the phrase library the reply editor uses.

A template may only use the placeholders the reply editor fills (listed under the text); the service
refuses any other, with the list, so no customer ever receives a ``{xyz}``. Phrases are added, edited,
and deactivated (never deleted): a deactivated forbidden phrase no longer blocks a reply.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.ui.admin.scope import failure_text
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import HINT_STYLE


def _phrase_kinds() -> list[tuple[str, str]]:
    return [("forbidden", _("禁用语")), ("recommended", _("推荐用语"))]


class TemplatesTab(QWidget):
    """The five reply kinds on the left, the chosen one's name and text on the right."""

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.templates: list[services.TemplateView] = []
        self.kinds = QListWidget()
        self.kinds.setMaximumWidth(150)
        self.kinds.currentRowChanged.connect(self._show)
        self.name = QLineEdit()
        self.body = QPlainTextEdit()
        self.name_error, self.body_error = error_label(), error_label()
        self.placeholders = QLabel(
            _("可用的占位符：")
            + "  ".join(f"{{{key}}} {meaning}" for key, meaning in services.placeholder_names().items())
        )
        self.placeholders.setWordWrap(True)
        self.placeholders.setStyleSheet(HINT_STYLE)
        self.save_button = QPushButton(_("保存模板"))
        self.save_button.clicked.connect(self.save)
        self.save_button.setAutoDefault(False)
        self.name.returnPressed.connect(self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.saved = QLabel()
        self.saved.setStyleSheet(HINT_STYLE)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(_("模板名称"), self.name)
        form.addRow("", self.name_error)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel(_("模板内容")))
        right.addWidget(self.body, 1)
        right.addWidget(self.body_error)
        right.addWidget(self.placeholders)
        row = QHBoxLayout()
        row.addWidget(self.saved, 1)
        row.addWidget(self.save_button)
        right.addLayout(row)
        layout = QHBoxLayout(self)
        layout.addWidget(self.kinds)
        layout.addLayout(right, 1)
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        tasks.run(
            lambda: services.list_templates(self.desk, self.actor),
            on_result=lambda found: self._fill(found, keep),
            on_error=lambda exc: show_error(self.body_error, failure_text(exc)),
            context=self,
        )

    def _fill(self, templates: list[services.TemplateView], keep: str | None) -> None:
        self.templates = templates
        self.kinds.blockSignals(True)
        self.kinds.clear()
        for template in templates:
            self.kinds.addItem(template.kind_label)
        self.kinds.blockSignals(False)
        kinds = [t.kind for t in templates]
        self.kinds.setCurrentRow(kinds.index(keep) if keep in kinds else 0)
        self._show(self.kinds.currentRow())

    def current(self) -> services.TemplateView | None:
        row = self.kinds.currentRow()
        return self.templates[row] if 0 <= row < len(self.templates) else None

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.templates):
            return
        template = self.templates[row]
        self.name.setText(template.name)
        self.body.setPlainText(template.body)
        show_error(self.name_error, "")
        show_error(self.body_error, "")

    def save(self) -> None:
        template = self.current()
        if template is None:
            return
        name, body = self.name.text(), self.body.toPlainText()
        show_error(self.name_error, "")
        show_error(self.body_error, "")
        self.saved.setText("")
        tasks.run(
            lambda: services.set_template(self.desk, self.actor, template.kind, name=name, body=body),
            on_result=lambda view: self._saved(view),
            on_error=self._refused,
            context=self,
        )

    def _saved(self, view: services.TemplateView) -> None:
        self.saved.setText(_("已保存“{name}”").format(name=view.kind_label))
        self.reload(keep=view.kind)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            show_error(self.name_error, exc.errors.get("name", ""))
            show_error(self.body_error, exc.errors.get("body", ""))
            return
        show_error(self.body_error, failure_text(exc))


class PhrasesTab(QWidget):
    """One kind's phrases in a table; the fields below edit the chosen row or make a new one."""

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.phrases: list[services.PhraseView] = []
        self.kind = QComboBox()
        for code, label in _phrase_kinds():
            self.kind.addItem(label, code)
        self.kind.currentIndexChanged.connect(lambda _i: self.reload())
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("用语"), _("建议说法"), _("状态")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._chosen)
        self.text = QLineEdit()
        self.suggestion = QLineEdit()
        self.text_error, self.suggestion_error = error_label(), error_label()
        self.status = error_label()
        self.add_button = QPushButton(_("新增(&N)"))
        self.save_button = QPushButton(_("保存修改"))
        self.active_button = QPushButton(_("停用"))
        self.add_button.setToolTip(_("把上面的用语加入列表（Ctrl+N 清空输入框，开始新的一条）"))
        self.add_button.clicked.connect(self.add)
        self.save_button.clicked.connect(self.save)
        self.active_button.clicked.connect(self.toggle_active)
        QShortcut(QKeySequence.StandardKey.New, self, self.start_new)
        self.text.returnPressed.connect(self.enter)
        self.suggestion.returnPressed.connect(self.enter)
        for button in (self.add_button, self.save_button, self.active_button):
            button.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("类型：")))
        top.addWidget(self.kind)
        top.addStretch(1)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(_("用语"), self.text)
        form.addRow("", self.text_error)
        form.addRow(_("建议说法"), self.suggestion)
        form.addRow("", self.suggestion_error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.active_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self._chosen()
        self.reload()

    def reload(self, keep: object = None) -> None:
        kind = self.kind.currentData()
        tasks.run(
            lambda: services.list_phrases(self.desk, self.actor, kind=kind),
            on_result=lambda found: self._fill(found, keep),
            on_error=lambda exc: show_error(self.status, failure_text(exc)),
            context=self,
        )

    def _fill(self, phrases: list[services.PhraseView], keep: object) -> None:
        self.phrases = phrases
        self.table.setRowCount(len(phrases))
        for row, phrase in enumerate(phrases):
            state = _("使用中") if phrase.active else _("已停用")
            for col, text in enumerate((phrase.text, phrase.suggestion, state)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if not phrase.active:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(row, col, item)
            if phrase.id == keep:
                self.table.selectRow(row)
        self._chosen()

    def selected(self) -> services.PhraseView | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if len(rows) != 1:
            return None
        row = rows.pop()
        return self.phrases[row] if row < len(self.phrases) else None

    def _chosen(self) -> None:
        phrase = self.selected()
        self.save_button.setEnabled(phrase is not None)
        self.active_button.setEnabled(phrase is not None)
        if phrase is not None:
            self.text.setText(phrase.text)
            self.suggestion.setText(phrase.suggestion)
            self.active_button.setText(_("停用") if phrase.active else _("启用"))
        self._clear_errors()

    def _clear_errors(self) -> None:
        for label in (self.text_error, self.suggestion_error, self.status):
            show_error(label, "")

    def _run(self, fn: Callable[[], services.PhraseView], keep_new: bool = False) -> None:
        self._clear_errors()
        tasks.run(
            fn,
            on_result=lambda view: self._done(view, keep_new),
            on_error=self._refused,
            context=self,
        )

    def add(self) -> None:
        kind, text, suggestion = self.kind.currentData(), self.text.text(), self.suggestion.text()
        self._run(lambda: services.add_phrase(self.desk, self.actor, kind, text, suggestion), keep_new=True)

    def save(self) -> None:
        phrase = self.selected()
        if phrase is None:
            return
        text, suggestion = self.text.text(), self.suggestion.text()
        self._run(
            lambda: services.edit_phrase(self.desk, self.actor, phrase.id, text=text, suggestion=suggestion)
        )

    def toggle_active(self) -> None:
        phrase = self.selected()
        if phrase is None:
            return
        active = not phrase.active
        self._run(lambda: services.edit_phrase(self.desk, self.actor, phrase.id, active=active))

    def _done(self, view: services.PhraseView, added: bool) -> None:
        self.status.setStyleSheet(HINT_STYLE)
        message = _("已新增“{text}”") if added else _("已保存“{text}”")
        show_error(self.status, message.format(text=view.text))
        self.reload(keep=view.id)

    def start_new(self) -> None:
        """Ctrl+N: nothing chosen, empty fields, the cursor in 用语."""
        self.table.clearSelection()
        self.text.clear()
        self.suggestion.clear()
        self.text.setFocus()

    def enter(self) -> None:
        """Enter in a field: save the chosen phrase, or add a new one when none is chosen."""
        if self.selected() is None:
            self.add()
        else:
            self.save()

    def _refused(self, exc: BaseException) -> None:
        self.status.setStyleSheet("color: #c62828;")
        if isinstance(exc, ValidationError):
            show_error(self.text_error, exc.errors.get("text", ""))
            show_error(self.suggestion_error, exc.errors.get("suggestion", ""))
            rest = [m for k, m in exc.errors.items() if k not in ("text", "suggestion")]
            show_error(self.status, "\n".join(rest))
            return
        show_error(self.status, failure_text(exc))


class TemplatesDialog(QDialog):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("回复模板与用语"))
        self.templates = TemplatesTab(desk, actor)
        self.phrases = PhrasesTab(desk, actor)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.templates, _("回复模板"))
        self.tabs.addTab(self.phrases, _("用语库"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(_("关闭"))
        close.setAutoDefault(False)  # Enter saves the field being edited; Esc closes
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(820, 600)
