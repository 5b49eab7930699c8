"""Is this PDF one we issued, unchanged, and for which case?

Two independent checks, both required: the file's SHA-256 must be that of a document archived on a
case (so even a change inside the signature's padding, which the PDF signature does not cover, is
caught), and the pyHanko signature must be intact, cover the whole file and chain to one of the
organisation's certificates (so a file that is ours can be told apart from a look-alike).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kesu_desktop.domain.localtime import local_time
from kesu_desktop.i18n import _
from kesu_desktop.printing.signing import SignatureCheck, check_signature
from kesu_desktop.services import certificates, documents
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.documents import DocumentView


@dataclass(frozen=True)
class Verdict:
    ok: bool
    sha256: str
    document: DocumentView | None
    signature: SignatureCheck
    message: str


def verify_letter(desk: Desk, actor: Actor, pdf: bytes) -> Verdict:
    """The verdict on ``pdf``; its message gives the issue time in the zone of the checker's office."""
    sha = hashlib.sha256(pdf).hexdigest()
    issued = documents.find_document(desk, actor, sha)
    signature = check_signature(pdf, certificates.trusted_certificates(desk))
    if issued is not None and signature.ok:
        message = _("真实有效：这是 {at} 为案件 {case_no} 出具的{doc}（{pages} 页），文件未被改动。").format(
            at=local_time(issued.created_at, actor.timezone),
            case_no=issued.case_no,
            doc=issued.label,
            pages=issued.pages,
        )
        return Verdict(True, sha, issued, signature, message)
    if signature.problem:
        reason = signature.problem
    elif issued is None:
        reason = _("签名有效，但本系统的存档中没有与之完全相同的文件")
    else:
        reason = _("签名无效")
    message = _("无法确认：{reason}。").format(reason=reason)
    if issued is None and signature.signed and signature.intact:
        message += _("（文件可能来自其他数据库，或已被改动）")
    return Verdict(False, sha, issued, signature, message)
