"""One tick of the deadline watcher: announce what became due soon or overdue, apply automatic rules.

Only the cases whose scheduled look (``case_watch.next_alert_at``, indexed) has come are read, so a tick
costs the same with a thousand or a million closed or far-from-due cases. Alerts carry a dedupe key and
are stored, so they are never announced twice and survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain import sla
from kesu_desktop.domain.enums import Priority, Status, stricter
from kesu_desktop.services.alerts import AlertView, alert_message, view_of
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import OfficeRules, office_rules
from kesu_desktop.services.unit import case_clock, record, schedule_watch
from kesu_desktop.storage.models import Alert, Case, CaseWatch, Office

#: Cases looked at per tick at most; the rest wait for the next tick (a tick must stay short).
BATCH = 100
_ESCALATE_ON = frozenset({"respond", "resolve"})
REPORT_DAYS = range(1, 6)


@dataclass(frozen=True)
class TickResult:
    new_alerts: list[AlertView] = field(default_factory=list)
    examined: int = 0
    escalated: list[str] = field(default_factory=list)


def tick(desk: Desk) -> TickResult:
    """One scan, in one transaction."""
    now = desk.clock.now()
    new: list[AlertView] = []
    escalated: list[str] = []
    with desk.db.write() as session:
        due_ids = session.scalars(
            select(CaseWatch.case_id)
            .where(CaseWatch.next_alert_at <= now)
            .order_by(CaseWatch.next_alert_at)
            .limit(BATCH)
        ).all()
        offices: dict[str, OfficeRules] = {}
        for case_id in due_ids:
            case = session.get(Case, case_id, with_for_update=True)
            if case is None:
                continue
            office = offices.get(case.office_code) or offices.setdefault(
                case.office_code, office_rules(session, case.office_code)
            )
            new += _announce(session, desk, case, office, now, escalated)
            schedule_watch(session, case, office.policy, now, alerted=True)
        new += _report_reminders(session, now)
    return TickResult(new_alerts=new, examined=len(due_ids), escalated=escalated)


def _announce(
    session: Session, desk: Desk, case: Case, office: OfficeRules, now: datetime, escalated: list[str]
) -> list[AlertView]:
    policy = office.policy
    lead = timedelta(minutes=policy.due_soon_minutes)
    made: list[AlertView] = []
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
            message=alert_message(st.state.value, case.case_no, st.deadline, st.due_at),
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
            _escalate(session, desk, case, office, st.deadline)
            escalated.append(case.case_no)
    return made


def _escalate(session: Session, desk: Desk, case: Case, office: OfficeRules, deadline: str) -> None:
    """DOMAIN.md: an overdue response or resolution goes up to the supervisor, with the reason on record."""
    if case.status in (Status.CLOSED, Status.ESCALATED):
        return
    what = "响应" if deadline == "respond" else "解决"
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
            "reason": f"{what}期限已过，自动升级至主管",
            "from_status": case.status,
            "rule": "overdue_escalation",
            "level": case.escalation_level + 1,
        },
        actor_name="system",
        policy=office.policy,
    )


def _report_reminders(session: Session, now: datetime) -> list[AlertView]:
    """On the 1st–5th, remind each office's supervisors that last month's report is due by the 5th."""
    made: list[AlertView] = []
    for office in session.scalars(select(Office)):
        local = now.astimezone(ZoneInfo(office.timezone))
        policy = office_rules(session, office.code).policy
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
            message=f"月度投诉分析报告：请于 {due:%m月%d日} 前完成上月报告",
            created_at=now,
        )
        session.add(alert)
        session.flush()
        made.append(view_of(alert))
    return made
