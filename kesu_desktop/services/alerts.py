"""Alerts as users see them: the current ones for me, my department or everyone; acknowledge; snooze.

An alert stays current until acknowledged, unless the deadline it speaks of is no longer running (the
customer was answered, the case was resolved): then it quietly stops being shown.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kesu_desktop.domain import sla
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.formatting import datetime_text
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_rules
from kesu_desktop.services.unit import case_clock, record
from kesu_desktop.storage.models import Alert, Case

SCOPES = ("auto", "mine", "department", "all")
MAX_SNOOZE_MINUTES = 7 * 24 * 60


def deadline_labels() -> dict[str, str]:
    """Deadline codes and their names, in the language active now (a function: read when asked)."""
    return {
        "respond": _("响应期限"),
        "plan": _("方案期限"),
        "resolve": _("解决期限"),
        "update": _("客户告知"),
        "callback": _("承诺回电"),
        "survey": _("回访期限"),
        "report": _("月度报告"),
    }


def state_labels() -> dict[str, str]:
    """Alert state codes and their names, in the language active now."""
    return {"overdue": _("已超时"), "due_soon": _("即将到期"), "reminder": _("提醒")}


@dataclass(frozen=True)
class AlertView:
    id: uuid.UUID
    case_no: str | None
    deadline: str
    state: str
    due_at: datetime
    created_at: datetime
    priority: str | None
    department: str | None
    assignee: str | None
    message: str
    acknowledged: bool
    snoozed_until: datetime | None


def alert_message(state: str, case_no: str | None, deadline: str, due_at: datetime, zone: tzinfo) -> str:
    """The stored sentence of an alert, with the due time in the office's zone."""
    when = datetime_text(due_at.astimezone(zone), "month_minute")
    subject = case_no or _("本网点")
    state_text = state_labels().get(state, state)
    return f"{state_text} · {subject} · {deadline_labels().get(deadline, deadline)} {when}"


def view_of(alert: Alert, assignee: str | None = None) -> AlertView:
    return AlertView(
        id=alert.id,
        case_no=alert.case_no,
        deadline=alert.deadline,
        state=alert.state,
        due_at=alert.due_at,
        created_at=alert.created_at,
        priority=alert.priority,
        department=alert.department_code,
        assignee=assignee,
        message=alert.message,
        acknowledged=alert.acknowledged_at is not None,
        snoozed_until=alert.snoozed_until,
    )


def _natural_scope(actor: Actor) -> str:
    if actor.role in (Role.SUPERVISOR, Role.MANAGER):
        return "all"
    if actor.role is Role.DEPARTMENT:
        return "department"
    return "mine"


def _still_running(alert: Alert, case: Case | None) -> bool:
    if case is None:
        return alert.case_id is None  # a reminder without a case (the monthly report)
    return sla.pending_deadlines(case_clock(case)).get(alert.deadline) == alert.due_at


_ORDER = {"overdue": 0, "due_soon": 1, "reminder": 2}
_PRIORITY = {"p0": 0, "p1": 1, "p2": 2}


def alerts_for(desk: Desk, actor: Actor, scope: str = "auto") -> list[AlertView]:
    """Current alerts for this user: most urgent first (overdue, then P0…P2), newest first within."""
    if scope not in SCOPES:
        raise ValidationError.single("scope", _("范围须为 {s} 之一").format(s=", ".join(SCOPES)))
    if actor.role is Role.ADMIN:
        return []
    scope = _natural_scope(actor) if scope == "auto" else scope
    now = desk.clock.now()
    with desk.db.read() as session:
        query = (
            select(Alert, Case)
            .outerjoin(Case, Case.id == Alert.case_id)
            .where(
                Alert.acknowledged_at.is_(None),
                or_(Alert.snoozed_until.is_(None), Alert.snoozed_until <= now),
            )
        )
        if actor.role is not Role.MANAGER:
            query = (
                query.where(Alert.office_code == actor.office_code)
                if actor.role is not Role.DEPARTMENT
                else query
            )
        if actor.role is Role.DEPARTMENT or scope == "department":
            query = query.where(Alert.department_code == actor.department_code)
        elif scope == "mine":
            query = query.where(
                Alert.case_id.is_not(None),
                or_(Alert.assignee_id == actor.id, Alert.assignee_id.is_(None)),
            )
        if actor.role not in (Role.SUPERVISOR, Role.MANAGER):
            query = query.where(Alert.case_id.is_not(None))  # reminders for the report go to supervisors
        rows = [(a, c) for a, c in session.execute(query) if _still_running(a, c)]
        views = [view_of(a, c.assignee if c else None) for a, c in rows]
    return sorted(
        views,
        key=lambda v: (_ORDER.get(v.state, 3), _PRIORITY.get(v.priority or "", 3), -v.created_at.timestamp()),
    )


def _alert(session: Session, actor: Actor, alert_id: uuid.UUID) -> Alert:
    alert = session.get(Alert, alert_id, with_for_update=True)
    if alert is None or actor.role is Role.ADMIN:
        raise NotFound(_("提醒不存在"))
    if actor.role is Role.DEPARTMENT and alert.department_code != actor.department_code:
        raise NotAllowed(_("只能处理本部门的提醒"))
    if actor.role not in (Role.MANAGER, Role.DEPARTMENT) and alert.office_code != actor.office_code:
        raise NotAllowed(_("只能处理本网点的提醒"))
    return alert


def acknowledge_alert(desk: Desk, actor: Actor, alert_id: uuid.UUID) -> AlertView:
    """Mark an alert as seen and handled; recorded on the case so the trail shows who saw what."""
    with desk.db.write() as session:
        alert = _alert(session, actor, alert_id)
        alert.acknowledged_at, alert.acknowledged_by = desk.clock.now(), actor.username
        if alert.case_id is not None:
            case = session.get(Case, alert.case_id, with_for_update=True)
            record(
                session,
                desk,
                case,
                actor,
                "alert_acknowledged",
                {},
                {"alert_id": alert.id, "deadline": alert.deadline, "state": alert.state},
            )
        return view_of(alert)


def snooze_alert(desk: Desk, actor: Actor, alert_id: uuid.UUID, minutes: int) -> AlertView:
    """Hide an alert for a while; it comes back by itself."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_SNOOZE_MINUTES:
        raise ValidationError.single("minutes", _("稍后提醒的时间须在 1 分钟到 7 天之间"))
    with desk.db.write() as session:
        alert = _alert(session, actor, alert_id)
        alert.snoozed_until = desk.clock.now() + timedelta(minutes=minutes)
        if alert.case_id is not None:
            case = session.get(Case, alert.case_id, with_for_update=True)
            record(
                session,
                desk,
                case,
                actor,
                "alert_snoozed",
                {},
                {"alert_id": alert.id, "deadline": alert.deadline, "until": alert.snoozed_until},
            )
        return view_of(alert)


def watch_interval_seconds(desk: Desk, actor: Actor) -> int:
    with desk.db.read() as session:
        return office_rules(session, actor.office_code).policy.watch_interval_seconds
