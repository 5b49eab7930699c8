"""Replies to the customer: compose from a template, keep drafts, submit, approve or send back.

Submitting is refused while the text holds a forbidden phrase, so a supervisor never has to catch one.
Submission, approval and return are events on the case; saving a draft is not (it is work in progress).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain.defaults import shown_name
from kesu_desktop.domain.enums import ReplyKind, ReplyStatus, Role
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.domain.replies import ForbiddenPhrase, fill, find_forbidden
from kesu_desktop.domain.text import field_text
from kesu_desktop.domain.validation import parse_code
from kesu_desktop.i18n import _, join_items
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.admin_log import record_change
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import office_timezone, refuse_reference_edit_on_branch
from kesu_desktop.services.templates import set_template
from kesu_desktop.services.unit import load_case, record, scope_filter
from kesu_desktop.storage.models import Case, Office, Phrase, Reply, ReplyTemplate

WRITERS = frozenset({Role.SPECIALIST, Role.SUPERVISOR, Role.MANAGER, Role.DEPARTMENT})
REVIEWERS = frozenset({Role.SUPERVISOR, Role.MANAGER})
MAX_BODY = 10000


def may_write_replies(actor: Actor) -> bool:
    """Whether the actor's role drafts replies at all (the services refuse the others)."""
    return Role(actor.role) in WRITERS


def may_review_replies(actor: Actor) -> bool:
    """Whether the actor's role approves or returns replies (the services refuse the others)."""
    return Role(actor.role) in REVIEWERS


@dataclass(frozen=True)
class ReplyView:
    id: uuid.UUID
    case_no: str
    kind: str
    body: str
    status: str
    author: str
    reviewer: str | None
    review_comment: str | None
    updated_at: datetime


@dataclass(frozen=True)
class PhraseBook:
    recommended: list[str]
    forbidden: list[ForbiddenPhrase]


def _view(reply: Reply, case_no: str) -> ReplyView:
    return ReplyView(
        reply.id,
        case_no,
        reply.kind,
        reply.body,
        reply.status,
        reply.author,
        reply.reviewer,
        reply.review_comment,
        reply.updated_at,
    )


def phrase_book(desk: Desk) -> PhraseBook:
    with desk.db.read() as session:
        return _phrase_book(session)


def _phrase_book(session: Session) -> PhraseBook:
    rows = session.scalars(select(Phrase).where(Phrase.active.is_(True)).order_by(Phrase.sort_order)).all()
    return PhraseBook(
        recommended=[shown_name(p.text) for p in rows if p.kind == "recommended"],
        forbidden=[
            ForbiddenPhrase(shown_name(p.text), shown_name(p.suggestion))
            for p in rows
            if p.kind == "forbidden"
        ],
    )


def reply_templates(desk: Desk) -> dict[ReplyKind, str]:
    with desk.db.read() as session:
        return {ReplyKind(t.kind): shown_name(t.body) for t in session.scalars(select(ReplyTemplate))}


def compose_reply(
    desk: Desk, actor: Actor, case_no: str, kind: ReplyKind | str, solution: str | None = None
) -> str:
    """The template of ``kind`` with the case's facts filled in."""
    kind = _kind(kind)
    with desk.db.read() as session:
        case = load_case(session, actor, case_no)
        template = shown_name(
            session.scalar(select(ReplyTemplate.body).where(ReplyTemplate.kind == kind.value)) or ""
        )
        office = session.scalar(select(Office).where(Office.code == case.office_code))
        zone = office_timezone(session, case.office_code)

        def day(value: datetime | None) -> str | None:
            return local_time(value, zone, "long_minute") if value else None

        values = {
            "customer_name": case.customer_name,
            "case_no": case.case_no,
            "registered_on": local_time(case.created_at, zone, "long_date"),
            "respond_by": day(case.respond_by),
            "resolve_by": day(case.resolve_by),
            "description": case.description,
            "demand": case.demand,
            "solution": solution,
            "organisation": office.name if office else None,
            "today": local_time(desk.clock.now(), zone, "long_date"),
        }
        return fill(template, values)


def _kind(kind: ReplyKind | str) -> ReplyKind:
    return parse_code(ReplyKind, kind, "kind", _("回复类型"))


def _check_body(body: str) -> str:
    body = field_text(body, "body", multiline=True)
    if not body:
        raise ValidationError.single("body", _("回复内容不能为空"))
    if len(body) > MAX_BODY:
        raise ValidationError.single("body", _("回复过长：最多 {n} 个字").format(n=MAX_BODY))
    return body


def save_reply_draft(
    desk: Desk,
    actor: Actor,
    case_no: str,
    kind: ReplyKind | str,
    body: str,
    reply_id: uuid.UUID | None = None,
) -> ReplyView:
    """Create or update a draft (a returned reply becomes a draft again when edited)."""
    if actor.role not in WRITERS:
        raise NotAllowed(_("角色“{role}”不能撰写回复").format(role=actor.role.label))
    kind, body = _kind(kind), _check_body(body)
    now = desk.clock.now()
    with desk.db.write() as session:
        case = load_case(session, actor, case_no)
        if reply_id is None:
            reply = Reply(
                case_id=case.id,
                kind=kind.value,
                body=body,
                status=ReplyStatus.DRAFT.value,
                author=actor.username,
                created_at=now,
                updated_at=now,
            )
            session.add(reply)
        else:
            reply = _reply(session, actor, reply_id)
            if reply.status in (ReplyStatus.SUBMITTED, ReplyStatus.APPROVED):
                raise NotAllowed(_("回复{status}，不能再修改").format(status=ReplyStatus(reply.status).label))
            reply.kind, reply.body, reply.status, reply.updated_at = (
                kind.value,
                body,
                ReplyStatus.DRAFT.value,
                _later(reply, now),
            )
        session.flush()
        return _view(reply, case.case_no)


def _later(reply: Reply, now: datetime) -> datetime:
    """A changed reply's ``updated_at``: ``now``, yet always after the version it replaces. Sync keeps
    the version with the later ``updated_at`` (sync/apply.py), so two changes made one after the other
    within one stated instant (a fixed ``--now``) or after the clock went back must still be ordered,
    or the other node would keep the older one."""
    return max(now, reply.updated_at + timedelta(microseconds=1))


def _reply(session: Session, actor: Actor, reply_id: uuid.UUID) -> Reply:
    query = scope_filter(
        select(Reply).join(Case, Case.id == Reply.case_id).where(Reply.id == reply_id), actor
    )
    reply = session.scalar(query.with_for_update())
    if reply is None:
        raise NotFound(_("回复不存在或无权查看"))
    return reply


def submit_reply(desk: Desk, actor: Actor, reply_id: uuid.UUID) -> ReplyView:
    """Send a draft for approval; refused while it contains a forbidden phrase."""
    with desk.db.write() as session:
        reply = _reply(session, actor, reply_id)
        if reply.author != actor.username:
            raise NotAllowed(_("只能提交自己撰写的回复"))
        if reply.status not in (ReplyStatus.DRAFT, ReplyStatus.RETURNED):
            raise NotAllowed(_("回复{status}，不能提交").format(status=ReplyStatus(reply.status).label))
        findings = find_forbidden(reply.body, _phrase_book(session).forbidden)
        if findings:
            words = join_items(dict.fromkeys(_("“{phrase}”").format(phrase=f.phrase.text) for f in findings))
            raise ValidationError.single(
                "body", _("回复含有禁用语 {words}，请修改后再提交").format(words=words)
            )
        reply.status, reply.updated_at = ReplyStatus.SUBMITTED.value, _later(reply, desk.clock.now())
        case = session.get(Case, reply.case_id, with_for_update=True)
        record(session, desk, case, actor, "reply_submitted", {}, {"reply_id": reply.id, "kind": reply.kind})
        return _view(reply, case.case_no)


def review_reply(
    desk: Desk, actor: Actor, reply_id: uuid.UUID, *, approve: bool, comment: str | None = None
) -> ReplyView:
    """A supervisor approves a submitted reply, or sends it back with a comment saying what to change."""
    if actor.role not in REVIEWERS:
        raise NotAllowed(_("只有主管或经理可以审批回复"))
    comment = field_text(comment or "", "comment", multiline=True) or None
    if not approve and not comment:
        raise ValidationError.single("comment", _("退回时须说明修改意见"))
    with desk.db.write() as session:
        reply = _reply(session, actor, reply_id)
        if reply.status != ReplyStatus.SUBMITTED:
            raise NotAllowed(_("回复{status}，不在待审批状态").format(status=ReplyStatus(reply.status).label))
        if reply.author == actor.username:
            raise NotAllowed(_("不能审批自己撰写的回复"))
        status = ReplyStatus.APPROVED if approve else ReplyStatus.RETURNED
        reply.status, reply.reviewer, reply.review_comment = status.value, actor.username, comment
        reply.updated_at = _later(reply, desk.clock.now())
        case = session.get(Case, reply.case_id, with_for_update=True)
        kind = "reply_approved" if approve else "reply_returned"
        record(
            session,
            desk,
            case,
            actor,
            kind,
            {},
            {
                "reply_id": reply.id,
                "kind": reply.kind,
                "comment": comment,
                "body": reply.body if approve else None,
            },
        )
        return _view(reply, case.case_no)


def replies_for_case(desk: Desk, actor: Actor, case_no: str) -> list[ReplyView]:
    with desk.db.read() as session:
        case = load_case(session, actor, case_no)
        rows = session.scalars(select(Reply).where(Reply.case_id == case.id).order_by(Reply.created_at))
        return [_view(r, case.case_no) for r in rows]


def pending_replies(desk: Desk, actor: Actor) -> list[ReplyView]:
    """Replies waiting for this supervisor (everything submitted within their scope, oldest first)."""
    if actor.role not in REVIEWERS:
        return []
    with desk.db.read() as session:
        query = scope_filter(
            select(Reply, Case.case_no)
            .join(Case, Case.id == Reply.case_id)
            .where(Reply.status == ReplyStatus.SUBMITTED.value, Reply.author != actor.username),
            actor,
        ).order_by(Reply.updated_at)
        return [_view(r, no) for r, no in session.execute(query)]


def set_reply_template(desk: Desk, actor: Actor, kind: ReplyKind | str, body: str) -> None:
    """A kind's template body (``services.templates.set_template``: placeholders checked, change recorded)."""
    set_template(desk, actor, kind, body=body)


def set_phrase(
    desk: Desk, actor: Actor, kind: str, text: str, suggestion: str = "", active: bool = True
) -> None:
    if actor.role is not Role.ADMIN:
        raise NotAllowed(_("只有管理员可以修改用语库"))
    if kind not in ("recommended", "forbidden"):
        raise ValidationError.single("kind", _("用语类型须为 recommended 或 forbidden"))
    text = field_text(text, "text")
    suggestion = field_text(suggestion, "suggestion")
    if not text or len(text) > 200:
        raise ValidationError.single("text", _("用语须为 1–200 个字"))
    with desk.db.write() as session:
        refuse_reference_edit_on_branch(session)
        row = session.scalar(select(Phrase).where(Phrase.kind == kind, Phrase.text == text))
        before = None if row is None else {"suggestion": row.suggestion, "active": row.active}
        if row is None:
            row = Phrase(kind=kind, text=text, suggestion=suggestion.strip(), sort_order=999, active=active)
            session.add(row)
            session.flush()
        else:
            row.suggestion, row.active = suggestion.strip(), active
        after = {"suggestion": row.suggestion, "active": row.active}
        if before is None:
            after = {"kind": kind, "text": text, **after}
        record_change(session, desk, actor, "phrase", str(row.id), before, after)
