"""The 打印 menu: documents of the current case, signatures, batch records and verification.

Entries are enabled from the same rules the services enforce (who may issue what, whether the case
has the content yet), checked each time the menu opens, so a disabled entry says why in its tooltip.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from kesu_desktop import services
from kesu_desktop.domain.enums import DocumentKind, Role
from kesu_desktop.i18n import _
from kesu_desktop.ui.printing.print_actions import PrintController

SHORTCUTS = {DocumentKind.RECEIPT: "Ctrl+P", DocumentKind.RECORD: "Ctrl+Alt+P"}


def readiness(kind: DocumentKind, actor: services.Actor, case: services.CaseView | None) -> str | None:
    """Why ``kind`` cannot be printed for ``case`` now, or None when it can."""
    if case is None:
        return _("请先打开一件案件")
    return services.document_refusal(actor, kind, case)


class PrintMenu(QMenu):
    def __init__(
        self,
        controller: PrintController,
        current_case: Callable[[], services.CaseView | None],
        selected_cases: Callable[[], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller, self.current_case, self.selected_cases = controller, current_case, selected_cases
        self.documents: dict[DocumentKind, QAction] = {}
        for kind in DocumentKind:
            action = self.addAction("", lambda k=kind: self.on_print(k))
            if kind in SHORTCUTS:
                action.setShortcut(QKeySequence(SHORTCUTS[kind]))
            self.documents[kind] = action
        self.addSeparator()
        self.sign_receipt = self.addAction("", lambda: self.on_sign(DocumentKind.RECEIPT))
        self.sign_receipt.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.sign_confirmation = self.addAction("", lambda: self.on_sign(DocumentKind.CONFIRMATION))
        self.paper_receipt = self.addAction("", lambda: self.on_paper(DocumentKind.RECEIPT))
        self.paper_confirmation = self.addAction("", lambda: self.on_paper(DocumentKind.CONFIRMATION))
        self.addSeparator()
        self.batch = self.addAction("", self.on_batch)
        self.batch.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.verify = self.addAction("", self.controller.verify_file)
        self.admin_separator = self.addSeparator()
        self.import_cert = self.addAction("", self.controller.import_certificate)
        self.seal = self.addAction("", self.controller.set_seal)
        is_admin = controller.actor.role is Role.ADMIN
        for action in (self.admin_separator, self.import_cert, self.seal):
            action.setVisible(is_admin)
        self.aboutToShow.connect(self.update_state)
        self.retranslate_ui()
        self.update_state()

    def retranslate_ui(self) -> None:
        self.setTitle(_("打印(&P)"))
        for kind, action in self.documents.items():
            action.setText(_("打印{doc}…").format(doc=kind.label))
        self.sign_receipt.setText(_("客户签名（受理回执）…"))
        self.sign_confirmation.setText(_("客户签名（结果确认表）…"))
        self.paper_receipt.setText(_("客户已在纸质受理回执上签字"))
        self.paper_confirmation.setText(_("客户已在纸质结果确认表上签字"))
        self.batch.setText(_("批量打印所选案件的登记处理单…"))
        self.verify.setText(_("验证打印件…"))
        self.import_cert.setText(_("导入单位签名证书…"))
        self.seal.setText(_("设置印章图片…"))

    def update_state(self) -> None:
        case = self.current_case()
        for kind, action in self.documents.items():
            why = readiness(kind, self.controller.actor, case)
            action.setEnabled(why is None)
            action.setToolTip(why or "")
        staff = self.controller.may_issue(DocumentKind.RECEIPT)
        for action, kind in (
            (self.sign_receipt, DocumentKind.RECEIPT),
            (self.paper_receipt, DocumentKind.RECEIPT),
            (self.sign_confirmation, DocumentKind.CONFIRMATION),
            (self.paper_confirmation, DocumentKind.CONFIRMATION),
        ):
            action.setEnabled(
                staff and case is not None and readiness(kind, self.controller.actor, case) is None
            )
        self.batch.setEnabled(self.controller.may_issue(DocumentKind.RECORD))
        self.setToolTipsVisible(True)

    def on_print(self, kind: DocumentKind) -> None:
        case = self.current_case()
        if case is not None and readiness(kind, self.controller.actor, case) is None:
            self.controller.issue(kind, case.case_no)

    def on_sign(self, kind: DocumentKind) -> None:
        case = self.current_case()
        if case is not None:
            self.controller.capture_signature(kind, case)

    def on_paper(self, kind: DocumentKind) -> None:
        case = self.current_case()
        if case is not None:
            self.controller.signed_on_paper(kind, case.case_no)

    def on_batch(self) -> None:
        self.controller.print_records(self.selected_cases())
