"""A batch of records is one signed file: it verifies as a whole, and each page on its own by its QR code."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from kesu_desktop import services
from kesu_desktop.domain.errors import NotFound
from kesu_desktop.printing.batch import print_batch
from kesu_desktop.printing.verify import verify_letter
from kesu_desktop.services import Desk, documents
from tests.helpers.data import People, complaint
from tests.helpers.services import walk_to_resolved


def _cases(desk: Desk, people: People, n: int) -> list[str]:
    """``n`` cases; the first with a description long enough for a record of several pages."""
    return [
        services.register_case(
            desk,
            people.alice,
            complaint(phone=f"1370013{i:04d}", description="冰箱不制冷，" * (900 if i == 0 else 1)),
        ).case_no
        for i in range(n)
    ]


def _qr(pdf: Path, page: int, tmp_path: Path) -> str:
    png = tmp_path / f"page{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(png),
        ],
        check=True,
    )
    read = subprocess.run(
        ["zbarimg", "--raw", "-q", f"{png}.png"], capture_output=True, text=True, check=True
    )
    return read.stdout.strip()


def _page_texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_batch_is_one_signed_file_that_verifies_and_names_how_many_records(
    desk: Desk, people: People
) -> None:
    nos = _cases(desk, people, 3)
    batch = print_batch(desk, people.carol, nos)
    assert len(PdfFileReader(io.BytesIO(batch.pdf), strict=False).embedded_signatures) == 1
    verdict = verify_letter(desk, people.carol, batch.pdf)
    assert verdict.ok, verdict.message
    pages = sum(d.pages for d in batch.documents)
    assert "3" in verdict.message and str(pages) in verdict.message
    assert {d.sha256 for d in batch.documents} == {verdict.sha256}
    tampered = batch.pdf.replace(b"/Creator", b"/Creatox", 1)
    assert not verify_letter(desk, people.carol, tampered).ok


def test_every_page_of_a_batch_carries_its_own_records_qr_code_and_page_numbers(
    desk: Desk, people: People, tmp_path: Path
) -> None:
    nos = _cases(desk, people, 3)
    batch = print_batch(desk, people.carol, nos)
    first = batch.documents[0]
    assert first.pages > batch.documents[1].pages == batch.documents[2].pages
    pdf = tmp_path / "batch.pdf"
    pdf.write_bytes(batch.pdf)
    texts = _page_texts(batch.pdf)
    page = 0
    for doc in batch.documents:
        # What the page's QR code says must be what the archive holds for that case.
        [archived] = [
            d for d in documents.documents_for_case(desk, people.carol, doc.case_no) if d.id == doc.id
        ]
        expected = f"KESU1|{doc.case_no}|{archived.id}|{archived.content_sha256}"
        for n in range(1, doc.pages + 1):
            page += 1
            assert f"第{n}页共{doc.pages}页" in texts[page - 1]
            assert str(doc.id) in texts[page - 1]
            if n in (1, doc.pages):
                assert _qr(pdf, page, tmp_path) == expected
    assert page == len(texts)


def test_the_archive_gives_the_bound_file_only_to_who_may_see_every_case_in_it(
    desk: Desk, people: People
) -> None:
    nos = _cases(desk, people, 2)
    walk_to_resolved(desk, people, nos[1])  # now dave's department's case; nos[0] is not
    batch = print_batch(desk, people.carol, nos)
    for doc in batch.documents:
        assert documents.document_pdf(desk, people.carol, doc.id) == batch.pdf
    with pytest.raises(NotFound):
        documents.document_pdf(desk, people.dave, batch.documents[1].id)
    # dave still learns the paper is genuine, without the other case's number
    verdict = verify_letter(desk, people.dave, batch.pdf)
    assert verdict.ok and nos[0] not in verdict.message
