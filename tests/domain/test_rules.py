"""Priority, severity, repeat and mass-complaint rules, and the deadlines they produce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kesu_desktop.domain import rules
from kesu_desktop.domain.calendar import Span, SpanUnit
from kesu_desktop.domain.enums import Priority, Severity
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.policy import Policy
from kesu_desktop.domain.rules import PriorCase

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def prior(
    no: str,
    *,
    days_ago: float,
    phone: str = "+8613800138000",
    category: str = "logistics",
    severity: Severity = Severity.GENERAL,
    account: str | None = None,
) -> PriorCase:
    return PriorCase(no, phone, account, category, severity, NOW - timedelta(days=days_ago))


def test_urgent_is_p0_and_at_least_major() -> None:
    severity = rules.effective_severity(None, urgent=True)
    assert severity is Severity.MAJOR
    assert (
        rules.effective_priority(Priority.P2, severity=severity, urgent=True, is_repeat=False) is Priority.P0
    )


def test_repeat_complaint_is_at_least_p1_but_never_lowers() -> None:
    assert (
        rules.effective_priority(None, severity=Severity.GENERAL, urgent=False, is_repeat=True) is Priority.P1
    )
    assert (
        rules.effective_priority(Priority.P0, severity=Severity.MINOR, urgent=False, is_repeat=True)
        is Priority.P0
    )
    assert (
        rules.effective_priority(None, severity=Severity.GENERAL, urgent=False, is_repeat=False)
        is Priority.P2
    )


def test_repeat_matches_phone_or_account_same_category_inside_window() -> None:
    earlier = [
        prior("A", days_ago=10),
        prior("B", days_ago=89, phone="+8613900000000", account="ACC-1"),
        prior("C", days_ago=91),
        prior("D", days_ago=5, category="billing_dispute"),
        prior("E", days_ago=3, phone="+8613900000001"),
    ]
    found = rules.find_repeats(
        phone="+8613800138000",
        account_no="ACC-1",
        category="logistics",
        at=NOW,
        earlier=earlier,
        window_days=90,
    )
    assert found == ["A", "B"]


def test_third_general_complaint_in_a_week_makes_a_group() -> None:
    policy = Policy()
    recent = [prior("A", days_ago=6.9, phone="+1"), prior("B", days_ago=1, phone="+2")]
    assert rules.mass_complaint_group(
        category="logistics", severity=Severity.GENERAL, at=NOW, recent=recent, policy=policy
    ) == ["A", "B"]


def test_no_group_when_the_first_is_older_than_a_week_or_not_general() -> None:
    policy = Policy()
    stale = [prior("A", days_ago=8), prior("B", days_ago=1)]
    assert (
        rules.mass_complaint_group(
            category="logistics", severity=Severity.GENERAL, at=NOW, recent=stale, policy=policy
        )
        == []
    )
    minor = [prior("A", days_ago=2, severity=Severity.MINOR), prior("B", days_ago=1)]
    assert (
        rules.mass_complaint_group(
            category="logistics", severity=Severity.GENERAL, at=NOW, recent=minor, policy=policy
        )
        == []
    )
    assert (
        rules.mass_complaint_group(
            category="logistics",
            severity=Severity.MAJOR,
            at=NOW,
            recent=[prior("A", days_ago=1), prior("B", days_ago=1)],
            policy=policy,
        )
        == []
    )


def test_p0_counts_clock_hours_even_on_friday_evening() -> None:
    policy = Policy()
    cal = rules.calendar_for(policy)
    friday = datetime(2026, 11, 20, 17, 30, tzinfo=SH)
    d = rules.case_deadlines(policy, cal, priority=Priority.P0, severity=Severity.MAJOR, start=friday)
    assert d.respond_by == datetime(2026, 11, 20, 19, 30, tzinfo=SH)
    assert d.resolve_by == datetime(2026, 11, 21, 17, 30, tzinfo=SH)


def test_major_cases_solve_within_one_working_day_capped_at_48_hours() -> None:
    policy = Policy()
    cal = rules.calendar_for(policy)
    # Friday before National Day 2026 (Oct 1-7 off): one working day would be Oct 8; the 48 h cap wins.
    start = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    d = rules.case_deadlines(policy, cal, priority=Priority.P1, severity=Severity.MAJOR, start=start)
    assert d.resolve_by == start + timedelta(hours=48)
    # Respond within 2 working hours rather than P1's 4.
    assert d.respond_by == datetime(2026, 9, 30, 12, 0, tzinfo=SH)


def test_p2_resolution_skips_national_day_and_counts_the_make_up_saturday() -> None:
    policy = Policy()
    cal = rules.calendar_for(policy)
    start = datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    d = rules.case_deadlines(policy, cal, priority=Priority.P2, severity=Severity.GENERAL, start=start)
    assert d.resolve_by == datetime(2026, 10, 15, 10, 0, tzinfo=SH)


def test_policy_reads_settings_and_rejects_nonsense() -> None:
    policy = Policy.from_settings(
        {"sla.p1.respond": "3wh", "repeat_window_days": "30", "working_hours": "09:00-12:00,13:00-17:30"}
    )
    assert policy.clock(Priority.P1).respond == Span(3, SpanUnit.WORKING_HOURS)
    assert policy.repeat_window_days == 30
    assert policy.working_hours.length == timedelta(hours=7, minutes=30)
    with pytest.raises(ValidationError) as info:
        Policy.from_settings({"sla.p1.respond": "soon", "repeat_window_days": "-1", "bogus": "1"})
    assert set(info.value.errors) == {"sla.p1.respond", "repeat_window_days", "bogus"}


def test_deadlines_are_timezone_aware_instants() -> None:
    policy = Policy()
    d = rules.case_deadlines(
        policy,
        rules.calendar_for(policy),
        priority=Priority.P2,
        severity=Severity.GENERAL,
        start=NOW.astimezone(UTC),
    )
    assert d.respond_by.utcoffset() is not None
    assert d.respond_by == datetime(2026, 11, 23, 18, 0, tzinfo=SH)
