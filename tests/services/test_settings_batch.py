"""The 时限与规则 form saves several settings at once: all or nothing, each change recorded."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.models import SyncLink
from tests.helpers.data import complaint

SH = ZoneInfo("Asia/Shanghai")


def test_one_bad_value_refuses_the_whole_form(desk: Desk, people) -> None:
    with pytest.raises(ValidationError) as info:
        services.set_settings(
            desk,
            people.admin,
            {"sla.p2.respond": "2wh", "sla.p1.resolve": "3 weeks", "repeat_window_days": "-4"},
        )
    assert set(info.value.errors) == {"sla.p1.resolve", "repeat_window_days"}
    assert "无法识别的时长" in info.value.errors["sla.p1.resolve"]
    assert "正整数" in info.value.errors["repeat_window_days"]
    assert services.settings(desk, people.admin) == {}
    assert services.list_changes(desk, people.admin, entity="setting") == []


def test_a_valid_form_is_stored_recorded_and_used(desk: Desk, people) -> None:
    changed = services.set_settings(
        desk, people.admin, {"sla.p2.respond": "2wh", "rule_mass_complaint": "false"}, office="BJ01"
    )
    assert sorted(changed) == ["rule_mass_complaint", "sla.p2.respond"]
    assert services.settings(desk, people.admin) == {
        "BJ01": {"sla.p2.respond": "2wh", "rule_mass_complaint": "false"}
    }
    records = {c.entity_key: (c.before, c.after, c.actor) for c in services.list_changes(desk, people.admin)}
    assert records["BJ01:sla.p2.respond"] == (None, "2wh", "admin")
    case = services.register_case(desk, people.alice, complaint())
    assert case.respond_by == datetime(2026, 11, 23, 12, 0, tzinfo=SH)

    # saving the same form again changes and records nothing; clearing a value removes it
    assert services.set_settings(desk, people.admin, {"sla.p2.respond": "2wh"}, office="BJ01") == []
    assert services.set_settings(desk, people.admin, {"sla.p2.respond": ""}, office="BJ01") == [
        "sla.p2.respond"
    ]
    assert services.settings(desk, people.admin) == {"BJ01": {"rule_mass_complaint": "false"}}
    latest = services.list_changes(desk, people.admin, entity="setting")[0]
    assert (latest.entity_key, latest.before, latest.after) == ("BJ01:sla.p2.respond", "2wh", None)


def test_rows_show_label_default_stored_and_inherited(desk: Desk, people) -> None:
    services.set_settings(desk, people.admin, {"sla.p1.respond": "3wh"})
    services.set_settings(desk, people.admin, {"due_soon_minutes": "45"}, office="BJ01")
    rows = {row.key: row for row in services.setting_rows(desk, people.admin, office="BJ01")}
    assert "timezone" not in rows and "print_contact" not in rows
    p1 = rows["sla.p1.respond"]
    assert (p1.label, p1.default, p1.stored, p1.inherited) == ("P1 响应时限", "4wh", None, "3wh")
    assert rows["due_soon_minutes"].stored == "45"
    assert (
        rows["rule_overdue_escalation"].kind == "bool" and rows["rule_overdue_escalation"].default == "true"
    )
    company = {row.key: row for row in services.setting_rows(desk, people.admin)}
    assert company["sla.p1.respond"].stored == "3wh" and company["due_soon_minutes"].stored is None


def test_only_an_admin_at_the_central(desk: Desk, people) -> None:
    with pytest.raises(NotAllowed):
        services.set_settings(desk, people.mia, {"sla.p2.respond": "2wh"})
    with pytest.raises(ValidationError) as info:
        services.set_settings(desk, people.admin, {"sla.p2.respond": "2wh"}, office="XX99")
    assert "office" in info.value.errors
    with desk.db.write() as session:
        session.add(SyncLink(office_code="BJ01", branch_id="branch-1", created_at=desk.clock.now()))
    with pytest.raises(NotAllowed):
        services.set_settings(desk, people.admin, {"sla.p2.respond": "2wh"})
    with desk.db.read() as session:
        assert session.execute(text("SELECT COUNT(*) FROM settings")).scalar() == 0


def test_the_clock_override_is_company_wide_only(desk: Desk, people) -> None:
    with pytest.raises(ValidationError) as info:
        services.set_settings(desk, people.admin, {"allow_clock_override": "true"}, office="BJ01")
    assert "全公司" in info.value.errors["allow_clock_override"]
    assert services.settings(desk, people.admin) == {}
    rows = {row.key: row for row in services.setting_rows(desk, people.admin, office="BJ01")}
    assert rows["allow_clock_override"].company_only and not rows["sla.p1.respond"].company_only
