"""Validation of what people type, with one message per bad field.

Every front end (registration form, CLI, sync import) goes through these functions, so a rule is
written once and the GUI shows the same message next to the field that the CLI prints on stderr.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

import phonenumbers

from kesu_desktop.domain.enums import Channel, Priority, Severity
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _

E = TypeVar("E", bound=StrEnum)

# A deliberately small check: deliverability cannot be known offline at the counter.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

MAX_NAME = 50
MAX_SHORT = 200
MAX_TEXT = 20000

REGISTRATION_FIELDS = (
    "customer_name",
    "phone",
    "email",
    "address",
    "account_no",
    "member_level",
    "room_no",
    "employer",
    "channel",
    "occurred_at",
    "location",
    "product",
    "description",
    "demand",
    "category",
    "severity",
    "priority",
    "urgent",
)


@dataclass(frozen=True)
class Registration:
    """A complaint as registered, normalised (phone in E.164, times in UTC)."""

    customer_name: str
    phone: str
    channel: Channel
    description: str
    category: str
    email: str | None = None
    address: str | None = None
    account_no: str | None = None
    member_level: str | None = None
    room_no: str | None = None
    employer: str | None = None
    occurred_at: datetime | None = None
    location: str | None = None
    product: str | None = None
    demand: str | None = None
    severity: Severity | None = None
    priority: Priority | None = None
    urgent: bool = False


class FieldReader:
    """Collects every field error of one input object instead of stopping at the first."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise ValidationError.single("input", _("输入必须是一个 JSON 对象"))
        self.data = data
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, *, required: bool = False, max_len: int = MAX_SHORT) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, _("必填"))
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail(name, _("必须是文本"))
            return None
        text = str(value).strip()
        if len(text) > max_len:
            self.fail(name, _("过长：最多 {n} 个字").format(n=max_len))
            return None
        return text

    def choice(self, name: str, enum: type[E], *, required: bool = False) -> E | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            return enum(raw.lower())
        except ValueError:
            allowed = ", ".join(m.value for m in enum)
            self.fail(name, _("无效的值“{value}”，可选：{allowed}").format(value=raw, allowed=allowed))
            return None

    def code(self, name: str, allowed: Collection[str], *, required: bool = False) -> str | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        if raw not in allowed:
            self.fail(
                name,
                _("未知的代码“{value}”，可选：{allowed}").format(
                    value=raw, allowed=", ".join(sorted(allowed))
                ),
            )
            return None
        return raw

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.data.get(name, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, _("必须是 true 或 false"))
            return default
        return value

    def instant(
        self,
        name: str,
        *,
        required: bool = False,
        not_after: datetime | None = None,
        not_before: datetime | None = None,
    ) -> datetime | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            self.fail(name, _("时间格式无效，应为 ISO 8601，例如 2026-11-22T14:30:00+08:00"))
            return None
        if value.tzinfo is None:
            self.fail(name, _("时间须带时区，例如 2026-11-22T14:30:00+08:00"))
            return None
        value = value.astimezone(UTC)
        if not_after is not None and value > not_after:
            self.fail(name, _("时间不能晚于现在"))
        if not_before is not None and value <= not_before:
            self.fail(name, _("时间须晚于现在"))
        return value

    def score(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            self.fail(name, _("必填，1–5 分"))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            self.fail(name, _("须为 1 到 5 之间的整数"))
            return None
        return value

    def number(self, name: str, *, minimum: float = 0) -> float | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            self.fail(name, _("须为不小于 {n} 的数字").format(n=minimum))
            return None
        return float(value)

    def reject_unknown(self, known: Collection[str]) -> None:
        for key in self.data:
            if key not in known:
                self.fail(key, _("未知字段"))

    def finish(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def parse_code(enum: type[E], value: str, field: str, what: str) -> E:
    """A stable code (CLI argument, JSON value) as its enum, or a field error listing the codes allowed."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValidationError.single(
            field, _("未知的{what}“{name}”，可选：{allowed}").format(what=what, name=value, allowed=allowed)
        ) from None


def normalize_phone(raw: str, region: str = "CN") -> str:
    """E.164 form of a phone number typed the way people type them (spaces, dashes, +86, landlines)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(_("电话号码无法识别")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("电话号码无效"))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def read_phone(reader: FieldReader, name: str, region: str, *, required: bool) -> str | None:
    raw = reader.text(name, required=required, max_len=40)
    if raw is None:
        return None
    try:
        return normalize_phone(raw, region)
    except ValueError as exc:
        reader.fail(name, _("{reason}：{value}").format(reason=exc, value=raw))
        return None


def validate_registration(
    data: Mapping[str, Any], *, categories: Collection[str], now: datetime, region: str = "CN"
) -> Registration:
    """Check a registration; raise ValidationError listing every bad field, or return it normalised."""
    r = FieldReader(data)
    r.reject_unknown(REGISTRATION_FIELDS)
    email = r.text("email", max_len=MAX_SHORT)
    if email is not None and not _EMAIL_RE.match(email):
        r.fail("email", _("电子邮箱格式无效"))
    reg = Registration(
        customer_name=r.text("customer_name", required=True, max_len=MAX_NAME) or "",
        phone=read_phone(r, "phone", region, required=True) or "",
        channel=r.choice("channel", Channel, required=True) or Channel.PHONE,
        description=r.text("description", required=True, max_len=MAX_TEXT) or "",
        category=r.code("category", categories, required=True) or "",
        email=email,
        address=r.text("address"),
        account_no=r.text("account_no", max_len=64),
        member_level=r.text("member_level", max_len=32),
        room_no=r.text("room_no", max_len=32),
        employer=r.text("employer"),
        occurred_at=r.instant("occurred_at", not_after=now),
        location=r.text("location"),
        product=r.text("product"),
        demand=r.text("demand", max_len=MAX_TEXT),
        severity=r.choice("severity", Severity),
        priority=r.choice("priority", Priority),
        urgent=r.flag("urgent"),
    )
    r.finish()
    return reg


def validate_with(data: Mapping[str, Any], build: Callable[[FieldReader], Any]) -> Any:
    """Run a reader-based builder and raise all field errors together."""
    reader = FieldReader(data)
    result = build(reader)
    reader.finish()
    return result
