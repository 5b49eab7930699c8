"""The workflow use cases (verify … reopen): one transaction each, one or more events each.

``act()`` is the single entry point the GUI and the CLI use; each handler reads its arguments with
field-level errors, and the workflow table decides whether the actor may act in the case's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain import rules, workflow
from kesu_desktop.domain.enums import Action, Channel, Priority, Role, Severity, Status, stricter
from kesu_desktop.domain.validation import FieldReader, parse_code
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.live import check_version
from kesu_desktop.services.queries import case_view
from kesu_desktop.services.reference import OfficeRules, category_departments
from kesu_desktop.services.unit import cached_rules, facts, load_case, record
from kesu_desktop.services.views import CaseView
from kesu_desktop.storage import search
from kesu_desktop.storage.models import Case, Department, User


@dataclass
class Step:
    """What one handler decided: the event kind, the field changes and the details worth keeping."""

    kind: str
    changes: dict[str, Any]
    info: dict[str, Any]


class Directory(Protocol):
    """What a step looks up besides the case: categories, departments, users.

    Why not the session itself: with the lookups behind this, a handler is a pure function of the case,
    the office's rules, the instant and its arguments, so the demo seeder (kesu_desktop.devtools) runs
    the very same handlers over cases it writes in bulk, with the reference data loaded once.
    """

    def category_departments(self) -> Mapping[str, str | None]:
        """Active category codes and their default responsible department."""
        ...

    def active_department(self, code: str) -> bool: ...

    def active_user(self, username: str) -> User | None: ...


@dataclass
class SessionDirectory:
    """The lookups of one transaction."""

    session: Session

    def category_departments(self) -> Mapping[str, str | None]:
        return category_departments(self.session)

    def active_department(self, code: str) -> bool:
        query = select(Department.code).where(Department.code == code, Department.active.is_(True))
        return self.session.scalar(query) is not None

    def active_user(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username, User.active.is_(True)))


@dataclass
class Ctx:
    """What a handler decides from: the case as it stands (a Case row, or anything with its attributes),
    the office's rules, the instant, and the lookups."""

    directory: Directory
    case: Case
    office: OfficeRules
    now: datetime

    def target(self, action: Action, **kw: Any) -> str:
        return workflow.target_status(action, Status(self.case.status), **kw).value

    def deadlines_for(self, priority: Priority, severity: Severity) -> dict[str, Any]:
        d = rules.case_deadlines(
            self.office.policy,
            self.office.calendar,
            priority=priority,
            severity=severity,
            start=self.case.created_at,
        )
        return {"respond_by": d.respond_by, "resolve_by": d.resolve_by}

    def first_response(self) -> dict[str, Any]:
        return {} if self.case.responded_at else {"responded_at": self.now}


def _required_flag(r: FieldReader, name: str) -> bool:
    if name not in r.data:
        r.fail(name, _("必填：true 或 false"))
        return False
    return r.flag(name)


def _verify(c: Ctx, r: FieldReader) -> Step:
    valid = _required_flag(r, "valid")
    urgent = r.flag("urgent", default=c.case.urgent)
    reason = r.text("reason", max_len=2000)
    if "valid" in r.data and not valid and not reason:
        r.fail("reason", _("判定为无效投诉时须说明理由"))
    r.finish()
    changes: dict[str, Any] = {
        "validity": "valid" if valid else "invalid",
        "status": c.target(Action.VERIFY, valid=valid),
        "urgent": urgent,
        **c.first_response(),
    }
    if urgent and not c.case.urgent:
        severity = rules.effective_severity(Severity(c.case.severity), True)
        changes.update(
            severity=severity.value, priority=Priority.P0.value, **c.deadlines_for(Priority.P0, severity)
        )
    return Step("verified", changes, {"valid": valid, "urgent": urgent, "reason": reason})


def _classify(c: Ctx, r: FieldReader) -> Step:
    category = r.code("category", c.directory.category_departments().keys())
    severity = r.choice("severity", Severity)
    priority = r.choice("priority", Priority)
    if category is None and severity is None and priority is None and not r.errors:
        r.fail("category", _("至少给出 category、severity、priority 之一"))
    r.finish()
    new_severity = severity or Severity(c.case.severity)
    new_priority = rules.effective_priority(
        priority or Priority(c.case.priority),
        severity=new_severity,
        urgent=c.case.urgent,
        is_repeat=c.case.is_repeat,
    )
    changes: dict[str, Any] = {"severity": new_severity.value, "priority": new_priority.value}
    if category:
        changes["category"] = category
    changes.update(c.deadlines_for(new_priority, new_severity))
    info = {"category": category, "severity": new_severity.value, "priority": new_priority.value}
    if priority and new_priority != priority:
        info["note"] = _("优先级按规则提高为 {p}").format(p=new_priority.value)
    return Step("classified", changes, info)


def _assign(c: Ctx, r: FieldReader) -> Step:
    # Without a department the category's default responsible department takes the case.
    department = r.text("department", max_len=8) or c.directory.category_departments().get(c.case.category)
    if department is None and not r.errors:
        r.fail("department", _("必填：该类别没有默认责任部门"))
    assignee_name = r.text("assignee", max_len=64)
    reason = r.text("reason", max_len=2000)
    assignee: User | None = None
    if department:
        department = department.upper()
        if not c.directory.active_department(department):
            r.fail("department", _("部门“{code}”不存在").format(code=department))
    if assignee_name:
        assignee = c.directory.active_user(assignee_name)
        if assignee is None:
            r.fail("assignee", _("用户“{name}”不存在").format(name=assignee_name))
        elif assignee.role == Role.DEPARTMENT.value and assignee.department_code != department:
            r.fail("assignee", _("用户“{name}”不属于部门 {code}").format(name=assignee_name, code=department))
        elif assignee.role in (Role.ADMIN.value, Role.FRONT_DESK.value):
            r.fail("assignee", _("不能把案件分派给{role}").format(role=Role(assignee.role).label))
    r.finish()
    plan_by = rules.plan_by(c.office.policy, c.office.calendar, Priority(c.case.priority), c.now)
    changes = {
        "department_code": department,
        "assignee_id": assignee.id if assignee else None,
        "assignee": assignee.username if assignee else None,
        "status": c.target(Action.ASSIGN),
        "plan_by": plan_by,
        **c.first_response(),
    }
    return Step("assigned", changes, {"department": department, "assignee": assignee_name, "reason": reason})


def _plan(c: Ctx, r: FieldReader) -> Step:
    cause = r.text("cause", max_len=5000)
    measures = r.text("measures", required=True, max_len=5000)
    due = r.instant("due", required=True, not_before=c.now)
    cost = r.number("cost")
    cross = r.flag("cross_department")
    resources = r.text("resources", max_len=2000)
    r.finish()
    needs_manager = cross or (
        cost is not None and Decimal(str(cost)) >= c.office.policy.manager_approval_cost
    )
    return Step(
        "plan_proposed",
        {"status": c.target(Action.PLAN), "plan_needs_manager": needs_manager, "plan_by": None},
        {
            "cause": cause,
            "measures": measures,
            "due": due,
            "cost": cost,
            "cross_department": cross,
            "resources": resources,
            "needs_manager": needs_manager,
        },
    )


def _approve(c: Ctx, r: FieldReader) -> Step:
    comment = r.text("comment", max_len=2000)
    r.finish()
    return Step("plan_approved", {"status": c.target(Action.APPROVE_PLAN)}, {"comment": comment})


def _reject(c: Ctx, r: FieldReader) -> Step:
    reason = r.text("reason", required=True, max_len=2000)
    r.finish()
    plan_by = rules.plan_by(c.office.policy, c.office.calendar, Priority(c.case.priority), c.now)
    return Step(
        "plan_rejected",
        {"status": c.target(Action.REJECT_PLAN), "plan_needs_manager": False, "plan_by": plan_by},
        {"reason": reason},
    )


def _log(c: Ctx, r: FieldReader) -> Step:
    channel = r.choice("channel", Channel, required=True)
    summary = r.text("summary", required=True, max_len=5000)
    promised = r.instant("promised_at", not_before=c.now)
    r.finish()
    update_by = rules.next_update_by(c.office.policy, c.office.calendar, Priority(c.case.priority), c.now)
    # A contact with the customer keeps any earlier promise and restarts the update clock.
    changes = {"update_by": update_by, "callback_by": promised, **c.first_response()}
    return Step(
        "communication_logged",
        changes,
        {"channel": channel.value if channel else None, "summary": summary, "promised_at": promised},
    )


def _resolve(c: Ctx, r: FieldReader) -> Step:
    result = r.text("result", required=True, max_len=5000)
    compensation = r.text("compensation", max_len=2000)
    r.finish()
    return Step(
        "resolved",
        {"status": c.target(Action.RESOLVE), "resolved_at": c.now, **c.first_response()},
        {"result": result, "compensation": compensation},
    )


def _confirm(c: Ctx, r: FieldReader) -> Step:
    opinion = r.text("opinion", max_len=2000)
    r.finish()
    survey_by = rules.survey_by(c.office.policy, c.office.calendar, c.now)
    return Step(
        "confirmed",
        {"status": c.target(Action.CONFIRM), "confirmed_at": c.now, "survey_by": survey_by},
        {"opinion": opinion},
    )


def _object(c: Ctx, r: FieldReader) -> Step:
    reason = r.text("reason", required=True, max_len=2000)
    r.finish()
    return Step(
        "objection_recorded",
        {"status": c.target(Action.OBJECT), "resolved_at": None, "confirmed_at": None},
        {"reason": reason},
    )


def _survey(c: Ctx, r: FieldReader) -> Step:
    scores = {name: r.score(name) for name in ("efficiency", "attitude", "solution")}
    comment = r.text("comment", max_len=2000)
    r.finish()
    policy = c.office.policy
    low = any(v is not None and v <= policy.low_score_threshold for v in scores.values())
    changes: dict[str, Any] = {
        "status": c.target(Action.SURVEY),
        "survey_by": None,
        **{f"survey_{k}": v for k, v in scores.items()},
    }
    info: dict[str, Any] = {**scores, "comment": comment, "needs_callback": low}
    if low and policy.rule_low_score_callback:
        # docs/domain.md: any score ≤ 3 → a supervisor calls the customer back, records cause and improvement.
        changes["callback_by"] = c.office.calendar.add(c.now, policy.low_score_callback_within)
        info["callback_for"] = "supervisor"
        info["rule"] = "low_score_callback"
    return Step("surveyed", changes, info)


def _close(c: Ctx, r: FieldReader) -> Step:
    note = r.text("note", max_len=2000)
    r.finish()
    return Step(
        "closed", {"status": c.target(Action.CLOSE), "closed_at": c.now, "callback_by": None}, {"note": note}
    )


def _escalate(c: Ctx, r: FieldReader) -> Step:
    reason = r.text("reason", required=True, max_len=2000)
    # Where staff erred, the supervisor's assessment goes into the escalation report (docs/domain.md, § 4).
    assessment = r.text("assessment", max_len=2000)
    r.finish()
    priority = stricter(Priority(c.case.priority), Priority.P1)
    changes = {
        "status": c.target(Action.ESCALATE),
        "escalation_level": c.case.escalation_level + 1,
        "priority": priority.value,
        **c.deadlines_for(priority, Severity(c.case.severity)),
    }
    return Step(
        "escalated",
        changes,
        {
            "reason": reason,
            "from_status": c.case.status,
            "level": c.case.escalation_level + 1,
            "assessment": assessment,
        },
    )


def _reopen(c: Ctx, r: FieldReader) -> Step:
    reason = r.text("reason", required=True, max_len=2000)
    r.finish()
    priority = Priority(c.case.priority)
    resolve_by = c.office.calendar.add(c.now, c.office.policy.clock(priority).resolve)
    status = c.target(Action.REOPEN, has_department=c.case.department_code is not None)
    update_by = rules.next_update_by(c.office.policy, c.office.calendar, priority, c.now)
    changes = {
        "status": status,
        "closed_at": None,
        "resolved_at": None,
        "confirmed_at": None,
        "resolve_by": resolve_by,
        "update_by": update_by,
    }
    return Step("reopened", changes, {"reason": reason})


def _hold(c: Ctx, r: FieldReader) -> Step:
    reason = r.text("reason", required=True, max_len=2000)
    r.finish()
    return Step("put_on_hold", {"held_at": c.now}, {"reason": reason})


def _resume(c: Ctx, r: FieldReader) -> Step:
    """The resolution clock continues where it stopped: the working time left at the hold is kept."""
    note = r.text("note", max_len=2000)
    r.finish()
    held_at, resolve_by = c.case.held_at, c.case.resolve_by
    changes: dict[str, Any] = {"held_at": None}
    paused = c.now - held_at if held_at else None
    if held_at and resolve_by:
        calendar = c.office.calendar
        if Priority(c.case.priority) is Priority.P0:  # P0 counts clock hours
            changes["resolve_by"] = resolve_by + (c.now - held_at)
        else:
            left = calendar.working_time_between(held_at, resolve_by)
            changes["resolve_by"] = calendar.add_working_time(c.now, left) if left else c.now
    return Step(
        "resumed",
        changes,
        {"note": note, "paused_minutes": int(paused.total_seconds() // 60) if paused else 0},
    )


HANDLERS: dict[Action, Callable[[Ctx, FieldReader], Step]] = {
    Action.VERIFY: _verify,
    Action.CLASSIFY: _classify,
    Action.ASSIGN: _assign,
    Action.PLAN: _plan,
    Action.APPROVE_PLAN: _approve,
    Action.REJECT_PLAN: _reject,
    Action.LOG: _log,
    Action.RESOLVE: _resolve,
    Action.CONFIRM: _confirm,
    Action.OBJECT: _object,
    Action.SURVEY: _survey,
    Action.CLOSE: _close,
    Action.ESCALATE: _escalate,
    Action.REOPEN: _reopen,
    Action.HOLD: _hold,
    Action.RESUME: _resume,
}


def parse_action(name: str) -> Action:
    return parse_code(Action, name, "action", _("操作"))


def act(
    desk: Desk,
    actor: Actor,
    case_no: str,
    action: Action | str,
    args: Mapping[str, Any] | None = None,
    *,
    expected_version: str | None = None,
) -> CaseView:
    """Take one workflow action on a case; nothing is written unless the whole action succeeds.

    ``expected_version`` is the ``CaseView.version`` the actor decided from: when the case has changed
    since (another desk wrote to it), ``StaleCase`` says what changed and nothing is written; an action
    the case's state no longer allows at all is ``NotAllowed`` first (re-applying it could not succeed).
    """
    action = parse_action(action) if isinstance(action, str) else action
    reader = FieldReader(args or {}, strict=True)  # an unknown key is refused, never dropped
    with desk.db.write() as session:
        case = load_case(session, actor, case_no, for_update=True)
        workflow.check(action, facts(case), actor.facts)  # not allowed at all now: say that, plainly
        check_version(session, actor, case, expected_version)
        office = cached_rules(session, desk, case.office_code)
        ctx = Ctx(SessionDirectory(session), case, office, desk.clock.now())
        step = HANDLERS[action](ctx, reader)
        before = search.case_texts(case)
        record(session, desk, case, actor, step.kind, step.changes, step.info, policy=ctx.office.policy)
        if search.case_texts(case) != before:
            search.index_case(session, case, before)
        case_no = case.case_no
    with desk.db.read() as session:
        return case_view(session, actor, case_no, desk=desk)
