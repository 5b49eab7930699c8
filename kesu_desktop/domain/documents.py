"""The documents a case produces on paper, who may issue each, and which ones the customer signs.

docs/domain.md: front desk prints the acceptance receipt and captures the customer's signature; supervisors
print records and reports. Kept here (pure) so the GUI shows only the print actions a user may take and
the services enforce the same table.
"""

from __future__ import annotations

from kesu_desktop.domain.enums import DocumentKind, Role, Status
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.domain.validation import parse_code
from kesu_desktop.i18n import _

_STAFF = frozenset({Role.FRONT_DESK, Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER})
_LEADS = frozenset({Role.SUPERVISOR, Role.MANAGER})

ISSUERS: dict[DocumentKind, frozenset[Role]] = {
    DocumentKind.RECEIPT: _STAFF,
    DocumentKind.REPLY: frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER, Role.DEPARTMENT}),
    DocumentKind.CONFIRMATION: _STAFF,
    DocumentKind.RECORD: _LEADS,
    DocumentKind.ESCALATION: _LEADS,
}

#: A result exists from these states on, so there is something for the customer to confirm.
_HAS_RESULT = frozenset({Status.RESOLVED, Status.CONFIRMED, Status.SURVEYED, Status.CLOSED})


def parse_kind(name: str) -> DocumentKind:
    return parse_code(DocumentKind, name, "document", _("文档"))


def check_issue(kind: DocumentKind, role: Role) -> None:
    if role not in ISSUERS[kind]:
        raise NotAllowed(_("角色“{role}”不能打印{doc}").format(role=role.label, doc=kind.label))


def check_ready(kind: DocumentKind, status: Status, escalation_level: int, has_approved_reply: bool) -> None:
    """Refuse a document whose content does not exist yet, with what to do first."""
    if kind is DocumentKind.REPLY and not has_approved_reply:
        raise NotAllowed(_("该案件还没有已批准的回复：请先撰写回复并提交主管审批"))
    if kind is DocumentKind.CONFIRMATION and status not in _HAS_RESULT:
        raise NotAllowed(_("案件状态为“{status}”，尚无处理结果可供客户确认").format(status=status.label))
    if kind is DocumentKind.ESCALATION and escalation_level == 0 and status is not Status.ESCALATED:
        raise NotAllowed(_("该案件未升级，无需升级投诉报告"))
