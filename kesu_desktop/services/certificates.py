"""The organisation's signing certificates and seal picture: stored rows, who may change them.

The cryptography (reading a PKCS#12, making a self-signed certificate) lives in ``printing.signing``;
``printing.certificates`` checks a certificate there and then stores it here, so this module stays
plain storage and permissions.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.storage.models import Office, PrintAsset, SigningCertificate

MAX_SEAL_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class CertificateRecord:
    id: uuid.UUID
    subject: str
    fingerprint: str
    pkcs12: bytes
    password: bytes | None
    cert_pem: bytes
    not_before: datetime
    not_after: datetime
    self_signed: bool
    created_by: str
    created_at: datetime


def _record(row: SigningCertificate) -> CertificateRecord:
    return CertificateRecord(
        row.id,
        row.subject,
        row.fingerprint,
        row.pkcs12,
        row.password,
        row.cert_pem.encode("ascii"),
        row.not_before,
        row.not_after,
        row.self_signed,
        row.created_by,
        row.created_at,
    )


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
    with desk.db.write() as session:
        if actor is None:
            existing = session.scalar(select(SigningCertificate).where(SigningCertificate.active.is_(True)))
            if existing is not None:
                return _record(existing)
        if session.scalar(select(SigningCertificate).where(SigningCertificate.fingerprint == fingerprint)):
            raise ValidationError.single("certificate", _("该证书已导入"))
        session.execute(update(SigningCertificate).values(active=False))
        row = SigningCertificate(
            subject=subject[:200],
            fingerprint=fingerprint,
            pkcs12=pkcs12,
            password=password,
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
        return _record(row)


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
        row = session.get(PrintAsset, "seal")
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
