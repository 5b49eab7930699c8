"""The reply editor 回复: write the reply to a case's customer, keep it as a draft, send it for approval.

A reply starts from a template whose placeholders the service fills from the case; sentences come from
the phrase library; forbidden phrases are underlined while typing, counted, and explained in a tooltip,
so the writer fixes them before ``services.submit_reply`` refuses them. Templates and phrases are data
(an admin edits them); this widget only shows what the services hand out.

Nothing typed is lost by moving on: switching to another reply or case saves a changed draft first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import ReplyKind, ReplyStatus
from kesu_desktop.domain.errors import KesuError, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services import PhraseBook, ReplyView
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import HINT_STYLE, label_of, local_time
from kesu_desktop.ui.base.shortcuts import panel_shortcuts
from kesu_desktop.ui.replies.highlighter import ForbiddenPhraseHighlighter, ForbiddenTooltip

#: Offices reason in their own zone (the office policy's default).
EDITABLE = (ReplyStatus.DRAFT, ReplyStatus.RETURNED)
WARN_STYLE = "color: #c62828; font-weight: bold;"


def status_label(code: str) -> str:
    try:
        return ReplyStatus(code).label
    except ValueError:
        return code


def reply_status_line(reply: ReplyView, zone: str) -> str:
    """What the writer needs to know about a reply: saved when, waiting, or what the reviewer said."""
    status = reply.status
    if status == ReplyStatus.DRAFT:
        return _("草稿已保存 {time}").format(time=local_time(reply.updated_at, zone, "time"))
    if status == ReplyStatus.RETURNED:
        return _("已退回：{comment}").format(comment=reply.review_comment or "")
    if status == ReplyStatus.APPROVED:
        return _("已批准（{reviewer}）").format(reviewer=reply.reviewer or "")
    return status_label(status)


@dataclass(frozen=True)
class CaseReplies:
    """One worker trip's answer: the case's id and customer, its replies, the phrase book if asked for."""

    case_id: uuid.UUID
    customer_name: str
    replies: list[ReplyView]
    book: PhraseBook | None


def load_case_replies(
    desk: services.Desk, actor: services.Actor, case_no: str, with_book: bool
) -> CaseReplies:
    """Runs on the worker."""
    case = services.get_case(desk, actor, case_no)
    replies = services.replies_for_case(desk, actor, case_no)
    return CaseReplies(
        case.id, case.customer_name, replies, services.phrase_book(desk) if with_book else None
    )


class ReplyEditor(QWidget):
    """The replies of one case (``set_case``), with an editor for a new reply or the user's own draft."""

    #: The case's replies were (re)loaded and shown; carries the case number.
    sig_loaded = Signal(str)
    #: A draft was saved or a reply submitted; carries the ``ReplyView`` the service returned.
    sig_reply_changed = Signal(object)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self._case_no: str | None = None
        self._case_id: uuid.UUID | None = None
        self._customer: str | None = None
        self._reply: ReplyView | None = None
        self._replies: list[ReplyView] = []
        self._book: PhraseBook | None = None
        self._generation = 0  # bumped on every case change: answers for an older case are dropped
        self._busy = False
        self._can_write = services.may_write_replies(actor)  # the service enforces; this only hints
        self._build()
        self.retranslate_ui()
        tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)
        self.set_case(None)

    # ----------------------------------------------------------------- construction

    def _build(self) -> None:
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold;")
        self.replies_label = QLabel()
        self.replies = QTreeWidget(rootIsDecorated=False, uniformRowHeights=True)
        self.replies.setColumnCount(4)
        self.replies.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.replies.setMaximumHeight(120)
        self.replies.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.replies.itemSelectionChanged.connect(self.on_reply_selected)
        self.new_button = QPushButton()
        self.new_button.clicked.connect(self.on_new_reply)

        self.kind = QComboBox()
        for kind in ReplyKind:
            self.kind.addItem(kind.label, kind.value)
        self.kind_label = QLabel(buddy=self.kind)
        self.solution = QLineEdit(clearButtonEnabled=True)
        self.solution_label = QLabel(buddy=self.solution)
        self.apply_button = QPushButton()
        self.apply_button.clicked.connect(self.on_apply_template)
        self.solution.returnPressed.connect(self.on_apply_template)

        self.editor = QPlainTextEdit(tabChangesFocus=True)
        self.highlighter = ForbiddenPhraseHighlighter(self.editor.document())
        self.tooltips = ForbiddenTooltip(self.editor, self.highlighter)
        self.editor.textChanged.connect(self.on_text_changed)
        self.editor.document().modificationChanged.connect(self.on_modification_changed)
        self.phrases_label = QLabel()
        self.phrases = QListWidget(wordWrap=True)
        self.phrases.itemActivated.connect(self.on_insert_phrase)
        self.phrases_label.setBuddy(self.phrases)

        self.counter = QLabel()
        self.status = QLabel()
        self.status.setStyleSheet(HINT_STYLE)
        self.error = error_label()
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.on_save)
        self.submit_button = QPushButton()
        self.submit_button.clicked.connect(self.on_submit)
        self._shortcuts = panel_shortcuts(
            self,
            (
                ("Ctrl+S", self.on_save),
                ("Ctrl+Shift+Return", self.on_submit),
                ("Ctrl+Shift+Enter", self.on_submit),
            ),
        )
        self._lay_out()

    def _lay_out(self) -> None:
        self.body = QWidget()  # everything below the header: disabled while no case is chosen
        top = QHBoxLayout()
        top.addWidget(self.replies_label)
        top.addStretch(1)
        top.addWidget(self.new_button)
        template = QGridLayout()
        template.addWidget(self.kind_label, 0, 0)
        template.addWidget(self.kind, 0, 1)
        template.addWidget(self.solution_label, 0, 2)
        template.addWidget(self.solution, 0, 3)
        template.addWidget(self.apply_button, 0, 4)
        template.setColumnStretch(3, 1)
        library = QWidget()
        library_layout = QVBoxLayout(library)
        library_layout.setContentsMargins(0, 0, 0, 0)
        library_layout.addWidget(self.phrases_label)
        library_layout.addWidget(self.phrases)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(library)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        info = QHBoxLayout()
        info.addWidget(self.counter)
        info.addStretch(1)
        info.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.submit_button)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(top)
        body.addWidget(self.replies)
        body.addLayout(template)
        body.addWidget(self.splitter, 1)
        body.addLayout(info)
        body.addWidget(self.error)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.body, 1)
        for first, second in (
            (self.replies, self.new_button),
            (self.new_button, self.kind),
            (self.kind, self.solution),
            (self.solution, self.apply_button),
            (self.apply_button, self.editor),
            (self.editor, self.phrases),
            (self.phrases, self.save_button),
            (self.save_button, self.submit_button),
        ):
            QWidget.setTabOrder(first, second)

    def retranslate_ui(self) -> None:
        self._show_header()
        self.replies_label.setText(_("本案回复"))
        self.replies.setHeaderLabels([_("类型"), _("状态"), _("撰写人"), _("更新时间")])
        for row, reply in enumerate(self._replies):
            self._fill_row(self.replies.topLevelItem(row), reply, self.actor.timezone)
        self.new_button.setText(_("新建回复"))
        for index, kind in enumerate(ReplyKind):
            self.kind.setItemText(index, kind.label)
        self.kind_label.setText(_("模板"))
        self.solution_label.setText(_("解决方案"))
        self.solution.setPlaceholderText(_("填入模板中的“解决方案”"))
        self.apply_button.setText(_("套用模板"))
        self.apply_button.setToolTip(_("用所选模板和本案信息生成回复"))
        self.phrases_label.setText(_("常用语（双击或回车插入）"))
        self.save_button.setText(_("保存草稿"))
        self.save_button.setToolTip(_("保存草稿（Ctrl+S）"))
        self.submit_button.setText(_("提交审批"))
        self.submit_button.setToolTip(_("提交主管审批（Ctrl+Shift+Enter）"))
        self.editor.setPlaceholderText(
            _("在此撰写回复，或先选择模板后点“套用模板”") if self._case_no else _("请选择案件")
        )
        self.on_text_changed()
        self._show_status()

    # ----------------------------------------------------------------- what tests and the lead read

    @property
    def current_reply(self) -> ReplyView | None:
        return self._reply

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    def status_text(self) -> str:
        return self.status.text()

    def counter_text(self) -> str:
        return self.counter.text()

    # ----------------------------------------------------------------- choosing a case and a reply

    def set_case(self, case_no: str | None) -> None:
        """Show the replies of ``case_no`` (``None``: nothing chosen, the editor is disabled)."""
        self._save_quietly()
        self._generation += 1
        self._case_no, self._case_id, self._customer = case_no, None, None
        self._replies = []
        self.replies.clear()
        self._pick(None)
        self.body.setEnabled(False)
        self.retranslate_ui()
        if case_no is not None:
            self._load(first=True)

    def _show_header(self) -> None:
        if self._case_no is None:
            self.header.setText(_("请选择案件"))
        elif self._customer is None:
            self.header.setText(_("回复 · {case_no} · 正在加载…").format(case_no=self._case_no))
        else:
            self.header.setText(
                _("回复 · {case_no} · {customer}").format(case_no=self._case_no, customer=self._customer)
            )

    def _load(self, *, first: bool) -> None:
        desk, actor, case_no, generation = self.desk, self.actor, self._case_no, self._generation
        if case_no is None:
            return
        with_book = self._book is None
        tasks.run(
            lambda: load_case_replies(desk, actor, case_no, with_book),
            on_result=lambda loaded: self.on_loaded(generation, first, loaded),
            on_error=lambda exc: self.on_load_failed(generation, exc),
            context=self,
        )

    def on_loaded(self, generation: int, first: bool, loaded: CaseReplies) -> None:
        if generation != self._generation:
            return
        if loaded.book is not None and self._book is None:
            self._book = loaded.book
            self.highlighter.set_phrases(loaded.book.forbidden)
            self.phrases.clear()
            for sentence in loaded.book.recommended:
                QListWidgetItem(sentence, self.phrases)
        self._case_id, self._customer = loaded.case_id, loaded.customer_name
        self._show_replies(loaded.replies)
        self.body.setEnabled(True)
        if first:
            # Resume the user's own unfinished reply, if there is one; otherwise start a new one.
            mine = [r for r in loaded.replies if r.author == self.actor.username and r.status in EDITABLE]
            self._pick(mine[-1] if mine else None)
        elif self._reply is not None:
            fresh = next((r for r in loaded.replies if r.id == self._reply.id), None)
            if fresh is not None and fresh != self._reply:
                self._refresh_current(fresh)
        self._select_row()
        self.retranslate_ui()
        self.sig_loaded.emit(self._case_no or "")

    def on_load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, KesuError):
            self.header.setText(str(exc))
        else:
            self.header.setText(_("回复加载失败"))
            tasks.unexpected(exc)

    def _show_replies(self, replies: list[ReplyView]) -> None:
        self._replies = list(replies)
        self.replies.blockSignals(True)
        self.replies.clear()
        for reply in self._replies:
            self._fill_row(QTreeWidgetItem(self.replies), reply, self.actor.timezone)
        self.replies.blockSignals(False)

    @staticmethod
    def _fill_row(item: QTreeWidgetItem | None, reply: ReplyView, zone: str) -> None:
        if item is None:
            return
        texts = (
            label_of(ReplyKind, reply.kind),
            status_label(reply.status),
            reply.author,
            local_time(reply.updated_at, zone),
        )
        for column, text in enumerate(texts):
            item.setText(column, text)

    def _select_row(self) -> None:
        """Keep the list's selection on the reply being edited, without re-loading it."""
        self.replies.blockSignals(True)
        self.replies.clearSelection()
        if self._reply is not None:
            for row, reply in enumerate(self._replies):
                if reply.id == self._reply.id:
                    item = self.replies.topLevelItem(row)
                    item.setSelected(True)
                    self.replies.setCurrentItem(item)
        self.replies.blockSignals(False)

    @Slot()
    def on_reply_selected(self) -> None:
        items = self.replies.selectedItems()
        if not items:
            return
        reply = self._replies[self.replies.indexOfTopLevelItem(items[0])]
        if self._reply is not None and reply.id == self._reply.id:
            return
        self._save_quietly()
        self._pick(reply)

    @Slot()
    def on_new_reply(self) -> None:
        self._save_quietly()
        self._pick(None)
        self._select_row()
        self.editor.setFocus()

    def _pick(self, reply: ReplyView | None) -> None:
        """Put ``reply`` (``None``: a new, empty one) into the editor."""
        self._reply = reply
        show_error(self.error, "")
        if reply is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(reply.kind)))
        self.editor.setPlainText(reply.body if reply is not None else "")
        self.editor.document().setModified(False)
        self._apply_editability()
        self._show_status()

    def _refresh_current(self, fresh: ReplyView) -> None:
        """The reply changed elsewhere (submitted, approved, sent back): show its new state."""
        self._reply = fresh
        if not self.editor.document().isModified() and self.editor.toPlainText() != fresh.body:
            self.editor.setPlainText(fresh.body)
            self.editor.document().setModified(False)
        self._apply_editability()
        self._show_status()

    def _editable(self) -> bool:
        reply = self._reply
        if not self._can_write or self._case_no is None:
            return False
        return reply is None or (reply.author == self.actor.username and reply.status in EDITABLE)

    def _apply_editability(self) -> None:
        editable = self._editable()
        self.editor.setReadOnly(not editable)
        for widget in (self.kind, self.solution, self.apply_button, self.phrases):
            widget.setEnabled(editable)
        self.save_button.setEnabled(editable and not self._busy)
        self.submit_button.setEnabled(editable and not self._busy)

    def _show_status(self) -> None:
        reply = self._reply
        if self._case_no is None:
            text = ""
        elif not self._can_write:
            text = _("您的角色（{role}）不能撰写回复，仅可查看").format(role=self.actor.role.label)
        elif reply is None:
            text = _("新回复，尚未保存")
        else:
            text = reply_status_line(reply, self.actor.timezone)
            if not self._editable():
                text += _("（只读）")
        if self._editable() and self.editor.document().isModified() and reply is not None:
            text += _(" · 有未保存的修改")
        self.status.setText(text)

    # ----------------------------------------------------------------- typing

    @Slot()
    def on_text_changed(self) -> None:
        count = len(self.highlighter.findings())
        if count:
            self.counter.setText(_("发现 {n} 处禁用语").format(n=count))
            self.counter.setStyleSheet(WARN_STYLE)
        else:
            self.counter.setText(_("未发现禁用语") if self._book is not None else "")
            self.counter.setStyleSheet(HINT_STYLE)

    @Slot(bool)
    def on_modification_changed(self, _modified: bool) -> None:
        self._show_status()

    @Slot(QListWidgetItem)
    def on_insert_phrase(self, item: QListWidgetItem) -> None:
        """The sentence goes where the cursor is (replacing a selection), and typing continues there."""
        if self.editor.isReadOnly():
            return
        self.editor.insertPlainText(item.text())
        self.editor.setFocus()

    def _confirm_replace(self) -> bool:
        answer = QMessageBox.question(
            self,
            _("套用模板"),
            _("用模板替换当前回复内容？"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def on_apply_template(self) -> None:
        if self._case_no is None or not self._editable():
            return
        if self.editor.toPlainText().strip() and not self._confirm_replace():
            return
        desk, actor, case_no = self.desk, self.actor, self._case_no
        kind, solution = self.kind.currentData(), self.solution.text().strip() or None
        generation = self._generation
        show_error(self.error, "")
        tasks.run(
            lambda: services.compose_reply(desk, actor, case_no, kind, solution),
            on_result=lambda text: self.on_template_composed(generation, text),
            on_error=lambda exc: self.on_action_failed(generation, exc),
            context=self,
        )

    def on_template_composed(self, generation: int, text: str) -> None:
        if generation != self._generation or not self._editable():
            return
        cursor = QTextCursor(self.editor.document())  # one undoable step, so Ctrl+Z brings the old text back
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        self.editor.setFocus()

    # ----------------------------------------------------------------- saving and submitting

    def _case_changed(self, _value: object) -> list[uuid.UUID]:
        return [self._case_id] if self._case_id is not None else []

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._apply_editability()

    @Slot()
    def on_save(self) -> None:
        self._save(then_submit=False)

    @Slot()
    def on_submit(self) -> None:
        if self._busy or not self._editable():
            return
        if self._reply is None or self.editor.document().isModified():
            self._save(then_submit=True)
        else:
            self._submit(self._reply.id)

    def _save(self, *, then_submit: bool) -> None:
        if self._busy or not self._editable() or self._case_no is None:
            return
        desk, actor, case_no, generation = self.desk, self.actor, self._case_no, self._generation
        kind, body = self.kind.currentData(), self.editor.toPlainText()
        reply_id = self._reply.id if self._reply is not None else None
        show_error(self.error, "")
        self._set_busy(True)
        tasks.run(
            lambda: services.save_reply_draft(desk, actor, case_no, kind, body, reply_id),
            on_result=lambda view: self.on_saved(generation, body, then_submit, view),
            on_error=lambda exc: self.on_action_failed(generation, exc),
            context=self,
            cases_changed=self._case_changed,
        )

    def on_saved(self, generation: int, body: str, then_submit: bool, view: ReplyView) -> None:
        if generation != self._generation:
            return
        self._reply = view
        self.editor.document().setModified(self.editor.toPlainText() != body)  # typed on while saving?
        self._show_status()
        self.sig_reply_changed.emit(view)
        if then_submit:
            self._submit(view.id)
        else:
            self._set_busy(False)

    def _submit(self, reply_id: uuid.UUID) -> None:
        desk, actor, generation = self.desk, self.actor, self._generation
        show_error(self.error, "")
        self._set_busy(True)
        tasks.run(
            lambda: services.submit_reply(desk, actor, reply_id),
            on_result=lambda view: self.on_submitted(generation, view),
            on_error=lambda exc: self.on_action_failed(generation, exc),
            context=self,
            cases_changed=self._case_changed,
        )

    def on_submitted(self, generation: int, view: ReplyView) -> None:
        if generation != self._generation:
            return
        self._reply = view
        self._set_busy(False)
        self._show_status()
        self.sig_reply_changed.emit(view)

    def on_action_failed(self, generation: int, exc: BaseException) -> None:
        """The service's own words, under the editor; the text stays as typed."""
        if generation != self._generation:
            return
        self._set_busy(False)
        if isinstance(exc, ValidationError):
            show_error(self.error, "\n".join(exc.errors.values()))
            self.editor.setFocus()
        elif isinstance(exc, KesuError):
            show_error(self.error, str(exc))
        else:
            show_error(self.error, _("操作未完成：发生了意外错误"))
            tasks.unexpected(exc)

    def _save_quietly(self) -> None:
        """Moving away from a changed draft saves it, so nothing typed is lost."""
        if not (self._editable() and self.editor.document().isModified() and self._case_no):
            return
        body = self.editor.toPlainText()
        if not body.strip():
            return
        desk, actor, case_no, kind = self.desk, self.actor, self._case_no, self.kind.currentData()
        reply_id = self._reply.id if self._reply is not None else None
        self.editor.document().setModified(False)
        tasks.run(
            lambda: services.save_reply_draft(desk, actor, case_no, kind, body, reply_id),
            on_error=self.on_quiet_save_failed,
            context=self,
            cases_changed=lambda _v, case_id=self._case_id: [case_id] if case_id else [],
        )

    def on_quiet_save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, KesuError):
            show_error(self.error, _("上一份草稿未能保存：{message}").format(message=exc))
        else:
            tasks.unexpected(exc)

    @Slot(list)
    def on_cases_changed(self, ids: list) -> None:
        if self._case_no is None or self._case_id is None:
            return
        if ids and self._case_id not in ids:
            return
        self._load(first=False)
