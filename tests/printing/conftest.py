"""Cases worked through the real services, ready to print, and ways to read a PDF back."""

from __future__ import annotations

import pytest

from kesu_desktop import services
from kesu_desktop.services import Desk
from tests.helpers.data import People, complaint


@pytest.fixture
def registered(desk: Desk, people: People) -> str:
    return services.register_case(desk, people.alice, complaint()).case_no
