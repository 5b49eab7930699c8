"""Minimum exposure of personal data (docs/domain.md): the one rule for showing a customer's phone.

Masking is decided at the service boundary, not in widgets: the services hand each role the phone as
it may see it (``phone_for``), so a department user never receives the whole number from any service,
and the desktop, the CLI and printed records show what they are given. Papers the customer takes away
(the receipt, the confirmation) are masked for every role (``mask_phone``), since a lost paper must not
give the number away.
"""

from __future__ import annotations

from kesu_desktop.domain.enums import Role

#: Roles that call customers back and therefore see the whole number.
FULL_PHONE_ROLES = frozenset({Role.FRONT_DESK, Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER})

#: What stands for the hidden digits.
MASK = "****"


def sees_full_phone(role: Role) -> bool:
    return role in FULL_PHONE_ROLES


def mask_phone(phone: str) -> str:
    """``+8613812341234`` → ``138****1234``; shorter numbers (landlines) keep only their last four digits.

    Enough to recognise a customer on the line, not enough to call them. Masking a masked number
    gives it back unchanged, so a paper printed from an already masked view says the same thing.
    """
    digits = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) >= 11:
        return f"{digits[:3]}{MASK}{digits[-4:]}"
    return MASK + digits[-4:] if len(digits) > 4 else MASK


def phone_for(role: Role, phone: str) -> str:
    """The phone as this role may see it: the stored number, or its masked form."""
    return phone if sees_full_phone(role) else mask_phone(phone)
