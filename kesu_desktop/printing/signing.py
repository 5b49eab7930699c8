"""Organisation seal for printed PDFs: a PKCS#12 certificate, signing, and offline verification.

Printed complaint records leave the building, so a reader must be able to tell a genuine export
from an edited one. We sign with pyHanko (PAdES-style CMS signature, invisible field) and verify
against the organisation's own certificates only — no timestamp server, no OCSP/CRL fetching,
because counters are often offline and a self-signed seal has no revocation infrastructure anyway.
"""

from __future__ import annotations

import hashlib
import io
import logging
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import attributes, signers
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from kesu_desktop.formatting import date_text
from kesu_desktop.i18n import _

# pyHanko logs a WARNING with a full traceback for every signature that does not validate; for us that
# is an expected answer (a tampered or foreign letter), reported to the user in one sentence instead.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# Keys pyHanko's SimpleSigner can sign with; anything else would only fail later, at print time.
_SUPPORTED_KEYS = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    dsa.DSAPrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)
# Workstation clocks drift; back-dating a fresh certificate keeps it valid on a PC that runs slightly behind.
_CLOCK_SKEW = timedelta(days=1)
# Accept either usage: imported certificates from a CA often carry only one of the two.
_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})


class CertificateError(ValueError):
    """A PKCS#12 file that cannot be used; str(exc) is one Chinese sentence meant for the user."""


@dataclass(frozen=True)
class OrgCertificate:
    """The organisation's signing identity, kept as the PKCS#12 bytes so it can be stored and re-exported."""

    pkcs12: bytes
    password: bytes | None
    subject: str
    fingerprint_sha256: str
    not_before: datetime
    not_after: datetime
    cert_pem: bytes


@dataclass(frozen=True)
class SignatureCheck:
    """What a reader needs to trust a printed PDF; ``problem`` explains the first thing that is wrong."""

    signed: bool
    intact: bool
    trusted: bool
    whole_file: bool
    signer: str | None
    fingerprint_sha256: str | None
    signed_at: datetime | None
    problem: str | None

    @property
    def ok(self) -> bool:
        """All four conditions at once: anything less means the file is not a genuine, unaltered export."""
        return self.signed and self.intact and self.trusted and self.whole_file


def _subject_of(name: x509.Name) -> str:
    """The CN is what people recognise (the organisation name); fall back to O, then the full DN."""
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
        attrs = name.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)
    return name.rfc4514_string()


def _describe(data: bytes, password: bytes | None, cert: x509.Certificate) -> OrgCertificate:
    return OrgCertificate(
        pkcs12=data,
        password=password,
        subject=_subject_of(cert.subject),
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
    )


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC)


def create_self_signed(
    org_name: str, *, now: datetime, years: int = 5, password: bytes | None = None
) -> OrgCertificate:
    """Make a self-signed seal so an organisation without a CA certificate can still sign its exports.

    EC P-256 rather than RSA: key generation and signing are several times faster and pyHanko validates it.
    The key's password is random unless the admin gives one (so it can be put in other desks' keyrings).
    """
    now = _require_aware(now)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, org_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org_name),
        ]
    )
    try:
        until = now.replace(year=now.year + years)
    except ValueError:  # 29 February in a non-leap target year
        until = now.replace(year=now.year + years, day=28)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    password = password or secrets.token_urlsafe(24).encode("ascii")
    data = pkcs12.serialize_key_and_certificates(
        org_name.encode("utf-8"), key, cert, None, serialization.BestAvailableEncryption(password)
    )
    return _describe(data, password, cert)


def load_pkcs12(data: bytes, password: bytes | None, *, now: datetime) -> OrgCertificate:
    """Check an imported PKCS#12 up front, so the admin learns about a bad file now and not at print time."""
    now = _require_aware(now)
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError) as exc:
        raise CertificateError(_("证书密码错误或文件已损坏")) from exc
    if key is None:
        raise CertificateError(_("PKCS#12 文件中没有私钥"))
    if cert is None:
        raise CertificateError(_("PKCS#12 文件中没有证书"))
    if not isinstance(key, _SUPPORTED_KEYS):
        raise CertificateError(_("不支持此证书的私钥类型"))
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise CertificateError(_("PKCS#12 文件中的私钥与证书不匹配"))
    described = _describe(data, password, cert)
    _require_valid(described, now)
    return described


def _require_valid(cert: OrgCertificate, now: datetime) -> None:
    if now > cert.not_after:
        until = date_text(cert.not_after.date())
        raise CertificateError(_("证书已过期（有效期至 {date}）").format(date=until))
    if now < cert.not_before:
        start = date_text(cert.not_before.date())
        raise CertificateError(_("证书尚未生效（生效日期 {date}）").format(date=start))


#: Room in the signature's /Contents beyond the certificates it carries (hex digits, two per byte): the
#: signed attributes, the algorithm identifiers and the signature value itself take well under 1 KB for
#: the largest key we accept (RSA 4096: 512 bytes), so 4 KB is generous and never needs a second try.
_CMS_OVERHEAD = 4096


class _CachedSigningCertificate(attributes.SigningCertificateV2Provider):
    """The signing-certificate-v2 attribute, built and DER-encoded once per certificate.

    It only names the certificate, yet asn1crypto took 10–15 ms to build and encode it again for every
    signature (most of a receipt's signing time); an attribute read back from its DER re-encodes free.
    """

    def __init__(self, signing_cert: asn1_x509.Certificate) -> None:
        super().__init__(signing_cert)
        value = as_signing_certificate_v2(signing_cert)
        self._der = cms.CMSAttribute({"type": self.attribute_type, "values": (value,)}).dump()

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute:
        return cms.CMSAttribute.load(self._der)


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


class _Signer(signers.SimpleSigner):
    """SimpleSigner with the attributes that depend only on the certificate made once, and encoded once.

    asn1crypto re-encodes attributes it is handed as objects, and for some certificates (an
    organisation name of six Chinese characters, for one) that re-encoding took 15–20 ms per
    signature. Each attribute is encoded here on its own, and the set is handed on as DER.
    """

    _certificate_attribute: _CachedSigningCertificate | None = None

    def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Iterator[attributes.CMSAttributeProvider]:
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if type(provider) is attributes.SigningCertificateV2Provider:
                if self._certificate_attribute is None:
                    self._certificate_attribute = _CachedSigningCertificate(self.signing_cert)
                yield self._certificate_attribute
            else:
                yield provider

    async def signed_attrs(  # type: ignore[override]
        self,
        data_digest: bytes,
        digest_algorithm: str,
        attr_settings: Any = None,
        content_type: str = "data",
        use_pades: bool = False,
        timestamper: Any = None,
        dry_run: bool = False,
        is_pdf_sig: bool = True,
    ) -> cms.CMSAttributes:
        providers = self._signed_attr_providers(
            data_digest=data_digest,
            digest_algorithm=digest_algorithm,
            use_cades=use_pades,
            attr_settings=attr_settings or PdfCMSSignedAttributes(),
            timestamper=timestamper,
            is_pdf_sig=is_pdf_sig,
        )
        encoded = [
            simple_cms_attribute("content_type", content_type).dump(),
            simple_cms_attribute("message_digest", data_digest).dump(),
        ]
        for provider in providers:
            attribute = await provider.get_attribute(dry_run=dry_run)
            if attribute is not None:
                encoded.append(attribute.dump())
        body = b"".join(sorted(encoded))  # DER orders a SET OF by the members' encodings
        return cms.CMSAttributes.load(b"\x31" + _der_length(len(body)) + body)


@dataclass(frozen=True)
class _Seal:
    signer: signers.SimpleSigner
    #: The /Contents placeholder size, fixed per certificate: pyHanko would otherwise build the whole
    #: signature twice for every letter (a dry run to measure it, then the real one).
    bytes_reserved: int


@lru_cache(maxsize=4)
def _seal_for(data: bytes, password: bytes | None) -> _Seal:
    """Decrypting a PKCS#12 runs a deliberately slow KDF; cache it so batch printing stays fast."""
    loaded = signers.SimpleSigner.load_pkcs12_data(data, [], password)
    signer = _Signer(
        signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
    )
    carried = {signer.signing_cert.dump(), *(cert.dump() for cert in signer.cert_registry)}
    return _Seal(signer, 2 * (sum(len(der) for der in carried) + _CMS_OVERHEAD))


def sign_pdf(
    pdf: bytes, cert: OrgCertificate, *, reason: str, location: str, field_name: str = "KesuSeal"
) -> bytes:
    """Append an invisible signature as an incremental update, leaving the original bytes untouched.

    Refuses (CertificateError) a certificate that is expired today: the checker would reject the result.
    Raises pyHanko's own errors for unreadable PDFs or an already signed ``field_name``.
    """
    _require_valid(cert, datetime.now(UTC))
    seal = _seal_for(cert.pkcs12, cert.password)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, location=location, md_algorithm="sha256"
    )
    out = io.BytesIO()
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False),
        meta,
        signer=seal.signer,
        bytes_reserved=seal.bytes_reserved,
        output=out,
    )
    return out.getvalue()


def _unsigned(problem: str) -> SignatureCheck:
    return SignatureCheck(False, False, False, False, None, None, None, problem)


def check_signature(pdf: bytes, trusted_certs_pem: Sequence[bytes]) -> SignatureCheck:
    """Judge the newest signature offline; never raises, because readers open arbitrary files.

    Only the last signature matters: it must cover the whole file, and nobody without our key can
    make a trusted one after tampering. The chain is judged at the (signed) signing time, so archived
    records stay valid after the certificate expires, but a signature made outside its validity does not.
    """
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:
        return _unsigned(_("不是有效的 PDF 文件"))
    if not signatures:
        return _unsigned(_("文件没有数字签名"))
    roots: list[asn1_x509.Certificate] = []
    for pem in trusted_certs_pem:
        try:
            roots.extend(load_certs_from_pemder_data(pem))
        except Exception:  # a damaged entry in our own settings must not hide the other certificates
            continue
    embedded = signatures[-1]
    try:
        signer_cert = embedded.signer_cert
        fingerprint = hashlib.sha256(signer_cert.dump()).hexdigest()
        signer = str(signer_cert.subject.native.get("common_name") or signer_cert.subject.human_friendly)
        signed_at = embedded.self_reported_timestamp
        if signed_at is not None and signed_at.tzinfo is None:  # a bare PDF /M date
            signed_at = signed_at.replace(tzinfo=UTC)
    except Exception:
        return SignatureCheck(True, False, False, False, None, None, None, _("签名数据已损坏"))
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=signed_at)
        status = validate_pdf_signature(embedded, context, key_usage_settings=_KEY_USAGE)
    except Exception:
        return SignatureCheck(True, False, False, False, signer, fingerprint, signed_at, _("签名数据已损坏"))
    intact = bool(status.intact and status.valid)
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    # pyHanko skips the validity period when the signer itself is the trust root (self-signed seal).
    in_period = signed_at is None or signer_cert.not_valid_before <= signed_at <= signer_cert.not_valid_after
    trusted = bool(status.trusted) and in_period
    problem: str | None = None
    if not intact:
        problem = _("签名后文件被修改")
    elif not whole_file:
        problem = _("签名后文件被追加修改")
    elif not in_period:
        problem = _("签名时证书不在有效期内")
    elif not trusted:
        known = any(root.sha256 == signer_cert.sha256 for root in roots)
        problem = _("签名证书不能用于签名") if known else _("签名证书不是本单位的证书")
    return SignatureCheck(True, intact, trusted, whole_file, signer, fingerprint, signed_at, problem)
