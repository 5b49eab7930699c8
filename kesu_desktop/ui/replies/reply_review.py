"""The approval queue 回复审批: supervisors and managers approve replies or send them back with a comment.

Why a separate panel: reviewing is a queue (everything submitted in the reviewer's scope, oldest first),
not a per-case task. The text is read-only and carries the same forbidden-phrase underline as the editor,
although the service never lets a reply with one reach this queue. Returning needs a comment (the writer
has to know what to change); the service says so and the message appears under the comment box.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
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

Pending = tuple[list[ReplyView], PhraseBook | None]
Reviewed = tuple[ReplyView, uuid.UUID]


def load_pending(desk: services.Desk, actor: services.Actor, with_book: bool) -> Pending:
    """Runs on the worker: the queue, and the phrase book the first time."""
    return services.pending_replies(desk, actor), services.phrase_book(desk) if with_book else None


def review(
    desk: services.Desk, actor: services.Actor, reply_id: uuid.UUID, approve: bool, comment: str
) -> Reviewed:
    """Runs on the worker. ``ReplyView`` carries no case id, so the case is looked up for the broadcast."""
    view = services.review_reply(desk, actor, reply_id, approve=approve, comment=comment)
    return view, services.get_case(desk, actor, view.case_no).id


class ReplyReviewView(QWidget):
    """Replies waiting for this supervisor: read, then 批准 or 退回修改 with a comment."""

    #: The queue was (re)loaded; carries the number of replies waiting.
    sig_loaded = Signal(int)
    #: A reply was approved or sent back; carries the ``ReplyView`` the service returned.
    sig_reviewed = Signal(object)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self.may_review = services.may_review_replies(actor)  # the service enforces; this only hides
        self._pending: list[ReplyView] = []
        self._book: PhraseBook | None = None
        self._busy = False
        self._last_done = ""
        self._build()
        self.retranslate_ui()
        self.body.setVisible(self.may_review)
        if self.may_review:
            tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)
            self.refresh()

    def _build(self) -> None:
        self.notice = QLabel(wordWrap=True)
        self.notice.setStyleSheet(HINT_STYLE)
        self.list = QTreeWidget(rootIsDecorated=False, uniformRowHeights=True)
        self.list.setColumnCount(4)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemSelectionChanged.connect(self.on_selected)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.text = QPlainTextEdit(readOnly=True)
        self.highlighter = ForbiddenPhraseHighlighter(self.text.document())
        self.tooltips = ForbiddenTooltip(self.text, self.highlighter)
        self.comment_label = QLabel()
        self.comment = QPlainTextEdit(tabChangesFocus=True)
        self.comment.setMaximumHeight(70)
        self.comment_label.setBuddy(self.comment)
        self.comment_error = error_label()
        self.error = error_label()
        self.status = QLabel()
        self.status.setStyleSheet(HINT_STYLE)
        self.approve_button = QPushButton()
        self.approve_button.clicked.connect(self.on_approve)
        self.return_button = QPushButton()
        self.return_button.clicked.connect(self.on_return)
        self._shortcuts = panel_shortcuts(
            self,
            (
                ("Ctrl+Shift+Return", self.on_approve),
                ("Ctrl+Shift+Enter", self.on_approve),
                ("Ctrl+Shift+R", self.on_return),
            ),
        )

        reader = QWidget()
        reader_layout = QVBoxLayout(reader)
        reader_layout.setContentsMargins(0, 0, 0, 0)
        reader_layout.addWidget(self.title)
        reader_layout.addWidget(self.text, 1)
        reader_layout.addWidget(self.comment_label)
        reader_layout.addWidget(self.comment)
        reader_layout.addWidget(self.comment_error)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(reader)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve_button)
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(splitter, 1)
        body.addWidget(self.error)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.body, 1)
        for first, second in (
            (self.list, self.text),
            (self.text, self.comment),
            (self.comment, self.return_button),
            (self.return_button, self.approve_button),
        ):
            QWidget.setTabOrder(first, second)
        self._show_selected()

    def retranslate_ui(self) -> None:
        self.list.setHeaderLabels([_("案件编号"), _("类型"), _("撰写人"), _("提交时间")])
        for row, reply in enumerate(self._pending):
            self._fill_row(self.list.topLevelItem(row), reply, self.actor.timezone)
        self.comment_label.setText(_("审批意见（退回时必填）"))
        self.comment.setPlaceholderText(_("写明需要修改的地方"))
        self.approve_button.setText(_("批准"))
        self.approve_button.setToolTip(_("批准此回复（Ctrl+Shift+Enter）"))
        self.return_button.setText(_("退回修改"))
        self.return_button.setToolTip(_("退回撰写人修改，须填写意见（Ctrl+Shift+R）"))
        self._show_notice()
        self._show_selected()

    # ----------------------------------------------------------------- what tests and the lead read

    def selected_reply(self) -> ReplyView | None:
        items = self.list.selectedItems()
        return self._pending[self.list.indexOfTopLevelItem(items[0])] if items else None

    def pending(self) -> list[ReplyView]:
        return list(self._pending)

    def comment_error_text(self) -> str:
        return self.comment_error.text() if self.comment_error.isVisibleTo(self) else ""

    def error_text(self) -> str:
        return self.error.text() if self.error.isVisibleTo(self) else ""

    def status_text(self) -> str:
        return self.status.text()

    # ----------------------------------------------------------------- the queue

    @Slot()
    def refresh(self) -> None:
        if not self.may_review:
            return
        desk, actor, with_book = self.desk, self.actor, self._book is None
        tasks.run(
            lambda: load_pending(desk, actor, with_book),
            on_result=self.on_loaded,
            on_error=self.on_load_failed,
            context=self,
        )

    @Slot(list)
    def on_cases_changed(self, _ids: list) -> None:
        self.refresh()  # any case may have a reply just submitted: the queue is cheap to reload

    def on_loaded(self, pending: Pending) -> None:
        replies, book = pending
        if book is not None and self._book is None:
            self._book = book
            self.highlighter.set_phrases(book.forbidden)
        selected = self.selected_reply()
        self._pending = list(replies)
        self.list.blockSignals(True)
        self.list.clear()
        for reply in self._pending:
            item = QTreeWidgetItem(self.list)
            self._fill_row(item, reply, self.actor.timezone)
            if selected is not None and reply.id == selected.id:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.selected_reply() is None and self._pending:
            self.list.topLevelItem(0).setSelected(True)  # the oldest first: it has waited longest
            self.list.setCurrentItem(self.list.topLevelItem(0))
        self._show_notice()
        self._show_selected()
        self.sig_loaded.emit(len(self._pending))

    def on_load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, KesuError):
            show_error(self.error, str(exc))
        else:
            show_error(self.error, _("待审批回复加载失败"))
            tasks.unexpected(exc)

    @staticmethod
    def _fill_row(item: QTreeWidgetItem | None, reply: ReplyView, zone: str) -> None:
        if item is None:
            return
        for column, text in enumerate(
            (reply.case_no, label_of(ReplyKind, reply.kind), reply.author, local_time(reply.updated_at, zone))
        ):
            item.setText(column, text)

    def _show_notice(self) -> None:
        if not self.may_review:
            self.notice.setText(_("仅主管或经理可审批回复"))
        elif not self._pending:
            self.notice.setText(_("没有待审批的回复"))
        else:
            self.notice.setText(_("待审批回复 {n} 条").format(n=len(self._pending)))

    @Slot()
    def on_selected(self) -> None:
        self.comment.clear()
        show_error(self.comment_error, "")
        show_error(self.error, "")
        self._show_selected()

    def _show_selected(self) -> None:
        reply = self.selected_reply()
        if reply is None:
            self.title.setText("")
            self.text.setPlainText("")
        else:
            self.title.setText(
                _("{case_no} · {kind} · {author} 提交于 {time}").format(
                    case_no=reply.case_no,
                    kind=label_of(ReplyKind, reply.kind),
                    author=reply.author,
                    time=local_time(reply.updated_at, self.actor.timezone),
                )
            )
            if self.text.toPlainText() != reply.body:
                self.text.setPlainText(reply.body)
        enabled = reply is not None and not self._busy
        for widget in (self.comment, self.approve_button, self.return_button):
            widget.setEnabled(enabled)
        self.status.setText(self._last_done)

    # ----------------------------------------------------------------- deciding

    @Slot()
    def on_approve(self) -> None:
        self._review(approve=True)

    @Slot()
    def on_return(self) -> None:
        self._review(approve=False)

    def _review(self, *, approve: bool) -> None:
        reply = self.selected_reply()
        if reply is None or self._busy or not self.may_review:
            return
        desk, actor, comment = self.desk, self.actor, self.comment.toPlainText()
        show_error(self.comment_error, "")
        show_error(self.error, "")
        self._busy = True
        self._show_selected()
        tasks.run(
            lambda: review(desk, actor, reply.id, approve, comment),
            on_result=self.on_reviewed,
            on_error=self.on_review_failed,
            context=self,
            cases_changed=lambda done: [done[1]],
        )

    def on_reviewed(self, done: Reviewed) -> None:
        view, _case_id = done
        self._busy = False
        template = (
            _("已批准 {case_no} 的{kind}")
            if view.status == ReplyStatus.APPROVED
            else _("已退回 {case_no} 的{kind}")
        )
        self._last_done = template.format(case_no=view.case_no, kind=label_of(ReplyKind, view.kind))
        self.comment.clear()
        self._show_selected()
        self.sig_reviewed.emit(view)

    def on_review_failed(self, exc: BaseException) -> None:
        self._busy = False
        self._show_selected()
        if isinstance(exc, ValidationError):
            for field, message in exc.errors.items():
                show_error(self.comment_error if field == "comment" else self.error, message)
            self.comment.setFocus()
        elif isinstance(exc, KesuError):
            show_error(self.error, str(exc))
            self.refresh()  # e.g. someone else reviewed it first: the queue is stale
        else:
            show_error(self.error, _("审批未完成：发生了意外错误"))
            tasks.unexpected(exc)
