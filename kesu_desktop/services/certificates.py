"""The organisation's signing certificates and seal picture: stored rows, who may change them.

The cryptography (reading a PKCS#12, making a self-signed certificate) lives in ``printing.signing``;
``printing.certificates`` checks a certificate there and then stores it here, so this module stays
plain storage and permissions.

Where the key's password lives: the PKCS#12 (the encrypted key) is in the database, so every desk
can sign; its password goes to the system keyring of the desk that stores it (Windows Credential
Manager, macOS Keychain, Secret Service), under the service ``kesu-desk:<database>`` (the id of its
first office) and the certificate's fingerprint, and the database keeps only the marker
``IN_KEYRING``. Where there is no usable keyring the password is kept in the database, with a
warning. A desk that signs with a certificate whose password is in a keyring needs it in its own
(``kesu admin cert-password``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import Conflict, NotAllowed, NotFound, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import refuse_reference_edit_on_branch
from kesu_desktop.storage.models import Office, PrintAsset, SigningCertificate

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

MAX_SEAL_BYTES = 2 * 1024 * 1024

#: The password column's value when the password is in the desks' system keyrings, not in the database.
IN_KEYRING = b"keyring:"
#: Where a certificate's password lives (``CertificateRecord.password_store``).
STORE_KEYRING, STORE_DATABASE, STORE_NONE = "keyring", "database", "none"

log = logging.getLogger("kesu.certificates")


@dataclass(frozen=True)
class CertificateRecord:
    id: uuid.UUID
    subject: str
    fingerprint: str
    pkcs12: bytes
    #: The password when the database holds it; ``None`` when it is in the keyring (or there is none).
    password: bytes | None
    cert_pem: bytes
    not_before: datetime
    not_after: datetime
    self_signed: bool
    created_by: str
    created_at: datetime
    #: ``keyring``, ``database`` or ``none`` (a PKCS#12 without a password).
    password_store: str = STORE_NONE
    #: Set when the password had to be kept in the database: what to tell the admin.
    warning: str | None = None


def _record(row: SigningCertificate) -> CertificateRecord:
    if row.password == IN_KEYRING:
        password, store = None, STORE_KEYRING
    else:
        password, store = row.password, STORE_DATABASE if row.password else STORE_NONE
    return CertificateRecord(
        row.id,
        row.subject,
        row.fingerprint,
        row.pkcs12,
        password,
        row.cert_pem.encode("ascii"),
        row.not_before,
        row.not_after,
        row.self_signed,
        row.created_by,
        row.created_at,
        store,
    )


def keyring_service(desk: Desk) -> str:
    """The keyring service name of this database: ``kesu-desk:`` and the id of its first office, the
    same on every desk sharing it and after the file moves or the server is reached by another name;
    before there is an office, its address (without user and password)."""
    with desk.db.read() as session:
        office = session.scalar(select(Office.id).order_by(Office.created_at).limit(1))
    if office is not None:
        return f"kesu-desk:{office}"
    url = make_url(desk.db.url)
    if desk.db.kind == "sqlite":
        where = str(Path(url.database).resolve()) if url.database else ":memory:"
        return f"kesu-desk:sqlite:{where}"
    return f"kesu-desk:postgresql://{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def _keyring() -> KeyringBackend | None:
    """The system keyring, or ``None`` when the platform offers none (keyring's fail or null backend,
    or a chainer with nothing in it: a headless Linux without Secret Service, a CI machine)."""
    import keyring
    from keyring.backends import chainer, fail

    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is no keyring
        return None
    if isinstance(backend, fail.Keyring) or type(backend).__module__ == "keyring.backends.null":
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    return backend


def keyring_available() -> bool:
    return _keyring() is not None


def _no_keyring_warning(fingerprint: str, why: str) -> str:
    return _(
        "签名证书（指纹 {fp}…）的密码保存在数据库中，未放入系统密钥环（{why}）："
        "能读取数据库的人即可用该证书签名。"
        "在有系统密钥环的电脑上可运行 kesu admin cert-password --remove-from-database 将其移出数据库。"
    ).format(fp=fingerprint[:16], why=why)


def _put_in_keyring(service: str, fingerprint: str, password: bytes) -> str | None:
    """Store the password in this desk's keyring; ``None`` when done, else why it could not be."""
    backend = _keyring()
    if backend is None:
        return _("本机没有可用的系统密钥环")
    try:
        backend.set_password(service, fingerprint, password.decode("utf-8"))
    except UnicodeDecodeError:
        return _("密码不是 UTF-8 文本")
    except Exception as exc:  # a locked or unreachable store (keyring.errors.KeyringError and the like)
        return _("系统密钥环拒绝写入：{error}").format(error=exc)
    return None


def certificate_password(desk: Desk, record: CertificateRecord) -> bytes | None:
    """The password that opens ``record``'s PKCS#12, from the database or from this desk's keyring."""
    if record.password_store != STORE_KEYRING:
        return record.password
    backend = _keyring()
    secret = None
    if backend is not None:
        try:
            secret = backend.get_password(keyring_service(desk), record.fingerprint)
        except Exception:
            secret = None
    if secret is None:
        raise Conflict(
            _(
                "本机的系统密钥环中没有签名证书（指纹 {fp}…）的密码，无法签名："
                "请管理员在本机运行 kesu admin cert-password（密码取自 KESU_CERT_PASSWORD）"
            ).format(fp=record.fingerprint[:16]),
            field="certificate",
        )
    return secret.encode("utf-8")


def active_certificate(desk: Desk) -> CertificateRecord | None:
    """The certificate new documents are signed with: the newest active one."""
    with desk.db.read() as session:
        row = session.scalar(
            select(SigningCertificate)
            .where(SigningCertificate.active.is_(True))
            .order_by(SigningCertificate.created_at.desc())
        )
        return _record(row) if row else None


def trusted_certificates(desk: Desk) -> list[bytes]:
    """Every certificate the organisation ever signed with (PEM): old letters stay verifiable."""
    with desk.db.read() as session:
        return [pem.encode("ascii") for pem in session.scalars(select(SigningCertificate.cert_pem))]


def organisation_name(desk: Desk) -> str:
    """The name a self-signed certificate carries: the first office's name."""
    with desk.db.read() as session:
        return session.scalar(select(Office.name).order_by(Office.created_at)) or "Kesu Desk"


def store_certificate(
    desk: Desk,
    actor: Actor | None,
    *,
    subject: str,
    fingerprint: str,
    pkcs12: bytes,
    password: bytes | None,
    cert_pem: bytes,
    not_before: datetime,
    not_after: datetime,
    self_signed: bool,
) -> CertificateRecord:
    """Make this the active signing certificate (earlier ones stay, for verifying old letters).

    ``actor=None`` is the desk itself creating the first, self-signed certificate; that is allowed only
    while there is none, so nobody but an admin can ever replace one.
    """
    if actor is not None and actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以更换签名证书"))
    service = keyring_service(desk)
    with desk.db.write() as session:
        if actor is None:
            existing = session.scalar(select(SigningCertificate).where(SigningCertificate.active.is_(True)))
            if existing is not None:
                return _record(existing)
        if session.scalar(select(SigningCertificate).where(SigningCertificate.fingerprint == fingerprint)):
            raise ValidationError.single("certificate", _("该证书已导入"))
        previous = session.scalar(
            select(SigningCertificate)
            .where(SigningCertificate.active.is_(True))
            .order_by(SigningCertificate.created_at.desc())
        )
        session.execute(update(SigningCertificate).values(active=False))
        warning = None
        stored = password
        if password:
            why = _put_in_keyring(service, fingerprint, password)
            if why is None:
                stored = IN_KEYRING
            else:
                warning = _no_keyring_warning(fingerprint, why)
                log.warning("%s", warning)
        row = SigningCertificate(
            subject=subject[:200],
            fingerprint=fingerprint,
            pkcs12=pkcs12,
            password=stored,
            cert_pem=cert_pem.decode("ascii"),
            not_before=not_before,
            not_after=not_after,
            self_signed=self_signed,
            active=True,
            created_by=actor.username if actor else "system",
            created_at=desk.clock.now(),
        )
        session.add(row)
        session.flush()
        if actor is not None:
            record_change(
                session,
                desk,
                actor,
                "certificate",
                fingerprint[:16],
                None if previous is None else _recorded(previous),
                _recorded(row),
            )
        return replace(_record(row), warning=warning)


def _recorded(row: SigningCertificate) -> dict[str, object]:
    """What the change record keeps of a certificate (never its key or password)."""
    return {
        "subject": row.subject,
        "fingerprint": row.fingerprint[:16],
        "not_after": row.not_after.isoformat(),
        "self_signed": row.self_signed,
    }


def find_certificate(desk: Desk, fingerprint: str | None = None) -> CertificateRecord:
    """The active certificate, or the one whose fingerprint starts with ``fingerprint`` (8+ hex digits)."""
    with desk.db.read() as session:
        query = select(SigningCertificate)
        if fingerprint:
            fp = fingerprint.strip().lower().replace(":", "")
            if len(fp) < 8:
                raise ValidationError.single("fingerprint", _("请给出指纹的至少前 8 位"))
            query = query.where(SigningCertificate.fingerprint.startswith(fp))
        else:
            query = query.where(SigningCertificate.active.is_(True))
        rows = [
            _record(row)
            for row in session.scalars(query.order_by(SigningCertificate.created_at.desc()).limit(2))
        ]
    if not rows:
        raise NotFound(_("没有这样的签名证书"), field="fingerprint")
    if fingerprint and len(rows) > 1:
        raise ValidationError.single("fingerprint", _("有多个证书以此开头：请给出更长的指纹"))
    return rows[0]


def keep_password_in_keyring(
    desk: Desk, actor: Actor, record: CertificateRecord, password: bytes, *, remove_from_database: bool
) -> CertificateRecord:
    """Put a (checked) password into this desk's keyring; with ``remove_from_database``, the database
    keeps only the marker from then on, so every other desk that signs needs it in its own keyring."""
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以设置签名证书的密码"))
    why = _put_in_keyring(keyring_service(desk), record.fingerprint, password)
    if why is not None:
        raise ValidationError.single("keyring", why)
    if remove_from_database:
        with desk.db.write() as session:
            session.execute(
                update(SigningCertificate)
                .where(SigningCertificate.fingerprint == record.fingerprint)
                .values(password=IN_KEYRING)
            )
        return replace(record, password=None, password_store=STORE_KEYRING)
    return record


def is_png(data: bytes) -> bool:
    """Decodable PNG, checked now: a broken picture would otherwise only fail when a letter is printed."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            return image.format == "PNG"
    except (UnidentifiedImageError, OSError, SyntaxError):
        return False


def set_seal(desk: Desk, actor: Actor, png: bytes) -> None:
    """The seal (or signature) picture printed on reply letters; PNG with a transparent background."""
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以设置印章图片"))
    if not is_png(png):
        raise ValidationError.single("seal", _("印章图片须为 PNG 文件"))
    if len(png) > MAX_SEAL_BYTES:
        raise ValidationError.single("seal", _("印章图片过大（最大 2 MB）"))
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        row = session.get(PrintAsset, "seal")
        before = None if row is None else {"sha256": hashlib.sha256(row.data).hexdigest()[:16]}
        after = {"sha256": hashlib.sha256(png).hexdigest()[:16], "bytes": len(png)}
        record_change(session, desk, actor, "seal", "seal", before, after)
        if row is None:
            session.add(
                PrintAsset(
                    key="seal",
                    data=png,
                    content_type="image/png",
                    updated_by=actor.username,
                    updated_at=desk.clock.now(),
                )
            )
        else:
            row.data, row.updated_by, row.updated_at = png, actor.username, desk.clock.now()


@dataclass(frozen=True)
class CertificateInfo:
    """What an administrator sees of the signing certificate (never its key nor its password)."""

    subject: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    self_signed: bool
    #: ``keyring``, ``database`` or ``none``.
    password_store: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class SigningSetup:
    """The 签名证书与印章 dialog's contents: the active certificate and the seal picture, if any."""

    certificate: CertificateInfo | None
    seal_png: bytes | None
    seal_updated_by: str | None
    seal_updated_at: datetime | None


def signing_setup(desk: Desk, actor: Actor) -> SigningSetup:
    """The certificate letters are signed with now and the seal printed on them (administrators)."""
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以查看签名证书与印章"))
    record = active_certificate(desk)
    info = None
    if record is not None:
        info = CertificateInfo(
            record.subject,
            record.fingerprint,
            record.not_before,
            record.not_after,
            record.self_signed,
            record.password_store,
            record.created_by,
            record.created_at,
        )
    with desk.db.read() as session:
        seal = session.get(PrintAsset, "seal")
        if seal is None:
            return SigningSetup(info, None, None, None)
        return SigningSetup(info, bytes(seal.data), seal.updated_by, seal.updated_at)
