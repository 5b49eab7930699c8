"""The input boundary's pure rules: what text, numbers and times the desk accepts from anyone.

Why one module: the complaint record is append-only, so a value that cannot be encoded (a lone
surrogate), that a database refuses (NUL on PostgreSQL) or that later overflows (a date in year 9999,
``10**400``) would poison a case for good. Every front end (CLI, GUI, sync) reads free text through
``clean_text`` and numbers and times through ``check_number`` / ``check_instant``, so the refusal is the
same field message everywhere, before anything is written.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _

#: The largest amount of money a plan may state (yuan): far above any real compensation, far below overflow.
MAX_AMOUNT = 1_000_000_000
#: Digits a number in JSON may have: more is not a quantity but an attack on int()/float().
MAX_NUMBER_DIGITS = 40
#: The years an instant may fall in: a complaint desk has no business before 1900 or after 2999, and
#: deadlines computed from such instants stay far from datetime's limits (years 1 and 9999).
MIN_YEAR, MAX_YEAR = 1900, 2999

_ALLOWED_IN_LONG_TEXT = frozenset("\n\t")


def code_point(char: str) -> str:
    """``U+D800``: how a refused character is named in a message (never the character itself)."""
    return f"U+{ord(char):04X}"


def bad_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character the desk refuses in ``text``, or None.

    Refused: lone surrogates (Cs: not encodable in UTF-8), NUL and the other control characters (Cc),
    except newline and tab in long texts; unassigned code points (Cn) and private-use ones are accepted
    (new emoji, rare CJK ideographs in some fonts' private area).
    """
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            return char
        if category == "Cc" and not (multiline and char in _ALLOWED_IN_LONG_TEXT):
            if char == "\r" and multiline:
                continue  # Windows line ends; normalised to \n by clean_text
            return char
    return None


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` NFC-normalised and stripped, or ValueError naming the first refused character.

    NFC because the same name typed on two keyboards must be one name for search and repeat detection.
    """
    char = bad_character(value, multiline=multiline)
    if char is not None:
        raise ValueError(_("含有无法识别的字符（{code}）").format(code=code_point(char)))
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def check_number(value: Any, *, minimum: float = 0, maximum: float = MAX_AMOUNT) -> float:
    """A finite number in [minimum, maximum] as float, or ValueError with the message to show."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("须为数字"))
    if isinstance(value, int) and abs(value) > 10**MAX_NUMBER_DIGITS:
        raise ValueError(_("数字过大：最多 {n}").format(n=f"{maximum:g}"))
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(_("须为有限的数字（不接受 NaN 或 Infinity）"))
    if not minimum <= number <= maximum:
        raise ValueError(_("须在 {low} 到 {high} 之间").format(low=f"{minimum:g}", high=f"{maximum:g}"))
    return number


def check_instant(value: datetime) -> datetime:
    """An aware instant in UTC within the desk's years, or ValueError (never OverflowError).

    ``0001-01-01T00:00:00+14:00`` is year 0 in UTC, which datetime cannot hold; ``9999-12-31…`` leaves
    no room for a deadline. Both are bad input, not crashes.
    """
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(_("时间超出范围：须在 {low} 年到 {high} 年之间").format(low=MIN_YEAR, high=MAX_YEAR))
    if value.tzinfo is None:
        return value
    try:
        moment = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(
            _("时间超出范围：须在 {low} 年到 {high} 年之间").format(low=MIN_YEAR, high=MAX_YEAR)
        ) from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(_("时间超出范围：须在 {low} 年到 {high} 年之间").format(low=MIN_YEAR, high=MAX_YEAR))
    return moment


def escape_unencodable(value: Any) -> Any:
    """``value`` (a stored payload) with every lone surrogate written as ``〔U+D800〕``.

    For reading what was stored before the boundary existed: the append-only log keeps the bad code
    point, the reader shows it named, so the case can be shown, exported and printed.
    """
    if isinstance(value, str):
        if not has_unencodable(value):
            return value
        # not translated: a code-point notation, the same in every language
        return "".join(f"〔{code_point(c)}〕" if unicodedata.category(c) == "Cs" else c for c in value)
    if isinstance(value, Mapping):
        return {escape_unencodable(k): escape_unencodable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_unencodable(v) for v in value]
    return value


def has_unencodable(value: Any) -> bool:
    """Whether ``value`` (a str, or a payload of dicts and lists) holds a code point UTF-8 cannot encode."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, Mapping):
        return any(has_unencodable(k) or has_unencodable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_unencodable(v) for v in value)
    return False


def bad_code_points(value: Any) -> list[str]:
    """The unencodable code points in ``value``, named (``U+D800``), in order, without repeats."""
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, str):
            for char in item:
                if unicodedata.category(char) == "Cs" and code_point(char) not in found:
                    found.append(code_point(char))
        elif isinstance(item, Mapping):
            for k, v in item.items():
                walk(k)
                walk(v)
        elif isinstance(item, list | tuple):
            for v in item:
                walk(v)

    walk(value)
    return found


def printable(text: str) -> str:
    """``text`` safe for one line of a terminal: surrogates named, newlines and controls escaped.

    For error messages that quote what was typed (``field: message`` is one line per field).
    """
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            out.append(f"\\u{ord(char):04x}")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif category == "Cc":
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out)


def field_text(value: str, field: str, *, multiline: bool = False) -> str:
    """``clean_text`` for a service taking one text argument; a refusal is a ValidationError on ``field``."""
    try:
        return clean_text(value, multiline=multiline)
    except ValueError as exc:
        raise ValidationError.single(field, str(exc)) from None


def name_text(value: str | None, errors: dict[str, str], *, label: str, limit: int = 100) -> str:
    """A required display name (an office's, a department's, a category's), its problem put into
    ``errors["name"]``: a form's checks are collected and reported together, not raised one by one."""
    try:
        name = field_text(value or "", "name")
    except ValidationError as exc:
        errors.update(exc.errors)
        return value or ""
    if not name:
        errors["name"] = _("{label}不能为空").format(label=label)
    elif len(name) > limit:
        errors["name"] = _("{label}最多 {n} 个字符").format(label=label, n=limit)
    return name
