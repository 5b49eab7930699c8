"""One tick of the deadline watcher: announce what became due soon or overdue, apply automatic rules.

A use case like any other (one transaction; the desktop runs it on a timer, ``kesu watch`` from a
scheduler), and like every write it says what it changed, so the caller can broadcast it the same way.

Only the cases whose scheduled look (``case_watch.next_alert_at``, indexed) has come are read, so a tick
costs the same with a thousand or a million closed or far-from-due cases. Alerts carry a dedupe key and
are stored, so they are never announced twice and survive a restart.

Run for a person (``kesu watch``), a tick needs a supervisor, manager or administrator and looks only
at what that person oversees: a supervisor's office, everything for a manager or an administrator. The
desktop's own background watcher runs without an actor, on the desk's real clock: it does for every
case what the rules would do anyway, at the time they would do it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain import sla
from kesu_desktop.domain.enums import Priority, Role, Status, stricter
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.alerts import AlertView, alert_message, view_of
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import OfficeRules, office_rules
from kesu_desktop.services.unit import case_clock, record, schedule_watch
from kesu_desktop.storage.models import Alert, Case, CaseWatch, Office

#: Cases looked at per tick at most; the rest wait for the next tick (a tick must stay short).
BATCH = 100
_ESCALATE_ON = frozenset({"respond", "resolve"})
REPORT_DAYS = range(1, 6)
#: Who may run a tick by hand, and whose is the whole company (else the actor's own office).
WATCH_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
_ALL_OFFICES = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class WatchResult:
    """What one tick did."""

    #: The alerts it stored, to announce (dock, tray); each is stored, and so announced, only once.
    new_alerts: list[AlertView] = field(default_factory=list)
    #: How many cases it looked at (those whose scheduled look had come, at most ``BATCH``).
    examined: int = 0
    #: Case numbers the automatic rules escalated (overdue response or resolution).
    escalated: list[str] = field(default_factory=list)
    #: Ids of the cases whose record it changed (an event was added): what views showing them must reload.
    changed_case_ids: list[uuid.UUID] = field(default_factory=list)


def watch_office(actor: Actor | None) -> str | None:
    """The office a tick run by ``actor`` is limited to (None: all); refused for other roles."""
    if actor is None:
        return None
    if actor.role not in WATCH_ROLES:
        raise NotAllowed(_("只有主管、经理或管理员可以执行截止时间检查"))
    return None if actor.role in _ALL_OFFICES else actor.office_code


def watch_tick(desk: Desk, actor: Actor | None = None) -> WatchResult:
    """One scan, in one transaction: store new alerts, escalate by the rules, reschedule each case.

    ``actor``: the person running it (``kesu watch``), who must oversee the cases (``watch_office``);
    None for the desktop's own background watcher.
    """
    office_only = watch_office(actor)
    now = desk.clock.now()
    new: list[AlertView] = []
    escalated: list[Case] = []
    with desk.db.write() as session:
        query = select(CaseWatch.case_id).where(CaseWatch.next_alert_at <= now)
        if office_only is not None:
            query = query.join(Case, Case.id == CaseWatch.case_id).where(Case.office_code == office_only)
        due_ids = session.scalars(query.order_by(CaseWatch.next_alert_at).limit(BATCH)).all()
        offices: dict[str, OfficeRules] = {}
        for case_id in due_ids:
            case = session.get(Case, case_id, with_for_update=True)
            if case is None:
                continue
            office = offices.get(case.office_code) or offices.setdefault(
                case.office_code, office_rules(session, case.office_code)
            )
            made, raised = _announce(session, desk, case, office, now)
            new += made
            if raised:
                escalated.append(case)
            schedule_watch(session, case, office.policy, now, alerted=True)
        new += _report_reminders(session, now, office_only)
        result = WatchResult(
            new_alerts=new,
            examined=len(due_ids),
            escalated=[c.case_no for c in escalated],
            changed_case_ids=[c.id for c in escalated],
        )
    return result


def _announce(
    session: Session, desk: Desk, case: Case, office: OfficeRules, now: datetime
) -> tuple[list[AlertView], bool]:
    """The case's new alerts, and whether the automatic rule escalated it."""
    policy = office.policy
    lead = timedelta(minutes=policy.due_soon_minutes)
    made: list[AlertView] = []
    escalated = False
    for st in sla.states(case_clock(case), now, policy.due_soon_share, lead):
        if st.state is sla.SlaState.OK:
            continue
        key = f"{case.id}:{st.deadline}:{st.state.value}:{st.due_at.isoformat()}"
        if session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None:
            continue
        alert = Alert(
            dedupe_key=key,
            case_id=case.id,
            case_no=case.case_no,
            office_code=case.office_code,
            department_code=case.department_code,
            assignee_id=case.assignee_id,
            priority=case.priority,
            deadline=st.deadline,
            state=st.state.value,
            due_at=st.due_at,
            message=alert_message(st.state.value, case.case_no, st.deadline, st.due_at, office.calendar.tz),
            created_at=now,
        )
        session.add(alert)
        session.flush()
        made.append(view_of(alert, case.assignee))
        if (
            st.state is sla.SlaState.OVERDUE
            and st.deadline in _ESCALATE_ON
            and policy.rule_overdue_escalation
        ):
            escalated = _escalate(session, desk, case, office, st.deadline) or escalated
    return made, escalated


def _escalate(session: Session, desk: Desk, case: Case, office: OfficeRules, deadline: str) -> bool:
    """docs/domain.md: an overdue response or resolution goes up to the supervisor, the reason on record.

    Returns whether it did (a closed or already escalated case stays as it is).
    """
    if case.status in (Status.CLOSED, Status.ESCALATED):
        return False
    reason = _("响应期限已过，自动升级至主管") if deadline == "respond" else _("解决期限已过，自动升级至主管")
    priority = stricter(Priority(case.priority), Priority.P1)
    record(
        session,
        desk,
        case,
        None,
        "escalated",
        {
            "status": Status.ESCALATED.value,
            "escalation_level": case.escalation_level + 1,
            "priority": priority.value,
        },
        {
            "reason": reason,
            "from_status": case.status,
            "rule": "overdue_escalation",
            "level": case.escalation_level + 1,
        },
        actor_name="system",
        policy=office.policy,
    )
    return True


def _report_reminders(session: Session, now: datetime, office_only: str | None = None) -> list[AlertView]:
    """On the 1st–5th, remind each office's supervisors that last month's report is due by the 5th."""
    made: list[AlertView] = []
    offices = select(Office) if office_only is None else select(Office).where(Office.code == office_only)
    for office in session.scalars(offices):
        rules = office_rules(session, office.code)
        policy, local = rules.policy, now.astimezone(rules.calendar.tz)  # the office's zone, as everywhere
        if local.day not in REPORT_DAYS or not policy.rule_monthly_report_reminder:
            continue
        key = f"report:{office.code}:{local:%Y-%m}"
        if session.scalar(select(Alert.id).where(Alert.dedupe_key == key)) is not None:
            continue
        due = local.replace(day=5, hour=18, minute=0, second=0, microsecond=0)
        alert = Alert(
            dedupe_key=key,
            office_code=office.code,
            deadline="report",
            state="reminder",
            due_at=due,
            message=_("月度投诉分析报告：请于 {month:02d}月{day:02d}日 前完成上月报告").format(
                month=due.month, day=due.day
            ),
            created_at=now,
        )
        session.add(alert)
        session.flush()
        made.append(view_of(alert))
    return made
