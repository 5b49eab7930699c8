"""Printing: ``issue_document`` and ``print_batch`` against bare ReportLab pages in the same font.

On a scratch SQLite database filled by ``seed_demo`` (cases with realistic timelines), as a front desk
clerk (receipts) and a supervisor (records):

* **first letter** — the very first receipt of a process, timed in a fresh subprocess
  (``benchmarks.printing_first``), against the first registration of the same font file plus one canvas
  page with a line of Chinese text in that same process;
* **letters after warm-up** — ``letters`` receipts on different cases, each against a bare
  ``SimpleDocTemplate`` that flows exactly the receipt's texts as plain ``Paragraph``s in the same
  (already registered) font, with the letter broken down into its parts: ``case_file`` (the database
  read), ``layout`` (the unsigned PDF) and ``sign_pdf`` (pyHanko);
* **batch** — ``print_batch`` of ``batch`` case records (laid out as one document, signed once and
  archived on every case), against one bare document flowing the same records' texts with a page break
  after each; its size is also given per 100 records.

Standalone: ``python -m benchmarks.printing [--quick] [--letters N] [--batch N] [--json]``.
"""

from __future__ import annotations

import argparse
import io
import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import closing
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from benchmarks.databases import START, StepClock, add_staff, open_desk, sqlite_url
from benchmarks.timing import median, p95, ratio, rounded
from kesu_desktop.devtools.seed import seed_demo
from kesu_desktop.domain.enums import DocumentKind, Role
from kesu_desktop.domain.ids import uuid7
from kesu_desktop.paths import resources_dir
from kesu_desktop.printing import certificates
from kesu_desktop.printing.batch import print_batch
from kesu_desktop.printing.issue import STORIES, issue_document, layout
from kesu_desktop.printing.layout import Writer, draw_qr, qr_modules
from kesu_desktop.printing.signing import sign_pdf
from kesu_desktop.services import Actor, Desk
from kesu_desktop.services.documents import CaseFile, case_file, document_pdf

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FONT = resources_dir() / "fonts" / "wqy-microhei.ttc"
#: The bare side's own registration of the body font file (the application's is ``KesuSans``).
BARE_FONT = "BenchSans"
WARMUP = 2
#: Issues are this far apart on the desk clock.
GAP = timedelta(seconds=60)
DEFAULT_LETTERS, DEFAULT_BATCH, DEFAULT_FIRST = 50, 500, 5
QUICK_LETTERS, QUICK_BATCH, QUICK_FIRST = 10, 20, 1


def libraries() -> dict[str, str]:
    return {name: version(name) for name in ("reportlab", "pyHanko", "pypdf")}


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def _spread(samples: list[float]) -> dict[str, float]:
    return {"median_ms": rounded(median(samples)), "p95_ms": rounded(p95(samples))}


# --- the bare side ------------------------------------------------------------------------------------


def register_bare_font() -> None:
    if BARE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(BARE_FONT, str(FONT), subfontIndex=0))


_BARE_STYLE = ParagraphStyle("bare", fontName=BARE_FONT, fontSize=10.5, leading=16.5, wordWrap="CJK")


def _paragraphs(texts: Sequence[str]) -> list[Any]:
    return [Paragraph(escape(t).replace("\n", "<br/>"), _BARE_STYLE) for t in texts]


def bare_document(records: Sequence[Sequence[str]]) -> tuple[bytes, int]:
    """One A4 document flowing each record's texts in the bare font, a page break after each record."""
    story: list[Any] = []
    for n, texts in enumerate(records):
        story += _paragraphs(texts)
        if n < len(records) - 1:
            story.append(PageBreak())
    out = io.BytesIO()
    pages: list[int] = []
    doc = SimpleDocTemplate(out, pagesize=A4)
    count = lambda canvas, _doc: pages.append(1)  # noqa: E731
    doc.build(story, onFirstPage=count, onLaterPages=count)
    return out.getvalue(), len(pages)


def texts_of(file: CaseFile, kind: DocumentKind) -> list[str]:
    """Every text the document of ``kind`` puts on its pages (what the bare side flows)."""
    writer = Writer()
    STORIES[kind](file, writer, "")
    return writer.texts


# --- the application side -----------------------------------------------------------------------------


def _case_numbers(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT case_no FROM cases ORDER BY created_at, case_no")]


def _fresh_process(db: Path, clerk: Actor, case_no: str, clock: StepClock) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.printing_first",
            str(db),
            clerk.username,
            case_no,
            clock.now().isoformat(),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks.printing_first failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def first_letter(db: Path, clerk: Actor, case_nos: Sequence[str], clock: StepClock) -> dict[str, Any]:
    """The first receipt of a fresh process (benchmarks.printing_first) and its bare first page.

    One process per case, one after another; the medians over them are the figures (a single cold
    start is at the mercy of whatever else the machine is doing at that moment).
    """
    runs = []
    for case_no in case_nos:
        clock.advance(GAP)
        runs.append(_fresh_process(db, clerk, case_no, clock))

    def mid(key: str) -> float:
        return median([r[key] for r in runs])

    return {
        "n": len(runs),
        "import_ms": rounded(mid("import_ms")),
        "kesu_ms": rounded(mid("kesu_ms")),
        "kesu_p95_ms": rounded(p95([r["kesu_ms"] for r in runs])),
        "pages": mid("pages"),
        "kb": rounded(mid("bytes") / 1024, 1),
        "bare_ms": rounded(mid("bare_ms")),
        "bare_p95_ms": rounded(p95([r["bare_ms"] for r in runs])),
        "bare_kb": rounded(mid("bare_bytes") / 1024, 1),
        "ratio": ratio(mid("kesu_ms"), mid("bare_ms")),
    }


def letters_after_warmup(
    desk: Desk, clerk: Actor, clock: StepClock, warmup: Sequence[str], case_nos: Sequence[str]
) -> dict[str, Any]:
    """Receipts one by one, each followed by its parts and its bare twin on the same case."""
    kind = DocumentKind.RECEIPT
    register_bare_font()
    for case_no in warmup:
        clock.advance(GAP)
        file = case_file(desk, clerk, case_no, kind)
        issue_document(desk, clerk, kind, case_no)
        bare_document([texts_of(file, kind)])
    kesu: list[float] = []
    bare: list[float] = []
    parts: dict[str, list[float]] = {"case_file": [], "layout": [], "qr_code": [], "signing": []}
    pages: list[int] = []
    sizes: list[int] = []
    bare_sizes: list[int] = []
    for case_no in case_nos:
        clock.advance(GAP)
        start = time.perf_counter()
        issued = issue_document(desk, clerk, kind, case_no)
        kesu.append(_ms(start))
        pages.append(issued.document.pages)
        sizes.append(len(issued.pdf))

        start = time.perf_counter()
        file = case_file(desk, clerk, case_no, kind)
        parts["case_file"].append(_ms(start))
        start = time.perf_counter()
        document_id = uuid7()
        pdf, _pages, digest = layout(
            file, kind, document_id=document_id, issued_at=clock.now(), issued_by=clerk.username
        )
        parts["layout"].append(_ms(start))
        # Part of layout: the footer's QR code, made once per document and drawn on every page.
        start = time.perf_counter()
        modules = qr_modules(f"KESU1|{case_no}|{document_id}|{digest}")
        draw_qr(Canvas(io.BytesIO()), modules, 0, 0, 17 * mm)
        parts["qr_code"].append(_ms(start))
        identity = certificates.signing_identity(desk)
        start = time.perf_counter()
        sign_pdf(pdf, identity, reason=f"{kind.label} {case_no}", location=file.office_name)
        parts["signing"].append(_ms(start))

        texts = texts_of(file, kind)
        start = time.perf_counter()
        data, _bare_pages = bare_document([texts])
        bare.append(_ms(start))
        bare_sizes.append(len(data))
    letter = median(kesu)
    return {
        "n": len(kesu),
        "kesu_median_ms": rounded(letter),
        "kesu_p95_ms": rounded(p95(kesu)),
        "bare_median_ms": rounded(median(bare)),
        "bare_p95_ms": rounded(p95(bare)),
        "ratio": ratio(letter, median(bare)),
        "pages_median": median(pages),
        "kb_median": rounded(median(sizes) / 1024, 1),
        "bare_kb_median": rounded(median(bare_sizes) / 1024, 1),
        "parts": {
            name: {**_spread(samples), "share": ratio(median(samples), letter)}
            for name, samples in parts.items()
        },
    }


def batch_of_records(
    desk: Desk, supervisor: Actor, clock: StepClock, case_nos: Sequence[str]
) -> dict[str, Any]:
    """``print_batch`` of the cases' records, and one bare document flowing the same records' texts."""
    kind = DocumentKind.RECORD
    register_bare_font()
    records = [texts_of(case_file(desk, supervisor, no, kind), kind) for no in case_nos]
    clock.advance(GAP)
    every = 100 if len(case_nos) >= 200 else 0

    def progress(done: int, total: int) -> bool:
        if every and done % every == 0 and done < total:
            print(f"… {done} of {total} records", file=sys.stderr, flush=True)
        return True

    start = time.perf_counter()
    batch = print_batch(desk, supervisor, case_nos, progress=progress)
    seconds = time.perf_counter() - start
    printed = len(batch.documents)

    # The archive hands the bound file back for any record in it: the one file that was printed.
    assert document_pdf(desk, supervisor, batch.documents[-1].id) == batch.pdf

    start = time.perf_counter()
    data, bare_pages = bare_document(records)
    bare_seconds = time.perf_counter() - start
    return {
        "records": printed,
        "skipped": len(batch.skipped),
        "pages": sum(d.pages for d in batch.documents),
        "seconds": rounded(seconds, 2),
        "ms_per_record": rounded(seconds * 1000 / max(printed, 1), 1),
        "mb": rounded(len(batch.pdf) / 2**20, 2),
        "mb_per_100": rounded(len(batch.pdf) / 2**20 * 100 / max(printed, 1), 2),
        "bare_pages": bare_pages,
        "bare_seconds": rounded(bare_seconds, 2),
        "bare_ms_per_record": rounded(bare_seconds * 1000 / len(records), 1),
        "bare_mb": rounded(len(data) / 2**20, 2),
        "bare_mb_per_100": rounded(len(data) / 2**20 * 100 / len(records), 2),
        "ratio": ratio(seconds, bare_seconds),
    }


def sqlite_printing(folder: Path, letters: int, batch: int, first: int = DEFAULT_FIRST) -> dict[str, Any]:
    """All three printing figures on one scratch SQLite database, ``first`` fresh processes for the first.

    Every figure prints on cases of its own (``first + 2 + letters + batch`` are seeded), so no
    document is laid out for a case that already had one issued by an earlier figure.
    """
    db = folder / "printing.db"
    clock = StepClock(START)
    desk, admin = open_desk(sqlite_url(folder, db.name), clock)
    try:
        seed_demo(desk, admin, count=first + WARMUP + letters + batch, seed=11, workers=0)
        clerk = add_staff(desk, admin, "bench_print_front", Role.FRONT_DESK)
        supervisor = add_staff(desk, admin, "bench_print_lead", Role.SUPERVISOR)
        # Every desk has its certificate after the first print of its life; make it now, untimed.
        certificates.signing_identity(desk)
        numbers = _case_numbers(db)
        first_cases, numbers = numbers[:first], numbers[first:]
        warm, numbers = numbers[:WARMUP], numbers[WARMUP:]
        letter_cases, batch_cases = numbers[:letters], numbers[letters : letters + batch]
        result = {"first_letter": first_letter(db, clerk, first_cases, clock)}
        clock.advance(timedelta(minutes=10))  # past anything the fresh process wrote
        result["letters"] = letters_after_warmup(desk, clerk, clock, warm, letter_cases)
        result["batch"] = batch_of_records(desk, supervisor, clock, batch_cases)
        return result
    finally:
        desk.close()


def main(argv: list[str] | None = None) -> int:
    import tempfile

    from benchmarks.__main__ import render_printing

    p = argparse.ArgumentParser(prog="python -m benchmarks.printing", description=__doc__.splitlines()[0])
    p.add_argument("--letters", type=int, default=None, help=f"receipts timed (default {DEFAULT_LETTERS})")
    p.add_argument("--batch", type=int, default=None, help=f"records in the batch (default {DEFAULT_BATCH})")
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_LETTERS} letters, a batch of {QUICK_BATCH}, {QUICK_FIRST} fresh process",
    )
    p.add_argument("--json", action="store_true", help="print the JSON result instead of the table")
    args = p.parse_args(argv)
    letters = args.letters or (QUICK_LETTERS if args.quick else DEFAULT_LETTERS)
    batch = args.batch or (QUICK_BATCH if args.quick else DEFAULT_BATCH)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kesu_bench_") as tmp:
        figures = sqlite_printing(Path(tmp), letters, batch, QUICK_FIRST if args.quick else DEFAULT_FIRST)
    result = {
        "meta": {
            "letters": letters,
            "batch": batch,
            "first": QUICK_FIRST if args.quick else DEFAULT_FIRST,
            **libraries(),
            "seconds": round(time.perf_counter() - started, 1),
        },
        "printing": {"sqlite": figures},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    (RESULTS / "printing.json").write_text(text + "\n", encoding="utf-8")
    print(text if args.json else render_printing(result["printing"]), end="\n" if args.json else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
