"""First-run set-up: the first office and its administrator, when the database has none yet.

Errors are shown under the field they concern (the service's ``ValidationError.errors`` are keyed by
field), because a message box that says "代码须为…" without pointing at the field makes people guess.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.errors import KesuError, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error

#: Service error keys → this form's fields (``initialize`` reports the password as the CLI's variable).
_SERVICE_FIELDS = {
    "office": "office_code",
    "office_code": "office_code",
    "office_name": "office_name",
    "admin": "admin",
    "name": "admin",
    "KESU_PASSWORD": "password",
    "password": "password",
}


#: How many characters of the office's name the set-up dialog shows without scrolling.
OFFICE_NAME_CHARS = 20


class FirstRunDialog(QDialog):
    """网点代码, 网点名称, 管理员用户名 and the password twice → ``services.initialize``."""

    def __init__(self, desk: services.Desk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._desk = desk
        self.result_info: services.InitResult | None = None
        self.office_code = QLineEdit(maxLength=8)
        self.office_name = QLineEdit()
        self.admin = QLineEdit()
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.edits = {
            "office_code": self.office_code,
            "office_name": self.office_name,
            "admin": self.admin,
            "password": self.password,
            "confirm": self.confirm,
        }
        self.errors = {name: error_label() for name in self.edits}
        self.general_error = error_label()
        self.intro = QLabel(wordWrap=True)
        self.form = QFormLayout()
        # Every field grows with the dialog (some styles keep them at their narrow size hint), and the
        # office name has room for a full Chinese branch name, so what was typed can be read back.
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A CJK character is about one em wide: the font's height.
        self.office_name.setMinimumWidth(self.fontMetrics().height() * OFFICE_NAME_CHARS + 16)
        self._labels = {name: QLabel() for name in self.edits}
        for name, edit in self.edits.items():
            cell = QVBoxLayout()
            cell.setSpacing(2)
            cell.addWidget(edit)
            cell.addWidget(self.errors[name])
            self.form.addRow(self._labels[name], cell)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(ok_cancel)
        self.buttons.accepted.connect(self.on_submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("首次设置"))
        self.intro.setText(_("这是一个新的数据库。请建立营业网点和管理员账号。"))
        texts = {
            "office_code": _("网点代码"),
            "office_name": _("网点名称"),
            "admin": _("管理员用户名"),
            "password": _("密码"),
            "confirm": _("确认密码"),
        }
        for name, text in texts.items():
            self._labels[name].setText(text)
        self.office_code.setPlaceholderText(_("例如 BJ01"))
        self.password.setPlaceholderText(_("至少 8 位"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("创建"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))

    def error_text(self, field: str) -> str:
        """The message shown under ``field`` ("" when none is shown)."""
        label = self.errors[field]
        return label.text() if label.isVisibleTo(self) else ""

    def _clear_errors(self) -> None:
        for label in (*self.errors.values(), self.general_error):
            show_error(label, "")

    @Slot()
    def on_submit(self) -> None:
        self._clear_errors()
        if self.password.text() != self.confirm.text():
            show_error(self.errors["confirm"], _("两次输入的密码不一致"))
            self.confirm.setFocus()
            return
        desk, values = (
            self._desk,
            {
                "office_code": self.office_code.text(),
                "office_name": self.office_name.text(),
                "admin": self.admin.text(),
                "password": self.password.text(),
            },
        )
        self.buttons.setEnabled(False)

        def initialize() -> services.InitResult:
            # imported here, on the worker: printing loads ReportLab and pyHanko, which the desktop's
            # start (this dialog is imported with it) does not otherwise need
            from kesu_desktop.printing import initialize_with_certificate

            return initialize_with_certificate(desk, **values)

        tasks.run(
            initialize,
            on_result=self.on_initialized,
            on_error=self.on_failed,
            context=self,
        )

    def on_initialized(self, result: services.InitResult) -> None:
        self.result_info = result
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            for key, message in exc.errors.items():
                field = _SERVICE_FIELDS.get(key)
                show_error(self.errors[field] if field else self.general_error, message)
            first = next((_SERVICE_FIELDS[k] for k in exc.errors if k in _SERVICE_FIELDS), None)
            if first:
                self.edits[first].setFocus()
        elif isinstance(exc, KesuError):
            show_error(self.general_error, str(exc))
        else:
            show_error(self.general_error, _("设置未完成：发生了意外错误"))
            tasks.unexpected(exc)
