"""The first letter of a process, measured in a process of its own (run by ``benchmarks.printing``).

``python -m benchmarks.printing_first DB USER CASE_NO AT`` opens the seeded SQLite file ``DB`` (which
already has its signing certificate, as every desk has after its first print), then times, in this
order and nothing before them:

1. ``import kesu_desktop.printing.issue`` (ReportLab, pyHanko, the document stories);
2. the first ``issue_document(desk, USER, "receipt", CASE_NO)``: the body font is read and registered,
   pyHanko signs for the first time (the PKCS#12 is decrypted), the PDF is archived;
3. the bare building block, in the same process and right after: a first ``TTFont`` registration of the
   same font file under a new name and one ``canvas.Canvas`` page with a line of Chinese text, saved to
   bytes. ReportLab's modules are already imported by then, as they are for the letter (whose import is
   figure 1), so both sides pay for reading the font and not for importing Python code.

Prints one JSON object on stdout. Not meant to be run by hand, but harmless: it adds one receipt to the case.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path


def bare_first_page(text: str) -> tuple[float, int]:
    """ms for the first registration of the body font under a new name and one page of ``text``; bytes."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from kesu_desktop.paths import resources_dir

    path = str(resources_dir() / "fonts" / "wqy-microhei.ttc")
    start = time.perf_counter()
    pdfmetrics.registerFont(TTFont("BenchFirst", path, subfontIndex=0))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("BenchFirst", 12)
    page.drawString(72, 770, text)
    page.showPage()
    page.save()
    data = out.getvalue()
    return (time.perf_counter() - start) * 1000, len(data)


def main(argv: list[str]) -> int:
    db, username, case_no, at = argv
    from benchmarks.databases import StepClock, sqlite_url
    from kesu_desktop import services
    from kesu_desktop.services import Desk

    path = Path(db)
    desk = Desk.open(
        sqlite_url(path.parent, path.name), clock=StepClock(datetime.fromisoformat(at)), node_id="bench-first"
    )
    try:
        actor = services.get_actor(desk, username)
        start = time.perf_counter()
        from kesu_desktop.printing.issue import issue_document

        import_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        issued = issue_document(desk, actor, "receipt", case_no)
        kesu_ms = (time.perf_counter() - start) * 1000
        bare_ms, bare_bytes = bare_first_page(
            f"客户投诉受理回执　投诉编号 {case_no}　您的投诉已受理，我们将尽快与您联系。"
        )
    finally:
        desk.close()
    result = {
        "import_ms": import_ms,
        "kesu_ms": kesu_ms,
        "pages": issued.document.pages,
        "bytes": len(issued.pdf),
        "bare_ms": bare_ms,
        "bare_bytes": bare_bytes,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
