"""Batch printing: the records of many cases laid out as one PDF, signed once, archived on every case.

The file is one ReportLab document (one embedded font subset, one signature) instead of one signed
PDF per record bound together: at 500 records that was most of the time and six times the size. Each
record still has its own document id, content digest and "第 N 页 共 M 页", and its own QR code on
every one of its pages, so a single page that comes back is checked on its own against the archive;
the file as a whole verifies like any letter (its hash is archived on every case in it, and it is
signed). A case that cannot be printed (no right to see it, a missing glyph) is reported and
skipped, not fatal.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kesu_desktop.domain.enums import DocumentKind
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.domain.ids import uuid7
from kesu_desktop.printing import certificates
from kesu_desktop.printing.fonts import MissingGlyphs
from kesu_desktop.printing.issue import section
from kesu_desktop.printing.layout import Section, render_sections
from kesu_desktop.printing.signing import sign_pdf
from kesu_desktop.services import documents
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.documents import BatchItem, DocumentView

#: Called after each case with (cases done, cases in all); returns False to stop.
Progress = Callable[[int, int], bool]


@dataclass
class Batch:
    pdf: bytes
    documents: list[DocumentView] = field(default_factory=list)
    #: case number → why it was skipped
    skipped: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False


def print_batch(
    desk: Desk,
    actor: Actor,
    case_nos: Sequence[str],
    *,
    kind: DocumentKind = DocumentKind.RECORD,
    progress: Progress | None = None,
    allow_missing: bool = False,
) -> Batch:
    """Gather every case (progress and cancel per case), then lay out, sign and archive them at once.

    Nothing is archived unless the whole file could be made and signed; a cancelled batch holds the
    cases gathered before the cancel.
    """
    batch = Batch(pdf=b"")
    issued_at = desk.clock.now()
    parts: list[tuple[str, Section]] = []
    location = ""
    for done, case_no in enumerate(case_nos, 1):
        try:
            file = documents.case_file(desk, actor, case_no, kind)
            part, _digest = section(
                file, kind, document_id=uuid7(), issued_at=issued_at, issued_by=actor.username
            )
            if part.writer.missing and not allow_missing:
                raise MissingGlyphs(part.writer.missing)
        except KesuError as exc:
            batch.skipped[case_no] = str(exc)
        else:
            parts.append((file.case.case_no, part))
            location = location or file.office_name
        if progress is not None and progress(done, len(case_nos)) is False:
            batch.cancelled = done < len(case_nos)
            break
    if not parts:
        return batch
    sections = [part for _no, part in parts]
    title = f"{kind.label} ×{len(sections)}"
    pdf, pages = render_sections(
        sections,
        title=title,
        author=sections[0].meta.organisation,
        subject="",
        allow_missing=True,  # each record was checked above
    )
    identity = certificates.signing_identity(desk)
    signed = sign_pdf(
        pdf,
        identity,
        reason=title,
        location=location,
    )
    items = [
        BatchItem(no, uuid.UUID(part.meta.document_id), part.meta.content_sha256, count)
        for (no, part), count in zip(parts, pages, strict=True)
    ]
    batch.documents = documents.archive_batch(
        desk, actor, kind, items, pdf=signed, cert_fingerprint=identity.fingerprint_sha256
    )
    batch.pdf = signed
    return batch
