"""Case numbers (投诉编号) such as ``20261122-BJ01-CS-0007``.

The office code is part of the number so offices registering offline at the same moment can never
produce the same number; the serial restarts daily per office and department.
"""

from __future__ import annotations

import re
from datetime import date

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _

CODE_RE = re.compile(r"^[A-Z0-9]{1,8}$")
CASE_NO_RE = re.compile(r"^(\d{8})-([A-Z0-9]{1,8})-([A-Z0-9]{1,8})-(\d{4,})$")


def validate_code(field: str, code: str) -> str:
    """Office and department codes go into case numbers, so they are short upper-case ASCII."""
    normalized = code.strip().upper()
    if not CODE_RE.match(normalized):
        raise ValidationError.single(field, _("代码须为 1–8 位大写字母或数字，例如 BJ01"))
    return normalized


def format_case_no(day: date, office_code: str, department_code: str, serial: int) -> str:
    return f"{day:%Y%m%d}-{office_code}-{department_code}-{serial:04d}"


def looks_like_case_no(text: str) -> bool:
    """True for a full number or a prefix that starts with its date, e.g. ``20261122-BJ01``."""
    return bool(re.match(r"^\d{8}(-[A-Za-z0-9]*)*$", text.strip()))
