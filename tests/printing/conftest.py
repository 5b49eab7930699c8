"""Cases worked through the real services, ready to print, and ways to read a PDF back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kesu_desktop import services
from kesu_desktop.services import Desk
from tests.helpers.data import People, complaint


@pytest.fixture
def registered(desk: Desk, people: People) -> str:
    return services.register_case(desk, people.alice, complaint()).case_no


@pytest.fixture(autouse=True)
def no_system_keyring() -> Iterator[None]:
    """Every test here starts as on a machine without a system keyring (as CI is), so none writes a
    signing password into a developer's real keyring; keyring tests set their own backend."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)
