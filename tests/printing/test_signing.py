"""The organisation seal as a reader experiences it: genuine exports pass, edited or foreign ones do not."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from reportlab.pdfgen import canvas

from kesu_desktop.printing.signing import (
    CertificateError,
    OrgCertificate,
    check_signature,
    create_self_signed,
    load_pkcs12,
    sign_pdf,
)

ORG = "北京某某服务有限公司"
RECORD_TEXT = "Complaint record 2024-000123: water leak, resolved"


def make_pdf(pages: int = 1) -> bytes:
    """A real, uncompressed PDF so tests can find and alter the printed text."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pageCompression=0)
    for page in range(pages):
        pdf.drawString(72, 770, RECORD_TEXT)
        for line in range(40):
            pdf.drawString(72, 740 - line * 16, f"page {page} line {line}: follow-up notes for the customer")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def org() -> OrgCertificate:
    return create_self_signed(ORG, now=datetime.now(UTC))


@pytest.fixture(scope="module")
def signed(org: OrgCertificate) -> bytes:
    return sign_pdf(make_pdf(), org, reason="客诉记录导出", location="北京")


def test_signed_pdf_checks_ok_and_names_the_organisation(org: OrgCertificate, signed: bytes) -> None:
    check = check_signature(signed, [org.cert_pem])

    assert check.ok
    assert check.problem is None
    assert check.signer == ORG
    assert check.fingerprint_sha256 == org.fingerprint_sha256
    assert check.signed_at is not None
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_signing_keeps_original_bytes_as_prefix(org: OrgCertificate) -> None:
    original = make_pdf()
    assert sign_pdf(original, org, reason="导出", location="北京").startswith(original)


def test_one_flipped_byte_in_the_printed_text_is_detected(org: OrgCertificate, signed: bytes) -> None:
    at = signed.index(b"water leak")
    tampered = signed[:at] + b"W" + signed[at + 1 :]

    check = check_signature(tampered, [org.cert_pem])

    assert not check.ok
    assert not check.intact
    assert check.problem == "签名后文件被修改"


def test_damaged_signature_contents_is_not_ok(org: OrgCertificate, signed: bytes) -> None:
    at = signed.index(b"/Contents <") + len(b"/Contents <") + 200
    flipped = b"0" if signed[at : at + 1] != b"0" else b"1"
    check = check_signature(signed[:at] + flipped + signed[at + 1 :], [org.cert_pem])

    assert not check.ok
    assert check.problem


def test_bytes_appended_after_signing_are_detected(org: OrgCertificate, signed: bytes) -> None:
    check = check_signature(signed + b"\n% edited later\n", [org.cert_pem])

    assert check.intact
    assert not check.whole_file
    assert not check.ok
    assert check.problem == "签名后文件被追加修改"


def test_incremental_update_after_signing_is_detected(org: OrgCertificate, signed: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/KesuNote"] = generic.TextStringObject("已处理")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)

    check = check_signature(out.getvalue(), [org.cert_pem])

    assert check.signed
    assert not check.whole_file
    assert not check.ok
    assert check.problem


def test_foreign_certificate_is_not_trusted(signed: bytes) -> None:
    other = create_self_signed(ORG, now=datetime.now(UTC))  # same name, different key

    check = check_signature(signed, [other.cert_pem])

    assert check.intact and check.whole_file
    assert not check.trusted
    assert not check.ok
    assert check.problem == "签名证书不是本单位的证书"


def test_no_trusted_certificates_means_not_trusted(signed: bytes) -> None:
    check = check_signature(signed, [])
    assert not check.trusted and not check.ok


def test_damaged_trusted_entry_does_not_hide_the_good_one(org: OrgCertificate, signed: bytes) -> None:
    assert check_signature(signed, [b"not a certificate", org.cert_pem]).ok


def test_unsigned_pdf_reports_missing_signature(org: OrgCertificate) -> None:
    check = check_signature(make_pdf(), [org.cert_pem])

    assert not check.signed and not check.ok
    assert check.problem == "文件没有数字签名"


@pytest.mark.parametrize("data", [b"", b"hello world", b"%PDF-1.4\n garbage", b"\x00\xff" * 500])
def test_garbage_is_not_ok_and_does_not_raise(org: OrgCertificate, data: bytes) -> None:
    check = check_signature(data, [org.cert_pem])

    assert not check.signed and not check.ok
    assert check.problem == "不是有效的 PDF 文件"


def test_truncated_signed_pdf_is_not_ok(org: OrgCertificate, signed: bytes) -> None:
    check = check_signature(signed[: len(signed) // 2], [org.cert_pem])
    assert not check.ok
    assert check.problem


def test_pkcs12_round_trip(org: OrgCertificate) -> None:
    loaded = load_pkcs12(org.pkcs12, org.password, now=datetime.now(UTC))

    assert loaded == org
    assert loaded.subject == ORG
    assert loaded.not_before.tzinfo is not None and loaded.not_after.tzinfo is not None
    assert loaded.not_after - loaded.not_before > timedelta(days=4 * 365)


def test_wrong_password_gives_chinese_message(org: OrgCertificate) -> None:
    with pytest.raises(CertificateError, match="证书密码错误或文件已损坏"):
        load_pkcs12(org.pkcs12, b"wrong", now=datetime.now(UTC))


def test_not_a_pkcs12_file_gives_chinese_message() -> None:
    with pytest.raises(CertificateError, match="证书密码错误或文件已损坏"):
        load_pkcs12(b"definitely not pkcs12", None, now=datetime.now(UTC))


def test_expired_certificate_is_refused() -> None:
    old = create_self_signed(ORG, now=datetime(2020, 3, 1, tzinfo=UTC), years=1)

    with pytest.raises(CertificateError, match="过期") as err:
        load_pkcs12(old.pkcs12, old.password, now=datetime(2022, 3, 1, tzinfo=UTC))
    assert "2021/3/1" in str(err.value)


def test_signing_with_an_expired_certificate_is_refused() -> None:
    old = create_self_signed(ORG, now=datetime(2020, 3, 1, tzinfo=UTC), years=1)

    with pytest.raises(CertificateError, match="过期"):
        sign_pdf(make_pdf(), old, reason="导出", location="北京")


def test_signature_made_after_the_certificate_expired_is_not_ok() -> None:
    """Signed with pyHanko directly, bypassing sign_pdf's guard, as an old key holder could."""
    old = create_self_signed(ORG, now=datetime(2020, 3, 1, tzinfo=UTC), years=1)
    signer = signers.SimpleSigner.load_pkcs12_data(old.pkcs12, [], old.password)
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(make_pdf())),
        signers.PdfSignatureMetadata(field_name="KesuSeal"),
        signer=signer,
        output=out,
    )

    check = check_signature(out.getvalue(), [old.cert_pem])

    assert check.intact and check.whole_file
    assert not check.trusted and not check.ok
    assert check.problem == "签名时证书不在有效期内"


def _outside_ca_and_pkcs12(password: bytes) -> tuple[x509.Certificate, bytes]:
    """Like an admin importing a certificate issued by some CA: RSA key, chain included in the file."""
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某某测试根证书")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "上海某某物业管理有限公司"),
            x509.NameAttribute(NameOID.COMMON_NAME, "上海某某物业管理有限公司"),
        ]
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"seal", key, leaf, [ca], serialization.BestAvailableEncryption(password)
    )
    return ca, data


def test_imported_pkcs12_loads_and_signs() -> None:
    ca, data = _outside_ca_and_pkcs12(b"admin-secret")

    cert = load_pkcs12(data, b"admin-secret", now=datetime.now(UTC))
    signed = sign_pdf(make_pdf(), cert, reason="导出", location="上海")

    assert cert.subject == "上海某某物业管理有限公司"
    by_leaf = check_signature(signed, [cert.cert_pem])
    assert by_leaf.ok, by_leaf.problem
    assert by_leaf.fingerprint_sha256 == cert.fingerprint_sha256
    assert check_signature(signed, [ca.public_bytes(serialization.Encoding.PEM)]).ok


def test_pkcs12_without_private_key_is_refused(org: OrgCertificate) -> None:
    cert = x509.load_pem_x509_certificate(org.cert_pem)
    data = pkcs12.serialize_key_and_certificates(b"x", None, cert, None, serialization.NoEncryption())

    with pytest.raises(CertificateError, match="没有私钥"):
        load_pkcs12(data, None, now=datetime.now(UTC))


def test_second_seal_on_a_signed_pdf_checks_ok(org: OrgCertificate, signed: bytes) -> None:
    twice = sign_pdf(signed, org, reason="复核", location="北京", field_name="KesuSeal2")
    assert check_signature(twice, [org.cert_pem]).ok
