"""Registration keeps the reference data between transactions: it must still see every change.

The policy, calendar and category list a desk caches (services/reference_cache.py) are invalidated by
triggers, so these changes are made from a second desk on the same database — the way a colleague's
desk or the CLI would — and the next registration at the first desk must follow them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.services.documents import case_file
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.models import Category
from tests.helpers.data import complaint

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def other_desk(db_url: str, clock) -> Iterator[Desk]:
    d = Desk(db=Database(db_url), clock=clock, node_id="other-node")
    yield d
    d.close()


def test_the_returned_case_is_the_case_as_read_back(desk: Desk, people, clock) -> None:
    first = services.register_case(desk, people.alice, complaint(description="退款迟迟不到账"))
    clock.advance(days=2)
    second = services.register_case(desk, people.alice, complaint(phone="+86 138 0013 8000"))
    assert second.repeat_of == [first.case_no]
    for registered in (first, second):
        assert registered == services.get_case(desk, people.alice, registered.case_no)


def test_a_mass_complaint_is_returned_as_read_back(desk: Desk, people, clock) -> None:
    for n in range(2):
        services.register_case(desk, people.alice, complaint(phone=f"1380013800{n}", category="logistics"))
        clock.advance(hours=5)
    third = services.register_case(desk, people.alice, complaint(phone="13800138009", category="logistics"))
    assert third.severity == "major"
    assert third == services.get_case(desk, people.alice, third.case_no)


def test_a_rule_switched_off_at_another_desk_applies_to_the_next_registration(
    desk: Desk, other_desk: Desk, people, clock
) -> None:
    services.register_case(desk, people.alice, complaint(phone="13800138001", category="logistics"))
    clock.advance(hours=1)
    services.register_case(desk, people.alice, complaint(phone="13800138002", category="logistics"))
    clock.advance(hours=1)
    admin = services.get_actor(other_desk, "admin")
    services.set_setting(other_desk, admin, "rule_mass_complaint", "false")
    third = services.register_case(desk, people.alice, complaint(phone="13800138003", category="logistics"))
    assert third.severity == "general"


def test_a_day_off_declared_at_another_desk_moves_the_next_deadline(
    desk: Desk, other_desk: Desk, people, clock
) -> None:
    clock.instant = datetime(2026, 11, 20, 17, 30, tzinfo=SH)  # Friday evening
    before = services.register_case(desk, people.alice, complaint(phone="13800138001"))
    admin = services.get_actor(other_desk, "admin")
    monday = datetime(2026, 11, 23, tzinfo=SH).date()
    services.set_calendar_day(other_desk, admin, monday, working=False, note="调休")
    after = services.register_case(desk, people.alice, complaint(phone="13800138002", category="logistics"))
    assert before.respond_by.astimezone(SH).date() == monday
    assert after.respond_by.astimezone(SH).date() == monday + timedelta(days=1)


def test_a_category_added_by_sql_is_accepted_at_once(desk: Desk, people) -> None:
    with pytest.raises(ValidationError):
        services.register_case(desk, people.alice, complaint(category="parking"))
    with desk.db.engine.begin() as conn:  # an administrator's SQL, no service in between
        conn.execute(
            Category.__table__.insert().values(
                id=uuid.uuid4(), code="parking", name="停车", sort_order=99, active=True
            )
        )
    case = services.register_case(desk, people.alice, complaint(category="parking"))
    assert case.category == "parking"


def test_a_case_opened_and_printed_follows_a_zone_set_at_another_desk(
    desk: Desk, other_desk: Desk, people
) -> None:
    """Opening, acting on and printing a case use the same cache: a change elsewhere reaches them too."""
    case = services.register_case(desk, people.alice, complaint())
    assert case_file(desk, people.alice, case.case_no, "receipt").timezone == "Asia/Shanghai"
    services.get_case(desk, people.alice, case.case_no)  # the desk has its office's policy cached now
    admin = services.get_actor(other_desk, "admin")
    services.set_setting(other_desk, admin, "print_organisation", "华东客服中心")
    services.set_setting(other_desk, admin, "timezone", "Asia/Urumqi", office=case.office_code)
    printed = case_file(desk, people.alice, case.case_no, "receipt")
    assert (printed.timezone, printed.organisation) == ("Asia/Urumqi", "华东客服中心")
    acted = services.act(desk, people.alice, case.case_no, "verify", {"valid": True})
    assert acted == services.get_case(desk, people.alice, case.case_no)


def test_a_receipt_names_an_office_renamed_at_another_desk(desk: Desk, other_desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    assert case_file(desk, people.alice, case.case_no, "receipt").office_name == "北京总部"
    admin = services.get_actor(other_desk, "admin")
    services.set_office(other_desk, admin, case.office_code, name="北京东城营业厅")
    assert case_file(desk, people.alice, case.case_no, "receipt").office_name == "北京东城营业厅"
