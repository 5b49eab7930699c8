"""Reading issued PDFs back (text, pages, events) and a case worked all the way to closed."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from kesu_desktop import services
from kesu_desktop.services import Desk
from tests.helpers.data import People, complaint


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF with whitespace removed (wrapping puts line breaks anywhere in Chinese)."""
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def body_text(pdf: bytes, header: str) -> str:
    """The text of the pages without their header and footer (drawn last, so extracted last), joined:
    what a reader gets by reading the pages one after another."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        text = re.sub(r"\s+", "", page.extract_text() or "")
        cut = text.rfind(header)
        assert cut >= 0, "page without its header"
        out.append(text[:cut])
    return "".join(out)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def events_of(desk: Desk, people: People, case_no: str, kind: str) -> list[dict]:
    return [e.payload for e in services.get_case(desk, people.carol, case_no).events if e.kind == kind]


def worked_case(desk: Desk, people: People, **overrides: object) -> str:
    """A complaint taken from registration to an approved reply, a resolution and an escalation."""
    case = services.register_case(desk, people.alice, complaint(**overrides))
    no = case.case_no
    services.act(desk, people.bob, no, "verify", {"valid": True})
    services.act(desk, people.bob, no, "assign", {"assignee": "bob"})
    services.act(
        desk, people.bob, no, "log", {"channel": "phone", "summary": "致电客户说明将安排上门检测，客户同意"}
    )
    services.act(
        desk,
        people.bob,
        no,
        "plan",
        {
            "cause": "压缩机启动电容故障",
            "measures": "上门更换启动电容并检测制冷",
            "due": "2026-11-27T18:00:00+08:00",
        },
    )
    services.act(desk, people.carol, no, "approve_plan", {})
    services.act(
        desk,
        people.bob,
        no,
        "escalate",
        {"reason": "客户不满意维修方案，要求退货", "assessment": "维修员未按时回访，扣减当月绩效"},
    )
    body = services.compose_reply(desk, people.bob, no, "solution", "为您办理退货退款并赔偿食物损失")
    reply = services.save_reply_draft(desk, people.bob, no, "solution", body)
    services.submit_reply(desk, people.bob, reply.id)
    services.review_reply(desk, people.carol, reply.id, approve=True)
    services.act(
        desk,
        people.bob,
        no,
        "resolve",
        {"result": "已为客户办理退货退款", "compensation": "赔偿食物损失200元"},
    )
    return no
