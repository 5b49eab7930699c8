"""What the 打印 menu offers comes from the services, with the reason when a document cannot be printed."""

from __future__ import annotations

from kesu_desktop import services
from kesu_desktop.domain.enums import DocumentKind
from tests.helpers.data import complaint


def test_roles_and_case_state_decide_what_may_be_printed(desk: services.Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint())
    view = services.get_case(desk, people.carol, case.case_no)

    assert services.may_issue(people.alice, DocumentKind.RECEIPT)
    assert not services.may_issue(people.alice, DocumentKind.RECORD)
    assert services.document_refusal(people.carol, DocumentKind.RECORD, view) is None
    assert "打印" in (services.document_refusal(people.alice, DocumentKind.RECORD, view) or "")
    # no approved reply yet, nothing resolved, not escalated: each refusal says why
    for kind in (DocumentKind.REPLY, DocumentKind.CONFIRMATION, DocumentKind.ESCALATION):
        assert services.document_refusal(people.carol, kind, view), kind
