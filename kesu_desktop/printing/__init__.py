"""Printed documents: ReportLab PDFs of a case (receipt, reply letter, confirmation, record, escalation
report), signed with the organisation's certificate through pyHanko and archived on the case.

Sits beside the services and uses them; imports no Qt, so the CLI and tests print without a display.
The names below are the package's public API — the desktop imports them from here, never from the
submodules, so the modules can be rearranged without touching the UI.
"""

from kesu_desktop.printing.batch import Batch, print_batch
from kesu_desktop.printing.certificates import (
    create_certificate,
    import_certificate,
    initialize_with_certificate,
)
from kesu_desktop.printing.fonts import MissingGlyphs
from kesu_desktop.printing.issue import Issued, issue_document
from kesu_desktop.printing.report import monthly_report_pdf
from kesu_desktop.printing.verify import Verdict, verify_letter

__all__ = [
    "Batch",
    "Issued",
    "MissingGlyphs",
    "Verdict",
    "create_certificate",
    "import_certificate",
    "initialize_with_certificate",
    "issue_document",
    "monthly_report_pdf",
    "print_batch",
    "verify_letter",
]
