"""Reply templates and the phrase library, as administrators keep them (回复模板与用语, ``kesu template``,
``kesu phrase``).

The reply editor reads these very tables (services/replies.py): ``compose_reply`` fills a template's
``{placeholder}``s, and the forbidden phrases stop a reply from being submitted. So a template may only
use the placeholders the editor fills (an unknown one would reach a customer as ``{xyz}``), and a
phrase is deactivated rather than deleted: the list an approved reply was checked against stays
readable. Every change is recorded (services.admin_log).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kesu_desktop.domain.enums import ReplyKind, Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.domain.replies import placeholders
from kesu_desktop.domain.text import field_text
from kesu_desktop.domain.validation import parse_code
from kesu_desktop.i18n import _, join_items
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import refuse_reference_edit_on_branch
from kesu_desktop.storage.models import Phrase, ReplyTemplate

MAX_NAME = 100
MAX_BODY = 10000
MAX_PHRASE = 200
PHRASE_KINDS = ("recommended", "forbidden")
#: Anything in braces, so ``{Customer}`` or ``{客户}`` is caught as well as ``{customer}``.
_BRACED = re.compile(r"\{([^{}\s]*)\}")


def _require_admin(actor: Actor, what: str) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(what)


@dataclass(frozen=True)
class TemplateView:
    kind: str
    #: The kind's name (受理告知 …), whatever the template is called.
    kind_label: str
    name: str
    body: str
    #: None for a kind that has no template yet (the editor then starts from an empty text).
    updated_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "name": self.name,
            "body": self.body,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


@dataclass(frozen=True)
class PhraseView:
    id: uuid.UUID
    kind: str
    text: str
    suggestion: str
    active: bool
    sort_order: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "kind": self.kind,
            "text": self.text,
            "suggestion": self.suggestion,
            "active": self.active,
            "sort_order": self.sort_order,
        }


def placeholder_names() -> dict[str, str]:
    """The placeholders the reply editor fills, with what each means (shown beside the template)."""
    return placeholders()


def list_templates(desk: Desk, actor: Actor) -> list[TemplateView]:
    """One template per reply kind, in the kinds' order (a kind without one is listed with no body)."""
    _require_admin(actor, _("只有管理员可以管理回复模板"))
    with desk.db.read() as session:
        rows = {
            kind: (name, body, updated_at)
            for kind, name, body, updated_at in session.execute(
                select(ReplyTemplate.kind, ReplyTemplate.name, ReplyTemplate.body, ReplyTemplate.updated_at)
            )
        }
    out = []
    for kind in ReplyKind:
        row = rows.get(kind.value)
        if row is None:
            out.append(TemplateView(kind.value, kind.label, kind.label, "", None))
        else:
            out.append(TemplateView(kind.value, kind.label, *row))
    return out


def check_template_body(body: str) -> str:
    """The body as stored, or a field error naming every placeholder the reply editor would not fill."""
    body = field_text(body, "body", multiline=True)
    if not body.strip():
        raise ValidationError.single("body", _("模板内容不能为空"))
    if len(body) > MAX_BODY:
        raise ValidationError.single("body", _("模板过长：最多 {n} 个字").format(n=MAX_BODY))
    known = placeholders()
    unknown = [name for name in dict.fromkeys(_BRACED.findall(body)) if name not in known]
    if unknown:
        raise ValidationError.single(
            "body",
            _("未知的占位符 {names}；可用的占位符：{known}").format(
                names=join_items("{" + name + "}" for name in unknown),
                known=join_items("{" + name + "}" for name in known),
            ),
        )
    return body


def set_template(
    desk: Desk, actor: Actor, kind: ReplyKind | str, *, name: str | None = None, body: str | None = None
) -> TemplateView:
    """Change a kind's template name and/or body (creating the template when the kind has none)."""
    _require_admin(actor, _("只有管理员可以修改回复模板"))
    reply_kind = parse_code(ReplyKind, kind, "kind", _("回复类型"))
    errors: dict[str, str] = {}
    if name is not None:
        name = field_text(name, "name")
        if not name or len(name) > MAX_NAME:
            errors["name"] = _("模板名称须为 1–{n} 个字").format(n=MAX_NAME)
    if body is not None:
        try:
            body = check_template_body(body)
        except ValidationError as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    now = desk.clock.now()
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        row = session.scalar(select(ReplyTemplate).where(ReplyTemplate.kind == reply_kind.value))
        if row is None:
            if body is None:
                raise ValidationError.single("body", _("新模板须给出内容"))
            row = ReplyTemplate(
                kind=reply_kind.value, name=name or reply_kind.label, body=body, updated_at=now
            )
            session.add(row)
            before = None
        else:
            before = {"name": row.name, "body": row.body}
            if name is not None:
                row.name = name
            if body is not None:
                row.body = body
            if before != {"name": row.name, "body": row.body}:
                row.updated_at = now
        after = {"name": row.name, "body": row.body}
        if before is not None:  # only what changed: a long body unchanged beside a new name is noise
            changed = [key for key in after if before[key] != after[key]]
            before = {key: before[key] for key in changed} or None
            after = {key: after[key] for key in changed} or None
        record_change(session, desk, actor, "reply_template", reply_kind.value, before, after)
        return TemplateView(reply_kind.value, reply_kind.label, row.name, row.body, row.updated_at)


# -- the phrase library ------------------------------------------------------------------------------


def _phrase_view(row: Phrase) -> PhraseView:
    return PhraseView(row.id, row.kind, row.text, row.suggestion, row.active, row.sort_order)


def list_phrases(desk: Desk, actor: Actor, *, kind: str | None = None) -> list[PhraseView]:
    """Recommended and forbidden phrases (inactive ones too), in the library's order."""
    _require_admin(actor, _("只有管理员可以管理用语库"))
    query = select(Phrase).order_by(Phrase.kind, Phrase.sort_order, Phrase.text)
    if kind is not None:
        query = query.where(Phrase.kind == _phrase_kind(kind))
    with desk.db.read() as session:
        return [_phrase_view(row) for row in session.scalars(query)]


def _phrase_kind(kind: str) -> str:
    if kind not in PHRASE_KINDS:
        raise ValidationError.single("kind", _("用语类型须为 recommended（推荐用语）或 forbidden（禁用语）"))
    return kind


def _phrase_text(text: str, field: str, *, required: bool) -> str:
    text = field_text(text, field).strip()
    if required and not text:
        raise ValidationError.single(field, _("用语不能为空"))
    if len(text) > MAX_PHRASE:
        raise ValidationError.single(field, _("最多 {n} 个字").format(n=MAX_PHRASE))
    return text


def _refuse_duplicate(session: Session, kind: str, text: str, own: uuid.UUID | None = None) -> None:
    query = select(Phrase.id).where(Phrase.kind == kind, Phrase.text == text)
    if own is not None:
        query = query.where(Phrase.id != own)
    if session.scalar(query) is not None:
        raise ValidationError.single("text", _("用语库中已有“{text}”").format(text=text))


def _phrase_record(row: Phrase) -> dict[str, Any]:
    return {"kind": row.kind, "text": row.text, "suggestion": row.suggestion, "active": row.active}


def add_phrase(desk: Desk, actor: Actor, kind: str, text: str, suggestion: str = "") -> PhraseView:
    """A new phrase at the end of its list; a forbidden one should say what to say instead."""
    _require_admin(actor, _("只有管理员可以修改用语库"))
    kind = _phrase_kind(kind)
    text = _phrase_text(text, "text", required=True)
    suggestion = _phrase_text(suggestion, "suggestion", required=False)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        _refuse_duplicate(session, kind, text)
        last = session.scalar(select(func.max(Phrase.sort_order)).where(Phrase.kind == kind)) or 0
        row = Phrase(kind=kind, text=text, suggestion=suggestion, sort_order=last + 1, active=True)
        session.add(row)
        session.flush()
        record_change(session, desk, actor, "phrase", str(row.id), None, _phrase_record(row))
        return _phrase_view(row)


def edit_phrase(
    desk: Desk,
    actor: Actor,
    phrase_id: uuid.UUID | str,
    *,
    text: str | None = None,
    suggestion: str | None = None,
    active: bool | None = None,
) -> PhraseView:
    """Change a phrase's wording or suggestion, or (de)activate it; an inactive phrase is no longer
    offered in the editor nor checked on submit."""
    _require_admin(actor, _("只有管理员可以修改用语库"))
    try:
        key = phrase_id if isinstance(phrase_id, uuid.UUID) else uuid.UUID(str(phrase_id).strip())
    except ValueError:
        raise ValidationError.single("id", _("无效的用语编号：{id}").format(id=phrase_id)) from None
    if text is not None:
        text = _phrase_text(text, "text", required=True)
    if suggestion is not None:
        suggestion = _phrase_text(suggestion, "suggestion", required=False)
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        row = session.get(Phrase, key)
        if row is None:
            raise NotFound(_("没有这条用语：{id}").format(id=phrase_id), field="id")
        before = _phrase_record(row)
        if text is not None:
            _refuse_duplicate(session, row.kind, text, own=row.id)
            row.text = text
        if suggestion is not None:
            row.suggestion = suggestion
        if active is not None:
            row.active = bool(active)
        after = _phrase_record(row)
        changed = [name for name in after if before[name] != after[name]]
        record_change(
            session,
            desk,
            actor,
            "phrase",
            str(row.id),
            {name: before[name] for name in changed} or None,
            {name: after[name] for name in changed} or None,
        )
        return _phrase_view(row)
