"""Rules applied at registration on both databases: repeats, mass complaints, urgency, case numbers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kesu_desktop import services
from kesu_desktop.services import Desk
from tests.helpers.data import complaint
from tests.helpers.services import walk_to_resolved

SH = ZoneInfo("Asia/Shanghai")


def test_repeat_complaint_links_the_earlier_case_and_raises_priority(desk: Desk, people, clock) -> None:
    first = services.register_case(desk, people.alice, complaint())
    clock.advance(days=30)
    second = services.register_case(desk, people.alice, complaint(phone="+86 138 0013 8000"))
    assert second.is_repeat and second.repeat_of == [first.case_no] and second.priority == "p1"
    clock.advance(days=61)  # 91 days after the first, 61 after the second
    third = services.register_case(desk, people.alice, complaint())
    assert third.repeat_of == [second.case_no]
    other = services.register_case(desk, people.alice, complaint(category="logistics"))
    assert not other.is_repeat and other.priority == "p2"


def test_third_general_complaint_of_a_category_in_a_week_makes_the_group_major(
    desk: Desk, people, clock
) -> None:
    a = services.register_case(desk, people.alice, complaint(phone="13800138001", category="logistics"))
    clock.advance(days=3)
    b = services.register_case(desk, people.alice, complaint(phone="13800138002", category="logistics"))
    clock.advance(days=3, hours=23)
    c = services.register_case(desk, people.alice, complaint(phone="13800138003", category="logistics"))
    assert c.severity == "major" and c.priority == "p1"
    for earlier in (a, b):
        now = services.get_case(desk, people.bob, earlier.case_no)
        assert now.severity == "major"
        assert now.events[-1].kind == "severity_raised" and now.events[-1].actor == "system"
        assert c.case_no in now.events[-1].payload["group"]
    # the group's events were chained onto the head in one go: the log still verifies, link by link
    report = services.verify_log(desk, people.admin)
    assert report.intact, report.as_json()


def test_a_closed_case_counts_in_one_mass_complaint_only(desk: Desk, people, clock) -> None:
    """A closed case of a group stays general; counted again, it would make every later general
    complaint of its category that week a mass complaint (counting must start afresh)."""
    closed = services.register_case(desk, people.alice, complaint(phone="13800138001", category="logistics"))
    walk_to_resolved(desk, people, closed.case_no)
    services.act(desk, people.alice, closed.case_no, "confirm", {"opinion": "满意"})
    services.act(
        desk, people.alice, closed.case_no, "survey", {"efficiency": 5, "attitude": 5, "solution": 5}
    )
    services.act(desk, people.bob, closed.case_no, "close", {})
    clock.advance(hours=1)

    def general(n: int) -> services.CaseView:
        clock.advance(minutes=10)
        return services.register_case(
            desk, people.alice, complaint(phone=f"1380013801{n}", category="logistics")
        )

    general(1)
    third = general(2)
    assert third.severity == "major"  # the closed case, the second and this one
    assert services.get_case(desk, people.bob, closed.case_no).status == "closed"
    fourth, fifth = general(3), general(4)
    assert (fourth.severity, fifth.severity) == ("general", "general")  # the closed one is not counted again
    sixth = general(5)
    assert sixth.severity == "major"
    raised = services.get_case(desk, people.bob, fourth.case_no).events[-1]
    assert raised.kind == "severity_raised" and closed.case_no not in raised.payload["group"]
    assert sorted(raised.payload["group"]) == sorted([fourth.case_no, fifth.case_no, sixth.case_no])


def test_no_mass_complaint_when_the_three_span_more_than_a_week(desk: Desk, people, clock) -> None:
    services.register_case(desk, people.alice, complaint(phone="13800138001", category="logistics"))
    clock.advance(days=4)
    services.register_case(desk, people.alice, complaint(phone="13800138002", category="logistics"))
    clock.advance(days=4)  # eight days after the first
    c = services.register_case(desk, people.alice, complaint(phone="13800138003", category="logistics"))
    assert c.severity == "general"


def test_urgent_complaint_is_p0_with_clock_hour_deadlines(desk: Desk, people, clock) -> None:
    clock.instant = datetime(2026, 11, 20, 17, 30, tzinfo=SH)  # Friday evening
    case = services.register_case(
        desk, people.alice, complaint(urgent=True, description="燃气灶漏气，有安全隐患")
    )
    assert case.priority == "p0" and case.severity == "major"
    assert case.respond_by == datetime(2026, 11, 20, 19, 30, tzinfo=SH)


def test_verifying_as_urgent_tightens_the_deadlines(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    urgent = services.act(desk, people.alice, case.case_no, "verify", {"valid": True, "urgent": True})
    assert urgent.priority == "p0" and urgent.resolve_by < case.resolve_by


def test_case_numbers_count_per_office_department_and_day(desk: Desk, people, clock) -> None:
    nos = [
        services.register_case(desk, people.alice, complaint(phone=f"1380013800{i}")).case_no
        for i in range(3)
    ]
    assert nos == [f"20261123-BJ01-CS-000{i}" for i in (1, 2, 3)]
    clock.advance(days=1)
    assert services.register_case(desk, people.alice, complaint()).case_no == "20261124-BJ01-CS-0001"


def test_events_stay_in_order_when_the_clock_stands_still(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    for i in range(5):
        services.act(desk, people.alice, case.case_no, "log", {"channel": "phone", "summary": f"第{i}次"})
    # A fresh desk (another process) with the same frozen clock must still append after the last event.
    other = services.Desk(db=desk.db, clock=desk.clock, node_id="other-node")
    services.act(other, people.alice, case.case_no, "log", {"channel": "phone", "summary": "第5次"})
    events = services.get_case(desk, people.bob, case.case_no).events
    assert [e.payload.get("summary") for e in events[1:]] == [f"第{i}次" for i in range(6)]
    assert [e.hlc for e in events] == sorted(e.hlc for e in events)


def test_list_filters_and_keyset_pages(desk: Desk, people, clock) -> None:
    for i in range(7):
        clock.advance(minutes=1)
        services.register_case(
            desk,
            people.alice,
            complaint(phone=f"1390013900{i}", category="logistics" if i % 2 else "product_quality"),
        )
    page1 = services.list_cases(desk, people.bob, services.CaseFilter(limit=3))
    page2 = services.list_cases(
        desk, people.bob, services.CaseFilter(limit=3, after=(page1[-1].created_at, page1[-1].id))
    )
    page3 = services.list_cases(
        desk, people.bob, services.CaseFilter(limit=3, after=(page2[-1].created_at, page2[-1].id))
    )
    all_nos = [r.case_no for r in page1 + page2 + page3]
    assert all_nos == sorted(all_nos, reverse=True) and len(set(all_nos)) == 7
    logistics = services.list_cases(desk, people.bob, services.CaseFilter(category="logistics"))
    assert len(logistics) == 3 and {r.category for r in logistics} == {"logistics"}


def test_a_phone_extension_is_registered_shown_and_never_dropped(desk: Desk, people) -> None:
    landline = services.register_case(desk, people.alice, complaint(phone="0898-67402372转613"))
    assert (landline.phone, landline.phone_ext) == ("+8689867402372", "613")
    mobile = services.register_case(desk, people.alice, complaint(phone="13800138000 ext. 12"))
    assert (mobile.phone, mobile.phone_ext) == ("+8613800138000", "12")
    plain = services.register_case(desk, people.alice, complaint(phone="13900139000"))
    assert plain.phone_ext is None
    shown = services.get_case(desk, people.bob, landline.case_no)
    assert shown.phone_ext == "613" and shown.phone == "+8689867402372"
    registered = shown.events[0]
    assert registered.kind == "registered" and registered.payload["set"]["phone_ext"] == "613"
    # The extension does not make another customer: the same number is still a repeat.
    again = services.register_case(desk, people.alice, complaint(phone="13800138000"))
    assert again.repeat_of == [mobile.case_no] and again.phone_ext is None
