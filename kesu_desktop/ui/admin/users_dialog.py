"""用户: every user with role, office, department and state; add one, change one, deactivate, reset a
password (typed twice, masked).

Users are never deleted (the case events name them): 停用 keeps the name and stops the sign-in. The
services refuse what is not allowed (the last active administrator stepping down, a department user
without a department) and the message shows under the field.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.i18n import _
from kesu_desktop.ui.admin.record_pane import AdminDialog, RecordPane, state_text
from kesu_desktop.ui.base.form_errors import error_label, show_error


def _password_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class PasswordDialog(QDialog):
    """The new password twice, masked; OK only when both are the same (the rules are the service's)."""

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("重置“{name}”的密码").format(name=username))
        self.first, self.second = _password_edit(), _password_edit()
        self.error = error_label()
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(_("新密码"), self.first)
        form.addRow(_("再次输入"), self.second)
        form.addRow("", self.error)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)

    def accept(self) -> None:
        if not self.first.text():
            show_error(self.error, _("请输入新密码"))
        elif self.first.text() != self.second.text():
            show_error(self.error, _("两次输入的密码不一致"))
        else:
            super().accept()

    def password(self) -> str:
        return self.first.text()


class UsersPane(RecordPane):
    def __init__(self, desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> None:
        super().__init__([_("用户名"), _("姓名"), _("角色"), _("网点"), _("部门"), _("状态")], parent)
        self.desk, self.actor = desk, actor
        self.username = self.add_field("username", _("用户名"), QLineEdit(), "name")
        self.display_name = self.add_field("display_name", _("姓名"), QLineEdit())
        self.role = self.add_field("role", _("角色"), QComboBox())
        for role in Role:
            self.role.addItem(role.label, role.value)
        self.office = self.add_field("office", _("网点"), QComboBox())
        self.department = self.add_field("department", _("部门"), QComboBox())
        self.password = self.add_field("password", _("密码"), _password_edit())
        self.confirm = self.add_field("confirm", _("确认密码"), _password_edit())
        self.reset_button = QPushButton(_("重置密码…"))
        self.reset_button.setAutoDefault(False)
        self.reset_button.clicked.connect(self.reset_password)
        self.buttons.insertWidget(3, self.reset_button)
        # a handful of rows, read once on opening (as ScopeCombo does)
        for office in services.list_offices(desk, actor):
            self.office.addItem(f"{office.code} {office.name}", office.code)
        self.department.addItem(_("（无）"), "")
        for dept in services.list_departments(desk, actor):
            suffix = "" if dept.active else _("（已停用）")
            self.department.addItem(f"{dept.code} {dept.name}{suffix}", dept.code)
        self.reload()

    def cells(self, row: services.UserView) -> list[str]:
        return [
            row.username,
            row.display_name,
            row.role.label,
            row.office_code,
            row.department_code or "",
            state_text(row.active),
        ]

    def key(self, row: services.UserView) -> str:
        return row.username

    def reload(self, keep: str | None = None) -> None:
        self.call(lambda: services.list_users(self.desk, self.actor), lambda rows: self.fill(rows, keep))

    def _set_new_mode(self, new: bool) -> None:
        self.username.setReadOnly(not new)
        for widget in (self.password, self.confirm):
            widget.setVisible(new)
            self.form.labelForField(widget).setVisible(new)
        self.reset_button.setEnabled(not new)

    def show_record(self, record: services.UserView | None) -> None:
        self._set_new_mode(record is None)
        self.password.clear()
        self.confirm.clear()
        if record is None:
            self.username.clear()
            self.display_name.clear()
            self.role.setCurrentIndex(self.role.findData(Role.FRONT_DESK.value))
            self.office.setCurrentIndex(max(0, self.office.findData(self.actor.office_code)))
            self.department.setCurrentIndex(0)
            self.username.setFocus()
            return
        self.username.setText(record.username)
        self.display_name.setText(record.display_name)
        self.role.setCurrentIndex(self.role.findData(record.role.value))
        self.office.setCurrentIndex(max(0, self.office.findData(record.office_code)))
        self.department.setCurrentIndex(max(0, self.department.findData(record.department_code or "")))

    def save(self) -> None:
        role = Role(self.role.currentData())
        office, department = self.office.currentData(), self.department.currentData()
        display_name = self.display_name.text()
        if self.editing is None:
            username, password = self.username.text(), self.password.text()
            if password != self.confirm.text():
                self.clear_errors()
                show_error(self.errors["confirm"], _("两次输入的密码不一致"))
                return
            self.call(
                lambda: services.add_user(
                    self.desk,
                    self.actor,
                    username=username,
                    password=password,
                    role=role,
                    department_code=department or None,
                    display_name=display_name or None,
                    office_code=office,
                ),
                lambda made: self.saved(made, _("已添加用户“{name}”").format(name=made.username)),
            )
            return
        username = self.editing.username
        self.call(
            lambda: services.set_user(
                self.desk,
                self.actor,
                username,
                role=role,
                department=department,
                office=office,
                display_name=display_name,
            ),
            lambda view: self.saved(view, _("已保存“{name}”").format(name=view.username)),
        )

    def toggle_active(self) -> None:
        record = self.editing
        if record is None:
            return
        active = not record.active
        text = _("已启用“{name}”") if active else _("已停用“{name}”，该用户不能再登录")
        self.call(
            lambda: services.set_user(self.desk, self.actor, record.username, active=active),
            lambda view: self.saved(view, text.format(name=view.username)),
        )

    def ask_password(self, username: str) -> str | None:
        """The new password typed twice, or None when cancelled."""
        dialog = PasswordDialog(username, self)
        return dialog.password() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def reset_password(self) -> None:
        record = self.editing
        if record is None:
            return
        password = self.ask_password(record.username)
        if not password:
            return
        self.call(
            lambda: services.set_user(self.desk, self.actor, record.username, new_password=password),
            lambda view: self.saved(view, _("已重置“{name}”的密码").format(name=view.username)),
            self.show_general_failure,
        )


def users_dialog(desk: services.Desk, actor: services.Actor, parent: QWidget | None = None) -> AdminDialog:
    return AdminDialog(_("用户"), UsersPane(desk, actor), parent)
