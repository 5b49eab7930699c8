"""Minimum exposure of personal data (DOMAIN.md): phone numbers masked where the full one is not needed."""

from __future__ import annotations

from kesu_desktop.domain.enums import Role

#: Roles that call customers back and therefore see the whole number.
FULL_PHONE_ROLES = frozenset({Role.FRONT_DESK, Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER})


def mask_phone(phone: str) -> str:
    """``+8613812341234`` → ``138****1234``; short or foreign numbers keep only their last four digits."""
    digits = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" + digits[-4:] if len(digits) > 4 else "****"


def phone_for(role: Role, phone: str) -> str:
    """The phone as this role may see it."""
    if role in FULL_PHONE_ROLES:
        return phone[3:] if phone.startswith("+86") else phone
    return mask_phone(phone)
