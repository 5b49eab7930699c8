"""Search by case number, phone, name and Chinese words: the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from kesu_desktop import services
from kesu_desktop.services import Desk
from tests.conftest import complaint

CASES = [
    ("张三", "13800138000", "在门店购买的冰箱不制冷，要求退款"),
    ("李四", "13912345678", "快递三天未送达，客服电话打不通"),
    ("王小明", "18611112222", "宽带经常断线，申请退款未处理"),
    ("张伟", "13700001234", "营业员服务态度差，还说我们有规定"),
    ("Tom Lee", "15000005678", "iPhone 屏幕碎裂，保修被拒绝"),
]


@pytest.fixture
def registered(desk: Desk, people, clock) -> dict[str, str]:
    numbers = {}
    for name, phone, text in CASES:
        clock.advance(minutes=1)
        numbers[name] = services.register_case(
            desk, people.alice, complaint(customer_name=name, phone=phone, description=text, demand=None)
        ).case_no
    return numbers


def found(desk: Desk, people, query: str) -> set[str]:
    return {r.customer_name for r in services.list_cases(desk, people.bob, services.CaseFilter(search=query))}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("张", {"张三", "张伟"}),  # one character
        ("退款", {"张三", "王小明"}),  # two characters
        ("申请退款", {"王小明"}),
        ("冰箱 退款", {"张三"}),  # every term must match
        ("不制冷", {"张三"}),
        ("我们有规定", {"张伟"}),
        ("王小明", {"王小明"}),
        ("iphone", {"Tom Lee"}),  # case-insensitive Latin words
        ("IPHONE 屏幕", {"Tom Lee"}),
        ("5678", {"李四", "Tom Lee"}),  # last four digits of the phone
        ("13912345678", {"李四"}),  # the full phone, typed as people type it
        ("139 1234 5678", set()),  # spaces split terms: each must match
        ("退货", set()),
        ("%", set()),
        ("_", set()),
    ],
)
def test_search_finds_exactly_the_matching_cases(
    desk: Desk, people, registered, query: str, names: set[str]
) -> None:
    assert found(desk, people, query) == names


def test_search_by_case_number_and_its_prefix(desk: Desk, people, registered) -> None:
    assert found(desk, people, registered["李四"]) == {"李四"}
    assert found(desk, people, "20261123-BJ01") == {name for name, _, _ in CASES}


def test_index_follows_changes_to_the_text(desk: Desk, people, registered) -> None:
    """Reclassification does not touch the text, but the index must still answer after actions."""
    services.act(desk, people.alice, registered["李四"], "verify", {"valid": True})
    assert found(desk, people, "快递") == {"李四"}
