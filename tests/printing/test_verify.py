"""Signatures at the counter, tamper evidence, certificates and batch printing, on both databases."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import CertificateBuilder, Name, NameAttribute, random_serial_number
from cryptography.x509.oid import NameOID
from PIL import Image
from pypdf import PdfReader

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.printing import certificates as print_certs
from kesu_desktop.printing.batch import print_batch
from kesu_desktop.printing.issue import issue_document
from kesu_desktop.printing.signing import create_self_signed, sign_pdf
from kesu_desktop.printing.verify import verify_letter
from kesu_desktop.services import Desk, documents
from kesu_desktop.services.certificates import set_seal
from tests.helpers.data import People, complaint
from tests.helpers.printing import events_of

STROKES = [[[10.0, 20.0, 0.5, 0], [40.0, 30.0, 0.6, 16], [80.0, 25.0, 0.7, 32]], [[20.0, 50.0, 0.9, 200]]]


def _png(colour: tuple[int, int, int, int] = (20, 30, 120, 255)) -> bytes:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    for x in range(20, 280):
        for y in range(45, 55):
            image.putpixel((x, y), colour)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _images_on_first_page(pdf: bytes) -> int:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return len(page.images)


def test_a_captured_signature_is_kept_with_its_strokes_and_drawn_on_the_receipt(
    desk: Desk, people: People, registered: str
) -> None:
    assert _images_on_first_page(issue_document(desk, people.alice, "receipt", registered).pdf) == 0
    sig = documents.capture_signature(
        desk, people.alice, registered, purpose="receipt", signer="张三", strokes=STROKES, png=_png()
    )
    [event] = events_of(desk, people, registered, "signature_captured")
    assert event["strokes"] == STROKES and event["signer"] == "张三"
    assert event["png_sha256"] == sig.sha256
    pdf = issue_document(desk, people.alice, "receipt", registered).pdf
    assert _images_on_first_page(pdf) == 1


def test_bad_signature_input_is_refused_and_nothing_is_stored(
    desk: Desk, people: People, registered: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        documents.capture_signature(
            desk, people.alice, registered, purpose="record", signer=" ", strokes=[], png=b"GIF89a"
        )
    assert set(caught.value.errors) == {"purpose", "signer", "strokes", "png"}
    with pytest.raises(ValidationError, match="笔迹数据无效"):
        documents.capture_signature(
            desk, people.alice, registered, purpose="receipt", signer="张三", strokes=[[[1, 2]]], png=_png()
        )
    assert events_of(desk, people, registered, "signature_captured") == []


def test_a_receipt_cannot_be_marked_signed_without_a_signature_or_paper(
    desk: Desk, people: People, registered: str
) -> None:
    with pytest.raises(ValidationError, match="没有采集到客户签名"):
        documents.mark_signed(desk, people.alice, registered, "receipt")
    assert events_of(desk, people, registered, "document_signed") == []
    other = services.register_case(desk, people.alice, complaint(phone="13900139000")).case_no
    foreign = documents.capture_signature(
        desk, people.alice, other, purpose="receipt", signer="李四", strokes=STROKES, png=_png()
    )
    with pytest.raises(ValidationError, match="不属于本案件"):
        documents.mark_signed(desk, people.alice, registered, "receipt", signature_id=foreign.id)
    sig = documents.capture_signature(
        desk, people.alice, registered, purpose="receipt", signer="张三", strokes=STROKES, png=_png()
    )
    documents.mark_signed(desk, people.alice, registered, "receipt", signature_id=sig.id)
    documents.mark_signed(desk, people.bob, registered, "receipt", on_paper=True, note="客户手写签名")
    with_pad, on_paper = events_of(desk, people, registered, "document_signed")
    assert with_pad["signature_id"] == str(sig.id) and with_pad["on_paper"] is False
    assert on_paper["on_paper"] is True and on_paper["confirmed_by"] == "bob"


def test_verify_letter_knows_our_letter_and_its_case(desk: Desk, people: People, registered: str) -> None:
    pdf = issue_document(desk, people.alice, "receipt", registered).pdf
    verdict = verify_letter(desk, people.carol, pdf)
    assert verdict.ok and verdict.signature.ok
    assert verdict.document is not None and verdict.document.case_no == registered
    assert registered in verdict.message and "未被改动" in verdict.message


def test_a_genuine_letter_is_genuine_for_a_user_outside_its_case_who_is_not_told_the_case(
    desk: Desk, people: People, registered: str
) -> None:
    pdf = issue_document(desk, people.alice, "receipt", registered).pdf
    verdict = verify_letter(desk, people.dave, pdf)  # a department user; the case is not his department's
    assert verdict.ok and verdict.signature.ok
    assert verdict.document is None and verdict.issued is not None and not verdict.issued.in_scope
    assert registered not in verdict.message
    assert "真实有效" in verdict.message and "未被改动" in verdict.message
    assert "不在您的查看范围内" in verdict.message
    assert "其他数据库" not in verdict.message


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b"junk\r\n"])
def test_bytes_before_the_pdf_header_are_an_alteration_named_as_such(
    desk: Desk, people: People, registered: str, prefix: bytes
) -> None:
    pdf = issue_document(desk, people.alice, "receipt", registered).pdf
    for who in (people.carol, people.dave):
        verdict = verify_letter(desk, who, prefix + pdf)
        assert not verdict.ok and verdict.document is None and verdict.leading_bytes == len(prefix)
        assert verdict.message.startswith("文件已被改动") and f"多出 {len(prefix)} 个字节" in verdict.message
        assert ("UTF-8 BOM" in verdict.message) == prefix.startswith(b"\xef\xbb\xbf")
        assert "去掉这些字节后" in verdict.message and "未被改动" in verdict.message
        assert (registered in verdict.message) == (who is people.carol)
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    verdict = verify_letter(desk, people.carol, b"\xef\xbb\xbf" + bytes(altered))
    assert not verdict.ok and "去掉这些字节后仍无法确认" in verdict.message


@pytest.mark.parametrize("where", [0.3, 0.6, 0.95])
def test_a_pdf_altered_by_one_byte_fails_verification(
    desk: Desk, people: People, registered: str, where: float
) -> None:
    pdf = bytearray(issue_document(desk, people.alice, "receipt", registered).pdf)
    pdf[int(len(pdf) * where)] ^= 0x01
    verdict = verify_letter(desk, people.carol, bytes(pdf))
    assert not verdict.ok
    assert verdict.message.startswith("无法确认")


def test_a_look_alike_signed_with_another_certificate_fails(
    desk: Desk, people: People, registered: str
) -> None:
    ours = issue_document(desk, people.alice, "receipt", registered).pdf
    unsigned = ours[: ours.index(b"%%EOF") + 5]  # ReportLab's original, before pyHanko's update
    forged = sign_pdf(
        unsigned, create_self_signed("北京总部", now=datetime.now(UTC)), reason="x", location="y"
    )
    verdict = verify_letter(desk, people.carol, forged)
    assert not verdict.ok and not verdict.signature.trusted


def test_garbage_is_not_verified_and_does_not_crash(desk: Desk, people: People) -> None:
    verdict = verify_letter(desk, people.carol, b"not a pdf at all")
    assert not verdict.ok and "PDF" in verdict.message


def test_only_an_admin_imports_a_certificate_and_old_letters_still_verify(
    desk: Desk, people: People, registered: str
) -> None:
    old = issue_document(desk, people.alice, "receipt", registered)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = Name([NameAttribute(NameOID.COMMON_NAME, "北京某某服务有限公司")])
    cert = (
        CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(random_serial_number())
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2030, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"org", key, cert, None, serialization.BestAvailableEncryption(b"secret")
    )
    with pytest.raises(NotAllowed):
        print_certs.import_certificate(desk, people.carol, p12, b"secret")
    with pytest.raises(ValidationError, match="密码"):
        print_certs.import_certificate(desk, people.admin, p12, b"wrong")
    record = print_certs.import_certificate(desk, people.admin, p12, b"secret")
    assert record.subject == "北京某某服务有限公司"
    new = issue_document(desk, people.alice, "receipt", registered)
    assert new.document.cert_fingerprint == record.fingerprint != old.document.cert_fingerprint
    assert verify_letter(desk, people.carol, new.pdf).ok
    assert verify_letter(desk, people.carol, old.pdf).ok
    assert verify_letter(desk, people.carol, new.pdf).signature.signer == "北京某某服务有限公司"


def test_the_seal_is_drawn_on_reply_letters(desk: Desk, people: People) -> None:
    from tests.helpers.printing import worked_case

    no = worked_case(desk, people)
    with pytest.raises(ValidationError, match="PNG"):
        set_seal(desk, people.admin, b"not a png")
    with pytest.raises(NotAllowed):
        set_seal(desk, people.carol, _png())
    assert _images_on_first_page(issue_document(desk, people.carol, "reply", no).pdf) == 0
    set_seal(desk, people.admin, _png((200, 20, 20, 255)))
    assert _images_on_first_page(issue_document(desk, people.carol, "reply", no).pdf) == 1


def test_batch_binds_the_records_and_reports_what_it_skipped(desk: Desk, people: People) -> None:
    nos = [
        services.register_case(desk, people.alice, complaint(phone=f"1380013{i:04d}")).case_no
        for i in range(3)
    ]
    seen: list[tuple[int, int]] = []
    batch = print_batch(
        desk, people.carol, [*nos, "20990101-XX-CS-0001"], progress=lambda d, t: seen.append((d, t)) or True
    )
    assert [d.case_no for d in batch.documents] == nos
    assert list(batch.skipped) == ["20990101-XX-CS-0001"]
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert len(PdfReader(io.BytesIO(batch.pdf)).pages) == sum(d.pages for d in batch.documents)
    for no in nos:
        assert len(events_of(desk, people, no, "document_issued")) == 1


def test_a_cancelled_batch_stops_after_the_current_case(desk: Desk, people: People) -> None:
    nos = [
        services.register_case(desk, people.alice, complaint(phone=f"1390013{i:04d}")).case_no
        for i in range(3)
    ]
    batch = print_batch(desk, people.carol, nos, progress=lambda done, _total: done < 1)
    assert batch.cancelled and len(batch.documents) == 1
    assert events_of(desk, people, nos[1], "document_issued") == []
