"""Documents issued on a case, and the signatures captured for them.

Issuing is the last step of printing: the exact PDF handed out is archived with its hashes and a
``document_issued`` event, so a paper that comes back can be checked and the case shows who printed
what. Printing or saving a copy again is an event too (``document_printed`` / ``document_exported``).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kesu_desktop.domain.documents import check_issue, check_ready, parse_kind
from kesu_desktop.domain.enums import DocumentKind, ReplyStatus, Role, SignerRole, Status
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.i18n import _, current_language
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.certificates import is_png
from kesu_desktop.services.customers import customer_query
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.queries import case_rows, view_of
from kesu_desktop.services.unit import cached_names, cached_policy, load_case, record, scope_filter
from kesu_desktop.services.views import CaseRow, CaseView
from kesu_desktop.storage.models import (
    Case,
    CaseDocument,
    CaseSignature,
    Office,
    PrintAsset,
    Reply,
    User,
)

MAX_SIGNATURE_PNG = 2 * 1024 * 1024
MAX_STROKE_POINTS = 20000


@dataclass(frozen=True)
class SignatureView:
    id: uuid.UUID
    purpose: str
    signer_role: str
    signer: str
    png: bytes
    sha256: str
    captured_by: str
    created_at: datetime


@dataclass(frozen=True)
class DocumentView:
    id: uuid.UUID
    case_no: str
    kind: str
    sha256: str
    content_sha256: str
    size: int
    pages: int
    cert_fingerprint: str | None
    issued_by: str
    created_at: datetime

    @property
    def label(self) -> str:
        return DocumentKind(self.kind).label


@dataclass(frozen=True)
class CaseFile:
    """Everything a printed document of one case may show, read in one transaction."""

    case: CaseView
    organisation: str
    office_name: str
    contact: str
    timezone: str
    category_name: str
    department_name: str | None
    #: Approved replies, oldest first (the letter uses the newest).
    approved_replies: list[str]
    #: The newest signature per (document kind, signer role).
    signatures: dict[tuple[str, str], SignatureView]
    #: The customer's earlier cases (read for the escalation report only; empty for other kinds).
    earlier_cases: list[CaseRow]
    #: username → display name, for everyone named on the case.
    names: dict[str, str]
    #: The seal image (read for the reply letter only).
    seal_png: bytes | None


def _signature_view(s: CaseSignature) -> SignatureView:
    return SignatureView(
        s.id, s.purpose, s.signer_role, s.signer, s.png, s.sha256, s.captured_by, s.created_at
    )


def _document_view(d: CaseDocument, case_no: str) -> DocumentView:
    return DocumentView(
        d.id,
        case_no,
        d.kind,
        d.sha256,
        d.content_sha256,
        d.size,
        d.pages,
        d.cert_fingerprint,
        d.issued_by,
        d.created_at,
    )


#: The documents that list the customer's earlier cases, and those that carry the seal image.
_LISTS_EARLIER_CASES = frozenset({DocumentKind.ESCALATION})
_CARRIES_SEAL = frozenset({DocumentKind.REPLY})


def case_file(desk: Desk, actor: Actor, case_no: str, kind: DocumentKind | str) -> CaseFile:
    """The facts for printing ``kind``; refused when the user may not issue it or it has no content yet."""
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    check_issue(kind, actor.role)
    with desk.db.read() as session:
        case = load_case(session, actor, case_no)
        # Its times are in the case's office's zone, whoever prints it; the phone is as the reader may
        # see it (a department user printing a record gets it masked).
        policy = cached_policy(session, desk, case.office_code)
        zone = policy.timezone
        view = view_of(session, actor, case, zone=zone, desk=desk)
        approved = list(
            session.scalars(
                select(Reply.body)
                .where(Reply.case_id == view.id, Reply.status == ReplyStatus.APPROVED.value)
                .order_by(Reply.updated_at)
            )
        )
        check_ready(kind, Status(view.status), view.escalation_level, bool(approved))
        # offices are reference data: their names come from the desk's cache, until one changes
        office_name = desk.reference.snapshot(session).get(
            ("office_name", view.office_code),
            lambda: session.scalar(select(Office.name).where(Office.code == view.office_code)),
        )
        signatures: dict[tuple[str, str], SignatureView] = {}
        for s in session.scalars(
            select(CaseSignature).where(CaseSignature.case_id == view.id).order_by(CaseSignature.created_at)
        ):
            signatures[(s.purpose, s.signer_role)] = _signature_view(s)
        earlier: list[CaseRow] = []
        # The stored number finds the customer's cases; the rows show it as the reader may see it.
        # Only the escalation report lists them (and only the reply letter carries the seal): a
        # receipt does not pay for reading them.
        query = customer_query(case.phone, view.account_no) if kind in _LISTS_EARLIER_CASES else None
        if query is not None:
            rows = session.scalars(
                scope_filter(query, actor).where(Case.created_at < case.created_at).limit(20)
            )
            earlier = case_rows(session, actor, rows)
        people = {
            view.registered_by,
            *(e.actor for e in view.events),
            *([view.assignee] if view.assignee else []),
        }
        names = dict(
            session.execute(select(User.username, User.display_name).where(User.username.in_(people))).all()
        )
        seal = session.get(PrintAsset, "seal") if kind in _CARRIES_SEAL else None
        reference = cached_names(session, desk)
        office_name = office_name or view.office_code
        return CaseFile(
            case=view,
            organisation=policy.print_organisation or office_name,
            office_name=office_name,
            contact=policy.print_contact,
            timezone=zone,
            category_name=reference.get(view.category, view.category),
            department_name=reference.get(view.department, view.department) if view.department else None,
            approved_replies=approved,
            signatures=signatures,
            earlier_cases=earlier,
            names=names,
            seal_png=seal.data if seal else None,
        )


def archive_document(
    desk: Desk,
    actor: Actor,
    case_no: str,
    kind: DocumentKind,
    *,
    document_id: uuid.UUID,
    pdf: bytes,
    content_sha256: str,
    pages: int,
    cert_fingerprint: str | None,
) -> DocumentView:
    """Keep the issued PDF on the case and say so in its timeline; one transaction."""
    check_issue(kind, actor.role)
    sha = hashlib.sha256(pdf).hexdigest()
    with desk.db.write() as session:
        case = load_case(session, actor, case_no, for_update=True)
        doc = CaseDocument(
            id=document_id,
            case_id=case.id,
            kind=kind.value,
            sha256=sha,
            content_sha256=content_sha256,
            size=len(pdf),
            pages=pages,
            pdf=pdf,
            cert_fingerprint=cert_fingerprint,
            issued_by=actor.username,
            created_at=desk.clock.now(),
        )
        session.add(doc)
        session.flush()
        record(
            session,
            desk,
            case,
            actor,
            "document_issued",
            {},
            {
                "document_id": document_id,
                "document": kind.value,
                "sha256": sha,
                "content_sha256": content_sha256,
                "pages": pages,
                "size": len(pdf),
                "signed": cert_fingerprint is not None,
                # the language the paper was written in: a reprint or a check knows what to expect
                "language": current_language(),
            },
        )
        return _document_view(doc, case.case_no)


@dataclass(frozen=True)
class BatchItem:
    """One document of a batch: its case, its id and content digest (its QR code) and its own pages."""

    case_no: str
    document_id: uuid.UUID
    content_sha256: str
    pages: int


def archive_batch(
    desk: Desk,
    actor: Actor,
    kind: DocumentKind,
    items: list[BatchItem],
    *,
    pdf: bytes,
    cert_fingerprint: str | None,
) -> list[DocumentView]:
    """Keep a batch (one signed PDF holding several documents) on every case in it; one transaction.

    Each document gets its own row and ``document_issued`` event, with its own id, content digest and
    pages (what its pages' QR codes carry, so each page is checked on its own), and the SHA-256 of the
    bound file (so the file as a whole is checked like any letter). The bytes are stored once, on the
    first row: the others would hold the same megabytes again (see ``document_pdf``).
    """
    check_issue(kind, actor.role)
    sha = hashlib.sha256(pdf).hexdigest()
    views: list[DocumentView] = []
    with desk.db.write() as session:
        now = desk.clock.now()
        for n, item in enumerate(items):
            case = load_case(session, actor, item.case_no, for_update=True)
            doc = CaseDocument(
                id=item.document_id,
                case_id=case.id,
                kind=kind.value,
                sha256=sha,
                content_sha256=item.content_sha256,
                size=len(pdf),
                pages=item.pages,
                pdf=pdf if n == 0 else b"",
                cert_fingerprint=cert_fingerprint,
                issued_by=actor.username,
                created_at=now,
            )
            session.add(doc)
            record(
                session,
                desk,
                case,
                actor,
                "document_issued",
                {},
                {
                    "document_id": item.document_id,
                    "document": kind.value,
                    "sha256": sha,
                    "content_sha256": item.content_sha256,
                    "pages": item.pages,
                    "size": len(pdf),
                    "signed": cert_fingerprint is not None,
                    "language": current_language(),
                    # bound with this many documents into the one file of ``sha256``
                    "batch": len(items),
                },
            )
            views.append(_document_view(doc, case.case_no))
        session.flush()
    return views


def _document(session: Session, actor: Actor, document_id: uuid.UUID) -> tuple[CaseDocument, Case]:
    row = session.execute(
        scope_filter(
            select(CaseDocument, Case)
            .join(Case, Case.id == CaseDocument.case_id)
            .where(CaseDocument.id == document_id),
            actor,
        )
    ).first()
    if row is None:
        raise NotFound(_("文档不存在或无权查看"))
    return row[0], row[1]


def record_output(
    desk: Desk, actor: Actor, document_id: uuid.UUID, *, how: str, target: str | None = None, copies: int = 1
) -> None:
    """Record that an issued document was printed (``how='printed'``) or saved to a file ('exported')."""
    if how not in ("printed", "exported"):
        raise ValidationError.single("how", _("须为 printed 或 exported"))
    with desk.db.write() as session:
        doc, case = _document(session, actor, document_id)
        session.refresh(case, with_for_update=True)
        record(
            session,
            desk,
            case,
            actor,
            f"document_{how}",
            {},
            {"document_id": doc.id, "document": doc.kind, "target": target, "copies": copies},
        )


def documents_for_case(desk: Desk, actor: Actor, case_no: str) -> list[DocumentView]:
    with desk.db.read() as session:
        case = load_case(session, actor, case_no)
        rows = session.scalars(
            select(CaseDocument).where(CaseDocument.case_id == case.id).order_by(CaseDocument.created_at)
        )
        return [_document_view(d, case.case_no) for d in rows]


def document_pdf(desk: Desk, actor: Actor, document_id: uuid.UUID) -> bytes:
    """The archived PDF; for a document of a batch, the bound file, to a user who may see all its cases.

    A batch's bytes are stored once, on its first row; the file holds every case's pages, so a user
    who may not see one of those cases does not get it (the document itself still verifies by its QR
    code and by the bound file's hash).
    """
    with desk.db.read() as session:
        doc = _document(session, actor, document_id)[0]
        if doc.pdf:
            return doc.pdf
        cases = set(session.scalars(select(CaseDocument.case_id).where(CaseDocument.sha256 == doc.sha256)))
        visible = set(session.scalars(scope_filter(select(Case.id).where(Case.id.in_(cases)), actor)))
        carrier = session.scalar(
            select(CaseDocument.pdf)
            .where(CaseDocument.sha256 == doc.sha256, CaseDocument.pdf != b"")
            .limit(1)
        )
        if carrier is None or visible != cases:
            raise NotFound(_("文档不存在或无权查看"))
        return carrier


def find_document(desk: Desk, actor: Actor, sha256: str) -> DocumentView | None:
    """The issued document whose PDF has exactly this SHA-256 (within what the user may see)."""
    with desk.db.read() as session:
        row = session.execute(
            scope_filter(
                select(CaseDocument, Case.case_no)
                .join(Case, Case.id == CaseDocument.case_id)
                .where(CaseDocument.sha256 == sha256.lower()),
                actor,
            ).order_by(CaseDocument.created_at)
        ).first()
        return _document_view(row[0], row[1]) if row else None


@dataclass(frozen=True)
class IssuedMatch:
    """An archived document found by the SHA-256 of its PDF, anywhere in the archive.

    Verification has to see every document: a genuine paper checked by someone outside its case's
    scope must still be told it is genuine, not that it may be forged. What the holder of the paper
    can read on it anyway (its kind, pages, issue time) is given; the case itself (``document``, with
    its number and id) only to a user who may see that case.
    """

    kind: str
    pages: int
    created_at: datetime
    document: DocumentView | None
    #: How many documents the file binds (1 for a single letter), and their pages together.
    documents: int = 1
    file_pages: int = 0

    @property
    def label(self) -> str:
        return DocumentKind(self.kind).label

    @property
    def in_scope(self) -> bool:
        return self.document is not None


def match_issued(desk: Desk, actor: Actor, sha256: str) -> IssuedMatch | None:
    """The first document ever archived with exactly this PDF hash, whoever's case it is on."""
    with desk.db.read() as session:
        row = session.execute(
            select(CaseDocument, Case.case_no)
            .join(Case, Case.id == CaseDocument.case_id)
            .where(CaseDocument.sha256 == sha256.lower())
            .order_by(CaseDocument.created_at)
        ).first()
        if row is None:
            return None
        doc, case_no = row
        visible = session.scalar(scope_filter(select(Case.id).where(Case.id == doc.case_id), actor))
        # A batch is one file on several rows (one per document in it), all with the file's hash.
        count, pages = session.execute(
            select(func.count(), func.sum(CaseDocument.pages)).where(
                CaseDocument.sha256 == doc.sha256, CaseDocument.created_at == doc.created_at
            )
        ).one()
        return IssuedMatch(
            doc.kind,
            doc.pages,
            doc.created_at,
            _document_view(doc, case_no) if visible is not None else None,
            documents=int(count),
            file_pages=int(pages or doc.pages),
        )


def _check_strokes(strokes: Any) -> list[list[list[float]]]:
    """Strokes as lists of [x, y, pressure, t_ms]; anything else is refused rather than stored."""
    bad = ValidationError.single("strokes", _("签名笔迹数据无效"))
    if not isinstance(strokes, list) or not strokes:
        raise ValidationError.single("strokes", _("没有签名笔迹：请让客户在签名板上签名"))
    total = 0
    clean: list[list[list[float]]] = []
    for stroke in strokes:
        if not isinstance(stroke, list | tuple) or not stroke:
            raise bad
        points = []
        for point in stroke:
            if not isinstance(point, list | tuple) or len(point) != 4:
                raise bad
            try:
                points.append([float(point[0]), float(point[1]), float(point[2]), float(point[3])])
            except (TypeError, ValueError):
                raise bad from None
        total += len(points)
        clean.append(points)
    if total > MAX_STROKE_POINTS:
        raise ValidationError.single("strokes", _("签名笔迹过长"))
    return clean


def capture_signature(
    desk: Desk,
    actor: Actor,
    case_no: str,
    *,
    purpose: DocumentKind | str,
    signer: str,
    strokes: Any,
    png: bytes,
    signer_role: SignerRole | str = SignerRole.CUSTOMER,
) -> SignatureView:
    """Keep a signature from the pad (its strokes and its picture) on the case, as an event."""
    purpose = parse_kind(purpose) if isinstance(purpose, str) else purpose
    if actor.role in (Role.ADMIN,):
        raise NotAllowed(_("管理员不处理案件"))
    errors: dict[str, str] = {}
    if not purpose.signed_by_customer:
        errors["purpose"] = _("{doc}不需要客户签名").format(doc=purpose.label)
    try:
        role = SignerRole(signer_role)
    except ValueError:
        errors["signer_role"] = _("签名人须为 customer 或 staff")
        role = SignerRole.CUSTOMER
    signer = (signer or "").strip()
    if not signer or len(signer) > 50:
        errors["signer"] = _("请填写签名人姓名（1–50 个字）")
    if len(png) > MAX_SIGNATURE_PNG or not is_png(png):
        errors["png"] = _("签名图片无效")
    try:
        clean = _check_strokes(strokes)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    sha = hashlib.sha256(png).hexdigest()
    with desk.db.write() as session:
        case = load_case(session, actor, case_no, for_update=True)
        sig = CaseSignature(
            case_id=case.id,
            purpose=purpose.value,
            signer_role=role.value,
            signer=signer,
            strokes=clean,
            png=png,
            sha256=sha,
            captured_by=actor.username,
            created_at=desk.clock.now(),
        )
        session.add(sig)
        session.flush()
        record(
            session,
            desk,
            case,
            actor,
            "signature_captured",
            {},
            {
                "signature_id": sig.id,
                "document": purpose.value,
                "signer_role": role.value,
                "signer": signer,
                "png_sha256": sha,
                "strokes": clean,
            },
        )
        return _signature_view(sig)


def mark_signed(
    desk: Desk,
    actor: Actor,
    case_no: str,
    kind: DocumentKind | str,
    *,
    signature_id: uuid.UUID | None = None,
    on_paper: bool = False,
    note: str | None = None,
) -> None:
    """Record that the customer signed ``kind``: with a captured signature, or on paper (who confirmed it)."""
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    if not kind.signed_by_customer:
        raise ValidationError.single("document", _("{doc}不需要客户签名").format(doc=kind.label))
    if signature_id is None and not on_paper:
        raise ValidationError.single(
            "signature", _("没有采集到客户签名：请先在签名板上签名，或确认客户已在纸面上签字")
        )
    if actor.role is Role.ADMIN:
        raise NotAllowed(_("管理员不处理案件"))
    with desk.db.write() as session:
        case = load_case(session, actor, case_no, for_update=True)
        info: dict[str, Any] = {"document": kind.value, "on_paper": on_paper, "confirmed_by": actor.username}
        if signature_id is not None:
            sig = session.get(CaseSignature, signature_id)
            if sig is None or sig.case_id != case.id or sig.purpose != kind.value:
                raise ValidationError.single(
                    "signature", _("该签名不属于本案件的{doc}").format(doc=kind.label)
                )
            info.update(signature_id=sig.id, signer=sig.signer)
        if note:
            info["note"] = note.strip()[:500]
        record(session, desk, case, actor, "document_signed", {}, info)
