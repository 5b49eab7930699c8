"""Is this PDF one we issued, unchanged, and for which case?

Two independent checks, both required: the file's SHA-256 must be that of a document archived on a
case (so even a change inside the signature's padding, which the PDF signature does not cover, is
caught), and the pyHanko signature must be intact, cover the whole file and chain to one of the
organisation's certificates (so a file that is ours can be told apart from a look-alike).

The archive lookup sees every document, whoever checks: a genuine paper is called genuine for anyone,
and only its case number is kept from a user outside that case's scope. Bytes before ``%PDF`` (a
UTF-8 BOM a text tool added, a mail gateway's junk) mean the file is not the one we issued: it is
called altered, and the checker is told whether the PDF behind those bytes is ours.
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
from kesu_desktop.services.documents import DocumentView, IssuedMatch

_PDF_MAGIC = b"%PDF-"
_UTF8_BOM = b"\xef\xbb\xbf"
#: PDF readers look for the header in the first 1024 bytes; so do we, to name what was put before it.
_HEADER_WINDOW = 1024


@dataclass(frozen=True)
class Verdict:
    ok: bool
    sha256: str
    #: The archived document, only when it is this very file and the checker may see its case.
    document: DocumentView | None
    signature: SignatureCheck
    message: str
    #: The archived document this file is (or, with ``leading_bytes``, would be), in scope or not.
    issued: IssuedMatch | None = None
    #: How many bytes stand before ``%PDF`` (0 for a file as we issue it).
    leading_bytes: int = 0


def _genuine(issued: IssuedMatch, actor: Actor) -> str:
    at = local_time(issued.created_at, actor.timezone)
    if issued.documents > 1:  # a batch: no one case to name; each page names its own in its QR code
        return _("真实有效：这是 {at} 批量出具的 {n} 份{doc}（共 {pages} 页），文件未被改动。").format(
            at=at, n=issued.documents, doc=issued.label, pages=issued.file_pages
        )
    if issued.document is not None:
        return _("真实有效：这是 {at} 为案件 {case_no} 出具的{doc}（{pages} 页），文件未被改动。").format(
            at=at, case_no=issued.document.case_no, doc=issued.label, pages=issued.pages
        )
    return _(
        "真实有效：这是本单位 {at} 出具的{doc}（{pages} 页），文件未被改动；"
        "该案件不在您的查看范围内，案件编号不予显示。"
    ).format(at=at, doc=issued.label, pages=issued.pages)


def _judge(desk: Desk, actor: Actor, pdf: bytes) -> Verdict:
    sha = hashlib.sha256(pdf).hexdigest()
    issued = documents.match_issued(desk, actor, sha)
    signature = check_signature(pdf, certificates.trusted_certificates(desk))
    if issued is not None and signature.ok:
        return Verdict(True, sha, issued.document, signature, _genuine(issued, actor), issued)
    if signature.problem:
        message = _("无法确认：{reason}。").format(reason=signature.problem)
    elif issued is None:
        message = _("无法确认：{reason}。").format(
            reason=_("签名有效，但本系统的存档中没有与之完全相同的文件")
        ) + _("（文件可能来自其他数据库，或已被改动）")
    else:
        message = _("无法确认：{reason}。").format(reason=_("签名无效"))
    return Verdict(False, sha, None, signature, message, issued)


def _prefixed(desk: Desk, actor: Actor, pdf: bytes, at: int) -> Verdict:
    """A file with ``at`` bytes before its PDF header: altered, whatever follows; say what follows."""
    sha = hashlib.sha256(pdf).hexdigest()
    what = _("UTF-8 BOM") if pdf[:at] == _UTF8_BOM else _("不属于 PDF 的内容")
    message = _("文件已被改动：“%PDF”之前多出 {n} 个字节（{what}），本单位出具的文件以“%PDF”开头。").format(
        n=at, what=what
    )
    inner = _judge(desk, actor, pdf[at:])
    if inner.ok and inner.issued is not None:
        if inner.document is not None:
            message += _("去掉这些字节后，是 {at} 为案件 {case_no} 出具的{doc}，未被改动。").format(
                at=local_time(inner.issued.created_at, actor.timezone),
                case_no=inner.document.case_no,
                doc=inner.issued.label,
            )
        else:
            message += _(
                "去掉这些字节后，是本单位 {at} 出具的{doc}，未被改动（该案件不在您的查看范围内）。"
            ).format(at=local_time(inner.issued.created_at, actor.timezone), doc=inner.issued.label)
    else:
        message += _("去掉这些字节后仍无法确认：{reason}").format(reason=inner.message)
    return Verdict(False, sha, None, inner.signature, message, inner.issued, at)


def verify_letter(desk: Desk, actor: Actor, pdf: bytes) -> Verdict:
    """The verdict on ``pdf``; its message gives the issue time in the zone of the checker's office."""
    at = pdf.find(_PDF_MAGIC, 0, _HEADER_WINDOW)
    if at > 0:
        return _prefixed(desk, actor, pdf, at)
    return _judge(desk, actor, pdf)
