"""The case workflow of docs/domain.md: which action may be taken in which state, by whom, and where it leads.

One table answers both the service layer (which enforces it) and what the services tell every front end
the user may do now (``CaseView.allowed_actions``), so the buttons shown and the checks made never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kesu_desktop.domain.enums import Action, Role, Severity, Status
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.i18n import _

_OPEN = frozenset(s for s in Status if s.is_open)

#: The states each action may start from.
ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    Action.VERIFY: frozenset({Status.REGISTERED, Status.VERIFIED, Status.INVALID}),
    Action.CLASSIFY: frozenset(
        {
            Status.REGISTERED,
            Status.VERIFIED,
            Status.ASSIGNED,
            Status.PLAN_PROPOSED,
            Status.IN_PROGRESS,
            Status.ESCALATED,
        }
    ),
    Action.ASSIGN: frozenset({Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.ESCALATED}),
    Action.PLAN: frozenset({Status.ASSIGNED, Status.IN_PROGRESS, Status.ESCALATED}),
    Action.APPROVE_PLAN: frozenset({Status.PLAN_PROPOSED}),
    Action.REJECT_PLAN: frozenset({Status.PLAN_PROPOSED}),
    Action.LOG: frozenset(Status),
    Action.RESOLVE: frozenset({Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, Status.ESCALATED}),
    Action.CONFIRM: frozenset({Status.RESOLVED}),
    Action.OBJECT: frozenset({Status.RESOLVED, Status.CONFIRMED}),
    Action.SURVEY: frozenset({Status.CONFIRMED}),
    Action.CLOSE: frozenset({Status.INVALID, Status.CONFIRMED, Status.SURVEYED}),
    Action.ESCALATE: _OPEN,
    Action.REOPEN: frozenset({Status.CLOSED}),
    Action.HOLD: frozenset({Status.ASSIGNED, Status.PLAN_PROPOSED, Status.IN_PROGRESS, Status.ESCALATED}),
    Action.RESUME: frozenset({Status.ASSIGNED, Status.PLAN_PROPOSED, Status.IN_PROGRESS, Status.ESCALATED}),
}

_STAFF = frozenset({Role.FRONT_DESK, Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER})
_HANDLERS = frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER, Role.DEPARTMENT})
_LEADS = frozenset({Role.SUPERVISOR, Role.MANAGER})

#: The roles that may take each action (before the finer guards below).
ROLES: dict[Action, frozenset[Role]] = {
    Action.VERIFY: _STAFF,
    Action.CLASSIFY: frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER}),
    Action.ASSIGN: frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER}),
    Action.PLAN: _HANDLERS,
    Action.APPROVE_PLAN: _LEADS,
    Action.REJECT_PLAN: _LEADS,
    Action.LOG: _STAFF | {Role.DEPARTMENT},
    Action.RESOLVE: _HANDLERS,
    Action.CONFIRM: _STAFF,
    Action.OBJECT: _STAFF,
    Action.SURVEY: _STAFF,
    Action.CLOSE: frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER}),
    Action.ESCALATE: _STAFF | {Role.DEPARTMENT},
    Action.REOPEN: _LEADS,
    Action.HOLD: _HANDLERS,
    Action.RESUME: _HANDLERS,
}

REGISTER_ROLES = frozenset({Role.FRONT_DESK, Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER})


@dataclass(frozen=True)
class CaseFacts:
    """What the workflow needs to know about a case to judge an action."""

    status: Status
    severity: Severity
    department_code: str | None
    plan_needs_manager: bool = False
    on_hold: bool = False


@dataclass(frozen=True)
class ActorFacts:
    role: Role
    department_code: str | None


def check_register(actor: ActorFacts) -> None:
    if actor.role not in REGISTER_ROLES:
        raise NotAllowed(_("角色“{role}”不能登记投诉").format(role=actor.role.label))


def refusal(action: Action, case: CaseFacts, actor: ActorFacts) -> Callable[[], str] | None:
    """Why ``actor`` may not take ``action`` on ``case`` now (a sentence made on demand), or None.

    The sentence is built only when asked for: the case list asks this for every action of every row
    it shows, and almost all of the answers are refusals nobody reads.
    """
    if actor.role not in ROLES[action]:
        return lambda: _("角色“{role}”不能执行“{action}”").format(role=actor.role.label, action=action.label)
    if case.status not in ALLOWED_FROM[action]:
        return lambda: _("案件状态为“{status}”，不能执行“{action}”").format(
            status=case.status.label, action=action.label
        )
    if actor.role is Role.DEPARTMENT and case.department_code != actor.department_code:
        return lambda: _("责任部门只能处理分派给本部门的案件")
    if action is Action.CLOSE and actor.role is Role.SPECIALIST and case.severity.rank >= Severity.MAJOR.rank:
        return lambda: _("重大或严重投诉须由主管或经理归档")
    if action is Action.HOLD and case.on_hold:
        return lambda: _("案件已挂起")
    if action is Action.RESUME and not case.on_hold:
        return lambda: _("案件未挂起，无需恢复")
    if action is Action.APPROVE_PLAN and case.plan_needs_manager and actor.role is not Role.MANAGER:
        return lambda: _("该方案费用较高或跨部门，须由经理审批")
    return None


def check(action: Action, case: CaseFacts, actor: ActorFacts) -> None:
    """Raise NotAllowed with a sentence the user can act on, or return if the action is allowed."""
    reason = refusal(action, case, actor)
    if reason is not None:
        raise NotAllowed(reason())


def allowed_actions(case: CaseFacts, actor: ActorFacts) -> list[Action]:
    """The actions to offer this user on this case, in workflow order (exactly those ``check`` passes)."""
    return [action for action in Action if refusal(action, case, actor) is None]


def target_status(
    action: Action, current: Status, *, valid: bool = True, has_department: bool = False
) -> Status:
    """Where an allowed action leads. Actions that only add information keep the current state."""
    match action:
        case Action.VERIFY:
            return Status.VERIFIED if valid else Status.INVALID
        case Action.ASSIGN:
            return Status.ASSIGNED
        case Action.PLAN:
            return Status.PLAN_PROPOSED
        case Action.APPROVE_PLAN | Action.OBJECT:
            return Status.IN_PROGRESS
        case Action.REJECT_PLAN:
            return Status.ASSIGNED
        case Action.RESOLVE:
            return Status.RESOLVED
        case Action.CONFIRM:
            return Status.CONFIRMED
        case Action.SURVEY:
            return Status.SURVEYED
        case Action.CLOSE:
            return Status.CLOSED
        case Action.ESCALATE:
            return Status.ESCALATED
        case Action.REOPEN:
            return Status.ASSIGNED if has_department else Status.VERIFIED
        case _:
            return current
