"""What every printed document shares: A4 pages, styles, header and footer with "page N of M", the QR
code, field tables, and the collection of characters no font could draw.

Documents are built as ReportLab platypus stories so long texts wrap and flow onto further pages; the
page furniture is drawn by a canvas that waits for the last page before numbering (so "of M" is known).
"""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from kesu_desktop.i18n import _
from kesu_desktop.printing.fonts import BODY, FontSet, MissingGlyphs, fonts

# Streams (pages, the embedded font) as plain Flate, not also ASCII85: that text armour is for 7-bit
# channels, costs a quarter more bytes and was a tenth of a batch's time; every PDF reader takes binary.
# Process-wide, like all of ReportLab's settings: this package is the process's only ReportLab user.
rl_config.useA85 = 0

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
FRAME_W = PAGE_W - 2 * MARGIN
GRID = colors.HexColor("#9aa3ad")
SHADE = colors.HexColor("#eef1f4")
INK = colors.HexColor("#1a1a1a")


@dataclass(frozen=True)
class Meta:
    """What the page furniture shows and the QR code carries."""

    title: str
    organisation: str
    case_no: str
    document_id: str
    content_sha256: str
    issued_at: str  # already in the office's time zone, formatted
    issued_by: str

    @property
    def qr_payload(self) -> str:
        return f"KESU1|{self.case_no}|{self.document_id}|{self.content_sha256}"


def _style(name: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
    options: dict[str, Any] = {"textColor": INK, **kw}
    return ParagraphStyle(name, fontName=BODY, fontSize=size, leading=leading, wordWrap="CJK", **options)


TITLE = _style("title", 18, 26, alignment=TA_CENTER, spaceAfter=4 * mm)
SUBTITLE = _style("subtitle", 10, 14, alignment=TA_CENTER, textColor=colors.HexColor("#555555"))
HEADING = _style("heading", 12.5, 18, spaceBefore=4 * mm, spaceAfter=1.5 * mm, keepWithNext=1)
BODY_STYLE = _style("body", 10.5, 16.5, spaceAfter=1.5 * mm)
LETTER = _style("letter", 11.5, 20, firstLineIndent=23, spaceAfter=2 * mm)
CELL = _style("cell", 9.5, 13.5)
LABEL = _style("label", 9.5, 13.5, textColor=colors.HexColor("#333333"))
SMALL = _style("small", 8.5, 12, textColor=colors.HexColor("#555555"))
RIGHT = _style("right", 11, 18, alignment=TA_RIGHT)


class Writer:
    """Turns text into flowables through the font set, remembering characters no font can draw."""

    def __init__(self, font_set: FontSet | None = None) -> None:
        self.fonts = font_set or fonts()
        self.missing: set[str] = set()
        #: Every text put on the page, in order: what the content digest (and the QR code) stands for.
        self.texts: list[str] = []

    def p(self, text: str | None, style: ParagraphStyle = BODY_STYLE) -> Paragraph:
        self.texts.append(text or "")
        return Paragraph(self.fonts.markup(text or "", self.missing), style)

    def plain(self, text: str) -> str:
        return self.fonts.plain(text, self.missing)

    def heading(self, text: str) -> Paragraph:
        return self.p(text, HEADING)

    def fields(self, rows: Sequence[tuple[str, str | None]], columns: int = 2) -> Table:
        """Label/value pairs, ``columns`` pairs per row, as on the paper form."""
        cells: list[list[Any]] = []
        line: list[Any] = []
        for label, value in rows:
            line += [self.p(label, LABEL), self.p(value or "—", CELL)]
            if len(line) == 2 * columns:
                cells.append(line)
                line = []
        if line:
            cells.append(line + [""] * (2 * columns - len(line)))
        label_w = 24 * mm
        value_w = FRAME_W / columns - label_w
        table = Table(cells, colWidths=[label_w, value_w] * columns, splitInRow=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        style += [("BACKGROUND", (2 * i, 0), (2 * i, -1), SHADE) for i in range(columns)]
        table.setStyle(TableStyle(style))
        table.spaceAfter = 2 * mm
        return table

    def grid(
        self, header: Sequence[str], rows: Sequence[Sequence[str | None]], widths: Sequence[float]
    ) -> Table:
        """A ruled table with a shaded header row repeated on every page; rows may split across pages."""
        data = [[self.p(h, LABEL) for h in header]] + [[self.p(v or "—", CELL) for v in row] for row in rows]
        table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        table.spaceAfter = 2 * mm
        return table

    def signature_block(self, slots: Sequence[tuple[str, bytes | None, str | None]]) -> Flowable:
        """Side-by-side signature boxes: (who signs, the captured picture or None, the date line)."""
        cells = []
        for label, png, when in slots:
            picture: Any = Spacer(1, 18 * mm)
            if png:
                picture = Image(io.BytesIO(png), width=55 * mm, height=18 * mm, kind="proportional")
            cells.append(
                [self.p(label, LABEL), picture, self.p(when or _("日期：　　年　　月　　日"), SMALL)]
            )
        table = Table([[c] for c in cells] if len(cells) == 1 else [cells], colWidths=None)
        table.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        return KeepTogether([Spacer(1, 6 * mm), table])


#: The QR mask pattern, fixed instead of searched: ReportLab's pure-Python search lays the code out nine
#: times to score all eight masks (most of a letter's QR time). Every mask is standard and readable; 2
#: (every third column) scores best for our payload's shape, on every payload we tried.
QR_MASK = 2


# The Reed–Solomon generator polynomial depends only on the number of error-correction codewords, yet
# ReportLab multiplies it out afresh for every block of every code (about a third of a QR code's time).
# Cached once per process; ReportLab never mutates the polynomial it returns.
if not hasattr(qrencoder.QRUtil.getErrorCorrectPolynomial, "cache_info"):
    qrencoder.QRUtil.getErrorCorrectPolynomial = staticmethod(  # type: ignore[method-assign]
        functools.lru_cache(maxsize=None)(qrencoder.QRUtil.getErrorCorrectPolynomial)
    )


def _remainder(self: qrencoder.QRPolynomial, e: qrencoder.QRPolynomial) -> qrencoder.QRPolynomial:
    """ReportLab's ``QRPolynomial.mod`` (the error-correction codewords) as one loop over the tables.

    The original recurses once per data codeword and builds a new polynomial each time; the result is
    the same remainder, leading zeros stripped as there.
    """
    log, exp = qrencoder.LOG_TABLE, qrencoder.EXP_TABLE
    num = list(self.num)
    divisor = [log[c] for c in e.num]  # a generator polynomial: no zero coefficients
    width = len(divisor)
    i = 0
    while len(num) - i >= width:
        if num[i]:
            ratio = log[num[i]] - divisor[0]
            for j in range(width):
                num[i + j] ^= exp[(divisor[j] + ratio) % 255]
        i += 1
    return qrencoder.QRPolynomial(num[i:] or [0], 0)


qrencoder.QRPolynomial.mod = _remainder  # type: ignore[method-assign]


def qr_modules(payload: str) -> list[list[bool]]:
    """The QR code's dark modules, encoded once per document (ReportLab's widget re-encodes on every draw)."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.version = code.calculate_version()
    code.makeImpl(False, QR_MASK)
    return [[bool(m) for m in row] for row in code.modules]


def draw_qr(canvas: Canvas, modules: list[list[bool]], x: float, y: float, size: float) -> None:
    """All dark runs as one filled path, in module units: one short operator list of small integers.

    Scaling the canvas instead of the coordinates keeps each rectangle a few bytes ("12 30 3 1 re"),
    where millimetre coordinates took five times the space and most of the page's number formatting.
    The rectangles are written as one literal: ReportLab's path object formats every number through
    its float formatter, which was half the QR code's cost on a one-page letter.
    """
    border = 2
    span = len(modules) + 2 * border
    ops: list[str] = []
    for r, row in enumerate(modules):
        c, top = border, span - (r + border + 1)
        for dark, run in itertools.groupby(row):
            count = sum(1 for _ in run)
            if dark:
                ops.append(f"{c} {top} {count} 1 re")
            c += count
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(size / span, size / span)
    canvas.setFillColor(colors.black)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()


@dataclass(frozen=True)
class Section:
    """One document inside a PDF: its furniture (``meta``), its writer and its story.

    A batch binds many into one PDF (one font subset, one signature); each keeps its own header,
    "第 N 页 共 M 页" and QR code, so every page still says which document it belongs to.
    """

    meta: Meta
    writer: Writer
    story: list[Flowable]


class _SectionStart(Flowable):
    """Zero-size marker at the top of a section's first page: tells the canvas whose pages follow."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._kesu_section = self.index  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Furniture:
    meta: Meta
    organisation: str
    title: str
    qr: list[list[bool]]


def numbered_canvas(sections: Sequence[Section], counts: list[int]) -> type[Canvas]:
    """A canvas class that draws header, footer, "第 N 页 共 M 页" and the QR code once all pages exist.

    Page numbers count within each section; ``counts`` receives each section's page count on save.
    """
    furniture = [
        _Furniture(
            s.meta,
            s.writer.plain(s.meta.organisation),
            s.writer.plain(s.meta.title),
            qr_modules(s.meta.qr_payload),
        )
        for s in sections
    ]

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self._kesu_section = 0
            self._kesu_forms: set[str] = set()

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            counts[:] = [0] * len(furniture)
            for state in self._pages:
                counts[state["_kesu_section"]] += 1
            seen = [0] * len(furniture)
            for state in self._pages:
                index = state["_kesu_section"]
                seen[index] += 1
                self.__dict__.update(state)
                self._furniture(index, furniture[index], seen[index], counts[index])
                super().showPage()
            super().save()

        def _furniture(self, index: int, f: _Furniture, n: int, total: int) -> None:
            meta = f.meta
            self.saveState()
            self.setStrokeColor(GRID)
            self.setLineWidth(0.6)
            top = PAGE_H - MARGIN + 6 * mm
            self.setFont(BODY, 9)
            self.setFillColor(colors.HexColor("#444444"))
            self.drawString(MARGIN, top, f.organisation)
            heading = _("{title}　{case_no}").format(title=f.title, case_no=meta.case_no)
            self.drawRightString(PAGE_W - MARGIN, top, heading)
            self.line(MARGIN, top - 2 * mm, PAGE_W - MARGIN, top - 2 * mm)
            bottom = MARGIN - 8 * mm
            self.line(MARGIN, bottom + 10 * mm, PAGE_W - MARGIN - 20 * mm, bottom + 10 * mm)
            self.setFont(BODY, 8)
            self.drawString(
                MARGIN,
                bottom + 5 * mm,
                _("文档编号 {id} · 内容摘要 SHA-256 {sha}…").format(
                    id=meta.document_id, sha=meta.content_sha256[:16]
                ),
            )
            self.drawString(
                MARGIN, bottom, _("{at} 由 {who} 出具").format(at=meta.issued_at, who=meta.issued_by)
            )
            self.setFont(BODY, 9)
            self.drawCentredString(
                PAGE_W / 2 - 10 * mm,
                bottom,
                _("第 {n} 页　共 {m} 页").format(n=n, m=total),
            )
            # Drawn once per document as a form, shown on each of its pages.
            form = f"KesuQR{index}"
            if form not in self._kesu_forms:
                self.beginForm(form)
                draw_qr(self, f.qr, PAGE_W - MARGIN - 17 * mm, bottom - 2 * mm, 17 * mm)
                self.endForm()
                self._kesu_forms.add(form)
            self.doForm(form)
            self.restoreState()

    return NumberedCanvas


def render(meta: Meta, writer: Writer, story: list[Flowable], *, allow_missing: bool) -> tuple[bytes, int]:
    """The PDF bytes and page count; refuses (before rendering) when characters could not be drawn."""
    pdf, counts = render_sections(
        [Section(meta, writer, story)],
        title=f"{meta.title} {meta.case_no}",
        author=meta.organisation,
        subject=meta.qr_payload,
        allow_missing=allow_missing,
    )
    return pdf, counts[0]


def render_sections(
    sections: Sequence[Section], *, title: str, author: str, subject: str, allow_missing: bool
) -> tuple[bytes, list[int]]:
    """One PDF of several documents, each starting on a new page; the bytes and each one's page count.

    Refuses (before rendering) when characters could not be drawn in any of them.
    """
    missing = set().union(*(s.writer.missing for s in sections))
    if missing and not allow_missing:
        raise MissingGlyphs(missing)
    story: list[Flowable] = []
    for index, section in enumerate(sections):
        if index:
            story.append(PageBreak())
        story += [_SectionStart(index), *section.story]
    buffer = io.BytesIO()
    counts: list[int] = []
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm,
        bottomMargin=MARGIN + 8 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Kesu Desk",
    )
    doc.build(story, canvasmaker=numbered_canvas(sections, counts))
    return buffer.getvalue(), counts
