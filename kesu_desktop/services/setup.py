"""First-run set-up (``kesu init``): schema, the first office, the admin, default reference data.

Safe to run again: an initialised database is left exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from kesu_desktop.domain.case_number import validate_code
from kesu_desktop.domain.defaults import categories, departments
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.users import check_password_rules, create_user, validate_username
from kesu_desktop.storage.models import Category, Department, Office, User


@dataclass(frozen=True)
class InitResult:
    created: bool
    office_code: str
    admin: str


def is_initialized(desk: Desk) -> bool:
    with desk.db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(Office)))


def initialize(
    desk: Desk, *, office_code: str, office_name: str, admin: str, password: str | None
) -> InitResult:
    """Create the first office, its admin and the default departments and categories, once."""
    errors: dict[str, str] = {}
    try:
        office_code = validate_code("office", office_code)
    except ValidationError as exc:
        errors.update(exc.errors)
    if not office_name.strip():
        errors["office_name"] = _("网点名称不能为空")
    try:
        admin = validate_username(admin)
    except ValidationError:
        errors["admin"] = _("管理员用户名须为 1–64 个字符，不含空格")
    with desk.db.write() as session:
        existing = session.scalar(select(Office).order_by(Office.created_at))
        if existing is not None:
            if errors:
                raise ValidationError(errors)
            admin_user = session.scalar(
                select(User).where(User.role == Role.ADMIN.value).order_by(User.created_at)
            )
            return InitResult(False, existing.code, admin_user.username if admin_user else admin)
        try:
            check_password_rules(password, "KESU_PASSWORD")
        except ValidationError as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationError(errors)
        now = desk.clock.now()
        session.add(Office(code=office_code, name=office_name.strip(), created_at=now))
        for dept in departments():
            session.add(Department(code=dept.code, name=dept.name, active=True))
        for order, cat in enumerate(categories()):
            session.add(
                Category(
                    code=cat.code,
                    name=cat.name,
                    default_department_code=cat.department,
                    sort_order=order,
                    active=True,
                )
            )
        session.flush()
        create_user(
            session,
            username=admin,
            password=password or "",
            role=Role.ADMIN,
            office_code=office_code,
            department_code=None,
            display_name=_("管理员"),
            now=now,
        )
        return InitResult(True, office_code, admin)
