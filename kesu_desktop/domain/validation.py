"""Validation of what people type, with one message per bad field.

Every front end (registration form, CLI, sync import) goes through these functions, so a rule is
written once and the GUI shows the same message next to the field that the CLI prints on stderr.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from kesu_desktop.domain.enums import Channel, Priority, Severity
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.text import MAX_AMOUNT, check_instant, check_number, clean_text
from kesu_desktop.i18n import _

E = TypeVar("E", bound=StrEnum)

# A deliberately small check: deliverability cannot be known offline at the counter.
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

MAX_NAME = 50
MAX_SHORT = 200
MAX_TEXT = 20000
#: Longest extension kept (PBX extensions are 2–6 digits; the column holds 10).
MAX_PHONE_EXT = 10

REGISTRATION_FIELDS = (
    "customer_name",
    "phone",
    "phone_ext",
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
    """A complaint as registered, normalised (phone in E.164 with its extension apart, times in UTC)."""

    customer_name: str
    phone: str
    channel: Channel
    description: str
    category: str
    phone_ext: str | None = None
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
    """Collects every field error of one input object instead of stopping at the first.

    ``strict``: ``finish()`` also refuses every key no reader method asked for (``未知字段``), so a
    misspelt field (``cots`` for ``cost``) is an error, not silently dropped (the workflow actions).
    """

    def __init__(self, data: Mapping[str, Any], *, strict: bool = False) -> None:
        if not isinstance(data, Mapping):
            raise ValidationError.single("input", _("输入必须是一个 JSON 对象"))
        self.data = data
        self.errors: dict[str, str] = {}
        self.strict = strict
        self.seen: set[str] = set()

    def get(self, name: str, default: Any = None) -> Any:
        """The raw value of ``name``, remembering that it was asked for (strict mode)."""
        self.seen.add(name)
        return self.data.get(name, default)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(self, name: str, *, required: bool = False, max_len: int = MAX_SHORT) -> str | None:
        """Free text, NFC, without control characters; newlines and tabs only in long texts."""
        value = self.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, _("必填"))
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.fail(name, _("必须是文本"))
            return None
        if not isinstance(value, str):
            try:
                value = str(check_number(value, minimum=-(10**40), maximum=10**40))
            except ValueError as exc:
                self.fail(name, str(exc))
                return None
        try:
            text = clean_text(value, multiline=max_len > MAX_SHORT)
        except ValueError as exc:
            self.fail(name, str(exc))
            return None
        if not text:
            if required:
                self.fail(name, _("必填"))
            return None
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
        value = self.get(name, default)
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
        try:
            value = check_instant(value).astimezone(UTC)
        except ValueError as exc:
            self.fail(name, str(exc))
            return None
        if not_after is not None and value > not_after:
            self.fail(name, _("时间不能晚于现在"))
        if not_before is not None and value <= not_before:
            self.fail(name, _("时间须晚于现在"))
        return value

    def score(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            self.fail(name, _("必填，1–5 分"))
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            self.fail(name, _("须为 1 到 5 之间的整数"))
            return None
        return value

    def number(self, name: str, *, minimum: float = 0, maximum: float = MAX_AMOUNT) -> float | None:
        """A finite number in range: no NaN, no Infinity, no 10**400 (domain/text.check_number)."""
        value = self.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(name, _("须为不小于 {n} 的数字").format(n=minimum))
            return None
        try:
            return check_number(value, minimum=minimum, maximum=maximum)
        except ValueError as exc:
            self.fail(name, str(exc))
            return None

    def reject_unknown(self, known: Collection[str]) -> None:
        for key in self.data:
            if key not in known:
                self.fail(key, _("未知字段"))

    def finish(self) -> None:
        if self.strict:
            self.reject_unknown(self.seen)
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


@dataclass(frozen=True)
class Phone:
    """A phone number as stored: E.164 for the line, the extension (分机) apart.

    Apart because the number is what identifies a customer (repeat complaints, history, the last four
    digits searched at the counter) while the extension only says whom to ask for when calling back.
    """

    number: str
    extension: str | None = None


# The ways people write an extension after the number: 转613, 分机 613, 分机号613, ext. 12, x12, #12.
# Matched on the NFKC form, so full-width ＃, ｘ and digits count too.
_EXTENSION_RE = re.compile(
    # not translated: the words are looked for in what the clerk typed, never shown
    r"^(?P<number>.*?)[\s,;，；]*(?:转|分机号?|extension|ext\.?|x|#)[\s.:：=]*(?P<ext>.*?)\s*$",
    re.IGNORECASE,
)


def parse_phone(raw: str, region: str = "CN") -> Phone:
    """The number in E.164 and the extension, if one was written; an extension is never dropped.

    Written extensions (转/分机/ext/x/#, with or without spaces) are split off here, because
    ``phonenumbers`` knows only the Latin ones and refuses ``0898-67402372转613`` outright; whatever
    extension ``phonenumbers`` itself finds (``;ext=12``) is kept as well. Raises ValueError with the
    reason when the number or the extension is not usable.

    ``phonenumbers`` (40 ms and its metadata) is imported here, on the first phone read: listing or
    searching cases needs this module's other readers but never parses a number.
    """
    import phonenumbers

    text = unicodedata.normalize("NFKC", raw).strip()
    extension: str | None = None
    split = _EXTENSION_RE.match(text)
    if split is not None and split.group("number").strip():
        text, extension = split.group("number").strip(), split.group("ext")
        if not extension:
            raise ValueError(_("分机号为空"))
        if not extension.isascii() or not extension.isdigit():
            raise ValueError(_("分机号只能是数字：{ext}").format(ext=extension))
        if len(extension) > MAX_PHONE_EXT:
            raise ValueError(_("分机号过长：最多 {n} 位").format(n=MAX_PHONE_EXT))
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(_("电话号码无法识别")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(_("电话号码无效"))
    if number.extension:
        if extension is not None and extension != number.extension:
            raise ValueError(_("写了两个不同的分机号"))
        extension = number.extension
        if not extension.isdigit() or len(extension) > MAX_PHONE_EXT:
            raise ValueError(_("分机号须为 1 到 {n} 位数字").format(n=MAX_PHONE_EXT))
    number.extension = None
    return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), extension)


def normalize_phone(raw: str, region: str = "CN") -> str:
    """E.164 form of a phone number typed the way people type them (spaces, dashes, +86, landlines).

    For looking a customer up: an extension written after the number is accepted and left out, since
    it does not change whose number it is. Registration keeps it (``parse_phone``).
    """
    return parse_phone(raw, region).number


def read_phone(reader: FieldReader, name: str, region: str, *, required: bool) -> Phone | None:
    raw = reader.text(name, required=required, max_len=60)
    if raw is None:
        return None
    try:
        return parse_phone(raw, region)
    except ValueError as exc:
        reader.fail(name, _("{reason}：{value}").format(reason=exc, value=raw))
        return None


def read_phone_ext(reader: FieldReader, name: str, phone: Phone | None) -> str | None:
    """An extension given on its own (``phone_ext`` in JSON, a form's box), checked against the phone's."""
    raw = reader.text(name, max_len=MAX_PHONE_EXT + 10)
    written = phone.extension if phone else None
    if raw is None:
        return written
    ext = unicodedata.normalize("NFKC", raw).strip()
    if not ext.isascii() or not ext.isdigit() or len(ext) > MAX_PHONE_EXT:
        reader.fail(name, _("分机号须为 1 到 {n} 位数字：{value}").format(n=MAX_PHONE_EXT, value=raw))
        return written
    if written is not None and written != ext:
        reader.fail(name, _("与电话号码中写的分机号 {ext} 不一致").format(ext=written))
    return ext


def validate_registration(
    data: Mapping[str, Any], *, categories: Collection[str], now: datetime, region: str = "CN"
) -> Registration:
    """Check a registration; raise ValidationError listing every bad field, or return it normalised."""
    r = FieldReader(data)
    r.reject_unknown(REGISTRATION_FIELDS)
    email = r.text("email", max_len=MAX_SHORT)
    if email is not None and not _EMAIL_RE.match(email):
        r.fail("email", _("电子邮箱格式无效"))
    phone = read_phone(r, "phone", region, required=True)
    reg = Registration(
        customer_name=r.text("customer_name", required=True, max_len=MAX_NAME) or "",
        phone=phone.number if phone else "",
        phone_ext=read_phone_ext(r, "phone_ext", phone),
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
