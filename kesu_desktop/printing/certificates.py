"""Getting the organisation's signing certificate: import an admin's PKCS#12, or make a self-signed one.

A desk that has never had a certificate makes a self-signed one the first time it issues a document
(recorded as created by ``system``), so printing never stops for want of one; an admin can import the
organisation's real certificate at any time and later documents are signed with it.
"""

from __future__ import annotations

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.printing.signing import CertificateError, OrgCertificate, create_self_signed, load_pkcs12
from kesu_desktop.services import certificates
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.certificates import CertificateRecord
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.setup import InitResult, initialize


def _store(desk: Desk, actor: Actor | None, cert: OrgCertificate, *, self_signed: bool) -> CertificateRecord:
    return certificates.store_certificate(
        desk,
        actor,
        subject=cert.subject,
        fingerprint=cert.fingerprint_sha256,
        pkcs12=cert.pkcs12,
        password=cert.password,
        cert_pem=cert.cert_pem,
        not_before=cert.not_before,
        not_after=cert.not_after,
        self_signed=self_signed,
    )


def _identity(record: CertificateRecord) -> OrgCertificate:
    return OrgCertificate(
        pkcs12=record.pkcs12,
        password=record.password,
        subject=record.subject,
        fingerprint_sha256=record.fingerprint,
        not_before=record.not_before,
        not_after=record.not_after,
        cert_pem=record.cert_pem,
    )


def signing_identity(desk: Desk) -> OrgCertificate:
    """The certificate to sign with now; the first call on a new database makes a self-signed one."""
    record = certificates.active_certificate(desk)
    if record is None:
        cert = create_self_signed(certificates.organisation_name(desk), now=desk.clock.now())
        record = _store(desk, None, cert, self_signed=True)
    return _identity(record)


def import_certificate(desk: Desk, actor: Actor, data: bytes, password: bytes | None) -> CertificateRecord:
    """An admin's PKCS#12 (.p12/.pfx) becomes the signing certificate, after it is checked."""
    try:
        cert = load_pkcs12(data, password, now=desk.clock.now())
    except CertificateError as exc:
        raise ValidationError.single("certificate", str(exc)) from None
    return _store(desk, actor, cert, self_signed=False)


def create_certificate(desk: Desk, actor: Actor, organisation: str | None = None) -> CertificateRecord:
    """A new self-signed certificate in the organisation's name (first-run set-up, or a renewal)."""
    name = (organisation or "").strip() or certificates.organisation_name(desk)
    return _store(desk, actor, create_self_signed(name, now=desk.clock.now()), self_signed=True)


def initialize_with_certificate(desk: Desk, **values: object) -> InitResult:
    """First-run set-up (``services.initialize``) plus the organisation's self-signed certificate, so the
    first letter printed at a new counter is already signed; an admin can import a real one later."""
    result = initialize(desk, **values)  # type: ignore[arg-type]
    if result.created:
        signing_identity(desk)
    return result
