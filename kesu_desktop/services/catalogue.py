"""Departments (责任部门) and complaint categories (投诉类别): adding, renaming, routing, deactivating.

Codes never change and nothing is deleted: cases and events name departments and categories by code,
and an old case must keep showing the name it was registered under. Deactivating one hides it from
the registration and transfer choices (``services.reference.categories`` / ``departments`` list the
active ones only); the names keep being looked up for the cases that already use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kesu_desktop.domain.case_number import validate_code
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import Conflict, NotAllowed, NotFound, ValidationError
from kesu_desktop.domain.text import name_text
from kesu_desktop.i18n import _, join_items
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import refuse_reference_edit_on_branch
from kesu_desktop.storage.models import Category, Department

_NAME_MAX = 100
#: Category codes are stable identifiers in lower-case snake case, like the seeded ``product_quality``.
CATEGORY_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class DepartmentView:
    code: str
    name: str
    active: bool

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "active": self.active}


@dataclass(frozen=True)
class CategoryView:
    code: str
    name: str
    #: The responsible department a new case of this category is routed to (None: none set).
    department_code: str | None
    parent_code: str | None
    active: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "department": self.department_code,
            "parent": self.parent_code,
            "active": self.active,
        }


def _require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以修改部门和投诉类别"))


def _require_reader(actor: Actor) -> None:
    if actor.role not in (Role.ADMIN, Role.MANAGER):
        raise NotAllowed(_("只有管理员或经理可以查看部门和类别设置"))


def validate_category_code(code: str) -> str:
    normalized = (code or "").strip().lower()
    if not CATEGORY_CODE_RE.match(normalized):
        raise ValidationError.single(
            "code", _("类别代码须为小写字母开头的 1–32 位小写字母、数字或下划线，例如 product_quality")
        )
    return normalized


def _department_view(row: Department) -> DepartmentView:
    return DepartmentView(row.code, row.name, bool(row.active))


def _category_view(row: Category) -> CategoryView:
    return CategoryView(row.code, row.name, row.default_department_code, row.parent_code, bool(row.active))


# -- departments -----------------------------------------------------------------------------------


def list_departments(desk: Desk, actor: Actor, *, include_inactive: bool = True) -> list[DepartmentView]:
    """Departments by code; the deactivated ones too unless ``include_inactive`` is False."""
    _require_reader(actor)
    query = select(Department).order_by(Department.code)
    if not include_inactive:
        query = query.where(Department.active.is_(True))
    with desk.db.read() as session:
        return [_department_view(row) for row in session.scalars(query)]


def add_department(desk: Desk, actor: Actor, code: str, name: str) -> DepartmentView:
    """A new department; its code goes into the numbers of the cases it registers, so it is short."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    try:
        code = validate_code("code", code)
    except ValidationError as exc:
        errors.update(exc.errors)
    name = name_text(name, errors, label=_("名称"), limit=_NAME_MAX)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        if errors:
            raise ValidationError(errors)
        duplicate = Conflict(_("部门“{code}”已存在").format(code=code), field="code")
        if session.scalar(select(Department.id).where(Department.code == code)) is not None:
            raise duplicate
        row = Department(code=code, name=name, active=True)
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:  # another desk added the same code a moment ago
            raise duplicate from exc
        record_change(session, desk, actor, "department", code, None, {"name": name, "active": True})
        return _department_view(row)


def _department(session: Session, code: str) -> Department:
    code = (code or "").strip().upper()
    row = session.scalar(select(Department).where(Department.code == code))
    if row is None:
        raise NotFound(_("部门“{code}”不存在").format(code=code), field="code")
    return row


def set_department(
    desk: Desk, actor: Actor, code: str, *, name: str | None = None, active: bool | None = None
) -> DepartmentView:
    """Rename, deactivate or reactivate a department.

    A department that active categories still route new cases to cannot be deactivated: those cases
    would go to a department nobody can choose any more. The categories are named so they can be
    changed first.
    """
    _require_admin(actor)
    errors: dict[str, str] = {}
    if name is not None:
        name = name_text(name, errors, label=_("名称"), limit=_NAME_MAX)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        row = _department(session, code)
        if active is False and row.active:
            routed = list(
                session.scalars(
                    select(Category.name)
                    .where(Category.default_department_code == row.code, Category.active.is_(True))
                    .order_by(Category.sort_order)
                )
            )
            if routed:
                errors["active"] = _("仍有投诉类别转交该部门：{names}；请先修改这些类别的责任部门").format(
                    names=join_items(routed)
                )
        if errors:
            raise ValidationError(errors)
        before = {"name": row.name, "active": bool(row.active)}
        if name is not None:
            row.name = name
        if active is not None:
            row.active = bool(active)
        after = {"name": row.name, "active": bool(row.active)}
        changed = [key for key in after if after[key] != before[key]]
        record_change(
            session,
            desk,
            actor,
            "department",
            row.code,
            {key: before[key] for key in changed},
            {key: after[key] for key in changed},
        )
        return _department_view(row)


# -- categories ------------------------------------------------------------------------------------


def list_categories(desk: Desk, actor: Actor, *, include_inactive: bool = True) -> list[CategoryView]:
    """Categories in the order the registration form shows them."""
    _require_reader(actor)
    query = select(Category).order_by(Category.sort_order, Category.code)
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    with desk.db.read() as session:
        return [_category_view(row) for row in session.scalars(query)]


def _routing(session: Session, department: str, errors: dict[str, str]) -> str | None:
    """The responsible department given ('' for none), which must exist and be active."""
    code = (department or "").strip().upper() or None
    if code is not None and (
        session.scalar(select(Department.id).where(Department.code == code, Department.active.is_(True)))
        is None
    ):
        errors["department"] = _("部门“{code}”不存在或已停用").format(code=code)
    return code


def add_category(
    desk: Desk,
    actor: Actor,
    code: str,
    name: str,
    *,
    department: str | None = None,
    parent: str | None = None,
) -> CategoryView:
    """A new category, listed last on the registration form; new cases of it go to ``department``."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    try:
        code = validate_category_code(code)
    except ValidationError as exc:
        errors.update(exc.errors)
    name = name_text(name, errors, label=_("名称"), limit=_NAME_MAX)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        department_code = _routing(session, department or "", errors)
        parent_code = (parent or "").strip().lower() or None
        if (
            parent_code is not None
            and session.scalar(select(Category.id).where(Category.code == parent_code)) is None
        ):
            errors["parent"] = _("上级类别“{code}”不存在").format(code=parent_code)
        if errors:
            raise ValidationError(errors)
        duplicate = Conflict(_("投诉类别“{code}”已存在").format(code=code), field="code")
        if session.scalar(select(Category.id).where(Category.code == code)) is not None:
            raise duplicate
        order = (session.scalar(select(func.max(Category.sort_order))) or 0) + 1
        row = Category(
            code=code,
            name=name,
            default_department_code=department_code,
            parent_code=parent_code,
            sort_order=order,
            active=True,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            raise duplicate from exc
        after = {"name": name, "department": department_code, "parent": parent_code, "active": True}
        record_change(session, desk, actor, "category", code, None, after)
        return _category_view(row)


def set_category(
    desk: Desk,
    actor: Actor,
    code: str,
    *,
    name: str | None = None,
    department: str | None = None,
    active: bool | None = None,
) -> CategoryView:
    """Rename a category, route its new cases to another department (``""``: none), or (de)activate it."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    if name is not None:
        name = name_text(name, errors, label=_("名称"), limit=_NAME_MAX)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        row = session.scalar(select(Category).where(Category.code == (code or "").strip().lower()))
        if row is None:
            raise NotFound(_("投诉类别“{code}”不存在").format(code=code), field="code")
        department_code = row.default_department_code
        if department is not None:
            department_code = _routing(session, department, errors)
        if errors:
            raise ValidationError(errors)
        before = {"name": row.name, "department": row.default_department_code, "active": bool(row.active)}
        if name is not None:
            row.name = name
        row.default_department_code = department_code
        if active is not None:
            row.active = bool(active)
        after = {"name": row.name, "department": row.default_department_code, "active": bool(row.active)}
        changed = [key for key in after if after[key] != before[key]]
        record_change(
            session,
            desk,
            actor,
            "category",
            row.code,
            {key: before[key] for key in changed},
            {key: after[key] for key in changed},
        )
        return _category_view(row)
