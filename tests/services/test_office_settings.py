"""An office's name, zone, follow-up phone and organisation: set by an admin, printed, recorded."""

from __future__ import annotations

from typing import Any

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.services.documents import case_file
from kesu_desktop.storage.models import SyncLink
from tests.helpers.data import complaint


def _office(desk: Desk, actor: Any, code: str = "BJ01") -> services.OfficeView:
    return next(o for o in services.list_offices(desk, actor) if o.code == code)


def test_the_contact_and_organisation_go_on_the_office_letters(desk: Desk, people: Any) -> None:
    view = services.set_office(
        desk,
        people.admin,
        "bj01",
        name="北京朝阳区建国路八十八号客户服务中心总部营业厅",
        contact=" 010-6512 3456 转 8001 ",
        organisation="北京某某电器有限公司",
    )
    assert view.contact == "010-6512 3456 转 8001" and view.organisation == "北京某某电器有限公司"
    assert _office(desk, people.alice) == view
    assert view.as_json("Asia/Shanghai")["contact"] == "010-6512 3456 转 8001"
    case = services.register_case(desk, people.alice, complaint())
    printed = case_file(desk, people.alice, case.case_no, "receipt")
    assert printed.contact == "010-6512 3456 转 8001"
    assert printed.organisation == "北京某某电器有限公司"
    assert printed.office_name == "北京朝阳区建国路八十八号客户服务中心总部营业厅"
    change = services.list_changes(desk, people.admin, entity="office", key="BJ01")[0]
    assert change.before == {"name": "北京总部", "contact": "", "organisation": ""}
    assert change.after == {
        "name": "北京朝阳区建国路八十八号客户服务中心总部营业厅",
        "contact": "010-6512 3456 转 8001",
        "organisation": "北京某某电器有限公司",
    }
    # an empty value removes the office's own: the letters fall back to the office name
    services.set_office(desk, people.admin, "BJ01", organisation="", contact="")
    printed = case_file(desk, people.alice, case.case_no, "receipt")
    assert printed.contact == "" and printed.organisation == printed.office_name


def test_the_timezone_changes_the_office_zone(desk: Desk, people: Any) -> None:
    services.set_office(desk, people.admin, "BJ01", timezone="Asia/Urumqi")
    assert services.get_actor(desk, "alice").timezone == "Asia/Urumqi"
    assert _office(desk, people.admin).timezone == "Asia/Urumqi"
    # an office-scoped timezone setting would win over the row: it follows the change too
    services.set_setting(desk, people.admin, "timezone", "Asia/Shanghai", office="BJ01")
    services.set_office(desk, people.admin, "BJ01", timezone="Asia/Hong_Kong")
    assert services.get_actor(desk, "alice").timezone == "Asia/Hong_Kong"


def test_bad_values_are_refused_and_change_nothing(desk: Desk, people: Any) -> None:
    before = _office(desk, people.admin)
    recorded = len(services.list_changes(desk, people.admin, entity="office"))
    with pytest.raises(ValidationError) as caught:
        services.set_office(
            desk,
            people.admin,
            "BJ01",
            name=" ",
            timezone="Mars/Olympus",
            contact="12345",
            organisation="x" * 101,
        )
    assert set(caught.value.errors) == {"name", "timezone", "contact", "organisation"}
    assert "跟进电话无效" in caught.value.errors["contact"]
    with pytest.raises(ValidationError) as caught:
        services.set_office(desk, people.admin, "BJ01", contact="010-65123456 转 abc")
    assert set(caught.value.errors) == {"contact"}
    with pytest.raises(NotFound):
        services.set_office(desk, people.admin, "ZZ99", name="无")
    with pytest.raises(NotAllowed):
        services.set_office(desk, people.mia, "BJ01", name="经理改名")
    assert _office(desk, people.admin) == before
    assert len(services.list_changes(desk, people.admin, entity="office")) == recorded


def test_adding_an_office_is_recorded(desk: Desk, people: Any) -> None:
    services.add_office(desk, people.admin, "SZ01", "深圳分部", timezone="Asia/Shanghai")
    change = services.list_changes(desk, people.admin, entity="office", key="SZ01")[0]
    assert change.before is None and change.after == {"name": "深圳分部", "timezone": "Asia/Shanghai"}


def test_a_branch_leaves_office_settings_to_the_central(desk: Desk, people: Any) -> None:
    with desk.db.write() as session:
        session.add(SyncLink(office_code="BJ01", branch_id="branch-1", created_at=desk.clock.now()))
    with pytest.raises(NotAllowed, match="总部"):
        services.set_office(desk, people.admin, "BJ01", contact="010-65123456")
    assert _office(desk, people.admin).contact == ""


def test_a_new_office_with_a_bad_phone_is_not_added(desk: Desk, people: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.add_office(desk, people.admin, "SZ01", "深圳分部", contact="12345")
    assert set(caught.value.errors) == {"contact"}
    assert [o.code for o in services.list_offices(desk, people.admin)] == ["BJ01"]
    view = services.add_office(
        desk, people.admin, "SZ01", "深圳分部", contact="0755-12345678", organisation="深圳公司"
    )
    assert (view.contact, view.organisation) == ("0755-12345678", "深圳公司")
    change = services.list_changes(desk, people.admin, entity="office", key="SZ01")[0]
    assert change.after["contact"] == "0755-12345678"
