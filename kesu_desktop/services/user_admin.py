"""Administering users: listing them, changing role, office, department, name, activity and password.

Users are never deleted: the case events name them, and a name must keep meaning the same person. An
administrator deactivates a user instead, and a deactivated user cannot sign in (``services.login``).
The last active administrator cannot be deactivated or demoted, so the desk always has someone who can
administer it. Adding a user is ``services.users.add_user``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.domain.text import field_text
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import refuse_reference_edit_on_branch
from kesu_desktop.services.users import check_password_rules, hash_password
from kesu_desktop.storage.models import Department, Office, User

_DISPLAY_MAX = 100


@dataclass(frozen=True)
class UserView:
    """A user as the 用户 dialog and ``kesu user list`` show them (never the password hash)."""

    username: str
    display_name: str
    role: Role
    office_code: str
    department_code: str | None
    active: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "office": self.office_code,
            "department": self.department_code,
            "active": self.active,
        }


def _view(user: User) -> UserView:
    return UserView(
        user.username,
        user.display_name,
        Role(user.role),
        user.office_code,
        user.department_code,
        bool(user.active),
    )


def _state(user: User) -> dict[str, Any]:
    """The recorded fields of a user (what ``record_change`` compares)."""
    return {
        "role": user.role,
        "office": user.office_code,
        "department": user.department_code,
        "display_name": user.display_name,
        "active": bool(user.active),
    }


def list_users(desk: Desk, actor: Actor) -> list[UserView]:
    """Every user, active or not, by name (administrators and managers: they answer for the staff)."""
    if actor.role not in (Role.ADMIN, Role.MANAGER):
        raise NotAllowed(_("只有管理员或经理可以查看用户列表"))
    with desk.db.read() as session:
        return [_view(user) for user in session.scalars(select(User).order_by(User.username))]


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
    )


def set_user(
    desk: Desk,
    actor: Actor,
    username: str,
    *,
    role: Role | None = None,
    department: str | None = None,
    office: str | None = None,
    display_name: str | None = None,
    active: bool | None = None,
    new_password: str | None = None,
) -> UserView:
    """Change what is given (None leaves a field as it is; ``department=""`` clears it).

    Every field is checked before anything is written, and all the problems are reported together:
    a refused change changes nothing. The change is recorded (a password only as ``"reset"``).
    """
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以修改用户"))
    errors: dict[str, str] = {}
    if display_name is not None:
        try:
            display_name = field_text(display_name, "display_name")
            if not display_name:
                errors["display_name"] = _("姓名不能为空")
            elif len(display_name) > _DISPLAY_MAX:
                errors["display_name"] = _("姓名最多 {n} 个字符").format(n=_DISPLAY_MAX)
        except ValidationError as exc:
            errors.update(exc.errors)
    if new_password is not None:
        try:
            check_password_rules(new_password, "password")
        except ValidationError as exc:
            errors.update(exc.errors)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        user = session.scalar(select(User).where(User.username == (username or "").strip()))
        if user is None:
            raise NotFound(_("用户“{name}”不存在").format(name=username), field="name")
        before = _state(user)
        new_role = Role(user.role) if role is None else role
        new_office = user.office_code
        if office is not None:
            new_office = office.strip().upper()
            if session.scalar(select(Office.id).where(Office.code == new_office)) is None:
                errors["office"] = _("营业网点“{code}”不存在").format(code=new_office)
        new_department = user.department_code
        if department is not None:
            new_department = department.strip().upper() or None
            if (
                new_department is not None
                and session.scalar(
                    select(Department.id).where(
                        Department.code == new_department, Department.active.is_(True)
                    )
                )
                is None
            ):
                errors["department"] = _("部门“{code}”不存在或已停用").format(code=new_department)
        if new_role is Role.DEPARTMENT and new_department is None and "department" not in errors:
            errors["department"] = _("责任部门用户必须指定部门")
        new_active = bool(user.active) if active is None else bool(active)
        was_admin = Role(user.role) is Role.ADMIN and user.active
        stays_admin = new_role is Role.ADMIN and new_active
        if was_admin and not stays_admin and _other_active_admins(session, user) == 0:
            field = "active" if not new_active else "role"
            errors[field] = _(
                "“{name}”是最后一位在用的管理员，不能停用或改为其他角色；请先添加另一位管理员"
            ).format(name=user.username)
        if errors:
            raise ValidationError(errors)
        user.role = new_role.value
        user.office_code = new_office
        user.department_code = new_department
        if display_name is not None:
            user.display_name = display_name
        user.active = new_active
        after = _state(user)
        changed = [key for key in after if after[key] != before[key]]
        old = {key: before[key] for key in changed}
        new = {key: after[key] for key in changed}
        if new_password is not None:
            user.password_hash = hash_password(new_password)
            new["password"] = "reset"
        record_change(session, desk, actor, "user", user.username, old, new)
        return _view(user)
