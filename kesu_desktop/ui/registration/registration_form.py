"""登记: the counter's registration form, laid out like the paper 客户投诉登记表.

Why it is built this way:
- The rules live in the services. Errors come back as ``ValidationError.errors`` keyed by the same
  names the form sends, and each is shown under its own field; the form never re-checks a phone number.
- Every call goes through ``ui.tasks`` so the counter never freezes; the customer's history and the
  rules' suggestion are looked up while typing (``phone_history``), so a repeat complaint is seen
  before it is saved, not after.
- A half-typed complaint is autosaved to a local draft (``drafts``) and offered back on the next start,
  in an inline bar rather than a dialog, so nothing blocks the counter.
- Evidence files are uploaded after the case exists, in the same chain; if one fails the case is
  already saved and the message says so, because staff must not register the complaint twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QEvent,
    QObject,
    Qt,
    QTime,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeyEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Channel, Priority, Severity
from kesu_desktop.domain.errors import KesuError, ValidationError
from kesu_desktop.i18n import _, join_clauses
from kesu_desktop.services import CaseView
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_open_files
from kesu_desktop.ui.base.form_errors import error_label, show_error
from kesu_desktop.ui.base.formatting import from_qdatetime, local_time, to_qdatetime
from kesu_desktop.ui.registration.drafts import Draft, DraftStore
from kesu_desktop.ui.registration.phone_history import (
    CustomerHistoryPanel,
    CustomerLookup,
    LookupAnswer,
    LookupQuery,
    SuggestionPanel,
)

DRAFT_DELAY_MS = 1000
LINE_FIELDS = (
    "customer_name",
    "phone",
    "email",
    "account_no",
    "member_level",
    "room_no",
    "employer",
    "address",
    "location",
    "product",
)
TEXT_FIELDS = ("description", "demand")
#: The paper form's two sections, row by row; a one-name row spans the full width. Tab follows this.
COMPLAINANT_ROWS = (
    ("customer_name", "phone"),
    ("email", "account_no"),
    ("member_level", "room_no"),
    ("employer",),
    ("address",),
)
COMPLAINT_ROWS = (
    ("channel", "occurred_at"),
    ("location", "product"),
    ("description",),
    ("demand",),
    ("category", "severity"),
    ("priority", "urgent"),
)
FIELD_ORDER = tuple(name for row in (*COMPLAINANT_ROWS, *COMPLAINT_ROWS) for name in row)
DEFAULT_CHANNEL = Channel.COUNTER
NO_TIME = QDateTime(QDate(2000, 1, 1), QTime(0, 0))
BANNER_OK = "background: #e8f5e9; border: 1px solid #81c784; border-radius: 3px;"
BANNER_WARN = "background: #fff3e0; border: 1px solid #ffb74d; border-radius: 3px;"
OFFER_STYLE = "background: #e3f2fd; border: 1px solid #90caf9; border-radius: 3px;"
Failures = list[tuple[str, str]]
#: Pixels past the two-column width before the form goes back to two columns (no flicker at the edge).
COLUMN_HYSTERESIS = 24


def field_titles() -> dict[str, str]:
    return {
        "customer_name": _("客户姓名"),
        "phone": _("联系电话"),
        "email": _("电子邮箱"),
        "address": _("地址"),
        "account_no": _("账号/会员号"),
        "member_level": _("会员等级"),
        "room_no": _("房号"),
        "employer": _("工作单位"),
        "channel": _("投诉渠道"),
        "occurred_at": _("发生时间"),
        "location": _("发生地点"),
        "product": _("涉及产品/服务"),
        "description": _("投诉内容"),
        "demand": _("客户诉求"),
        "category": _("投诉类别"),
        "severity": _("严重程度"),
        "priority": _("优先级"),
        "urgent": _("紧急"),
    }


def upload_files(desk: services.Desk, actor: services.Actor, case_no: str, files: list[str]) -> Failures:
    """Runs on the worker: attach every file it can; return (file name, reason) for those it could not."""
    failures: Failures = []
    for file in files:
        name = Path(file).name
        try:
            services.add_attachment(desk, actor, case_no, name, Path(file).read_bytes())
        except OSError as exc:
            failures.append((name, _("无法读取文件：{reason}").format(reason=exc.strerror or exc)))
        except ValidationError as exc:
            failures.append((name, join_clauses(exc.errors.values())))
        except KesuError as exc:
            failures.append((name, str(exc)))
    return failures


class CtrlReturnFilter(QObject):
    """Catches Ctrl+Return/Ctrl+Enter in a line edit (which would swallow it) and saves instead."""

    def __init__(self, save: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._save = save

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key_event = cast(QKeyEvent, event)
            if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                key_event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self._save()
                return True
        return super().eventFilter(watched, event)


class RegistrationForm(QWidget):
    """The complaint registration form; emits ``sig_registered(case_no)`` once case and files are stored."""

    sig_registered = Signal(str)
    #: The user asked for the acceptance receipt of the case just registered.
    sig_print_receipt = Signal(str)
    #: The customer is to sign the receipt of the case just registered (the CaseView).
    sig_sign_receipt = Signal(object)

    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk, self.actor = desk, actor
        self._drafts = DraftStore(actor.username)
        self._offered: Draft | None = None
        self._loading = False  # set while the form is filled by code: no autosave, no error clearing
        self._saving = False
        self._focus_before: QWidget | None = None
        self._pending_category = ""
        self._category_names: dict[str, str] = {}
        self._department_names: dict[str, str] = {}
        self._banner_state: tuple[str, int, Failures] | None = None
        self._registered: CaseView | None = None  # the case the banner is about
        self._build_fields()
        self._build_layout()
        self._connect()
        self.retranslate_ui()
        self.clear_form()
        self._offer_draft(self._drafts.load())
        tasks.run(
            lambda: (services.categories(desk), services.departments(desk)),
            on_result=self.on_names_loaded,
            on_error=self.on_names_failed,
            context=self,
        )

    # ---- building -------------------------------------------------------------------------------

    def _build_fields(self) -> None:
        self.edits = {name: QLineEdit() for name in LINE_FIELDS}
        self.texts = {name: QPlainTextEdit() for name in TEXT_FIELDS}
        for name, lines in (("description", 5), ("demand", 3)):
            edit = self.texts[name]
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 12)
        self.channel = QComboBox()
        for channel in Channel:
            self.channel.addItem(channel.label, channel.value)
        self.occurred_known = QCheckBox()
        self.occurred_at = QDateTimeEdit(calendarPopup=True)
        self.occurred_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.occurred_at.setMinimumDateTime(NO_TIME)
        self.category = QComboBox()
        self.category.addItem("", "")
        self.severity = QComboBox()
        self.severity.addItem("", "")
        for severity in Severity:
            self.severity.addItem(severity.label, severity.value)
        self.priority = QComboBox()
        self.priority.addItem("", "")
        for priority in Priority:
            self.priority.addItem(priority.label, priority.value)
        self.urgent = QCheckBox()
        for combo in (self.channel, self.category, self.severity, self.priority):
            # Long entries may be elided in a narrow dock rather than force a horizontal scroll bar.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        self.fields: dict[str, QWidget] = {
            **self.edits,
            **self.texts,
            "channel": self.channel,
            "occurred_at": self.occurred_at,
            "category": self.category,
            "severity": self.severity,
            "priority": self.priority,
            "urgent": self.urgent,
        }
        self.errors = {name: error_label() for name in FIELD_ORDER}
        self.labels = {name: QLabel() for name in FIELD_ORDER}
        for name, label in self.labels.items():
            label.setBuddy(self.occurred_known if name == "occurred_at" else self.fields[name])
        self.general_error = error_label()
        self.history = CustomerHistoryPanel(self.actor.timezone)
        self.suggestion = SuggestionPanel()
        self.lookup = CustomerLookup(self.desk, self.actor, self)
        self.attachments = QListWidget()
        self.attachments.setMaximumHeight(90)
        self.add_file_button, self.remove_file_button = QPushButton(), QPushButton()
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.status = QLabel()

    def _cell(self, name: str) -> QWidget:
        """The field with its error label under it."""
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        if name == "occurred_at":
            row = QHBoxLayout()
            row.addWidget(self.occurred_known)
            row.addWidget(self.occurred_at, 1)
            box.addLayout(row)
        else:
            box.addWidget(self.fields[name])
        box.addWidget(self.errors[name])
        return cell

    def _section(self, rows: tuple[tuple[str, ...], ...], extra: dict[int, QWidget]) -> QGroupBox:
        group = QGroupBox()
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(8)
        self._sections.append((grid, rows, extra))
        self._cells.update({name: self._cell(name) for names in rows for name in names})
        return group

    def _place(self, columns: int) -> None:
        """Lay both sections out in the paper form's two columns, or in one when the panel is narrow.

        The widgets stay; only their grid positions change, so what was typed and the focus survive.
        """
        self._columns = columns
        for grid, rows, extra in self._sections:
            while grid.count():
                grid.takeAt(0)
            for column in range(4):
                grid.setColumnStretch(column, 0)
                grid.setColumnMinimumWidth(column, 0)
            grid.setColumnStretch(1, 1)
            if columns == 2:
                grid.setColumnStretch(3, 1)
            line = 0
            for index, names in enumerate(rows):
                for position, name in enumerate(names):
                    label = self.labels[name]
                    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
                    label.setContentsMargins(0, 5, 0, 0)
                    side = position if columns == 2 else 0
                    span = 3 if columns == 2 and len(names) == 1 else 1
                    grid.addWidget(label, line, side * 2)
                    # Top-aligned: an error under one field must not push its neighbour down.
                    grid.addWidget(self._cells[name], line, side * 2 + 1, 1, span, Qt.AlignmentFlag.AlignTop)
                    if columns == 1:
                        line += 1
                if columns == 2:
                    line += 1
                if index in extra:
                    grid.addWidget(extra[index], line, 1, 1, 3 if columns == 2 else 1)
                    line += 1
        self._align_label_columns()

    def _align_label_columns(self) -> None:
        """Both sections share one label width per column, so their fields line up like the paper's."""
        sides = (0, 1) if self._columns == 2 else (0,)
        for side in sides:
            rows = (*COMPLAINANT_ROWS, *COMPLAINT_ROWS)
            names = [row[side] for row in rows if len(row) > side] if self._columns == 2 else FIELD_ORDER
            width = max(self.labels[name].sizeHint().width() for name in names)
            for grid, _rows, _extra in self._sections:
                grid.setColumnMinimumWidth(side * 2, width)

    def columns_for(self, width: int) -> int:
        """Two columns when the panel is wide enough for them without a horizontal scroll bar."""
        two = self._two_column_width
        if self._columns == 2:
            return 2 if width >= two else 1
        return 2 if width >= two + COLUMN_HYSTERESIS else 1

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()

    def _reflow(self) -> None:
        wanted = self.columns_for(self.scroll.viewport().width())
        if wanted != self._columns:
            self._place(wanted)

    def _build_layout(self) -> None:
        self._sections: list[tuple[QGridLayout, tuple[tuple[str, ...], ...], dict[int, QWidget]]] = []
        self._cells: dict[str, QWidget] = {}
        self._columns = 2
        self.offer_bar = QFrame(objectName="draftOffer")
        self.offer_bar.setStyleSheet(f"#draftOffer {{{OFFER_STYLE}}}")
        self.offer_label = QLabel(wordWrap=True)
        self.restore_button, self.discard_button = QPushButton(), QPushButton()
        offer = QHBoxLayout(self.offer_bar)
        offer.addWidget(self.offer_label, 1)
        offer.addWidget(self.restore_button)
        offer.addWidget(self.discard_button)
        self.offer_bar.hide()

        self.complainant_box = self._section(COMPLAINANT_ROWS, {0: self.history})
        self.complaint_box = self._section(COMPLAINT_ROWS, {len(COMPLAINT_ROWS) - 1: self.suggestion})
        self.evidence_box = QGroupBox()
        evidence = QHBoxLayout(self.evidence_box)
        evidence.addWidget(self.attachments, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_file_button)
        buttons.addWidget(self.remove_file_button)
        buttons.addStretch(1)
        evidence.addLayout(buttons)

        content = QWidget()
        body = QVBoxLayout(content)
        for part in (self.offer_bar, self.complainant_box, self.complaint_box, self.evidence_box):
            body.addWidget(part)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.content, self.scroll = content, scroll
        self._two_column_width = 0
        self._place(2)

        self.banner = QFrame(objectName="registeredBanner")
        self.banner_label = QLabel(wordWrap=True)
        self.banner_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # In the order the counter works: print the receipt (Enter), then the customer signs it.
        self.print_button = QPushButton(enabled=False, autoDefault=True)
        self.sign_button = QPushButton(enabled=False, autoDefault=True)
        self.banner_close = QPushButton("×", flat=True)
        self.banner_close.setFixedWidth(28)
        banner = QHBoxLayout(self.banner)
        banner.addWidget(self.banner_label, 1)
        banner.addWidget(self.print_button)
        banner.addWidget(self.sign_button)
        banner.addWidget(self.banner_close)
        self.banner.hide()

        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.banner)
        layout.addLayout(bottom)

        chain: list[QWidget] = [self.restore_button, self.discard_button]
        for name in FIELD_ORDER:
            chain += [self.occurred_known, self.occurred_at] if name == "occurred_at" else [self.fields[name]]
        chain += [self.add_file_button, self.remove_file_button, self.save_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _connect(self) -> None:
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.flush_draft)
        for name, edit in self.edits.items():
            edit.textChanged.connect(lambda _t, n=name: self.on_field_changed(n))
        for name, text in self.texts.items():
            text.textChanged.connect(lambda n=name: self.on_field_changed(n))
        for name in ("channel", "category", "severity", "priority"):
            combo: QComboBox = self.fields[name]  # type: ignore[assignment]
            combo.currentIndexChanged.connect(lambda _i, n=name: self.on_field_changed(n))
        self.urgent.toggled.connect(lambda _c: self.on_field_changed("urgent"))
        self.occurred_known.toggled.connect(self.on_occurred_known_toggled)
        self.occurred_at.dateTimeChanged.connect(lambda _d: self.on_field_changed("occurred_at"))
        self.lookup.sig_answer.connect(self.on_lookup_answer)
        self.lookup.sig_failed.connect(lambda message: self.status.setText(message))
        self.add_file_button.clicked.connect(self.on_add_files)
        self.remove_file_button.clicked.connect(self.on_remove_files)
        self.save_button.clicked.connect(self.on_save)
        self.restore_button.clicked.connect(self.on_restore_draft)
        self.discard_button.clicked.connect(self.on_discard_draft)
        self.banner_close.clicked.connect(self.banner.hide)
        self.print_button.clicked.connect(self.on_print_receipt)
        self.sign_button.clicked.connect(self.on_sign_receipt)
        # A line edit takes Ctrl+Return for itself (returnPressed) before any shortcut sees it.
        self._ctrl_return = CtrlReturnFilter(self.on_save, self)
        for edit in self.edits.values():
            edit.installEventFilter(self._ctrl_return)
            edit.returnPressed.connect(self.focusNextChild)  # plain Return moves on, as on paper
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.on_save)
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.attachments)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.on_remove_files)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.flush_draft)

    def _measure_columns(self) -> None:
        """How wide the two-column form must be (the labels' width depends on the language)."""
        columns = self._columns
        if columns != 2:
            self._place(2)
        self._align_label_columns()
        # Two columns only when each field can still show a whole phone number and its hint; the
        # layout's own minimum would squeeze them to a few characters first.
        readable = self.fontMetrics().horizontalAdvance(self.edits["phone"].placeholderText() or "0" * 24)
        labels = sum(self._sections[0][0].columnMinimumWidth(side * 2) for side in (0, 1))
        self._two_column_width = max(self.content.minimumSizeHint().width(), labels + 2 * readable + 80)
        if columns != 2:
            self._place(columns)
        self._reflow()

    def retranslate_ui(self) -> None:
        for name, text in field_titles().items():
            self.labels[name].setText(text)
        self.complainant_box.setTitle(_("投诉人"))
        self.complaint_box.setTitle(_("投诉内容"))
        self.evidence_box.setTitle(_("证据附件（照片、票据等）"))
        for index, channel in enumerate(Channel):
            self.channel.setItemText(index, channel.label)
        self.category.setItemText(0, _("请选择类别"))
        for combo, enum in ((self.severity, Severity), (self.priority, Priority)):
            combo.setItemText(0, _("自动判定"))
            for index, member in enumerate(enum, start=1):
                combo.setItemText(index, member.label)
        self.occurred_known.setText(_("填写"))
        self.occurred_at.setSpecialValueText(_("未填写"))
        self.urgent.setText(_("人身安全/重大财产损失"))
        self.edits["customer_name"].setPlaceholderText(_("姓名或称呼"))
        self.edits["phone"].setPlaceholderText(_("手机或固话，如 138 0013 8000"))
        self.texts["description"].setPlaceholderText(_("经过、涉及人员、客户陈述的要点"))
        self.texts["demand"].setPlaceholderText(_("客户希望如何解决"))
        self.add_file_button.setText(_("添加附件…"))
        self.remove_file_button.setText(_("移除"))
        self.save_button.setText(_("保存登记"))
        self.save_button.setToolTip(_("快捷键：{keys}").format(keys="Ctrl+Enter"))
        self.restore_button.setText(_("恢复"))
        self.discard_button.setText(_("丢弃"))
        self.print_button.setText(_("打印受理回执"))
        self.print_button.setToolTip(_("预览并打印受理回执（回车）"))
        self.sign_button.setText(_("客户签名"))
        self.sign_button.setToolTip(_("请客户在签名板上签署受理回执"))
        self.banner_close.setToolTip(_("关闭"))
        if self._offered is not None:
            self._offer_draft(self._offered)
        self._render_banner()
        self._measure_columns()
        self.history.retranslate_ui()
        self.suggestion.retranslate_ui()

    # ---- values ---------------------------------------------------------------------------------

    def attachment_paths(self) -> list[str]:
        return [
            self.attachments.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.attachments.count())
        ]

    def set_attachments(self, files: list[str]) -> None:
        """Replace the chosen evidence files (the file dialog adds through this too)."""
        self.attachments.clear()
        self._add_attachments(files)

    def _add_attachments(self, files: list[str]) -> None:
        present = set(self.attachment_paths())
        for file in files:
            if file and file not in present:
                item = QListWidgetItem(Path(file).name)
                item.setData(Qt.ItemDataRole.UserRole, file)
                item.setToolTip(file)
                self.attachments.addItem(item)
                present.add(file)
        self.on_field_changed("attachments")

    def _occurred_iso(self) -> str | None:
        value = self.occurred_at.dateTime()
        if not self.occurred_known.isChecked() or value == NO_TIME:
            return None
        return from_qdatetime(value, self.actor.timezone).isoformat()

    def values(self) -> dict[str, Any]:
        """Everything on the form, as the draft stores it."""
        out: dict[str, Any] = {name: edit.text() for name, edit in self.edits.items()}
        out.update({name: text.toPlainText() for name, text in self.texts.items()})
        out["channel"] = self.channel.currentData() or DEFAULT_CHANNEL.value
        out["occurred_at"] = self._occurred_iso()
        out["category"] = self.category.currentData() or self._pending_category
        out["severity"] = self.severity.currentData() or ""
        out["priority"] = self.priority.currentData() or ""
        out["urgent"] = self.urgent.isChecked()
        out["attachments"] = self.attachment_paths()
        return out

    def registration_data(self) -> dict[str, Any]:
        """What ``services.register_case`` receives: blanks and 自动判定 are simply left out."""
        values = self.values()
        values.pop("attachments")
        return {k: v for k, v in values.items() if v is not None and v != "" and k in FIELD_ORDER}

    def is_blank(self) -> bool:
        values = self.values()
        values.pop("channel")
        return not any(values.values())

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill the form (a restored draft, or ``{}`` to clear it)."""
        self._loading = True
        try:
            for name, edit in self.edits.items():
                edit.setText(str(values.get(name) or ""))
            for name, text in self.texts.items():
                text.setPlainText(str(values.get(name) or ""))
            self._select(self.channel, str(values.get("channel") or DEFAULT_CHANNEL.value))
            self._set_occurred(values.get("occurred_at"))
            self._pending_category = str(values.get("category") or "")
            self._select(self.category, self._pending_category)
            self._select(self.severity, str(values.get("severity") or ""))
            self._select(self.priority, str(values.get("priority") or ""))
            self.urgent.setChecked(values.get("urgent") is True)
            files = values.get("attachments")
            self.set_attachments([str(f) for f in files] if isinstance(files, list) else [])
        finally:
            self._loading = False
        self._request_lookup()

    @staticmethod
    def _select(combo: QComboBox, code: str) -> None:
        combo.setCurrentIndex(max(combo.findData(code), 0))

    def _set_occurred(self, iso: Any) -> None:
        try:
            when = datetime.fromisoformat(iso) if isinstance(iso, str) else None
            shown = to_qdatetime(when, self.actor.timezone) if when is not None else None
        except ValueError:  # not a time, or one without an offset: a draft this desk did not write
            shown = None
        self.occurred_known.setChecked(shown is not None)
        self.occurred_at.setDateTime(NO_TIME if shown is None else shown)
        self.occurred_at.setEnabled(shown is not None)

    def clear_form(self) -> None:
        self.set_values({})
        self._clear_errors()

    def error_text(self, field: str) -> str:
        """The message shown under ``field`` ("" when none is shown); ``""`` key: the general message."""
        label = self.errors[field] if field else self.general_error
        return label.text() if label.isVisibleTo(self) else ""

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            show_error(label, "")

    # ---- reacting to typing ---------------------------------------------------------------------

    def on_field_changed(self, name: str) -> None:
        if self._loading:
            return
        if name in self.errors:
            show_error(self.errors[name], "")
        if name == "category":
            self._pending_category = self.category.currentData() or ""
        if self._offered is None:
            self._draft_timer.start()
        self._request_lookup()

    @Slot(bool)
    def on_occurred_known_toggled(self, checked: bool) -> None:
        self.occurred_at.setEnabled(checked)
        if self._loading:
            return
        if checked and self.occurred_at.dateTime() == NO_TIME:
            self.occurred_at.setDateTime(to_qdatetime(self.desk.clock.now(), self.actor.timezone))
        elif not checked:
            self.occurred_at.setDateTime(NO_TIME)
        if checked:
            self.occurred_at.setFocus()
        self.on_field_changed("occurred_at")

    def _request_lookup(self) -> None:
        severity = self.severity.currentData()
        self.lookup.request(
            LookupQuery(
                phone=self.edits["phone"].text().strip(),
                account_no=self.edits["account_no"].text().strip(),
                category=self.category.currentData() or "",
                severity=Severity(severity) if severity else None,
                urgent=self.urgent.isChecked(),
            )
        )

    @Slot(object)
    def on_lookup_answer(self, answer: LookupAnswer) -> None:
        self.history.show_rows(answer.history, self._category_names)
        self.suggestion.show_suggestion(answer.suggestion, self._department_names)

    def on_names_loaded(self, names: tuple[list[Any], list[Any]]) -> None:
        categories, departments = names
        self._category_names = {c.code: c.name for c in categories}
        self._department_names = {d.code: d.name for d in departments}
        self._loading = True
        try:
            while self.category.count() > 1:
                self.category.removeItem(1)
            for choice in categories:
                self.category.addItem(choice.name, choice.code)
            self._select(self.category, self._pending_category)
        finally:
            self._loading = False
        self._request_lookup()

    def on_names_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, KesuError):
            tasks.unexpected(exc)
        show_error(self.general_error, _("投诉类别未能加载，请稍后重试"))

    # ---- evidence files -------------------------------------------------------------------------

    @Slot()
    def on_add_files(self) -> None:
        patterns = "*.jpg *.jpeg *.png *.gif *.bmp *.pdf *.doc *.docx *.xls *.xlsx *.txt"
        filters = _("图片和文档 ({patterns})").format(patterns=patterns) + ";;" + _("所有文件 (*)")
        files = choose_open_files(self, _("添加附件"), "evidence", filters)
        self._add_attachments(files)

    @Slot()
    def on_remove_files(self) -> None:
        current = self.attachments.currentItem()
        for item in self.attachments.selectedItems() or ([current] if current else []):
            self.attachments.takeItem(self.attachments.row(item))
        self.on_field_changed("attachments")

    # ---- saving ---------------------------------------------------------------------------------

    @Slot()
    def on_save(self) -> None:
        if self._saving:
            return
        self._clear_errors()
        data, files = self.registration_data(), self.attachment_paths()
        desk, actor = self.desk, self.actor
        self._saving = True
        self._focus_before = self.focusWidget()
        self.content.setEnabled(False)  # typing into a form that is about to be cleared would be lost
        self.save_button.setEnabled(False)
        self.status.setText(_("正在保存…"))
        tasks.run(
            lambda: services.register_case(desk, actor, data),
            on_result=lambda case: self.on_registered(case, files),
            on_error=self.on_save_failed,
            context=self,
            cases_changed=lambda case: [case.id],
        )

    def on_registered(self, case: CaseView, files: list[str]) -> None:
        self._draft_timer.stop()
        if self._offered is None:  # an older draft still on offer is not this one: keep it
            self._drafts.clear()
        self.clear_form()
        self.content.setEnabled(True)
        self.edits["customer_name"].setFocus()
        self._banner_state = (case.case_no, len(files), [])
        self._registered = case
        self._render_banner(uploading=bool(files))
        if not files:
            self._finish(case.case_no)
            return
        desk, actor = self.desk, self.actor
        self.status.setText(_("正在上传 {n} 个附件…").format(n=len(files)))
        tasks.run(
            lambda: upload_files(desk, actor, case.case_no, files),
            on_result=lambda failures: self.on_uploaded(case.case_no, len(files), failures),
            on_error=lambda exc: self.on_upload_error(case.case_no, files, exc),
            context=self,
            cases_changed=lambda _f: [case.id],
        )

    def on_uploaded(self, case_no: str, count: int, failures: Failures) -> None:
        self._banner_state = (case_no, count, failures)
        self._render_banner()
        self._finish(case_no)

    def on_upload_error(self, case_no: str, files: list[str], exc: BaseException) -> None:
        tasks.unexpected(exc)
        self.on_uploaded(case_no, len(files), [(Path(f).name, _("发生了意外错误")) for f in files])

    def _finish(self, case_no: str) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.status.clear()
        self.sig_registered.emit(case_no)
        # The customer is still at the counter: Enter prints the receipt, Tab then 客户签名.
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def on_save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.content.setEnabled(True)
        self.save_button.setEnabled(True)
        self.status.clear()
        if isinstance(exc, ValidationError):
            for key, message in exc.errors.items():
                show_error(self.errors.get(key, self.general_error), message)
            first = next((name for name in FIELD_ORDER if name in exc.errors), None)
            if first:
                self.fields[first].setFocus()
            return
        if self._focus_before is not None:
            self._focus_before.setFocus()  # back where the clerk was typing
        if isinstance(exc, KesuError):
            show_error(self.general_error, str(exc))
        else:
            show_error(self.general_error, _("登记未完成：发生了意外错误，已记入日志"))
            tasks.unexpected(exc)

    def _render_banner(self, *, uploading: bool = False) -> None:
        if self._banner_state is None:
            self.banner.hide()
            return
        case_no, count, failures = self._banner_state
        text = _("已登记：{case_no}").format(case_no=case_no)
        if uploading:
            text += _("　正在上传附件…")
        elif failures:
            # The service's message often names the file already; do not say it twice.
            lines = "\n".join(
                _("· {reason}").format(reason=reason)
                if name in reason
                else _("· {name}：{reason}").format(name=name, reason=reason)
                for name, reason in failures
            )
            text += (
                "\n"
                + _("案件已保存，但以下附件未能上传，请勿重复登记，稍后在案件中补充附件：")
                + "\n"
                + lines
            )
        elif count:
            text += _("　附件 {n} 个已保存").format(n=count)
        self.banner_label.setText(text)
        self.print_button.setEnabled(not uploading)
        self.sign_button.setEnabled(not uploading)
        self.banner.setStyleSheet(f"#registeredBanner {{{BANNER_WARN if failures else BANNER_OK}}}")
        self.banner.show()

    @Slot()
    def on_print_receipt(self) -> None:
        if self._banner_state is not None:
            self.sig_print_receipt.emit(self._banner_state[0])

    @Slot()
    def on_sign_receipt(self) -> None:
        if self._registered is not None:
            self.sig_sign_receipt.emit(self._registered)

    def banner_text(self) -> str:
        return self.banner_label.text() if self.banner.isVisibleTo(self) else ""

    # ---- drafts ---------------------------------------------------------------------------------

    def _offer_draft(self, draft: Draft | None) -> None:
        self._offered = draft
        if draft is None:
            self.offer_bar.hide()
            return
        saved = local_time(draft.saved_at, self.actor.timezone)
        self.offer_label.setText(_("发现未保存的登记草稿（{time}）").format(time=saved))
        self.offer_bar.show()

    @Slot()
    def on_restore_draft(self) -> None:
        if self._offered is None:
            return
        values = self._offered.values
        self._offer_draft(None)
        self.set_values(values)
        self.edits["customer_name"].setFocus()
        self.flush_draft()

    @Slot()
    def on_discard_draft(self) -> None:
        self._offer_draft(None)
        self._drafts.clear()
        self.flush_draft()  # whatever was typed meanwhile is kept from now on

    @Slot()
    def flush_draft(self) -> None:
        """Write the draft now (or remove it if the form is blank); paused while a draft is on offer."""
        self._draft_timer.stop()
        if self._offered is not None:
            return
        try:
            if self.is_blank():
                self._drafts.clear()
            else:
                self._drafts.save(self.values(), now=self.desk.clock.now())
        except OSError as exc:
            self.status.setText(_("草稿未能保存：{reason}").format(reason=exc.strerror or exc))

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush_draft()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush_draft()
        super().closeEvent(event)
