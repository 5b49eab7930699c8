"""``kesu reply draft|submit|approve|return|list``, ``kesu attach`` and ``kesu attachments``.

Thin wrappers over services/replies.py and services/attachments.py, so a reply written by a script goes
through exactly the rules the desktop's reply editor does: who may write, submit or review, the
forbidden-phrase check at submission, one event per submission, approval or return. The CLI adds only
what a terminal needs: reading the JSON or the file, checking that a ``--reply`` belongs to the case
named, and saying in words what the services found (a forbidden phrase in a draft is reported at once,
not only when the draft is submitted).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kesu_desktop import services
from kesu_desktop.cli.commands import open_desk, sign_in
from kesu_desktop.cli.io import print_json, read_json_object
from kesu_desktop.domain.enums import ReplyKind, ReplyStatus
from kesu_desktop.domain.errors import NotFound, ValidationError
from kesu_desktop.domain.localtime import local_iso, local_time
from kesu_desktop.formatting import size_text
from kesu_desktop.i18n import _, join_items

if TYPE_CHECKING:
    from kesu_desktop.services import Actor, AttachmentView, Desk, Finding, ReplyView

#: Long enough that the reader treats the values as long (multi-line) texts; the services enforce the
#: reply's real limit and say it in their own words.
_LONG = 1_000_000


# --- JSON and text forms ------------------------------------------------------------------------------


def reply_json(reply: ReplyView, zone: str) -> dict[str, Any]:
    """A reply as ``--json`` prints it: codes and ISO 8601 with the reader's office offset."""
    return {
        "id": str(reply.id),
        "case_no": reply.case_no,
        "kind": reply.kind,
        "status": reply.status,
        "body": reply.body,
        "author": reply.author,
        "reviewer": reply.reviewer,
        "review_comment": reply.review_comment,
        "updated_at": local_iso(reply.updated_at, zone),
    }


def _kind_label(code: str) -> str:
    try:
        return ReplyKind(code).label
    except ValueError:
        return code


def _status_label(code: str) -> str:
    try:
        return ReplyStatus(code).label
    except ValueError:
        return code


def reply_line(reply: ReplyView, zone: str) -> str:
    """One reply in ``reply list``: id, kind, status, author, reviewer, last change (the user's zone)."""
    line = _("{id}  {kind}  [{status}]  撰写：{author}  审批：{reviewer}  更新于 {at}").format(
        id=reply.id,
        kind=_kind_label(reply.kind),
        status=_status_label(reply.status),
        author=reply.author,
        reviewer=reply.reviewer or "—",
        at=local_time(reply.updated_at, zone),
    )
    if reply.review_comment:
        line += "\n    " + _("审批意见：{comment}").format(comment=reply.review_comment)
    return line


def attachment_json(attachment: AttachmentView, case_no: str, zone: str) -> dict[str, Any]:
    return {
        "id": str(attachment.id),
        "case_no": case_no,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": attachment.uploaded_by,
        "created_at": local_iso(attachment.created_at, zone),
    }


def attachment_line(attachment: AttachmentView, zone: str) -> str:
    """One attachment in ``kesu attachments``: id, name, size, who added it, when, SHA-256."""
    size, at = size_text(attachment.size), local_time(attachment.created_at, zone)
    who, sha = attachment.uploaded_by, attachment.sha256
    return f"{attachment.id}  {attachment.filename}  {size}  {who}  {at}  SHA-256 {sha}"


def _findings_json(findings: list[Finding]) -> list[dict[str, Any]]:
    return [
        {"phrase": f.phrase.text, "suggestion": f.phrase.suggestion, "start": f.start, "end": f.end}
        for f in findings
    ]


def _warn_forbidden(findings: list[Finding]) -> None:
    """On stderr (stdout stays the id or JSON a script reads): the draft will be refused at submission."""
    if not findings:
        return
    phrases = {f.phrase.text: f.phrase.suggestion for f in findings}
    items = join_items(
        _("“{phrase}”（建议：{suggestion}）").format(phrase=text, suggestion=suggestion)
        if suggestion
        else _("“{phrase}”").format(phrase=text)
        for text, suggestion in phrases.items()
    )
    print(
        _("注意：草稿含有禁用语 {items}；修改前提交会被拒绝").format(items=items),
        file=sys.stderr,
    )


# --- input --------------------------------------------------------------------------------------------


def parse_reply_id(raw: str, field: str = "reply") -> uuid.UUID:
    """A reply id as ``reply list`` prints it; anything else is bad input under ``field``."""
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise ValidationError.single(field, _("回复编号无效：{value}").format(value=raw)) from None


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The same errors under the names the user typed (the service says ``body``, the JSON ``text``)."""
    return ValidationError({names.get(field, field): message for field, message in exc.errors.items()})


def _in_case(desk: Desk, actor: Actor, case_no: str, reply_id: uuid.UUID) -> ReplyView:
    """The reply ``reply_id`` of the case, else bad input: a draft is never moved to another case."""
    for reply in services.replies_for_case(desk, actor, case_no):
        if reply.id == reply_id:
            return reply
    raise NotFound(
        _("案件“{case_no}”没有编号为 {id} 的回复").format(case_no=case_no, id=reply_id), field="reply"
    )


def _reply_not_found(exc: NotFound) -> NotFound:
    """The services' "no such reply" under the field the user typed (``reply``), not ``input``."""
    return NotFound(str(exc), field="reply") if exc.field == "input" else exc


# --- commands -----------------------------------------------------------------------------------------


def cmd_reply_draft(args: argparse.Namespace) -> int:
    """Save a new draft, or (``--reply ID``) update a draft or returned reply of the case.

    The JSON's keys: ``kind`` (a ReplyKind code; required for a new draft, else the reply's own),
    ``text`` (omitted: the kind's template filled with the case's facts, or the reply's current text
    with ``--reply``) and ``solution`` (what fills ``{solution}`` in the template).
    """
    from kesu_desktop.domain.validation import FieldReader  # phonenumbers: only for the commands that read

    reply_id = parse_reply_id(args.reply) if args.reply is not None else None
    reader = FieldReader(read_json_object(args.file, default_empty=False), strict=True)
    kind = reader.choice("kind", ReplyKind, required=reply_id is None)
    text = reader.text("text", max_len=_LONG)
    solution = reader.text("solution", max_len=_LONG)
    if text is None and reader.data.get("text") is not None and "text" not in reader.errors:
        # "text": "" is an empty reply, refused as the editor refuses it, not a request for the template
        reader.fail("text", _("回复内容不能为空"))
    # strict: any other key is refused (``tone: 未知字段``), a misspelt key must not lose the text
    reader.finish()
    desk = open_desk(args)
    try:
        actor = sign_in(desk, args)
        existing = _in_case(desk, actor, args.case_no, reply_id) if reply_id is not None else None
        if kind is None and existing is not None:
            kind = ReplyKind(existing.kind)
        if text is None:
            if existing is not None:
                text = existing.body
            else:
                text = services.compose_reply(desk, actor, args.case_no, kind, solution)
        try:
            reply = services.save_reply_draft(desk, actor, args.case_no, kind, text, reply_id=reply_id)
        except ValidationError as exc:
            raise _renamed(exc, {"body": "text"}) from None
        findings = services.find_forbidden(reply.body, services.phrase_book(desk).forbidden)
    finally:
        desk.close()
    if args.json:
        print_json({**reply_json(reply, actor.timezone), "forbidden": _findings_json(findings)})
    else:
        print(reply.id)
    _warn_forbidden(findings)
    return 0


def cmd_reply_submit(args: argparse.Namespace) -> int:
    reply_id = parse_reply_id(args.id)
    desk = open_desk(args)
    try:
        actor = sign_in(desk, args)
        try:
            reply = services.submit_reply(desk, actor, reply_id)
        except NotFound as exc:
            raise _reply_not_found(exc) from None
    finally:
        desk.close()
    _print_reply(args, reply, actor, _("已提交审批：{id}（{case_no}）"))
    return 0


def _review(args: argparse.Namespace, *, approve: bool, comment: str | None) -> int:
    reply_id = parse_reply_id(args.id)
    desk = open_desk(args)
    try:
        actor = sign_in(desk, args)
        try:
            reply = services.review_reply(desk, actor, reply_id, approve=approve, comment=comment)
        except NotFound as exc:
            raise _reply_not_found(exc) from None
        except ValidationError as exc:
            raise _renamed(exc, {} if approve else {"comment": "reason"}) from None
    finally:
        desk.close()
    message = _("已批准：{id}（{case_no}）") if approve else _("已退回：{id}（{case_no}）")
    _print_reply(args, reply, actor, message)
    return 0


def cmd_reply_approve(args: argparse.Namespace) -> int:
    return _review(args, approve=True, comment=args.comment)


def cmd_reply_return(args: argparse.Namespace) -> int:
    return _review(args, approve=False, comment=args.reason)


def _print_reply(args: argparse.Namespace, reply: ReplyView, actor: Actor, message: str) -> None:
    if args.json:
        print_json(reply_json(reply, actor.timezone))
    else:
        print(message.format(id=reply.id, case_no=reply.case_no))


def cmd_reply_list(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    try:
        actor = sign_in(desk, args)
        found = services.replies_for_case(desk, actor, args.case_no)
    finally:
        desk.close()
    if args.json:
        print_json([reply_json(reply, actor.timezone) for reply in found])
    elif not found:
        print(_("该案件还没有回复"))
    else:
        for reply in found:
            print(reply_line(reply, actor.timezone))
    return 0


def read_attachment(path: str) -> bytes:
    """The file's bytes, at most one more than the services accept (so they refuse it in their words).

    A missing or unreadable path, or a directory, is bad input under ``file``; nothing is read past the
    limit, so a huge file costs no memory.
    """
    from kesu_desktop.services.attachments import MAX_BYTES

    try:
        with Path(path).open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ValidationError.single("file", _("文件不存在：{path}").format(path=path)) from None
    except IsADirectoryError:
        raise ValidationError.single("file", _("不是文件：{path}").format(path=path)) from None
    except OSError as exc:
        raise ValidationError.single("file", _("无法读取文件：{error}").format(error=exc)) from None


def cmd_attach(args: argparse.Namespace) -> int:
    data = read_attachment(args.file)
    name = args.name if args.name is not None else Path(args.file).name
    desk = open_desk(args)
    try:
        actor = sign_in(desk, args)
        attachment = services.add_attachment(desk, actor, args.case_no, name, data)
    finally:
        desk.close()
    if args.json:
        print_json(attachment_json(attachment, args.case_no, actor.timezone))
    else:
        print(
            _("已添加附件：{id}  {name}（{size}，SHA-256 {sha}）").format(
                id=attachment.id,
                name=attachment.filename,
                size=size_text(attachment.size),
                sha=attachment.sha256,
            )
        )
    return 0


def cmd_attachments(args: argparse.Namespace) -> int:
    desk = open_desk(args)
    try:
        actor = sign_in(desk, args)
        found = services.list_attachments(desk, actor, args.case_no)
    finally:
        desk.close()
    if args.json:
        print_json([attachment_json(a, args.case_no, actor.timezone) for a in found])
    elif not found:
        print(_("该案件没有附件"))
    else:
        for attachment in found:
            print(attachment_line(attachment, actor.timezone))
    return 0


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``reply …``, ``attach`` and ``attachments`` to ``kesu`` (called from cli/main.build_parser)."""
    kinds = ", ".join(kind.value for kind in ReplyKind)
    reply = sub.add_parser("reply", parents=[common], help=_("给客户的回复：草稿、提交、审批"))
    reply_sub = reply.add_subparsers(dest="reply_command", required=True, metavar="ACTION")

    text = _(
        "保存回复草稿：读取一个 JSON 对象，键为 kind（{kinds}）、text、solution；"
        "不给 text 时用该类模板并填入案件信息；输出回复编号"
    ).format(kinds=kinds)
    p = reply_sub.add_parser("draft", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_reply_draft)
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("file", nargs="?", metavar="FILE|-", help=_("JSON 文件，- 或省略为标准输入"))
    p.add_argument("--reply", metavar="ID", help=_("修改该案件已有的草稿或被退回的回复"))

    text = _("把草稿提交主管审批（含禁用语时拒绝）")
    p = reply_sub.add_parser("submit", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_reply_submit)
    p.add_argument("id", metavar="ID", help=_("回复编号（见 kesu reply list）"))

    text = _("批准待审批的回复（主管、经理）")
    p = reply_sub.add_parser("approve", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_reply_approve)
    p.add_argument("id", metavar="ID", help=_("回复编号（见 kesu reply list）"))
    p.add_argument("--comment", metavar="TEXT", help=_("审批意见"))

    text = _("退回待审批的回复，须说明修改意见（主管、经理）")
    p = reply_sub.add_parser("return", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_reply_return)
    p.add_argument("id", metavar="ID", help=_("回复编号（见 kesu reply list）"))
    p.add_argument("--reason", metavar="TEXT", required=True, help=_("修改意见"))

    text = _("列出案件的回复：编号、类型、状态、撰写人、审批人、更新时间")
    p = reply_sub.add_parser("list", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_reply_list)
    p.add_argument("case_no", metavar="CASE_NO")

    text = _("给案件添加附件（最大 20 MB）")
    p = sub.add_parser("attach", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_attach)
    p.add_argument("case_no", metavar="CASE_NO")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--name", metavar="NAME", help=_("附件名称（默认：文件名）"))

    text = _("列出案件的附件")
    p = sub.add_parser("attachments", parents=[common], help=text, description=text)
    p.set_defaults(func=cmd_attachments)
    p.add_argument("case_no", metavar="CASE_NO")
