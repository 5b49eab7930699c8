"""回复函: the approved reply on the organisation's letterhead, with the parts docs/domain.md asks of every
reply — the concern, an apology, the cause, the solution, the timeline, any compensation, thanks."""

from __future__ import annotations

import io
import re

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer

from kesu_desktop.domain.enums import DocumentKind
from kesu_desktop.i18n import _, join_clauses
from kesu_desktop.printing.documents.common import events, latest, when
from kesu_desktop.printing.layout import LETTER, RIGHT, SUBTITLE, TITLE, Writer
from kesu_desktop.services.documents import CaseFile

KIND = DocumentKind.REPLY
_DATE_LINE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")  # not translated: finds a template's own date
_APOLOGY_WORDS = ("抱歉", "歉意", "对不起", "致歉")  # not translated: looked for in the text
_THANKS_WORDS = ("感谢", "谢谢")


def _timeline(file: CaseFile) -> str | None:
    c = file.case
    if c.resolved_at:
        return _("已于{at}处理完成").format(at=when(file, c.resolved_at))
    due = latest(file, "plan_proposed", "due")
    if due:
        return _("预计于{at}前完成").format(at=when(file, due))
    if c.resolve_by:
        return _("将于{at}前处理完毕").format(at=when(file, c.resolve_by))
    return None


def story(file: CaseFile, w: Writer, issued_on: str) -> list[Flowable]:
    c = file.case
    body = file.approved_replies[-1]
    paragraphs = [line.strip() for line in body.splitlines() if line.strip()]
    # The template's own sign-off (organisation, date) gives way to the letter's, with the seal.
    while len(paragraphs) > 1 and (
        paragraphs[-1] in (file.organisation, file.office_name) or _DATE_LINE.fullmatch(paragraphs[-1])
    ):
        paragraphs.pop()
    out: list[Flowable] = [
        w.p(_("回复函"), TITLE),
        w.p(_("投诉编号：{no}").format(no=c.case_no), SUBTITLE),
        Spacer(1, 8),
    ]
    if not paragraphs[0].startswith(_("尊敬的")):
        out.append(
            w.p(_("尊敬的{name}：").format(name=c.customer_name), LETTER.clone("salute", firstLineIndent=0))
        )
    out += [w.p(line, LETTER) for line in paragraphs]
    if not any(word in body for word in _APOLOGY_WORDS):
        out.append(w.p(_("对此给您带来的不便，我们深表歉意。"), LETTER))
    measures = join_clauses(e.payload.get("measures", "") for e in events(file, "plan_proposed"))
    out += [
        w.heading(_("处理情况")),
        w.fields(
            [
                (_("您反映的问题"), c.description),
                (_("原因"), latest(file, "plan_proposed", "cause") or _("经核查后另行告知")),
                (_("解决方案"), latest(file, "resolved", "result") or measures or None),
                (_("时间安排"), _timeline(file)),
                (_("补偿"), latest(file, "resolved", "compensation") or _("无")),
            ],
            columns=1,
        ),
        Spacer(1, 6),
    ]
    contact = file.contact or file.office_name
    closing = _("如对处理结果有疑问，请联系 {contact} 并告知投诉编号 {no}。").format(
        contact=contact, no=c.case_no
    )
    if not any(word in body for word in _THANKS_WORDS):
        closing += _("感谢您对我们工作的理解与支持！")
    out.append(w.p(closing, LETTER))
    tail: list[Flowable] = [Spacer(1, 10)]
    if file.seal_png:
        tail.append(
            Image(
                io.BytesIO(file.seal_png), width=36 * mm, height=36 * mm, kind="proportional", hAlign="RIGHT"
            )
        )
    else:
        tail.append(w.p(_("（单位盖章）"), RIGHT))
    tail += [w.p(file.organisation, RIGHT), w.p(issued_on, RIGHT)]
    out.append(KeepTogether(tail))
    return out
