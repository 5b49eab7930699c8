"""The deadline watcher's tick (services.watch_tick) on both databases: each change announced once, the
automatic rules, and what a tick returns; holds pause the clock the watcher reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.services import Desk
from tests.helpers.data import complaint

SH = ZoneInfo("Asia/Shanghai")


def at(clock, text: str) -> None:
    clock.instant = datetime.fromisoformat(text).replace(tzinfo=SH)


def assigned_case(desk: Desk, people) -> str:
    case_no = services.register_case(desk, people.alice, complaint()).case_no
    services.act(desk, people.alice, case_no, "verify", {"valid": True})
    services.act(desk, people.bob, case_no, "assign", {"department": "AS"})
    return case_no


def test_hold_pauses_the_resolution_clock_and_resume_continues_it(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")  # Monday
    case_no = assigned_case(desk, people)
    before = services.get_case(desk, people.bob, case_no)
    assert before.resolve_by == datetime(2026, 12, 2, 10, 0, tzinfo=SH)  # 7 working days
    at(clock, "2026-11-24T10:00")
    held = services.act(desk, people.bob, case_no, "hold", {"reason": "等待厂家检测报告"})
    assert held.events[-1].kind == "put_on_hold"
    assert "resolve" not in {
        d.deadline for d in services.due(desk, people.bob, datetime(2026, 12, 3, tzinfo=SH))
    }
    with pytest.raises(NotAllowed, match="已挂起"):
        services.act(desk, people.bob, case_no, "hold", {"reason": "again"})
    at(clock, "2026-11-26T10:00")  # two working days later
    resumed = services.act(desk, people.bob, case_no, "resume", {})
    assert resumed.resolve_by == datetime(2026, 12, 4, 10, 0, tzinfo=SH)  # moved by the two paused days
    assert resumed.events[-1].kind == "resumed"
    with pytest.raises(NotAllowed, match="未挂起"):
        services.act(desk, people.bob, case_no, "resume", {})
    with pytest.raises(ValidationError):
        services.act(desk, people.bob, case_no, "hold", {})


def test_watcher_announces_due_soon_once_then_overdue_once_and_escalates(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint()).case_no  # respond by 18:00
    assert services.watch_tick(desk).new_alerts == []
    at(clock, "2026-11-23T16:00")  # lead is 20% of 8 h = 1 h 36 min: not yet
    assert services.watch_tick(desk).new_alerts == []
    at(clock, "2026-11-23T16:30")
    first = services.watch_tick(desk).new_alerts
    assert [(a.case_no, a.deadline, a.state) for a in first] == [(case_no, "respond", "due_soon")]
    at(clock, "2026-11-23T16:45")
    assert services.watch_tick(desk).new_alerts == []
    at(clock, "2026-11-23T18:01")
    result = services.watch_tick(desk)
    assert [(a.deadline, a.state) for a in result.new_alerts] == [("respond", "overdue")]
    assert result.escalated == [case_no]
    case = services.get_case(desk, people.bob, case_no)
    assert case.status == "escalated" and case.events[-1].actor == "system"
    assert "自动升级" in case.events[-1].payload["reason"]
    assert services.watch_tick(desk).new_alerts == [] and services.watch_tick(desk).examined == 0


def test_no_alerts_for_a_closed_case(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint()).case_no
    services.act(desk, people.alice, case_no, "verify", {"valid": False, "reason": "非本公司产品"})
    services.act(desk, people.bob, case_no, "close", {})
    at(clock, "2026-12-31T10:00")
    assert [a for a in services.watch_tick(desk).new_alerts if a.case_no == case_no] == []


def test_switched_off_rule_announces_but_does_not_escalate(desk: Desk, people, clock) -> None:
    services.set_setting(desk, people.admin, "rule_overdue_escalation", "false")
    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint()).case_no
    at(clock, "2026-11-24T10:00")
    result = services.watch_tick(desk)
    assert ("respond", "overdue") in {(a.deadline, a.state) for a in result.new_alerts}
    assert result.escalated == [] and services.get_case(desk, people.bob, case_no).status == "registered"


def test_low_survey_score_gives_a_supervisor_callback(desk: Desk, people, clock) -> None:
    case_no = assigned_case(desk, people)
    services.act(desk, people.bob, case_no, "resolve", {"result": "已更换"})
    services.act(desk, people.alice, case_no, "confirm", {})
    surveyed = services.act(
        desk, people.alice, case_no, "survey", {"efficiency": 2, "attitude": 4, "solution": 4}
    )
    assert surveyed.callback_by is not None and surveyed.events[-1].payload["callback_for"] == "supervisor"
    assert "callback" in {d.deadline for d in services.due(desk, people.carol, surveyed.callback_by)}


def test_monthly_report_reminder_on_the_first_days_of_the_month(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-30T10:00")
    assert [a for a in services.watch_tick(desk).new_alerts if a.deadline == "report"] == []
    at(clock, "2026-12-01T09:00")
    reminders = [a for a in services.watch_tick(desk).new_alerts if a.deadline == "report"]
    assert len(reminders) == 1 and "月度投诉分析报告" in reminders[0].message
    assert [a for a in services.watch_tick(desk).new_alerts if a.deadline == "report"] == []
    assert any(a.deadline == "report" for a in services.alerts_for(desk, people.carol))
    assert not any(a.deadline == "report" for a in services.alerts_for(desk, people.alice))


def test_acknowledge_and_snooze_are_recorded_and_respected(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint()).case_no
    other = services.register_case(
        desk, people.alice, complaint(phone="13900139000", category="logistics")
    ).case_no
    at(clock, "2026-11-23T17:00")
    services.watch_tick(desk)
    mine = services.alerts_for(desk, people.alice)
    assert {a.case_no for a in mine} == {case_no, other}
    first = next(a for a in mine if a.case_no == case_no)
    services.acknowledge_alert(desk, people.alice, first.id)
    snoozed = next(a for a in mine if a.case_no == other)
    services.snooze_alert(desk, people.alice, snoozed.id, 30)
    assert services.alerts_for(desk, people.alice) == []
    clock.advance(minutes=31)
    assert [a.case_no for a in services.alerts_for(desk, people.alice)] == [other]
    kinds = [e.kind for e in services.get_case(desk, people.bob, case_no).events]
    assert "alert_acknowledged" in kinds
    with pytest.raises(ValidationError):
        services.snooze_alert(desk, people.alice, snoozed.id, 0)


def test_an_alert_stops_showing_once_its_deadline_is_met(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint()).case_no
    at(clock, "2026-11-23T17:00")
    services.watch_tick(desk)
    assert [a.deadline for a in services.alerts_for(desk, people.alice)] == ["respond"]
    services.act(desk, people.alice, case_no, "log", {"channel": "phone", "summary": "已回电说明受理情况"})
    assert services.alerts_for(desk, people.alice) == []


def test_a_tick_reads_only_cases_whose_moment_has_come(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    for i in range(5):
        services.register_case(desk, people.alice, complaint(phone=f"1390013900{i}"))
    at(clock, "2026-11-23T11:00")
    assert services.watch_tick(desk).examined == 0  # nothing is due soon yet: no case is read
    at(clock, "2026-11-23T17:00")
    assert services.watch_tick(desk).examined == 5
    assert services.watch_tick(desk).examined == 0


# -- what a tick returns -------------------------------------------------------------------------


def test_a_tick_returns_the_alerts_it_stored_and_the_cases_it_changed(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    late = services.register_case(desk, people.alice, complaint())
    answered = services.register_case(
        desk, people.alice, complaint(phone="13900139000", category="logistics")
    )
    services.act(desk, people.alice, answered.case_no, "verify", {"valid": True})  # responded in time
    at(clock, "2026-11-24T10:30")
    result = services.watch_tick(desk)
    assert isinstance(result, services.WatchResult)
    assert result.examined >= 1
    assert result.escalated == [late.case_no]
    assert result.changed_case_ids == [late.id]  # an alert alone changes no case
    overdue = {(a.case_no, a.deadline) for a in result.new_alerts if a.state == "overdue"}
    assert (late.case_no, "respond") in overdue
    assert all(a.case_no != answered.case_no or a.deadline != "respond" for a in result.new_alerts)
    escalated = services.get_case(desk, people.carol, late.case_no)
    assert escalated.status == "escalated" and escalated.escalation_level == 1
    assert escalated.events[-1].payload["rule"] == "overdue_escalation"
    again = services.watch_tick(desk)
    assert (again.new_alerts, again.escalated, again.changed_case_ids) == ([], [], [])


def test_two_deadlines_overdue_in_one_tick_escalate_once(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint(urgent=True)).case_no  # P0: clock hours
    at(clock, "2026-12-10T10:00")  # response and resolution both long overdue, first tick since
    result = services.watch_tick(desk)
    assert {a.deadline for a in result.new_alerts if a.state == "overdue"} >= {"respond", "resolve"}
    assert result.escalated == [case_no] and len(result.changed_case_ids) == 1
    kinds = [e.kind for e in services.get_case(desk, people.carol, case_no).events]
    assert kinds.count("escalated") == 1


def test_a_case_already_escalated_is_announced_but_not_changed(desk: Desk, people, clock) -> None:
    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint()).case_no
    services.act(desk, people.carol, case_no, "escalate", {"reason": "客户情绪激动，主管接手"})
    at(clock, "2026-11-24T10:30")
    result = services.watch_tick(desk)
    assert ("respond", "overdue") in {(a.deadline, a.state) for a in result.new_alerts}
    assert (result.escalated, result.changed_case_ids) == ([], [])
    assert services.get_case(desk, people.carol, case_no).escalation_level == 1


def test_alert_messages_give_the_due_time_in_the_office_zone(desk: Desk, people, clock) -> None:
    services.set_setting(desk, people.admin, "timezone", "Asia/Tokyo")
    at(clock, "2026-11-23T10:00")
    case = services.register_case(desk, people.alice, complaint())
    clock.instant = case.respond_by + timedelta(minutes=1)
    (alert,) = [a for a in services.watch_tick(desk).new_alerts if a.deadline == "respond"]
    in_tokyo, in_shanghai = case.respond_by.astimezone(ZoneInfo("Asia/Tokyo")), case.respond_by.astimezone(SH)
    tokyo = f"{in_tokyo.month}/{in_tokyo.day} {in_tokyo:%H:%M}"
    shanghai = f"{in_shanghai.month}/{in_shanghai.day} {in_shanghai:%H:%M}"
    assert tokyo != shanghai
    assert alert.message.endswith(tokyo) and "已超时" in alert.message


def test_a_tick_run_by_a_person_needs_an_overseer_and_stays_in_their_scope(desk: Desk, people, clock) -> None:
    """``kesu watch``: a specialist may not run it; a supervisor only for their office; a manager all."""
    from dataclasses import replace

    at(clock, "2026-11-23T10:00")
    case_no = services.register_case(desk, people.alice, complaint()).case_no
    at(clock, "2026-11-25T10:00")  # the response is overdue
    for who in (people.alice, people.bob, people.dave):
        with pytest.raises(NotAllowed, match="主管、经理或管理员"):
            services.watch_tick(desk, who)
    elsewhere = replace(people.carol, office_code="SH02")
    result = services.watch_tick(desk, elsewhere)
    assert result.examined == 0 and result.escalated == [] and result.new_alerts == []
    assert services.get_case(desk, people.carol, case_no).status != "escalated"
    result = services.watch_tick(desk, people.carol)
    assert result.examined == 1 and result.escalated == [case_no]
    assert services.watch_tick(desk, people.mia).examined == 0  # nothing else is due
