"""Evidence files on a case (photos, receipts): stored in the database, announced by an event."""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from sqlalchemy import select

from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.domain.text import field_text
from kesu_desktop.i18n import _
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.unit import load_case, record, scope_filter
from kesu_desktop.storage.models import Attachment, Case

MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentView:
    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    created_at: datetime

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def _view(a: Attachment) -> AttachmentView:
    return AttachmentView(a.id, a.filename, a.content_type, a.size, a.sha256, a.uploaded_by, a.created_at)


def add_attachment(desk: Desk, actor: Actor, case_no: str, filename: str, data: bytes) -> AttachmentView:
    """Attach one file; refused when empty or over 20 MB, or when the user may not see the case."""
    if actor.role is Role.ADMIN:
        raise NotAllowed(_("管理员不处理案件"))
    name = field_text(PurePath(filename.replace("\\", "/")).name, "filename")
    if not name:
        raise ValidationError.single("filename", _("文件名不能为空"))
    if not data:
        raise ValidationError.single("file", _("文件是空的：{name}").format(name=name))
    if len(data) > MAX_BYTES:
        raise ValidationError.single("file", _("文件过大：{name}（最大 20 MB）").format(name=name))
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    with desk.db.write() as session:
        case = load_case(session, actor, case_no, for_update=True)
        attachment = Attachment(
            case_id=case.id,
            filename=name[:255],
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            uploaded_by=actor.username,
            created_at=desk.clock.now(),
        )
        session.add(attachment)
        session.flush()
        record(
            session,
            desk,
            case,
            actor,
            "attachment_added",
            {},
            {
                "attachment_id": attachment.id,
                "filename": attachment.filename,
                "size": attachment.size,
                "sha256": attachment.sha256,
            },
        )
        return _view(attachment)


def list_attachments(desk: Desk, actor: Actor, case_no: str) -> list[AttachmentView]:
    with desk.db.read() as session:
        case = load_case(session, actor, case_no)
        rows = session.scalars(
            select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.created_at)
        )
        return [_view(a) for a in rows]


def attachment_data(desk: Desk, actor: Actor, attachment_id: uuid.UUID) -> bytes:
    with desk.db.read() as session:
        query = scope_filter(
            select(Attachment.data)
            .join(Case, Case.id == Attachment.case_id)
            .where(Attachment.id == attachment_id),
            actor,
        )
        data = session.scalar(query)
        if data is None:
            raise NotFound(_("附件不存在或无权查看"))
        return data
