"""Departments and categories on both databases: added, renamed, routed, deactivated; old cases keep names."""

from __future__ import annotations

from typing import Any

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import Conflict, NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.services.documents import case_file
from kesu_desktop.storage.models import SyncLink
from tests.helpers.data import complaint


def _codes(choices: list[Any]) -> list[str]:
    return [c.code for c in choices]


def test_an_admin_adds_a_department_and_a_category_routed_to_it(desk: Desk, people: Any) -> None:
    dept = services.add_department(desk, people.admin, " qa ", " 质量管理部 ")
    assert (dept.code, dept.name, dept.active) == ("QA", "质量管理部", True)
    cat = services.add_category(
        desk, people.admin, "Packaging", "包装破损", department="qa", parent="logistics"
    )
    assert (cat.code, cat.department_code, cat.parent_code) == ("packaging", "QA", "logistics")
    assert _codes(services.categories(desk))[-1] == "packaging"  # listed last on the form
    assert "QA" in _codes(services.departments(desk))
    listed = services.list_categories(desk, people.mia)  # a manager may read
    assert listed[-1] == cat
    case = services.register_case(desk, people.alice, complaint(category="packaging"))
    assert case.category == "packaging"
    changes = services.list_changes(desk, people.admin, entity="category", key="packaging")
    assert changes[0].before is None
    assert changes[0].after == {"name": "包装破损", "department": "QA", "parent": "logistics", "active": True}
    assert services.list_changes(desk, people.admin, entity="department", key="QA")[0].after == {
        "name": "质量管理部",
        "active": True,
    }


def test_renaming_and_rerouting_a_category_is_recorded(desk: Desk, people: Any) -> None:
    cat = services.set_category(desk, people.admin, "other", name="其他问题", department="bh")
    assert (cat.name, cat.department_code) == ("其他问题", "BH")
    change = services.list_changes(desk, people.admin, entity="category", key="other")[0]
    assert change.before == {"name": "其他", "department": "CS"}
    assert change.after == {"name": "其他问题", "department": "BH"}
    assert services.set_category(desk, people.admin, "other", department="").department_code is None


def test_a_deactivated_category_leaves_the_form_but_old_cases_keep_its_name(desk: Desk, people: Any) -> None:
    case = services.register_case(desk, people.alice, complaint(category="logistics"))
    services.set_category(desk, people.admin, "logistics", active=False)
    assert "logistics" not in _codes(services.categories(desk))
    assert (
        next(c for c in services.list_categories(desk, people.admin) if c.code == "logistics").active is False
    )
    assert "logistics" not in [
        c.code for c in services.list_categories(desk, people.admin, include_inactive=False)
    ]
    with pytest.raises(ValidationError) as caught:
        services.register_case(desk, people.alice, complaint(category="logistics"))
    assert "category" in caught.value.errors
    assert case_file(desk, people.alice, case.case_no, "receipt").category_name == "物流履约"
    services.set_category(desk, people.admin, "logistics", active=True)
    assert "logistics" in _codes(services.categories(desk))


def test_a_department_still_routed_to_cannot_be_deactivated(desk: Desk, people: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.set_department(desk, people.admin, "WL", active=False)
    assert "物流履约" in caught.value.errors["active"]
    assert "WL" in _codes(services.departments(desk))
    services.set_category(desk, people.admin, "logistics", department="AS")
    dept = services.set_department(desk, people.admin, "wl", name="物流部", active=False)
    assert (dept.name, dept.active) == ("物流部", False)
    assert "WL" not in _codes(services.departments(desk))
    assert "WL" in _codes(services.list_departments(desk, people.admin))
    with pytest.raises(ValidationError) as caught:  # nothing new is routed to it
        services.add_category(desk, people.admin, "returns", "退货", department="WL")
    assert set(caught.value.errors) == {"department"}
    change = services.list_changes(desk, people.admin, entity="department", key="WL")[0]
    assert change.before == {"name": "仓储物流部", "active": True}
    assert change.after == {"name": "物流部", "active": False}


def test_bad_codes_duplicates_and_non_admins_are_refused(desk: Desk, people: Any) -> None:
    before = (services.list_departments(desk, people.admin), services.list_categories(desk, people.admin))
    with pytest.raises(ValidationError) as caught:
        services.add_department(desk, people.admin, "质量-1", "")
    assert set(caught.value.errors) == {"code", "name"}
    with pytest.raises(Conflict):
        services.add_department(desk, people.admin, "as", "又一个售后")
    with pytest.raises(ValidationError) as caught:
        services.add_category(desk, people.admin, "1 bad", "x" * 101, department="ZZ", parent="nope")
    assert set(caught.value.errors) == {"code", "name", "department", "parent"}
    with pytest.raises(Conflict):
        services.add_category(desk, people.admin, "OTHER", "其他2")
    with pytest.raises(NotFound):
        services.set_category(desk, people.admin, "nope", name="x")
    with pytest.raises(NotFound):
        services.set_department(desk, people.admin, "ZZ", name="x")
    with pytest.raises(ValidationError):
        services.set_category(desk, people.admin, "other", name=" ")
    for call in (
        lambda: services.add_department(desk, people.mia, "QA", "质量管理部"),
        lambda: services.set_category(desk, people.carol, "other", active=False),
        lambda: services.list_categories(desk, people.alice),
    ):
        with pytest.raises(NotAllowed):
            call()
    assert (
        services.list_departments(desk, people.admin),
        services.list_categories(desk, people.admin),
    ) == before


def test_a_branch_leaves_the_catalogue_to_the_central(desk: Desk, people: Any) -> None:
    with desk.db.write() as session:
        session.add(SyncLink(office_code="BJ01", branch_id="branch-1", created_at=desk.clock.now()))
    with pytest.raises(NotAllowed, match="总部"):
        services.add_department(desk, people.admin, "QA", "质量管理部")
    with pytest.raises(NotAllowed, match="总部"):
        services.set_category(desk, people.admin, "other", active=False)
    assert "other" in _codes(services.categories(desk))
