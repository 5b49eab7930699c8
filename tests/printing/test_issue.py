"""Issued documents as a customer or a supervisor holds them: the text on the paper, pages, archive."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pypdfium2
import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.printing.fonts import MissingGlyphs
from kesu_desktop.printing.issue import issue_document
from kesu_desktop.services import Desk, documents
from tests.helpers.data import MutableClock, People, complaint
from tests.helpers.printing import body_text, events_of, page_count, pdf_text, worked_case


def test_receipt_carries_case_number_customer_demand_and_promised_times(
    desk: Desk, people: People, registered: str
) -> None:
    issued = issue_document(desk, people.alice, "receipt", registered)
    text = pdf_text(issued.pdf)
    assert registered in text
    assert "张三" in text and "退款" in text and "冰箱不制冷" in text
    assert "客户投诉受理回执" in text and "首次响应" in text and "处理完成" in text
    assert "138****8000" in text and "13800138000" not in text  # the phone is masked on the customer's copy
    assert "第1页共1页" in text


def test_issued_pdf_is_archived_with_its_hash_and_an_event(
    desk: Desk, people: People, registered: str
) -> None:
    issued = issue_document(desk, people.alice, "receipt", registered)
    sha = hashlib.sha256(issued.pdf).hexdigest()
    assert issued.document.sha256 == sha
    assert documents.document_pdf(desk, people.alice, issued.document.id) == issued.pdf
    [event] = events_of(desk, people, registered, "document_issued")
    assert event["sha256"] == sha and event["document"] == "receipt"
    assert event["content_sha256"] == issued.document.content_sha256
    assert event["signed"] is True


def test_a_5000_character_description_flows_over_pages_and_all_of_it_is_printed(
    desk: Desk, people: People
) -> None:
    description = "".join(f"第{i:04d}句冰箱不制冷食物变质。" for i in range(1, 400))[:5000]
    assert len(description) == 5000
    no = services.register_case(desk, people.alice, complaint(description=description)).case_no
    for kind, who in (("receipt", people.alice), ("record", people.carol)):
        issued = issue_document(desk, who, kind, no)
        assert issued.document.pages >= 3, kind
        assert page_count(issued.pdf) == issued.document.pages
        assert description in body_text(issued.pdf, f"北京总部{issued.document.label}{no}"), kind
        assert f"共{issued.document.pages}页" in pdf_text(issued.pdf)


def test_long_texts_in_every_document_flow_onto_further_pages(desk: Desk, people: People) -> None:
    description = "".join(f"第{i:04d}句压缩机异响。" for i in range(1, 600))[:5000]
    no = worked_case(desk, people, description=description)
    for kind in ("reply", "confirmation", "record", "escalation"):
        issued = issue_document(desk, people.carol, kind, no)
        assert issued.document.pages >= 3, kind
        assert description in body_text(issued.pdf, f"北京总部{issued.document.label}{no}"), kind


def test_every_document_of_a_worked_case_prints_its_own_sections(desk: Desk, people: People) -> None:
    no = worked_case(desk, people)
    texts = {
        kind: pdf_text(issue_document(desk, people.carol, kind, no).pdf)
        for kind in ("reply", "confirmation", "record", "escalation")
    }
    reply = texts["reply"]
    assert "回复函" in reply and "尊敬的张三" in reply
    assert "压缩机启动电容故障" in reply  # cause
    assert "已为客户办理退货退款" in reply and "赔偿食物损失200元" in reply  # solution, compensation
    assert "歉" in reply and "感谢" in reply  # apology and thanks
    assert "为您办理退货退款并赔偿食物损失" in reply  # the approved body itself
    assert "已为客户办理退货退款" in texts["confirmation"] and "客户签名" in texts["confirmation"]
    record = texts["record"]
    for expected in (
        "客户投诉登记处理单",
        "处理时间线",
        "客户沟通记录",
        "致电客户说明将安排上门检测",
        "升级",
    ):
        assert expected in record
    report = texts["escalation"]
    for section in ("一、事件背景", "二、处理经过", "三、客户意见", "四、处理措施", "五、回复口径"):
        assert section in report
    assert "上门更换启动电容并检测制冷" in report  # the measure, in the table
    assert "2026年11月27日" in report  # the measure's due date
    assert "员工考核结果：维修员未按时回访，扣减当月绩效" in report


def test_the_escalation_report_lists_the_customers_earlier_complaints(
    desk: Desk, people: People, clock: MutableClock
) -> None:
    """Read for the escalation report only (case_file skips them for other documents)."""
    earlier = services.register_case(desk, people.alice, complaint(category="logistics")).case_no
    clock.advance(days=2)
    no = worked_case(desk, people)
    report = pdf_text(issue_document(desk, people.carol, "escalation", no).pdf).replace("\n", "")
    assert earlier in report


def test_reply_letter_waits_for_an_approved_reply_and_nothing_is_archived(
    desk: Desk, people: People, registered: str
) -> None:
    with pytest.raises(NotAllowed, match="已批准的回复"):
        issue_document(desk, people.carol, "reply", registered)
    assert documents.documents_for_case(desk, people.carol, registered) == []
    assert events_of(desk, people, registered, "document_issued") == []


def test_front_desk_may_not_print_case_records(desk: Desk, people: People, registered: str) -> None:
    with pytest.raises(NotAllowed, match="不能打印"):
        issue_document(desk, people.alice, "record", registered)


def test_escalation_report_only_for_escalated_cases(desk: Desk, people: People, registered: str) -> None:
    with pytest.raises(NotAllowed, match="未升级"):
        issue_document(desk, people.carol, "escalation", registered)


def test_a_character_no_font_has_is_reported_before_printing_then_printed_as_its_code(
    desk: Desk, people: People
) -> None:
    no = services.register_case(desk, people.alice, complaint(customer_name="张\U000f0000")).case_no
    with pytest.raises(MissingGlyphs) as caught:
        issue_document(desk, people.alice, "receipt", no)
    assert caught.value.chars == ["\U000f0000"] and "U+F0000" in str(caught.value)
    assert documents.documents_for_case(desk, people.alice, no) == []
    issued = issue_document(desk, people.alice, "receipt", no, allow_missing=True)
    assert "张〔U+F0000〕" in pdf_text(issued.pdf)


def test_rare_characters_in_a_name_come_from_the_fallback_font(desk: Desk, people: People) -> None:
    name = "王\U00020000\u3400"  # CJK extension B and A: not in WenQuanYi
    no = services.register_case(desk, people.alice, complaint(customer_name=name)).case_no
    pdf = issue_document(desk, people.alice, "receipt", no).pdf
    assert name in pdf_text(pdf)
    assert b"HanaMin" in pdf  # the fallback font is embedded


def test_page_one_renders_with_ink_in_the_text_area(desk: Desk, people: People, registered: str) -> None:
    pdf = issue_document(desk, people.alice, "receipt", registered).pdf
    doc = pypdfium2.PdfDocument(pdf)
    image = doc[0].render(scale=1).to_pil().convert("L")
    width, height = image.size
    body = image.crop((int(width * 0.1), int(height * 0.1), int(width * 0.9), int(height * 0.5)))
    dark = body.point(lambda v: 255 if v < 128 else 0).histogram()[255]
    assert dark > 2000, dark  # a blank box or missing font leaves this area white
    doc.close()


def test_printing_and_exporting_are_recorded_on_the_case(desk: Desk, people: People, registered: str) -> None:
    issued = issue_document(desk, people.alice, "receipt", registered)
    documents.record_output(desk, people.alice, issued.document.id, how="printed", target="前台打印机")
    documents.record_output(desk, people.alice, issued.document.id, how="exported", target="/tmp/a.pdf")
    printed = events_of(desk, people, registered, "document_printed")
    exported = events_of(desk, people, registered, "document_exported")
    assert printed[0]["target"] == "前台打印机" and exported[0]["target"] == "/tmp/a.pdf"
    view = services.get_case(desk, people.carol, registered)
    assert [e.actor for e in view.events if e.kind.startswith("document_")] == ["alice"] * 3


def test_archived_pdf_bytes_are_a_pdf_a_viewer_opens(desk: Desk, people: People, registered: str) -> None:
    pdf = issue_document(desk, people.alice, "receipt", registered).pdf
    assert pdf.startswith(b"%PDF-")
    assert len(pypdfium2.PdfDocument(io.BytesIO(pdf))) == 1


def test_the_qr_code_on_every_page_reads_back_case_document_and_content_hash(
    desk: Desk, people: People, tmp_path: Path
) -> None:
    description = "冰箱不制冷，" * 900
    no = services.register_case(desk, people.alice, complaint(description=description)).case_no
    issued = issue_document(desk, people.carol, "record", no)
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(issued.pdf)
    expected = f"KESU1|{no}|{issued.document.id}|{issued.document.content_sha256}"
    for page in (1, issued.document.pages):
        png = tmp_path / f"page{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "200",
                "-png",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(pdf),
                str(png),
            ],
            check=True,
        )
        read = subprocess.run(
            ["zbarimg", "--raw", "-q", f"{png}.png"], capture_output=True, text=True, check=True
        )
        assert read.stdout.strip() == expected


def test_the_phone_extension_is_printed_wherever_the_phone_is(desk: Desk, people: People) -> None:
    no = services.register_case(desk, people.alice, complaint(phone="0898-67402372转613")).case_no
    receipt = pdf_text(issue_document(desk, people.alice, "receipt", no).pdf)
    assert "****2372转613" in receipt  # the customer's copy: masked number, extension kept
    record = pdf_text(issue_document(desk, people.carol, "record", no).pdf)
    assert "+8689867402372转613" in record


def test_printed_times_are_the_case_offices_and_the_record_timeline_names_what_it_shows(
    desk: Desk, people: People
) -> None:
    """An office whose time-zone setting says Tokyo: the receipt, its footer and the record say Tokyo."""
    services.set_setting(desk, people.admin, "timezone", "Asia/Tokyo", office="BJ01")
    alice = services.get_actor(desk, "alice")
    no = services.register_case(desk, alice, complaint()).case_no  # 2026-11-23 02:00 UTC
    receipt = pdf_text(issue_document(desk, alice, "receipt", no).pdf)
    assert "2026年11月23日11:00" in receipt and "2026年11月23日10:00" not in receipt
    assert "2026/11/2311:00" in receipt  # the footer's issue time
    services.act(desk, people.alice, no, "verify", {"valid": True})
    services.act(desk, people.bob, no, "assign", {"department": "AS", "assignee": "dave"})
    promised = "2026-11-24T10:00:00+09:00"
    services.act(
        desk, people.dave, no, "log", {"channel": "phone", "summary": "约定上门", "promised_at": promised}
    )
    record = pdf_text(issue_document(desk, people.carol, "record", no).pdf)
    assert "售后服务部" in record  # the timeline names the department, not its code
    assert "2026年11月24日10:00" in record and "承诺回复：2026/11/2410:00" in record
    assert "+8613800138000" in record  # the office's own copy, printed by a supervisor
