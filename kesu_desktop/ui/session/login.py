"""Signing in: a wrong password keeps the dialog open with a message, so the user can simply retype."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from kesu_desktop import services
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.form_errors import error_label, show_error


class LoginDialog(QDialog):
    """Username and password → ``services.login``; ``actor`` holds the signed-in user once accepted."""

    def __init__(
        self, desk: services.Desk, parent: QWidget | None = None, *, username: str = "", message: str = ""
    ) -> None:
        super().__init__(parent)
        self._desk = desk
        self.actor: services.Actor | None = None
        self.username = QLineEdit(username)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.message = error_label()
        self._username_label, self._password_label = QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self._username_label, self.username)
        form.addRow(self._password_label, self.password)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        self.buttons = QDialogButtonBox(ok_cancel)
        self.buttons.accepted.connect(self.on_submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        show_error(self.message, message)
        (self.password if username else self.username).setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("登录"))
        self._username_label.setText(_("用户名"))
        self._password_label.setText(_("密码"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("取消"))

    def message_text(self) -> str:
        return self.message.text() if self.message.isVisibleTo(self) else ""

    @Slot()
    def on_submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            show_error(self.message, _("请输入用户名和密码"))
            return
        show_error(self.message, "")
        self.buttons.setEnabled(False)
        desk = self._desk
        tasks.run(
            lambda: services.login(desk, username, password),
            on_result=self.on_logged_in,
            on_error=self.on_failed,
            context=self,
        )

    def on_logged_in(self, actor: services.Actor) -> None:
        self.actor = actor
        self.accept()

    def on_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, KesuError):
            show_error(self.message, str(exc))
            self.password.clear()
            self.password.setFocus()
        else:
            show_error(self.message, _("登录未完成：发生了意外错误"))
            tasks.unexpected(exc)
