"""Printing from the desktop: issue a document off the GUI thread, preview it, print or save it, and
record that on the case; capture the customer's signature; verify a returned paper; batch records.

One ``PrintController`` per main window owns these flows so every panel (registration banner, detail,
case list) prints the same way. Issuing (layout, signing, archiving) runs on the worker; only the
preview and dialogs live here.

The printing package (ReportLab, pyHanko), the PDF preview (pypdfium2, Qt's print support) and the
signature pad are imported where a flow first needs them, not when the main window is built: they
cost about a second of the desktop's start and most sessions print later, if at all (issue 16).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QProgressDialog, QWidget

from kesu_desktop import services
from kesu_desktop.domain.enums import DocumentKind, SignerRole
from kesu_desktop.domain.errors import KesuError, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.ui.base import tasks
from kesu_desktop.ui.base.file_dialogs import choose_open_file

if TYPE_CHECKING:
    from kesu_desktop.printing import Batch, Issued, Verdict
    from kesu_desktop.ui.printing.pdf_view import PdfPreviewDialog
    from kesu_desktop.ui.printing.signature_pad import CapturedSignature, SignatureDialog


def error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "\n".join(exc.errors.values())
    return str(exc)


class _Progress(QObject):
    """Carries batch progress from the worker to the GUI thread: the signal is emitted on the worker
    and, this object living on the GUI thread, delivered (queued) to its slot there."""

    sig_step = Signal(int, int)

    def __init__(self, dialog: QProgressDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.sig_step.connect(self.on_step)

    @Slot(int, int)
    def on_step(self, done: int, total: int) -> None:
        if done < total:
            self.dialog.setValue(done)
            self.dialog.setLabelText(_("正在生成登记处理单：{done} / {total}").format(done=done, total=total))


class PrintController(QObject):
    """The print flows of one signed-in user; dialogs are parented to ``window``."""

    #: A preview was opened (tests and screenshots wait for it).
    sig_preview_opened = Signal(object)
    #: A verification finished, with its verdict.
    sig_verified = Signal(object)

    def __init__(self, desk: services.Desk, actor: services.Actor, window: QWidget) -> None:
        super().__init__(window)
        self.desk, self.actor, self.window = desk, actor, window
        self.preview: PdfPreviewDialog | None = None
        self.signature_dialog: SignatureDialog | None = None
        self.progress: QProgressDialog | None = None
        self._cancel = threading.Event()

    def may_issue(self, kind: DocumentKind) -> bool:
        return services.may_issue(self.actor, kind)

    # --------------------------------------------------------------- one document

    def issue(self, kind: DocumentKind, case_no: str, *, allow_missing: bool = False) -> tasks.Task:
        desk, actor = self.desk, self.actor

        def issue() -> Issued:
            from kesu_desktop.printing import issue_document  # on the worker: its first import is slow

            return issue_document(desk, actor, kind, case_no, allow_missing=allow_missing)

        return tasks.run(
            issue,
            on_result=self.on_issued,
            on_error=lambda exc: self.on_issue_failed(kind, case_no, exc),
            context=self.window,
            cases_changed=lambda _issued: [],
        )

    def on_issued(self, issued: Issued) -> None:
        doc = issued.document
        self.open_preview(
            issued.pdf,
            _("{doc} · {case_no}").format(doc=doc.label, case_no=doc.case_no),
            f"{doc.case_no}-{doc.label}.pdf",
            lambda how, target: self._record([doc.id], how, target),
        )

    def on_issue_failed(self, kind: DocumentKind, case_no: str, exc: BaseException) -> None:
        from kesu_desktop.printing import MissingGlyphs  # loaded already: issuing imported it

        if isinstance(exc, MissingGlyphs):
            answer = QMessageBox.question(
                self.window,
                _("打印字体缺字"),
                _("{message}\n\n仍要打印吗？").format(message=exc),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.issue(kind, case_no, allow_missing=True)
        elif isinstance(exc, KesuError):
            QMessageBox.warning(self.window, _("无法打印{doc}").format(doc=kind.label), error_text(exc))
        else:
            tasks.unexpected(exc)

    def open_preview(
        self, pdf: bytes, title: str, suggested_name: str, record: Callable[[str, str | None], None]
    ) -> PdfPreviewDialog:
        from kesu_desktop.ui.printing.pdf_view import PdfPreviewDialog

        dialog = PdfPreviewDialog(pdf, title, suggested_name, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_printed.connect(lambda pages: record("printed", _("{n} 页").format(n=pages)))
        dialog.sig_saved.connect(lambda path: record("exported", path))
        self.preview = dialog
        dialog.show()
        self.sig_preview_opened.emit(dialog)
        return dialog

    def _record(self, document_ids: list, how: str, target: str | None) -> None:
        desk, actor = self.desk, self.actor

        def write() -> None:
            for document_id in document_ids:
                services.record_output(desk, actor, document_id, how=how, target=target)

        tasks.run(write, on_error=self.on_record_failed, context=self.window, cases_changed=lambda _r: [])

    def on_record_failed(self, exc: BaseException) -> None:
        if isinstance(exc, KesuError):
            QMessageBox.warning(self.window, _("记录打印"), error_text(exc))
        else:
            tasks.unexpected(exc)

    # --------------------------------------------------------------- signatures

    def capture_signature(self, kind: DocumentKind, case: services.CaseView) -> SignatureDialog:
        """The customer signs on the pad; the signature is kept and the document marked signed with it."""
        from kesu_desktop.ui.printing.signature_pad import SignatureDialog

        dialog = SignatureDialog(
            _("{doc} · {case_no}").format(doc=kind.label, case_no=case.case_no),
            case.customer_name,
            self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._store_signature(kind, case.case_no, dialog.captured()))
        self.signature_dialog = dialog
        dialog.open()
        return dialog

    def _store_signature(self, kind: DocumentKind, case_no: str, captured: CapturedSignature | None) -> None:
        if captured is None:
            return
        desk, actor = self.desk, self.actor

        def store() -> None:
            sig = services.capture_signature(
                desk,
                actor,
                case_no,
                purpose=kind,
                signer=captured.signer,
                strokes=[[list(p) for p in stroke] for stroke in captured.strokes],
                png=captured.png,
                signer_role=SignerRole.CUSTOMER,
            )
            services.mark_signed(desk, actor, case_no, kind, signature_id=sig.id)

        tasks.run(
            store,
            on_error=lambda exc: self._warn(_("保存签名"), exc),
            context=self.window,
            cases_changed=lambda _r: [],
        )

    def signed_on_paper(self, kind: DocumentKind, case_no: str) -> None:
        answer = QMessageBox.question(
            self.window,
            _("纸面签字"),
            _("确认客户已在纸质{doc}上亲笔签字？将记录由您（{who}）确认。").format(
                doc=kind.label, who=self.actor.display_name
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        desk, actor = self.desk, self.actor
        tasks.run(
            lambda: services.mark_signed(desk, actor, case_no, kind, on_paper=True),
            on_error=lambda exc: self._warn(_("纸面签字"), exc),
            context=self.window,
            cases_changed=lambda _r: [],
        )

    def _warn(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, KesuError):
            QMessageBox.warning(self.window, title, error_text(exc))
        else:
            tasks.unexpected(exc)

    # --------------------------------------------------------------- verification

    def verify_file(self, path: str | None = None) -> tasks.Task | None:
        if path is None:
            path = choose_open_file(self.window, _("验证打印件"), "letters", _("PDF 文件 (*.pdf)"))
            if not path:
                return None
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            QMessageBox.warning(self.window, _("验证打印件"), _("无法读取文件：{e}").format(e=exc))
            return None
        desk, actor = self.desk, self.actor

        def verify() -> Verdict:
            from kesu_desktop.printing import verify_letter

            return verify_letter(desk, actor, data)

        return tasks.run(
            verify,
            on_result=self.on_verified,
            on_error=lambda exc: self._warn(_("验证打印件"), exc),
            context=self.window,
        )

    def on_verified(self, verdict: Verdict) -> None:
        self.sig_verified.emit(verdict)
        box = QMessageBox(
            QMessageBox.Icon.Information if verdict.ok else QMessageBox.Icon.Warning,
            _("验证打印件"),
            verdict.message,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setDetailedText(_("文件 SHA-256：{sha}").format(sha=verdict.sha256))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # --------------------------------------------------------------- admin: certificate and seal

    def import_certificate(self, path: str | None = None, password: str | None = None) -> tasks.Task | None:
        """An admin picks the organisation's PKCS#12 and types its password; later letters sign with it."""
        if path is None:
            path = choose_open_file(
                self.window, _("导入签名证书"), "certificates", _("PKCS#12 证书 (*.p12 *.pfx)")
            )
            if not path:
                return None
        if password is None:
            password, ok = QInputDialog.getText(
                self.window, _("导入签名证书"), _("证书密码："), QLineEdit.EchoMode.Password
            )
            if not ok:
                return None
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            QMessageBox.warning(self.window, _("导入签名证书"), _("无法读取文件：{e}").format(e=exc))
            return None
        desk, actor, secret = self.desk, self.actor, password.encode() if password else None

        def import_it() -> Any:
            from kesu_desktop import printing

            return printing.import_certificate(desk, actor, data, secret)

        return tasks.run(
            import_it,
            on_result=self.on_certificate_imported,
            on_error=lambda exc: self._warn(_("导入签名证书"), exc),
            context=self.window,
        )

    def on_certificate_imported(self, record: Any) -> None:  # services.certificates.CertificateRecord
        """Say where the key's password now lives: this computer's keyring, or (warned) the database."""
        text = _("已导入：{subject}，有效期至 {until}。此后出具的文档将使用该证书签名。").format(
            subject=record.subject,
            until=services.local_time(record.not_after, self.actor.timezone, "date"),
        )
        if record.warning:
            QMessageBox.warning(self.window, _("导入签名证书"), text + "\n\n" + record.warning)
            return
        if record.password_store == "keyring":
            text += "\n\n" + _(
                "证书密码已存入本机的系统密钥环，数据库中不保存。共用数据库的其他电脑要签名，"
                "须由管理员在那台电脑上运行 kesu admin cert-password。"
            )
        QMessageBox.information(self.window, _("导入签名证书"), text)

    def set_seal(self, path: str | None = None) -> tasks.Task | None:
        if path is None:
            path = choose_open_file(self.window, _("设置印章图片"), "certificates", _("PNG 图片 (*.png)"))
            if not path:
                return None
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            QMessageBox.warning(self.window, _("设置印章图片"), _("无法读取文件：{e}").format(e=exc))
            return None
        desk, actor = self.desk, self.actor
        return tasks.run(
            lambda: services.set_seal(desk, actor, data),
            on_result=lambda _r: QMessageBox.information(
                self.window, _("设置印章图片"), _("已设置：此后的回复函将印上该图片")
            ),
            on_error=lambda exc: self._warn(_("设置印章图片"), exc),
            context=self.window,
        )

    # --------------------------------------------------------------- batch

    def print_records(self, case_nos: list[str]) -> tasks.Task | None:
        """The records of the selected cases, bound into one PDF, with progress and a cancel button."""
        if not case_nos:
            QMessageBox.information(self.window, _("批量打印"), _("请先在案件列表中选择案件（可多选）"))
            return None
        if not self.may_issue(DocumentKind.RECORD):
            QMessageBox.warning(self.window, _("批量打印"), _("只有主管或经理可以打印登记处理单"))
            return None
        self._cancel.clear()
        progress = QProgressDialog(
            _("正在生成 {n} 份登记处理单…").format(n=len(case_nos)), _("取消"), 0, len(case_nos), self.window
        )
        progress.setWindowTitle(_("批量打印"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.canceled.connect(self._cancel.set)
        relay = _Progress(progress)
        self.progress = progress
        progress.show()
        desk, actor, cancel = self.desk, self.actor, self._cancel

        def step(done: int, total: int) -> bool:
            relay.sig_step.emit(done, total)
            return not cancel.is_set()

        def batch() -> Batch:
            from kesu_desktop.printing import print_batch

            return print_batch(desk, actor, case_nos, progress=step)

        return tasks.run(
            batch,
            on_result=lambda batch: self.on_batch(batch, progress),
            on_error=lambda exc: (progress.close(), self._warn(_("批量打印"), exc)),
            context=self.window,
            cases_changed=lambda _b: [],
        )

    def on_batch(self, batch: Batch, progress: QProgressDialog) -> None:
        progress.close()
        if batch.skipped:
            lines = "\n".join(
                _("{case_no}：{reason}").format(case_no=no, reason=why)
                for no, why in list(batch.skipped.items())[:20]
            )
            QMessageBox.warning(
                self.window,
                _("批量打印"),
                _("{n} 件案件未能生成：\n{lines}").format(n=len(batch.skipped), lines=lines),
            )
        if not batch.documents:
            return
        ids = [d.id for d in batch.documents]
        title = _("登记处理单 · {n} 件").format(n=len(ids))
        if batch.cancelled:
            title += _("（已取消，仅含已生成的部分）")
        self.open_preview(
            batch.pdf,
            title,
            _("登记处理单-{n}件.pdf").format(n=len(ids)),
            lambda how, target: self._record(ids, how, target),
        )

    @Slot()
    def cancel_batch(self) -> None:
        self._cancel.set()
