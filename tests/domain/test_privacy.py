"""The one phone-masking rule: who sees the whole number, and what everyone else sees."""

from __future__ import annotations

import pytest

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.privacy import FULL_PHONE_ROLES, mask_phone, phone_for, sees_full_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+8613812341234", "138****1234"),
        ("13812341234", "138****1234"),
        ("+868987402372", "****2372"),  # a landline keeps only its last four digits
        ("+441234567890", "441****7890"),
        ("1234", "****"),
        ("", "****"),
    ],
)
def test_masking_keeps_enough_to_recognise_never_enough_to_call(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["+8613812341234", "+868987402372", "+441234567890", "12"])
def test_masking_a_masked_number_changes_nothing(phone: str) -> None:
    """A customer's paper printed from an already masked view says what the view says."""
    once = mask_phone(phone)
    assert mask_phone(once) == once


def test_departments_and_admins_get_the_masked_number_callers_the_whole_one() -> None:
    for role in Role:
        shown = phone_for(role, "+8613812341234")
        if role in FULL_PHONE_ROLES:
            assert sees_full_phone(role) and shown == "+8613812341234"
        else:
            assert not sees_full_phone(role) and shown == "138****1234"
    assert not sees_full_phone(Role.DEPARTMENT) and not sees_full_phone(Role.ADMIN)
