"""Users, passwords (argon2) and signing in.

Signing in follows OWASP's Authentication Cheat Sheet and NIST SP 800-63B §5.2.2 (docs/security.md):
every attempt does the same argon2 work whether or not the name exists, and failures are throttled per
user name and per desk with a lock-out that doubles each time, lifted by time or by an administrator.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import AuthenticationFailed, Conflict, NotAllowed, ValidationError
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_policy, office_timezone, refuse_reference_edit_on_branch
from kesu_desktop.storage.models import Department, LoginThrottle, Office, User

#: argon2id at OWASP's Password Storage Cheat Sheet recommendation: 19 MiB, 2 passes, 1 lane
#: (docs/security.md says why). A hash stored with other parameters (argon2-cffi's old defaults,
#: 64 MiB, 3 passes, 4 lanes) still verifies, and is replaced by one with these at the next sign-in.
PASSWORD_MEMORY_KIB = 19 * 1024
PASSWORD_TIME_COST = 2
PASSWORD_PARALLELISM = 1
_hasher = PasswordHasher(
    time_cost=PASSWORD_TIME_COST,
    memory_cost=PASSWORD_MEMORY_KIB,
    parallelism=PASSWORD_PARALLELISM,
    type=Type.ID,
)
MIN_PASSWORD = 8
_USERNAME_MAX = 64
_KEY_MAX = 200


@dataclass(frozen=True)
class ThrottleRule:
    """How many failures lock a name or a desk, and for how long (docs/security.md)."""

    #: Failures in a row that lock a user name (OWASP: a small threshold, e.g. 5).
    user_limit: int = 5
    #: Failures in a row that lock a desk, whatever names were tried (guessing many names from one place).
    desk_limit: int = 20
    #: The first lock-out; each next one lasts twice as long, up to ``longest``.
    first_lock: timedelta = timedelta(minutes=15)
    longest: timedelta = timedelta(hours=24)
    #: A counter with no failure for this long starts again from zero (lock-outs included).
    forget_after: timedelta = timedelta(hours=24)

    def lock_for(self, lockouts: int) -> timedelta:
        """The length of lock-out number ``lockouts + 1``: 15 min, 30 min, 1 h, ... at most a day."""
        return min(self.first_lock * (2 ** min(lockouts, 16)), self.longest)


THROTTLE = ThrottleRule()

_dummy_lock = threading.Lock()
_dummy: str | None = None


def _dummy_hash() -> str:
    """A hash of a random password with the same parameters, made once: what unknown names verify against."""
    global _dummy
    with _dummy_lock:
        if _dummy is None:
            _dummy = _hasher.hash(secrets.token_urlsafe(24))
        return _dummy


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_rules(password: str | None, field: str = "password") -> str:
    if not password:
        raise ValidationError.single(field, _("密码不能为空"))
    if len(password) < MIN_PASSWORD:
        raise ValidationError.single(field, _("密码至少 {n} 位").format(n=MIN_PASSWORD))
    return password


def _actor(session: Session, user: User) -> Actor:
    policy = office_policy(session, user.office_code)
    return Actor(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        office_code=user.office_code,
        department_code=user.department_code,
        timezone=policy.timezone,
        language=policy.language,
    )


def login(desk: Desk, username: str, password: str) -> Actor:
    """Check the password; the message never says whether the name or the password was wrong.

    An unknown or inactive name costs the same argon2 verification as a known one (against a dummy hash),
    so the time taken does not tell names apart. A name or desk locked after repeated failures is refused
    with the time to try again, before any password is checked, whether the name exists or not.

    A right password whose stored hash has other parameters than today's is hashed again with today's
    (the only moment the plain password is at hand), so raising or lowering the cost reaches every user.
    """
    now = desk.wall.now()
    name_key = username[:_KEY_MAX]
    with desk.db.read() as session:
        throttles = _rows(session, name_key, desk.node_id)
        until = _locked_until(throttles, now)
        # a name with nothing counted needs no write to start its count again (most sign-ins)
        counted = any(r.kind == "user" and (r.failures or r.lockouts or r.locked_until) for r in throttles)
        if until is not None:
            raise AuthenticationFailed(_locked_message(session, until))
        user = session.scalar(select(User).where(User.username == username))
        known = user is not None and user.active
        stored = user.password_hash if user is not None else _dummy_hash()
        try:
            ok = _hasher.verify(stored, password) and known
        except (VerificationError, InvalidHashError):
            ok = False
        actor = _actor(session, user) if ok and user is not None else None
        rehash = actor is not None and _hasher.check_needs_rehash(stored)
    if actor is None:
        until = _record_failure(desk, name_key, now)
        if until is not None:
            with desk.db.read() as session:
                raise AuthenticationFailed(_locked_message(session, until))
        raise AuthenticationFailed(_("用户名或密码错误"))
    if counted or rehash:
        # hashed outside the write, so the database's write lock is not held for the argon2 work
        _record_success(desk, name_key, (actor.id, stored, hash_password(password)) if rehash else None)
    return actor


def _rows(session: Session, name_key: str, node_id: str) -> list[LoginThrottle]:
    return list(
        session.scalars(
            select(LoginThrottle).where(
                ((LoginThrottle.kind == "user") & (LoginThrottle.key == name_key))
                | ((LoginThrottle.kind == "desk") & (LoginThrottle.key == node_id[:_KEY_MAX]))
            )
        )
    )


def _locked_until(throttles: list[LoginThrottle], now: datetime) -> datetime | None:
    """The later of the name's and the desk's lock-out ends (``_rows``), if either is still running."""
    ends = [r.locked_until for r in throttles if r.locked_until and r.locked_until > now]
    return max(ends) if ends else None


def _locked_message(session: Session, until: datetime) -> str:
    """When to try again, in the first office's zone (the same for every name: it tells nothing)."""
    office = session.scalar(select(Office.code).order_by(Office.created_at, Office.code))
    zone = office_timezone(session, office) if office else office_policy(session, "").timezone
    return _("登录失败次数过多，已暂时锁定，请于 {time} 后再试（或请管理员解锁）").format(
        time=local_time(until, zone)
    )


def _record_failure(desk: Desk, name_key: str, now: datetime) -> datetime | None:
    """Count a failure for the name and the desk; the lock-out's end when this one started a lock-out."""
    for attempt in range(3):  # two desks may create the same row at once: the loser counts again
        try:
            with desk.db.write() as session:
                started: datetime | None = None
                for kind, key, limit in (
                    ("user", name_key, THROTTLE.user_limit),
                    ("desk", desk.node_id[:_KEY_MAX], THROTTLE.desk_limit),
                ):
                    row = session.scalar(
                        select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.key == key)
                    )
                    if row is None:
                        row = LoginThrottle(kind=kind, key=key, failures=0, lockouts=0)
                        session.add(row)
                    elif (
                        row.last_failure_at is not None and now - row.last_failure_at > THROTTLE.forget_after
                    ):
                        row.failures, row.lockouts = 0, 0
                    row.failures += 1
                    row.last_failure_at = now
                    if row.failures >= limit:
                        row.locked_until = now + THROTTLE.lock_for(row.lockouts)
                        row.lockouts += 1
                        row.failures = 0
                        started = max(started, row.locked_until) if started else row.locked_until
                    session.flush()
                return started
        except IntegrityError:
            if attempt == 2:
                raise
    return None


def _record_success(desk: Desk, name_key: str, rehash: tuple[uuid.UUID, str, str] | None) -> None:
    """A successful sign-in starts the name's count again (the desk's count runs on, see docs/security.md).

    ``rehash`` is (user id, the hash just verified, its replacement at today's parameters): stored only if
    the hash is still the one verified, so a password an administrator reset meanwhile is not undone.
    """
    with desk.db.write() as session:
        if rehash is not None:
            user_id, verified, replacement = rehash
            user = session.get(User, user_id)
            if user is not None and user.password_hash == verified:
                user.password_hash = replacement
        row = session.scalar(
            select(LoginThrottle).where(LoginThrottle.kind == "user", LoginThrottle.key == name_key)
        )
        if row is not None and (row.failures or row.lockouts or row.locked_until):
            row.failures, row.lockouts, row.locked_until = 0, 0, None


def unlock_user(desk: Desk, actor: Actor, username: str) -> bool:
    """An administrator lifts a name's lock-out and clears its count; whether there was anything to lift.

    A desk's own lock is lifted with ``unlock_desk``, so unlocking one name does not reopen a desk that
    was guessing many names.
    """
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以解除登录锁定"))
    return _unlock(desk, "user", username[:_KEY_MAX])


def unlock_desk(desk: Desk, actor: Actor, node_id: str) -> bool:
    """An administrator lifts a desk's (node id's) lock-out and clears its count."""
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以解除登录锁定"))
    return _unlock(desk, "desk", node_id[:_KEY_MAX])


def _unlock(desk: Desk, kind: str, key: str) -> bool:
    with desk.db.write() as session:
        row = session.scalar(
            select(LoginThrottle).where(LoginThrottle.kind == kind, LoginThrottle.key == key)
        )
        if row is None:
            return False
        was = bool(row.failures or row.locked_until)
        row.failures, row.lockouts, row.locked_until = 0, 0, None
        return was


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
        refuse_reference_edit_on_branch(session)
        office = (office_code or "").strip().upper() or actor.office_code  # codes are upper case
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
        after = {
            "role": user.role,
            "office": user.office_code,
            "department": user.department_code,
            "display_name": user.display_name,
            "active": True,
        }
        record_change(session, desk, actor, "user", user.username, None, after)
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
