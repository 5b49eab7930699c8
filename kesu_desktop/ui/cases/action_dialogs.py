"""One small dialog per workflow action, asking for exactly what ``services.act`` needs for it.

Why one table-driven dialog rather than fourteen classes: the actions differ only in their fields, and
the behaviour that matters (call the service in the background, keep the dialog open with each
``ValidationError`` message under its field, say plainly when the action is no longer allowed) must be
identical for all of them. The service stays the single judge of validity: the dialog checks nothing the
service would check too, so the GUI and the CLI can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, Signal, Slot
from PySide6.QtGui import QDoubleValidator, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Action, Priority, Severity, Status
from kesu_desktop.domain.errors import KesuError, NotAllowed, StaleCase, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import from_qdatetime, to_qdatetime
from kesu_desktop.ui.cases.stale_dialog import StaleCaseDialog, ask_about_stale

Choices = Sequence[tuple[str, str]]  # (code, display name)


def datetime_edit(initial: datetime, zone: str, minimum: datetime | None = None) -> QDateTimeEdit:
    """An editor showing ``zone``'s wall-clock time (the user's office), whatever the PC's zone is."""
    edit = QDateTimeEdit(to_qdatetime(initial, zone), calendarPopup=True)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    if minimum is not None:
        edit.setMinimumDateTime(to_qdatetime(minimum, zone))
    return edit


def edited_instant(edit: QDateTimeEdit, zone: str) -> str:
    """The editor's time, read in ``zone``, in the ISO form the services take."""
    return from_qdatetime(edit.dateTime(), zone).isoformat()


@dataclass
class Field:
    """One input of a dialog: its widget, how to read it, and where its error goes."""

    name: str
    label: str
    widget: QWidget
    read: Callable[[], Any]
    focus: QWidget
    required: bool = False


def _long_text(name: str, label: str, *, required: bool = False, placeholder: str = "") -> Field:
    edit = QPlainTextEdit(tabChangesFocus=True, placeholderText=placeholder)
    edit.setFixedHeight(72)
    return Field(name, label, edit, lambda: edit.toPlainText().strip() or None, edit, required)


def _line(name: str, label: str, *, required: bool = False, placeholder: str = "") -> Field:
    edit = QLineEdit(placeholderText=placeholder)
    return Field(name, label, edit, lambda: edit.text().strip() or None, edit, required)


def _check(name: str, label: str, text: str, checked: bool = False) -> Field:
    box = QCheckBox(text, checked=checked)
    return Field(name, label, box, box.isChecked, box)


def _combo(name: str, label: str, choices: Choices, current: str | None) -> Field:
    combo = QComboBox()
    for code, text in choices:
        combo.addItem(text, code)
    if current is not None and (index := combo.findData(current)) >= 0:
        combo.setCurrentIndex(index)
    return Field(name, label, combo, combo.currentData, combo)


def _radios(name: str, label: str, options: Sequence[tuple[Any, str]], *, checked: Any = None) -> Field:
    """A row of radio buttons; nothing checked reads as None (so the service says it is required)."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    group = QButtonGroup(box)
    values: dict[int, Any] = {}
    for i, (value, text) in enumerate(options):
        button = QRadioButton(text)
        group.addButton(button, i)
        values[i] = value
        row.addWidget(button)
        button.setChecked(value == checked)
    row.addStretch(1)
    box.group = group  # type: ignore[attr-defined]  # keep the group reachable (tests pick a button)
    return Field(name, label, box, lambda: values.get(group.checkedId()), group.buttons()[0], True)


def _when(
    name: str, label: str, initial: datetime, now: datetime, zone: str, *, required: bool = False
) -> Field:
    edit = datetime_edit(initial, zone, minimum=now)
    return Field(name, label, edit, lambda: edited_instant(edit, zone), edit, required)


def _money(name: str, label: str) -> Field:
    edit = QLineEdit(placeholderText=_("元，可不填"))
    validator = QDoubleValidator(0, 1e9, 2, edit)
    validator.setLocale(QLocale.c())
    edit.setValidator(validator)

    def read() -> float | None:
        text = edit.text().strip()
        return float(text) if text else None

    return Field(name, label, edit, read, edit)


def _next_field(start: QWidget, skip: list[QAbstractButton]) -> QWidget:
    """The next widget Tab would reach that is not one of ``skip`` (the row's own radio buttons)."""
    widget = start.nextInFocusChain()
    for _step in range(200):  # the chain is a ring: stop even if nothing else takes the focus
        accepts = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        if widget is start:
            break
        if accepts and widget.isEnabled() and widget.isVisible() and widget not in skip:
            return widget
        widget = widget.nextInFocusChain()
    return start


class ScoreKeys(QObject):
    """A digit 1–5 typed on a score row picks that score and moves on, so at the counter the three
    scores are three key presses (5, 4, 5) after opening 满意度回访 with Alt+S."""

    def __init__(self, group: QButtonGroup, parent: QObject) -> None:
        super().__init__(parent)
        self._group = group

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            text = cast(QKeyEvent, event).text()
            if text in {"1", "2", "3", "4", "5"}:
                button = self._group.button(int(text) - 1)
                button.setChecked(True)
                _next_field(button, self._group.buttons()).setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return super().eventFilter(watched, event)


def _score(name: str, label: str) -> Field:
    field = _radios(name, label, [(n, str(n)) for n in range(1, 6)])
    group: QButtonGroup = field.widget.group  # type: ignore[attr-defined]
    keys = ScoreKeys(group, field.widget)
    for button in group.buttons():
        button.installEventFilter(keys)
    field.widget.setToolTip(_("按数字键 1–5 打分"))
    return field


@dataclass(frozen=True)
class Context:
    """What a dialog needs to know besides the action: the case, reference data, the desk's time and
    the zone times are shown and read in (the user's office's)."""

    case: services.CaseView
    categories: Choices
    departments: Choices
    default_department: str | None
    now: datetime
    zone: str


def fields_for(action: Action, ctx: Context) -> list[Field]:
    """The inputs of each action, as docs/cli.md's action table lists its arguments."""
    case = ctx.case
    match action:
        case Action.VERIFY:
            return [
                _radios(
                    "valid", _("核实结论"), [(True, _("有效投诉")), (False, _("无效投诉"))], checked=True
                ),
                _check("urgent", _("紧急"), _("涉及人身安全或重大财产损失"), checked=case.urgent),
                _long_text("reason", _("理由"), placeholder=_("判定为无效投诉时必填")),
            ]
        case Action.CLASSIFY:
            return [
                _combo("category", _("类别"), ctx.categories, case.category),
                _combo("severity", _("严重程度"), [(s.value, s.label) for s in Severity], case.severity),
                _combo("priority", _("优先级"), [(p.value, p.label) for p in Priority], case.priority),
            ]
        case Action.ASSIGN:
            return [
                _combo(
                    "department", _("责任部门"), ctx.departments, case.department or ctx.default_department
                ),
                _line("assignee", _("处理人"), placeholder=_("用户名，可不填")),
                _long_text("reason", _("说明")),
            ]
        case Action.PLAN:
            return [
                _long_text("cause", _("原因分析")),
                _long_text("measures", _("处理措施"), required=True),
                _when("due", _("完成期限"), ctx.now + timedelta(days=1), ctx.now, ctx.zone, required=True),
                _money("cost", _("预计费用")),
                _check("cross_department", _("跨部门"), _("需要其他部门配合")),
                _line("resources", _("所需资源")),
            ]
        case Action.APPROVE_PLAN:
            return [_long_text("comment", _("审批意见"))]
        case Action.ESCALATE:
            return [
                _long_text("reason", _("理由"), required=True),
                _long_text(
                    "assessment", _("员工考核"), placeholder=_("如涉及员工过错，填写考核结果（印入升级报告）")
                ),
            ]
        case Action.REJECT_PLAN | Action.OBJECT | Action.REOPEN:
            return [_long_text("reason", _("理由"), required=True)]
        case Action.RESOLVE:
            return [
                _long_text("result", _("处理结果"), required=True),
                _line("compensation", _("补偿"), placeholder=_("如：优惠券 50 元、积分 500")),
            ]
        case Action.CONFIRM:
            return [_long_text("opinion", _("客户意见"))]
        case Action.SURVEY:
            return [
                _score("efficiency", _("处理时效")),
                _score("attitude", _("服务态度")),
                _score("solution", _("解决方案")),
                _long_text("comment", _("客户评价")),
            ]
        case Action.CLOSE:
            return [_long_text("note", _("归档说明"))]
        case Action.HOLD:
            return [_long_text("reason", _("挂起原因"), required=True, placeholder=_("如：等待客户补充材料"))]
        case Action.RESUME:
            return [_long_text("note", _("说明"))]
        case Action.LOG:
            return []
    return []


def outcome_hint(action: Action, case: services.CaseView) -> str:
    """What pressing OK will do to the case, so nobody is surprised by a state change."""
    if action is Action.VERIFY:
        return _("提交后状态将变为“{a}”或“{b}”").format(a=Status.VERIFIED.label, b=Status.INVALID.label)
    if action is Action.HOLD:
        return _("挂起期间解决时限暂停计时，仍须按时告知客户进展")
    if action is Action.RESUME:
        return _("恢复后解决时限从挂起时剩余的工作时间继续计算")
    status = Status(case.status)
    target = services.action_outcome(case, action)
    if target is status:
        return _("提交后案件状态不变（{s}）").format(s=status.label)
    return _("提交后状态将由“{a}”变为“{b}”").format(a=status.label, b=target.label)


class ActionDialog(QDialog):
    """Ask for one action's arguments and take it with ``services.act``; stays open on any error."""

    #: The case as it is after the action.
    sig_acted = Signal(object)

    def __init__(
        self,
        desk: services.Desk,
        actor: services.Actor,
        action: Action,
        context: Context,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk, self.actor, self.action, self.context = desk, actor, action, context
        self.fields = {f.name: f for f in fields_for(action, context)}
        self.errors = {name: error_label() for name in self.fields}
        self.general_error = error_label()
        #: Open while the user decides what to do about a case another desk changed meanwhile.
        self.stale_dialog: StaleCaseDialog | None = None
        self.hint = QLabel(wordWrap=True)
        self.hint.setStyleSheet("color: #5f6b7a;")
        self._labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(8)
        for name, f in self.fields.items():
            cell = QVBoxLayout()
            cell.setSpacing(2)
            cell.addWidget(f.widget)
            cell.addWidget(self.errors[name])
            self._labels[name] = QLabel()
            self._labels[name].setBuddy(f.focus)
            form.addRow(self._labels[name], cell)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(ok_cancel)
        self.buttons.accepted.connect(self.on_submit)
        self.buttons.rejected.connect(self.reject)
        # In a multi-line field Enter is a new line; Ctrl+Enter submits from anywhere.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.on_submit)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self.retranslate_ui()
        if self.fields:
            next(iter(self.fields.values())).focus.setFocus()

    @property
    def ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate_ui(self) -> None:
        case = self.context.case
        self.setWindowTitle(_("{action} — {case_no}").format(action=self.action.label, case_no=case.case_no))
        self.hint.setText(outcome_hint(self.action, case))
        for name, f in self.fields.items():
            self._labels[name].setText(f.label + (" *" if f.required else ""))
        self.ok_button.setText(self.action.label)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))

    def values(self) -> dict[str, Any]:
        """The arguments for ``services.act``: unset fields are left out, as the CLI would."""
        values = {name: f.read() for name, f in self.fields.items()}
        values = {k: v for k, v in values.items() if v is not None}
        if self.action is Action.CLASSIFY:  # send only what changes, so the timeline says what changed
            case = self.context.case
            current = {"category": case.category, "severity": case.severity, "priority": case.priority}
            values = {k: v for k, v in values.items() if v != current[k]}
        return values

    def error_text(self, name: str) -> str:
        """The message shown under field ``name`` (or the general one for ``""``), "" when none."""
        label = self.errors.get(name, self.general_error) if name else self.general_error
        return label.text() if label.isVisibleTo(self) else ""

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            show_error(label, "")

    @Slot()
    def on_submit(self) -> None:
        if not self.ok_button.isEnabled():
            return  # already submitted; the answer is on its way
        self._clear_errors()
        args = self.values()
        if self.action is Action.CLASSIFY and not args:
            show_error(self.errors["category"], _("请至少修改类别、严重程度或优先级中的一项"))
            return
        self._submit(args, self.context.case.version)

    def _submit(self, args: dict[str, Any], version: str) -> None:
        """Take the action, refused (StaleCase) if the case is no longer at ``version``."""
        desk, actor, case_no, action = self.desk, self.actor, self.context.case.case_no, self.action
        self.buttons.setEnabled(False)
        tasks.run(
            lambda: services.act(desk, actor, case_no, action, args, expected_version=version or None),
            on_result=self.on_acted,
            on_error=self.on_failed,
            context=self,
            cases_changed=lambda view: [view.id],
        )

    def on_acted(self, view: services.CaseView) -> None:
        self.sig_acted.emit(view)
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            first: str | None = None
            for key, message in exc.errors.items():
                if key in self.errors:
                    show_error(self.errors[key], message)
                    first = first or key
                else:
                    show_error(self.general_error, message)
            if first:
                self.fields[first].focus.setFocus()
        elif isinstance(exc, StaleCase):
            self._ask_stale(exc)
        elif isinstance(exc, NotAllowed):
            show_error(self.general_error, _("不能执行此操作：{reason}").format(reason=exc))
        elif isinstance(exc, KesuError):
            show_error(self.general_error, str(exc))
        else:
            show_error(self.general_error, _("操作未完成：发生了意外错误"))
            tasks.unexpected(exc)

    def _ask_stale(self, stale: StaleCase) -> None:
        """Another desk changed the case: show what, then re-apply against the new version or abandon."""
        args = self.values()
        ask_about_stale(
            self, stale, self.action.label, lambda version: self._submit(args, version), self._abandon
        )

    @Slot()
    def _abandon(self) -> None:
        """Nothing is written; the case panel shows the case as it now is."""
        tasks.app_signals().sig_cases_changed.emit([self.context.case.id])
        self.reject()
