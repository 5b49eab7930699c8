"""案件详情: everything about one case, its timeline, its communication log, and what may be done next.

Why the buttons come from ``CaseView.allowed_actions``: the services fill it from the same table they
enforce, knowing what the panel cannot see (that a case is on hold, that a plan needs a manager), so a
user is never offered an action the service would refuse and always offered the ones it accepts (the
service still checks; a state changed by a colleague meanwhile is reported in the dialog). Deadlines,
the timeline and the phone likewise arrive decided; the panel only draws them, in the zone of the
user's office. Why the view reloads itself from
``sig_cases_changed``: an action taken here, in another dock or on another worker all land the same way,
and no view ever calls another to refresh; another desk's writes arrive there too (``ui.base.live``),
except while the user is typing in the quick log, when the reload waits until they are done. Every
write carries the case's ``version`` as shown: if another desk changed the case since, nothing is
written and ``StaleCaseDialog`` says who changed what (重新应用 or 放弃).
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Action, Channel, Priority, Role, Severity, Status
from kesu_desktop.domain.errors import KesuError, StaleCase, ValidationError
from kesu_desktop.formatting import countdown_text
from kesu_desktop.i18n import _, join_clauses
from kesu_desktop.services import SlaState
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_open_files
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import from_qdatetime, label_of, local_time, phone_text, to_qdatetime
from kesu_desktop.ui.cases.action_dialogs import ActionDialog, Context, datetime_edit, edited_instant
from kesu_desktop.ui.cases.attachment_view import AttachmentStrip
from kesu_desktop.ui.cases.detail_widgets import InfoGrid, RowList, discard, muted, pill, section_title
from kesu_desktop.ui.cases.stale_dialog import StaleCaseDialog, ask_about_stale

STATUS_COLOURS = {
    "registered": "#546e7a",
    "verified": "#00897b",
    "invalid": "#757575",
    "assigned": "#1e88e5",
    "plan_proposed": "#f57f17",
    "in_progress": "#3949ab",
    "resolved": "#43a047",
    "confirmed": "#2e7d32",
    "surveyed": "#558b2f",
    "closed": "#424242",
    "escalated": "#c62828",
}
PRIORITY_COLOURS = {"p0": "#c62828", "p1": "#ef6c00", "p2": "#607d8b"}
SEVERITY_COLOURS = {"minor": "#78909c", "general": "#546e7a", "major": "#e65100", "serious": "#b71c1c"}
SLA_COLOURS = {SlaState.OK: "#2e7d32", SlaState.DUE_SOON: "#e65100", SlaState.OVERDUE: "#c62828"}
MUTED = "#7a8594"
_ALERT_KINDS = {"escalated", "severity_raised", "objection_recorded", "plan_rejected", "reply_returned"}
_DONE_KINDS = {"resolved", "confirmed", "surveyed", "closed", "plan_approved", "reply_approved"}
#: The deadline rows, keyed by the case fields they show (``DeadlineView.name`` + ``_by``).
DEADLINES = ("respond_by", "plan_by", "resolve_by", "update_by", "survey_by", "callback_by")

STYLE = f"""
QWidget#detailContent {{ background: palette(base); }}
QLabel#caseNo {{ font-size: 17pt; font-weight: 600; }}
QLabel#sectionTitle {{ font-weight: 600; font-size: 11pt; color: #1f3a5f; }}
QFrame#sectionHead {{ border-bottom: 1px solid #d5dbe3; }}
QLabel[role="key"] {{ color: {MUTED}; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="colhead"] {{ color: {MUTED}; font-weight: 600; }}
QFrame#row[alt="true"] {{ background: #f4f6f9; border-radius: 4px; }}
QFrame#actionBar {{ border-bottom: 1px solid #d5dbe3; }}
"""


@dataclass(frozen=True)
class Loaded:
    """What one trip to the worker brings back for the panel."""

    case: services.CaseView
    attachments: list[services.AttachmentView]
    categories: list[tuple[str, str]]
    departments: list[tuple[str, str]]
    default_department: str | None


def load_case(desk: services.Desk, actor: services.Actor, case_no: str) -> Loaded:
    """Runs on the worker: the case with its events, its attachments and the names its codes need."""
    case = services.get_case(desk, actor, case_no)
    return Loaded(
        case=case,
        attachments=services.list_attachments(desk, actor, case_no),
        categories=[(c.code, c.name) for c in services.categories(desk)],
        departments=[(d.code, d.name) for d in services.departments(desk)],
        default_department=services.suggest(desk, actor, category=case.category).department,
    )


class CaseDetailView(QWidget):
    """The central panel: header, customer, complaint, handling, attachments, communications, timeline."""

    #: The case number once it is shown (after every load, including reloads).
    sig_case_loaded = Signal(str)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        #: Every time in the panel is shown (and read from its editors) in the user's office zone.
        self.zone = actor.timezone
        self._case_no: str | None = None
        self.loaded: Loaded | None = None
        self._loading = False
        self._reload_again = False
        self.action_buttons: dict[Action, QPushButton] = {}
        self.active_dialog: ActionDialog | None = None
        #: Open while the user decides about a quick log refused because the case changed meanwhile.
        self.stale_dialog: StaleCaseDialog | None = None
        #: A change arrived while the user was typing in the quick log: reload once they are done.
        self._deferred = False
        self._log_args: dict[str, Any] = {}
        self._build()
        self.setStyleSheet(STYLE)
        self.retranslate_ui()
        tasks.app_signals().sig_cases_changed.connect(self.on_cases_changed)

    # ---------------------------------------------------------------- building

    def _build(self) -> None:
        self.stack = QStackedWidget()
        self.placeholder = muted()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack.addWidget(self.placeholder)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self._build_header())
        self.scroll = QScrollArea(widgetResizable=True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self._build_content())
        page_layout.addWidget(self.scroll, 1)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def _build_header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("actionBar")
        outer = QVBoxLayout(header)
        outer.setContentsMargins(16, 12, 16, 10)
        outer.setSpacing(6)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.case_no_label = QLabel()
        self.case_no_label.setObjectName("caseNo")
        self.case_no_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.case_no_label)
        self.pills = QHBoxLayout()
        self.pills.setSpacing(6)
        top.addLayout(self.pills)
        top.addStretch(1)
        outer.addLayout(top)
        self.meta_label = muted()
        self.meta_label.setWordWrap(True)
        outer.addWidget(self.meta_label)
        self.repeat_label = QLabel()
        self.repeat_label.setTextFormat(Qt.TextFormat.RichText)
        self.repeat_label.linkActivated.connect(self.on_link_activated)
        outer.addWidget(self.repeat_label)
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(6)
        self.actions_row.setContentsMargins(0, 4, 0, 0)
        self.no_actions = muted()
        self.actions_row.addWidget(self.no_actions)
        self.actions_row.addStretch(1)
        outer.addLayout(self.actions_row)
        return header

    def _build_content(self) -> QWidget:
        content = QWidget()
        content.setObjectName("detailContent")
        v = QVBoxLayout(content)
        v.setContentsMargins(16, 4, 16, 16)
        v.setSpacing(6)
        self.titles: dict[str, QLabel] = {}

        def add_section(key: str, *widgets: QWidget, trailing: QWidget | None = None) -> None:
            head = QFrame()
            head.setObjectName("sectionHead")
            row = QHBoxLayout(head)
            row.setContentsMargins(0, 12, 0, 4)
            self.titles[key] = section_title()
            row.addWidget(self.titles[key])
            row.addStretch(1)
            if trailing is not None:
                row.addWidget(trailing)
            v.addWidget(head)
            for w in widgets:
                v.addWidget(w)

        self.customer = InfoGrid(
            ["name", "phone", "email", "account_no", "member_level", "room_no", "employer"], wide=["address"]
        )
        self.complaint = InfoGrid(
            ["channel", "occurred_at", "location", "product", "registered", "registered_by"],
            wide=["description", "demand"],
        )
        self.handling = InfoGrid(["department", "assignee", "validity", "escalation", "survey", "updated"])
        self.deadlines = InfoGrid(list(DEADLINES))
        add_section("customer", self.customer)
        add_section("complaint", self.complaint)
        add_section("handling", self.handling)
        add_section("deadlines", self.deadlines)

        self.attachments = AttachmentStrip(self.desk, self.actor)
        self.add_attachment_button = QPushButton()
        self.add_attachment_button.clicked.connect(self.on_add_attachment)
        self.attachments_empty = muted()
        self.attachment_saved = muted()  # 已保存到 …: where the last 另存为 wrote a file
        self.attachment_saved.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.attachments.sig_saved.connect(
            lambda path: self.attachment_saved.setText(_("已保存到 {path}").format(path=path))
        )
        add_section(
            "attachments",
            self.attachments,
            self.attachments_empty,
            self.attachment_saved,
            trailing=self.add_attachment_button,
        )

        self.communications = RowList([118, 96, 72, None, 118])
        add_section("communications", self.communications, self._build_log_entry())

        self.timeline = RowList([118, 72, 110, None])
        add_section("timeline", self.timeline)
        v.addStretch(1)
        return content

    def _build_log_entry(self) -> QWidget:
        box = QWidget()
        outer = QVBoxLayout(box)
        outer.setContentsMargins(0, 6, 0, 0)
        outer.setSpacing(2)
        self.log_channel = QComboBox()
        for channel in Channel:
            self.log_channel.addItem(channel.label, channel.value)
        self.log_summary = QLineEdit()
        self.log_summary.returnPressed.connect(self.on_log)
        self.log_summary.editingFinished.connect(self.reload_deferred)
        self.log_promise = QCheckBox()
        self.log_promise_at = datetime_edit(self.desk.clock.now() + timedelta(hours=2), self.zone)
        self.log_promise_at.setEnabled(False)
        self.log_promise.toggled.connect(self.on_promise_toggled)
        self.log_button = QPushButton()
        self.log_button.clicked.connect(self.on_log)
        # Two rows, so the summary keeps a usable width even in a narrow dock.
        first, second = QHBoxLayout(), QHBoxLayout()
        first.setSpacing(6)
        second.setSpacing(6)
        first.addWidget(self.log_channel)
        first.addWidget(self.log_summary, 1)
        second.addWidget(self.log_promise)
        second.addWidget(self.log_promise_at)
        second.addStretch(1)
        second.addWidget(self.log_button)
        outer.addLayout(first)
        outer.addLayout(second)
        self.log_error = error_label()
        outer.addWidget(self.log_error)
        # Ctrl+L from anywhere in the panel: jump to the entry, or record what is typed there.
        QShortcut(
            QKeySequence("Ctrl+L"),
            self,
            activated=self.on_log_shortcut,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.log_entry = box
        return box

    def retranslate_ui(self) -> None:
        titles = {
            "customer": _("客户信息"),
            "complaint": _("投诉内容"),
            "handling": _("处理信息"),
            "deadlines": _("时限"),
            "attachments": _("附件"),
            "communications": _("沟通记录"),
            "timeline": _("处理时间线"),
        }
        for key, text in titles.items():
            self.titles[key].setText(text)
        for grid, names in (
            (
                self.customer,
                {
                    "name": _("客户"),
                    "phone": _("电话"),
                    "email": _("邮箱"),
                    "account_no": _("账号/会员号"),
                    "member_level": _("会员等级"),
                    "room_no": _("房号"),
                    "employer": _("工作单位"),
                    "address": _("地址"),
                },
            ),
            (
                self.complaint,
                {
                    "channel": _("渠道"),
                    "occurred_at": _("发生时间"),
                    "location": _("发生地点"),
                    "product": _("产品/服务"),
                    "registered": _("登记时间"),
                    "registered_by": _("登记人"),
                    "description": _("投诉描述"),
                    "demand": _("客户诉求"),
                },
            ),
            (
                self.handling,
                {
                    "department": _("责任部门"),
                    "assignee": _("处理人"),
                    "validity": _("核实结论"),
                    "escalation": _("升级"),
                    "survey": _("满意度"),
                    "updated": _("最后更新"),
                },
            ),
            (
                self.deadlines,
                {
                    "respond_by": _("响应期限"),
                    "plan_by": _("方案期限"),
                    "resolve_by": _("解决期限"),
                    "update_by": _("下次告知客户"),
                    "survey_by": _("回访期限"),
                    "callback_by": _("承诺回电"),
                },
            ),
        ):
            for key, text in names.items():
                grid.set_key(key, text)
        self.communications.set_headers([_("时间"), _("方式"), _("记录人"), _("内容"), _("承诺回复")])
        self.timeline.set_headers([_("时间"), _("操作人"), _("事项"), _("说明")])
        self.communications.empty.setText(_("暂无沟通记录"))
        self.timeline.empty.setText(_("暂无记录"))
        self.attachments_empty.setText(_("暂无附件"))
        self.add_attachment_button.setText(_("添加附件…"))
        self.log_summary.setPlaceholderText(_("沟通要点：说了什么、答应了什么（回车记录）"))
        self.log_promise.setText(_("承诺回复时间"))
        self.log_button.setText(_("记录"))
        self.log_button.setToolTip(_("记录本次沟通（Ctrl+L）"))
        self.no_actions.setText(_("当前状态下您没有可执行的操作"))
        if self.loaded is None:
            self.placeholder.setText(_("在案件列表中选择一个案件查看详情"))
        else:
            self._render(self.loaded)
            self.on_cases_changed([])  # the timeline is worded by the services: ask again in this language

    # ---------------------------------------------------------------- loading

    @property
    def case(self) -> services.CaseView | None:
        return self.loaded.case if self.loaded else None

    def show_case(self, case_no: str) -> None:
        """Load and show a case; the panel keeps the old one visible until the new one arrives."""
        self._case_no = case_no.strip()
        self._reload_again = False
        self._load()

    def _load(self) -> None:
        if self._case_no is None:
            return
        if self.loaded is None:
            self.placeholder.setText(_("正在加载…"))
        self._loading = True
        desk, actor, case_no = self.desk, self.actor, self._case_no
        tasks.run(
            lambda: load_case(desk, actor, case_no),
            on_result=self.on_loaded,
            on_error=self.on_load_failed,
            context=self,
        )

    @Slot(list)
    def on_cases_changed(self, ids: list) -> None:
        if self._case_no is None:
            return
        if ids and (self.case is None or self.case.id not in ids):
            return
        if self.typing():
            self._deferred = True  # never pull the entry from under the user (e.g. the case was closed)
            return
        self.reload()

    def reload(self) -> None:
        """Load the case shown again; while a load is on its way, once more after it."""
        if self._case_no is None:
            return
        if self._loading:
            self._reload_again = True  # one more load after the current one, however many changes came
        else:
            self._load()

    def typing(self) -> bool:
        """The user is writing in the quick log (it has the focus and some text)."""
        return self.log_summary.hasFocus() and bool(self.log_summary.text().strip())

    @Slot()
    def reload_deferred(self) -> None:
        """The reload a change asked for while the user was typing, now that they are done."""
        if self._deferred and not self.typing():
            self._deferred = False
            self.reload()

    def on_loaded(self, loaded: Loaded) -> None:
        self._loading = False
        if loaded.case.case_no != self._case_no:
            return  # an answer for a case the user has already left
        same_case = self.case is not None and self.case.id == loaded.case.id
        scroll = self.scroll.verticalScrollBar().value() if same_case else 0
        self.loaded = loaded
        self._render(loaded)
        self.stack.setCurrentIndex(1)
        QTimer.singleShot(0, lambda: self.scroll.verticalScrollBar().setValue(scroll))
        self.sig_case_loaded.emit(loaded.case.case_no)
        if self._reload_again:
            self._reload_again = False
            self._load()

    def on_load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.loaded = None
        if isinstance(exc, KesuError):
            self.placeholder.setText(str(exc))
        else:
            self.placeholder.setText(_("案件加载失败"))
            tasks.unexpected(exc)
        self.stack.setCurrentIndex(0)

    # ---------------------------------------------------------------- rendering

    def _render(self, loaded: Loaded) -> None:
        case = loaded.case
        categories, departments = dict(loaded.categories), dict(loaded.departments)
        self._render_header(case, categories.get(case.category, case.category))
        c = self.customer
        c.set_value("name", case.customer_name)
        phone = phone_text(case.phone)
        c.set_value(
            "phone",
            _("{phone} 转 {ext}").format(phone=phone, ext=case.phone_ext) if case.phone_ext else phone,
        )
        for key in ("email", "address", "account_no", "member_level", "room_no", "employer"):
            c.set_value(key, getattr(case, key))
        p = self.complaint
        p.set_value("channel", label_of(Channel, case.channel))
        p.set_value("occurred_at", local_time(case.occurred_at, self.zone) if case.occurred_at else None)
        for key in ("location", "product", "description", "demand", "registered_by"):
            p.set_value(key, getattr(case, key))
        p.set_value("registered", local_time(case.created_at, self.zone))
        h = self.handling
        h.set_value("department", departments.get(case.department or "", case.department))
        h.set_value("assignee", case.assignee)
        validity = {"valid": _("有效投诉"), "invalid": _("无效投诉")}.get(case.validity or "", _("待核实"))
        h.set_value("validity", validity)
        h.set_value(
            "escalation",
            _("第 {n} 级").format(n=case.escalation_level) if case.escalation_level else _("未升级"),
        )
        scores = (case.survey_efficiency, case.survey_attitude, case.survey_solution)
        h.set_value(
            "survey",
            _("时效 {e} · 态度 {a} · 方案 {s}").format(e=scores[0], a=scores[1], s=scores[2])
            if any(s is not None for s in scores)
            else None,
        )
        h.set_value("updated", local_time(case.updated_at, self.zone))
        self._render_deadlines(case)
        self._render_actions(case)
        self.attachments.set_attachments(loaded.attachments)
        self.attachments.setVisible(bool(loaded.attachments))
        self.attachments_empty.setVisible(not loaded.attachments)
        self.add_attachment_button.setVisible(self.actor.role is not Role.ADMIN)
        self._render_events(case)

    def _render_header(self, case: services.CaseView, category: str) -> None:
        self.case_no_label.setText(case.case_no)
        while self.pills.count():
            item = self.pills.takeAt(0)
            if item.widget():
                discard(item.widget())
        severity = _("{s}投诉").format(s=label_of(Severity, case.severity))
        pills = [
            pill(label_of(Status, case.status), STATUS_COLOURS.get(case.status, MUTED)),
            pill(label_of(Priority, case.priority), PRIORITY_COLOURS.get(case.priority, MUTED)),
            pill(severity, SEVERITY_COLOURS.get(case.severity, MUTED), outline=True),
        ]
        if case.urgent:
            pills.append(pill(_("紧急"), "#c62828", outline=True))
        if case.is_repeat:
            pills.append(pill(_("重复投诉"), "#6a1b9a", outline=True))
        if case.on_hold:
            pills.append(pill(_("已挂起"), "#5d4037", outline=True))
        for widget in pills:
            self.pills.addWidget(widget)
            widget.show()
        self.meta_label.setText(
            "  ·  ".join(
                [
                    category,
                    label_of(Channel, case.channel),
                    _("{when} 由 {who} 登记").format(
                        when=local_time(case.created_at, self.zone), who=case.registered_by
                    ),
                    _("网点 {office}").format(office=case.office_code),
                ]
            )
        )
        links = ", ".join(f'<a href="case:{html.escape(n)}">{html.escape(n)}</a>' for n in case.repeat_of)
        self.repeat_label.setText(_("关联的前次投诉：{links}").format(links=links) if links else "")
        self.repeat_label.setVisible(bool(links))

    def _render_deadlines(self, case: services.CaseView) -> None:
        """Each deadline as the services judged it: a running one with its badge at the desk's time now,
        the others muted (with 已完成 when met)."""
        now = self.desk.clock.now()
        state_text = {SlaState.OK: _("正常"), SlaState.DUE_SOON: _("即将到期"), SlaState.OVERDUE: _("已超时")}
        shown = {f"{d.name}_by": d for d in case.deadlines}
        for key in DEADLINES:
            deadline = shown.get(key)
            if deadline is None:
                self.deadlines.set_value(key, None)
                continue
            when = html.escape(local_time(deadline.due_at, self.zone))
            state = deadline.state_at(now)
            if state is not None:
                colour = SLA_COLOURS[state]
                left = html.escape(countdown_text(deadline.due_at, now))
                badge = f'<span style="color:{colour}; font-weight:600;">● {state_text[state]}</span>'
                text = f"{when}&nbsp;&nbsp;{badge}&nbsp;&nbsp;{left}"
            else:
                done = html.escape(_("已完成"))  # outside the f-string, where pybabel can see it
                note = f"&nbsp;&nbsp;{done}" if deadline.met else ""
                text = f'<span style="color:{MUTED};">{when}{note}</span>'
            self.deadlines.set_value(key, text, rich=True)

    def _render_actions(self, case: services.CaseView) -> None:
        for button in self.action_buttons.values():
            self.actions_row.removeWidget(button)
            discard(button)
        self.action_buttons = {}
        actions = case.allowed_actions
        for i, action in enumerate(a for a in actions if a is not Action.LOG):
            # 满意度回访 is taken at the counter with the customer there: Alt+S opens it.
            button = QPushButton(
                _("{label}(&S)").format(label=action.label) if action is Action.SURVEY else action.label
            )
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, a=action: self.open_action(a))
            self.actions_row.insertWidget(i, button)
            button.show()
            self.action_buttons[action] = button
        self.no_actions.setVisible(not self.action_buttons)
        self.log_entry.setVisible(Action.LOG in actions)
        # New buttons would otherwise join the end of the focus chain; Tab goes actions → quick log.
        chain = [*self.action_buttons.values(), self.log_channel, self.log_summary, self.log_promise]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _render_events(self, case: services.CaseView) -> None:
        """The timeline as the services worded it, and the communication log drawn from its lines."""
        rows, colours, comms = [], [], []
        for line in case.timeline:
            rows.append((local_time(line.at, self.zone), line.actor, line.label, line.summary_with_note))
            colours.append(
                "#c62828"
                if line.kind in _ALERT_KINDS
                else "#2e7d32"
                if line.kind in _DONE_KINDS
                else "#00796b"
                if line.kind == "communication_logged"
                else "#1f4e8c"
            )
            if line.kind == "communication_logged":
                comms.append(
                    (
                        local_time(line.at, self.zone),
                        label_of(Channel, line.details.get("channel") or ""),
                        line.actor,
                        line.details.get("summary") or "",
                        line.details.get("promised_at") or "—",
                    )
                )
        self.timeline.set_rows(rows, colours)
        self.communications.set_rows(comms)

    # ---------------------------------------------------------------- acting

    def open_action(self, action: Action) -> ActionDialog | None:
        """Open the dialog for ``action``; it calls the service itself and the panel reloads on success."""
        if self.loaded is None:
            return None
        context = Context(
            case=self.loaded.case,
            categories=self.loaded.categories,
            departments=self.loaded.departments,
            default_department=self.loaded.default_department,
            now=self.desk.clock.now(),
            zone=self.zone,
        )
        dialog = ActionDialog(self.desk, self.actor, action, context, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self.on_dialog_finished)
        self.active_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def on_dialog_finished(self) -> None:
        self.active_dialog = None

    @Slot()
    def on_log_shortcut(self) -> None:
        if not self.log_entry.isVisible():
            return
        if self.log_summary.text().strip():
            self.on_log()
        else:
            self.scroll.ensureWidgetVisible(self.log_entry)
            self.log_summary.setFocus()

    @Slot(bool)
    def on_promise_toggled(self, checked: bool) -> None:
        """A promise time proposed when the panel was built may have passed since: offer two hours ahead."""
        self.log_promise_at.setEnabled(checked)
        now = self.desk.clock.now()
        if checked and from_qdatetime(self.log_promise_at.dateTime(), self.zone) <= now:
            self.log_promise_at.setDateTime(to_qdatetime(now + timedelta(hours=2), self.zone))

    @Slot()
    def on_log(self) -> None:
        if self.case is None or not self.log_button.isEnabled():
            return
        args: dict[str, Any] = {
            "channel": self.log_channel.currentData(),
            "summary": self.log_summary.text().strip(),
        }
        if self.log_promise.isChecked():
            args["promised_at"] = edited_instant(self.log_promise_at, self.zone)
        show_error(self.log_error, "")
        self._log(args, self.case.version)

    def _log(self, args: dict[str, Any], version: str) -> None:
        """Record the contact, refused (StaleCase) if the case is no longer at ``version``."""
        assert self.case is not None
        self._log_args = args  # what 重新应用 takes again if the case changed meanwhile
        self.log_button.setEnabled(False)
        desk, actor, case_no = self.desk, self.actor, self.case.case_no
        tasks.run(
            lambda: services.act(desk, actor, case_no, Action.LOG, args, expected_version=version or None),
            on_result=self.on_logged,
            on_error=self.on_log_failed,
            context=self,
            cases_changed=lambda view: [view.id],
        )

    def on_logged(self, _view: services.CaseView) -> None:
        self.log_button.setEnabled(True)
        self.log_summary.clear()
        self.log_promise.setChecked(False)
        self.reload_deferred()

    def on_log_failed(self, exc: BaseException) -> None:
        self.log_button.setEnabled(True)
        if isinstance(exc, StaleCase):
            self._ask_stale(exc)
        elif isinstance(exc, ValidationError):
            names = {"summary": _("沟通要点"), "channel": _("方式"), "promised_at": _("承诺回复时间")}
            show_error(
                self.log_error,
                join_clauses(
                    _("{field}：{message}").format(field=names.get(k, k), message=v)
                    for k, v in exc.errors.items()
                ),
            )
            self.log_summary.setFocus()
        elif isinstance(exc, KesuError):
            show_error(self.log_error, str(exc))
        else:
            show_error(self.log_error, _("记录未保存：发生了意外错误"))
            tasks.unexpected(exc)

    def _ask_stale(self, stale: StaleCase) -> None:
        """Another desk changed the case before this contact was recorded: show what, then record it
        against the case as it now is (重新应用) or not at all (放弃, the typed text stays in the box)."""
        args = dict(self._log_args)
        ask_about_stale(self, stale, Action.LOG.label, lambda version: self._log(args, version), self.reload)

    @Slot()
    def on_add_attachment(self) -> None:
        if self.case is None:
            return
        paths = choose_open_files(self, _("添加附件"), "evidence")
        desk, actor, case_no, case_id = self.desk, self.actor, self.case.case_no, self.case.id
        for path in paths:
            tasks.run(
                lambda p=Path(path): services.add_attachment(desk, actor, case_no, p.name, p.read_bytes()),
                on_error=self.on_attachment_failed,
                context=self,
                cases_changed=lambda _view, cid=case_id: [cid],
            )

    def on_attachment_failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            QMessageBox.warning(self, _("添加附件"), "\n".join(exc.errors.values()))
        elif isinstance(exc, KesuError | OSError):
            QMessageBox.warning(self, _("添加附件"), str(exc))
        else:
            tasks.unexpected(exc)

    @Slot(str)
    def on_link_activated(self, link: str) -> None:
        if link.startswith("case:"):
            self.show_case(link.removeprefix("case:"))

    def add_header_tool(self, widget: QWidget) -> None:
        """A tool the main window owns (the 打印 menu button) at the end of the action bar."""
        self.actions_row.addWidget(widget)

    # ---------------------------------------------------------------- for tests and screenshots

    def visible_text(self) -> str:
        """Every text a user can currently read in the panel, one per line."""
        parts = [
            label.text() for label in self.findChildren(QLabel) if label.isVisibleTo(self) and label.text()
        ]
        parts += [b.text() for b in self.findChildren(QPushButton) if b.isVisibleTo(self)]
        parts += [self.attachments.item(i).text() for i in range(self.attachments.count())]
        return "\n".join(parts)
