"""Batch printing: the records of many cases issued one by one and bound into a single PDF to print.

Each record is issued exactly as a single print would be (signed, archived, an event on its case), so
every page can still be checked through its QR code and document id; the bound file is only what goes
to the printer (its pages keep their content, the individual signatures stay with the archived copies).
A case that cannot be printed (no right to see it, a missing glyph) is reported and skipped, not fatal.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pypdf import PdfWriter

from kesu_desktop.domain.enums import DocumentKind
from kesu_desktop.domain.errors import KesuError
from kesu_desktop.printing.issue import issue_document
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.documents import DocumentView

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
    writer = PdfWriter()
    batch = Batch(pdf=b"")
    for done, case_no in enumerate(case_nos, 1):
        try:
            issued = issue_document(desk, actor, kind, case_no, allow_missing=allow_missing)
        except KesuError as exc:
            batch.skipped[case_no] = str(exc)
        else:
            batch.documents.append(issued.document)
            writer.append(io.BytesIO(issued.pdf))
        if progress is not None and progress(done, len(case_nos)) is False:
            batch.cancelled = done < len(case_nos)
            break
    if batch.documents:
        out = io.BytesIO()
        writer.write(out)
        batch.pdf = out.getvalue()
    return batch
