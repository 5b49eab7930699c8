"""Issuing a document: gather the case, lay out the PDF, sign it, archive it on the case.

The steps run in that order so nothing is archived unless the whole document could be made: a
character no font can draw stops it before anything is written (unless the user accepted printing it
as a code), and a failed signature leaves no half-issued record.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from reportlab.platypus import Flowable

from kesu_desktop.domain.documents import parse_kind
from kesu_desktop.domain.enums import DocumentKind
from kesu_desktop.domain.ids import uuid7
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.printing import certificates
from kesu_desktop.printing.documents import confirmation, escalation, receipt, record, reply_letter
from kesu_desktop.printing.layout import Meta, Section, Writer, render
from kesu_desktop.printing.signing import sign_pdf
from kesu_desktop.services import documents
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.documents import CaseFile, DocumentView

Story = Callable[[CaseFile, Writer, str], list[Flowable]]

STORIES: dict[DocumentKind, Story] = {
    DocumentKind.RECEIPT: receipt.story,
    DocumentKind.REPLY: reply_letter.story,
    DocumentKind.CONFIRMATION: confirmation.story,
    DocumentKind.RECORD: record.story,
    DocumentKind.ESCALATION: escalation.story,
}


@dataclass(frozen=True)
class Issued:
    document: DocumentView
    pdf: bytes


def content_digest(document_id: uuid.UUID, kind: DocumentKind, case_no: str, texts: list[str]) -> str:
    """The hash the QR code carries: of what the page says, since a PDF cannot contain its own hash."""
    canonical = json.dumps([str(document_id), kind.value, case_no, *texts], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def section(
    file: CaseFile, kind: DocumentKind, *, document_id: uuid.UUID, issued_at: datetime, issued_by: str
) -> tuple[Section, str]:
    """One document's story and furniture, and its content digest (pure: no database, no rendering)."""
    writer = Writer()
    story = STORIES[kind](file, writer, local_time(issued_at, file.timezone, "long_date"))
    digest = content_digest(document_id, kind, file.case.case_no, writer.texts)
    meta = Meta(
        title=kind.label,
        organisation=file.organisation,
        case_no=file.case.case_no,
        document_id=str(document_id),
        content_sha256=digest,
        issued_at=local_time(issued_at, file.timezone),
        issued_by=file.names.get(issued_by, issued_by),
    )
    return Section(meta, writer, story), digest


def layout(
    file: CaseFile,
    kind: DocumentKind,
    *,
    document_id: uuid.UUID,
    issued_at: datetime,
    issued_by: str,
    allow_missing: bool = False,
) -> tuple[bytes, int, str]:
    """The unsigned PDF, its page count and its content digest (pure: no database)."""
    part, digest = section(file, kind, document_id=document_id, issued_at=issued_at, issued_by=issued_by)
    pdf, pages = render(part.meta, part.writer, part.story, allow_missing=allow_missing)
    return pdf, pages, digest


def issue_document(
    desk: Desk, actor: Actor, kind: DocumentKind | str, case_no: str, *, allow_missing: bool = False
) -> Issued:
    """Make, sign and archive one document of a case; returns the archived (signed) PDF."""
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    file = documents.case_file(desk, actor, case_no, kind)
    document_id = uuid7()
    pdf, pages, digest = layout(
        file,
        kind,
        document_id=document_id,
        issued_at=desk.clock.now(),
        issued_by=actor.username,
        allow_missing=allow_missing,
    )
    identity = certificates.signing_identity(desk)
    signed = sign_pdf(
        pdf,
        identity,
        reason=f"{kind.label} {file.case.case_no}",
        location=file.office_name,
    )
    view = documents.archive_document(
        desk,
        actor,
        file.case.case_no,
        kind,
        document_id=document_id,
        pdf=signed,
        content_sha256=digest,
        pages=pages,
        cert_fingerprint=identity.fingerprint_sha256,
    )
    return Issued(view, signed)
