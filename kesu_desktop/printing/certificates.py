"""Getting the organisation's signing certificate: import an admin's PKCS#12, or make a self-signed one.

A desk that has never had a certificate makes a self-signed one the first time it issues a document
(recorded as created by ``system``), so printing never stops for want of one; an admin can import the
organisation's real certificate at any time and later documents are signed with it.

The key's password goes to the system keyring where there is one (``services.certificates``): a
returned record's ``warning`` says when it had to stay in the database.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.i18n import _
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


def _identity(desk: Desk, record: CertificateRecord) -> OrgCertificate:
    """The record with its password, read from the database or from this desk's keyring."""
    return OrgCertificate(
        pkcs12=record.pkcs12,
        password=certificates.certificate_password(desk, record),
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
    return _identity(desk, record)


def import_certificate(desk: Desk, actor: Actor, data: bytes, password: bytes | None) -> CertificateRecord:
    """An admin's PKCS#12 (.p12/.pfx) becomes the signing certificate, after it is checked."""
    try:
        cert = load_pkcs12(data, password, now=desk.clock.now())
    except CertificateError as exc:
        raise ValidationError.single("certificate", str(exc)) from None
    return _store(desk, actor, cert, self_signed=False)


def create_certificate(
    desk: Desk, actor: Actor, organisation: str | None = None, *, password: bytes | None = None
) -> CertificateRecord:
    """A new self-signed certificate in the organisation's name (first-run set-up, or a renewal); with
    ``password`` its key opens with that (so other desks sharing the database can be given it)."""
    name = (organisation or "").strip() or certificates.organisation_name(desk)
    cert = create_self_signed(name, now=desk.clock.now(), password=password)
    return _store(desk, actor, cert, self_signed=True)


def set_certificate_password(
    desk: Desk,
    actor: Actor,
    password: bytes | None,
    *,
    fingerprint: str | None = None,
    remove_from_database: bool = False,
) -> CertificateRecord:
    """Put a certificate's password into this desk's keyring (``kesu admin cert-password``).

    The password is the one given, else the database's copy; it must open the certificate's PKCS#12,
    so a mistyped one is refused now rather than at the next print.
    """
    if actor.role is not Role.ADMIN:  # before anything is read, so nobody else can try passwords
        raise NotAllowed(_("只有管理员可以设置签名证书的密码"))
    record = certificates.find_certificate(desk, fingerprint)
    secret = password or record.password
    if secret is None:
        raise ValidationError.single("password", _("请在环境变量 KESU_CERT_PASSWORD 中提供证书密码"))
    try:
        pkcs12_format.load_key_and_certificates(record.pkcs12, secret)
    except ValueError:
        raise ValidationError.single("password", _("证书密码不正确")) from None
    return certificates.keep_password_in_keyring(
        desk, actor, record, secret, remove_from_database=remove_from_database
    )


def initialize_with_certificate(desk: Desk, **values: object) -> InitResult:
    """First-run set-up (``services.initialize``) plus the organisation's self-signed certificate, so the
    first letter printed at a new counter is already signed; an admin can import a real one later."""
    result = initialize(desk, **values)  # type: ignore[arg-type]
    if result.created:
        signing_identity(desk)
    return result
