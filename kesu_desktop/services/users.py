"""Users, passwords (argon2) and signing in."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import AuthenticationFailed, Conflict, NotAllowed, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_policy, office_timezone
from kesu_desktop.storage.models import Department, Office, User

_hasher = PasswordHasher()
MIN_PASSWORD = 8
_USERNAME_MAX = 64


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str | None, field: str = "password") -> str:
    if not password:
        raise ValidationError.single(field, _("密码不能为空"))
    if len(password) < MIN_PASSWORD:
        raise ValidationError.single(field, _("密码至少 {n} 位").format(n=MIN_PASSWORD))
    return password


def _actor(session: Session, user: User) -> Actor:
    return Actor(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        office_code=user.office_code,
        department_code=user.department_code,
        timezone=office_timezone(session, user.office_code),
    )


def login(desk: Desk, username: str, password: str) -> Actor:
    """Check the password; the message never says whether the name or the password was wrong."""
    with desk.db.read() as session:
        user = session.scalar(select(User).where(User.username == username))
        try:
            if user is None or not user.active:
                raise VerificationError()
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError) as exc:
            raise AuthenticationFailed(_("用户名或密码错误")) from exc
        return _actor(session, user)


def validate_username(name: str) -> str:
    name = name.strip()
    if not name or len(name) > _USERNAME_MAX or any(ch.isspace() for ch in name):
        raise ValidationError.single("name", _("用户名须为 1–64 个字符，不含空格"))
    return name


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    office_code: str,
    department_code: str | None,
    display_name: str | None = None,
    now,
) -> User:
    """Insert a user inside the caller's transaction (used by init and by add_user)."""
    username = validate_username(username)
    check_password_rules(password)
    if (
        department_code is not None
        and session.scalar(select(Department).where(Department.code == department_code)) is None
    ):
        raise ValidationError.single("department", _("部门“{code}”不存在").format(code=department_code))
    if role is Role.DEPARTMENT and department_code is None:
        raise ValidationError.single("department", _("责任部门用户必须指定部门"))
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(_("用户名“{name}”已存在").format(name=username))
    user = User(
        username=username,
        display_name=display_name or username,
        role=role.value,
        office_code=office_code,
        department_code=department_code,
        password_hash=hash_password(password),
        active=True,
        created_at=now,
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent desk created the same name a moment ago
        raise Conflict(_("用户名“{name}”已存在").format(name=username)) from exc
    return user


def add_user(
    desk: Desk,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: Role,
    department_code: str | None = None,
    display_name: str | None = None,
    office_code: str | None = None,
) -> Actor:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以添加用户"))
    with desk.db.write() as session:
        office = office_code or actor.office_code
        if session.scalar(select(Office).where(Office.code == office)) is None:
            raise ValidationError.single("office", _("营业网点“{code}”不存在").format(code=office))
        user = create_user(
            session,
            username=username,
            password=password,
            role=role,
            office_code=office,
            department_code=department_code,
            display_name=display_name,
            now=desk.clock.now(),
        )
        return _actor(session, user)


def get_actor(desk: Desk, username: str) -> Actor:
    with desk.db.read() as session:
        user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            raise AuthenticationFailed(_("用户名或密码错误"))
        return _actor(session, user)


def user_timezone(desk: Desk, username: str | None) -> str:
    """The zone a time typed for this user is read in (``--now`` without an offset).

    The user's office zone when the name is known, else the first office's (before any user exists, as
    for ``kesu init``): always the zone some office would show the time in, never the machine's.
    """
    with desk.db.read() as session:
        office = None
        if username:
            office = session.scalar(select(User.office_code).where(User.username == username))
        if office is None:
            office = session.scalar(select(Office.code).order_by(Office.created_at, Office.code))
        if office is None:
            return office_policy(session, "").timezone
        return office_timezone(session, office)
