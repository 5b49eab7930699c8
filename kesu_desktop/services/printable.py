"""Which documents a user may print for a case now, and why not: the same rules ``case_file`` enforces.

The desktop's 打印 menu enables its entries from this, so what it offers and what the services accept
cannot drift apart (the rules themselves are ``domain/documents.py``).
"""

from __future__ import annotations

from kesu_desktop.domain.documents import ISSUERS, check_issue, check_ready
from kesu_desktop.domain.enums import DocumentKind, Role, Status
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.views import CaseView


def may_issue(actor: Actor, kind: DocumentKind) -> bool:
    """Whether the actor's role issues this kind of document at all (whatever the case)."""
    return Role(actor.role) in ISSUERS[kind]


def document_refusal(actor: Actor, kind: DocumentKind, case: CaseView) -> str | None:
    """Why ``kind`` cannot be issued for ``case`` by ``actor`` now, or None when it can."""
    try:
        check_issue(kind, Role(actor.role))
        approved = any(e.kind == "reply_approved" for e in case.events)
        check_ready(kind, Status(case.status), case.escalation_level, approved)
    except NotAllowed as exc:
        return str(exc)
    return None
