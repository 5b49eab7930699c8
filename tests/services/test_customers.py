"""The caller's history and the repeat warning at registration, on both databases."""

from __future__ import annotations

import pytest

from kesu_desktop import services
from kesu_desktop.services import Desk
from tests.helpers.data import complaint


@pytest.fixture
def case_no(desk: Desk, people) -> str:
    return services.register_case(desk, people.alice, complaint()).case_no


def test_customer_history_and_suggestion_warn_of_a_repeat(desk: Desk, people, clock, case_no: str) -> None:
    clock.advance(days=10)
    history = services.customer_history(desk, people.alice, "138 0013 8000")
    assert [r.case_no for r in history] == [case_no]
    assert services.customer_history(desk, people.alice, "1380") == []
    s = services.suggest(desk, people.alice, category="product_quality", phone="13800138000")
    assert s.repeat_of == [case_no] and s.priority.value == "p1" and s.department == "AS"
    other = services.suggest(desk, people.alice, category="logistics", phone="13800138000")
    assert other.repeat_of == [] and other.priority.value == "p2" and other.department == "WL"
    urgent = services.suggest(desk, people.alice, category="logistics", urgent=True)
    assert urgent.priority.value == "p0" and urgent.severity.value == "major"
