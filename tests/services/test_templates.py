"""Reply templates and the phrase library as administrators keep them; the reply editor reads them."""

from __future__ import annotations

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.models import SyncLink
from tests.helpers.data import complaint


def test_templates_are_listed_per_kind_and_edited(desk: Desk, people) -> None:
    listed = services.list_templates(desk, people.admin)
    assert [t.kind for t in listed] == ["acceptance", "progress", "solution", "invalid", "closure"]
    assert listed[0].kind_label == "受理告知" and "{customer_name}" in listed[0].body

    services.set_template(
        desk, people.admin, "acceptance", name="受理（简）", body="{customer_name}您好：{case_no}已受理。"
    )
    case = services.register_case(desk, people.alice, complaint())
    assert (
        services.compose_reply(desk, people.bob, case.case_no, "acceptance")
        == f"张三您好：{case.case_no}已受理。"
    )
    change = services.list_changes(desk, people.admin, entity="reply_template")[0]
    assert change.entity_key == "acceptance" and change.after["name"] == "受理（简）"
    assert "{customer_name}" in change.before["body"]


def test_an_unknown_placeholder_is_refused_with_the_ones_allowed(desk: Desk, people) -> None:
    before = services.list_templates(desk, people.admin)[0].body
    with pytest.raises(ValidationError) as info:
        services.set_template(desk, people.admin, "acceptance", body="{客户}您好，编号{case_number}")
    message = info.value.errors["body"]
    assert "{客户}" in message and "{case_number}" in message and "{case_no}" in message
    with pytest.raises(ValidationError) as info:
        services.set_template(desk, people.admin, "acceptance", name="", body="  ")
    assert set(info.value.errors) == {"name", "body"}
    assert services.list_templates(desk, people.admin)[0].body == before
    assert services.list_changes(desk, people.admin, entity="reply_template") == []


def test_phrases_added_edited_and_deactivated(desk: Desk, people) -> None:
    added = services.add_phrase(desk, people.admin, "forbidden", "不归我管", "我帮您联系负责的同事")
    assert "不归我管" in [p.text for p in services.phrase_book(desk).forbidden]
    with pytest.raises(ValidationError) as info:
        services.add_phrase(desk, people.admin, "forbidden", "不归我管")
    assert "已有" in info.value.errors["text"]
    assert added.sort_order > max(
        p.sort_order for p in services.list_phrases(desk, people.admin, kind="forbidden") if p.id != added.id
    )

    services.edit_phrase(desk, people.admin, added.id, suggestion="我请负责的同事尽快联系您")
    services.edit_phrase(desk, people.admin, str(added.id), active=False)
    assert "不归我管" not in [p.text for p in services.phrase_book(desk).forbidden]
    shown = next(p for p in services.list_phrases(desk, people.admin) if p.id == added.id)
    assert (shown.active, shown.suggestion) == (False, "我请负责的同事尽快联系您")
    records = services.list_changes(desk, people.admin, entity="phrase")
    assert [r.after for r in records[:2]] == [{"active": False}, {"suggestion": "我请负责的同事尽快联系您"}]
    assert records[2].before is None and records[2].after["text"] == "不归我管"
    with pytest.raises(NotFound):
        services.edit_phrase(desk, people.admin, "018f0000-0000-7000-8000-000000000000", active=True)


def test_only_an_admin_at_the_central(desk: Desk, people) -> None:
    with pytest.raises(NotAllowed):
        services.add_phrase(desk, people.carol, "recommended", "您好")
    with pytest.raises(NotAllowed):
        services.list_templates(desk, people.carol)
    with desk.db.write() as session:
        session.add(SyncLink(office_code="BJ01", branch_id="branch-1", created_at=desk.clock.now()))
    with pytest.raises(NotAllowed):
        services.set_template(desk, people.admin, "closure", body="{customer_name}：已结案。")
    with pytest.raises(NotAllowed):
        services.add_phrase(desk, people.admin, "recommended", "您好")
