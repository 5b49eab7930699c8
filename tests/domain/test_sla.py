"""SLA states and the watcher's schedule, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kesu_desktop.domain import sla
from kesu_desktop.domain.enums import Status

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def clock(**kw) -> sla.CaseClock:
    base = dict(
        status=Status.REGISTERED,
        created_at=T0,
        respond_by=T0 + timedelta(hours=8),
        responded_at=None,
        plan_by=None,
        resolve_by=T0 + timedelta(days=9),
        update_by=None,
        survey_by=None,
        callback_by=None,
    )
    base.update(kw)
    return sla.CaseClock(**base)


def test_due_soon_is_the_larger_of_a_share_and_thirty_minutes() -> None:
    due = T0 + timedelta(hours=8)
    assert sla.sla_state(due, started_at=T0, at=due - timedelta(hours=2)) is sla.SlaState.OK
    assert sla.sla_state(due, started_at=T0, at=due - timedelta(hours=1)) is sla.SlaState.DUE_SOON
    short = T0 + timedelta(hours=1)  # 20% would be 12 minutes; the 30-minute lead wins
    assert sla.sla_state(short, started_at=T0, at=short - timedelta(minutes=25)) is sla.SlaState.DUE_SOON
    assert sla.sla_state(due, started_at=T0, at=due) is sla.SlaState.OVERDUE


def test_hold_pauses_resolution_but_not_the_customer_updates() -> None:
    held = clock(status=Status.IN_PROGRESS, responded_at=T0, held_at=T0, update_by=T0 + timedelta(days=1))
    assert set(sla.pending_deadlines(held)) == {"update"}
    assert set(sla.pending_deadlines(clock(status=Status.CLOSED))) == set()


def test_next_alert_is_the_next_state_change() -> None:
    c = clock()
    # Respond: 8 h window, due soon 1 h 36 min before; that is the first moment to look.
    assert sla.next_alert_at(c, T0) == T0 + timedelta(hours=8) - timedelta(minutes=96)
    inside = T0 + timedelta(hours=7)
    assert sla.next_alert_at(c, inside) == inside  # already due soon: look now
    assert sla.next_alert_at(c, inside, alerted=True) == T0 + timedelta(hours=8)  # then at the deadline
    assert sla.next_alert_at(clock(status=Status.CLOSED), T0) is None


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60 * 24 * 20), st.integers(1, 60 * 24 * 10))
def test_the_state_never_changes_before_the_scheduled_look(offset_min: int, respond_min: int) -> None:
    c = clock(respond_by=T0 + timedelta(minutes=respond_min))
    now = T0 + timedelta(minutes=offset_min)
    look = sla.next_alert_at(c, now, alerted=True)
    before = {s.deadline: s.state for s in sla.states(c, now)}
    probe = (look - timedelta(seconds=1)) if look else now + timedelta(days=30)
    if probe > now:
        assert {s.deadline: s.state for s in sla.states(c, probe)} == before


@settings(max_examples=200, deadline=None)
@given(minutes=st.integers(min_value=-60, max_value=60 * 24 * 12))
def test_a_deadline_window_gives_the_state_sla_states_gives_at_any_time(minutes: int) -> None:
    """The desktop redraws a badge from (due, soon) instants; it must say what ``states`` would say."""
    c = clock(update_by=T0 + timedelta(hours=30), callback_by=T0 + timedelta(hours=3))
    at = T0 + timedelta(minutes=minutes)
    windows = {w.deadline: w for w in sla.windows(c, 0.2, timedelta(minutes=30))}
    states = sla.states(c, at, 0.2, timedelta(minutes=30))
    assert {s.deadline for s in states} == set(windows)
    for s in states:
        assert windows[s.deadline].state(at) is s.state
        assert sla.state_at(at, s.due_at, windows[s.deadline].soon_at) is s.state
