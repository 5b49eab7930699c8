"""Render one sample of every printed document into docs/ (PDF page 1 as PNG), for the README and review.

    .venv/bin/python scripts/print-samples.py [OUT_DIR] [--lang en|zh_TW]

Builds a throw-away database, works one complaint through the services (registration, a signature
captured from pen strokes, plan, escalation, approved reply, resolution) and issues each document the
way the desktop does. Needs ``pdftoppm`` (poppler-utils). With ``--lang`` the documents are printed in that
language (``print-receipt-en.png``); the office is still set up in Chinese, as a head office would be.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kesu_desktop import i18n, services  # noqa: E402
from kesu_desktop.domain.enums import Role  # noqa: E402
from kesu_desktop.printing.issue import issue_document  # noqa: E402
from kesu_desktop.services import Desk, documents  # noqa: E402
from kesu_desktop.services.certificates import set_seal  # noqa: E402


def scribble() -> tuple[list[list[list[float]]], bytes]:
    """Pen strokes of a signature and their picture (what the signature pad hands over)."""
    strokes = [
        [[40 + t * 3, 60 + 25 * math.sin(t / 4), 0.4 + 0.3 * math.sin(t / 7), t * 12] for t in range(60)],
        [[90 + t * 2, 40 + t * 1.2, 0.7, 900 + t * 12] for t in range(40)],
    ]
    image = Image.new("RGBA", (400, 130), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line([(x, y) for x, y, _p, _t in stroke], fill=(20, 30, 110, 255), width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return strokes, out.getvalue()


def seal(name: str) -> bytes:
    """A red round seal with the organisation's name, as an admin would scan and upload it."""
    from PIL import ImageFont

    size = 360
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 30, 30, 230)
    draw.ellipse((10, 10, size - 10, size - 10), outline=red, width=12)
    font = ImageFont.truetype(str(ROOT / "resources/fonts/wqy-microhei.ttc"), 34, index=0)
    for i, ch in enumerate(name):
        angle = math.radians(150 + i * (240 / max(1, len(name) - 1)))
        x, y = size / 2 + 135 * math.cos(angle), size / 2 + 135 * math.sin(angle)
        draw.text((x, y), ch, fill=red, font=font, anchor="mm")
    draw.regular_polygon((size / 2, size / 2, 50), 5, rotation=90, fill=red)
    draw.text((size / 2, size / 2 + 95), "投诉专用章", fill=red, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def main(out_dir: Path, language: str | None = None) -> None:
    tmp = Path(tempfile.mkdtemp())
    os.environ["KESU_DATA_DIR"] = str(tmp)
    desk = Desk.open(f"sqlite:///{tmp / 'samples.db'}", node_id="samples")
    services.initialize(
        desk, office_code="BJ01", office_name="北京总部", admin="admin", password="admin-pass-1"
    )
    admin = services.login(desk, "admin", "admin-pass-1")
    if language:
        i18n.set_language(language)
    services.set_setting(desk, admin, "print_organisation", "北京某某家电服务有限公司")
    services.set_setting(desk, admin, "print_contact", "400-800-1234")
    set_seal(desk, admin, seal("北京某某家电服务有限公司"))
    staff = {
        "alice": (Role.FRONT_DESK, "李小丽"),
        "bob": (Role.SPECIALIST, "赵专员"),
        "carol": (Role.SUPERVISOR, "王主管"),
    }
    for name, (role, display) in staff.items():
        services.add_user(
            desk, admin, username=name, password=f"{name}-pass-12", role=role, display_name=display
        )
    alice, bob, carol = (services.get_actor(desk, n) for n in staff)
    case = services.register_case(
        desk,
        alice,
        {
            "customer_name": "张三",
            "phone": "13800138000",
            "channel": "counter",
            "product": "BCD-520 对开门冰箱",
            "location": "朝阳门店",
            "description": "十一月初在朝阳门店购买的冰箱，使用一周后冷藏室不制冷，食物变质。"
            "门店上门检查后说要等配件，至今已两周没有消息，多次致电客服也没有得到明确答复。",
            "demand": "更换新机或全额退款，并赔偿变质食物的损失",
            "category": "product_quality",
        },
    )
    no = case.case_no
    strokes, png = scribble()
    sig = documents.capture_signature(
        desk, alice, no, purpose="receipt", signer="张三", strokes=strokes, png=png
    )
    documents.mark_signed(desk, alice, no, "receipt", signature_id=sig.id)
    pdfs = {"receipt": issue_document(desk, alice, "receipt", no).pdf}
    services.act(desk, bob, no, "verify", {"valid": True})
    services.act(desk, bob, no, "assign", {"assignee": "bob"})
    services.act(desk, bob, no, "log", {"channel": "phone", "summary": "致电客户致歉，约定次日上门检测"})
    services.act(
        desk,
        bob,
        no,
        "plan",
        {
            "cause": "压缩机启动电容故障，配件库存不足导致维修延误",
            "measures": "48 小时内调拨配件上门更换，并检测制冷效果",
            "due": "2026-12-04T18:00:00+08:00",
        },
    )
    services.act(desk, carol, no, "approve_plan", {})
    services.act(desk, bob, no, "escalate", {"reason": "客户对维修延误不满，要求退货"})
    body = services.compose_reply(
        desk, bob, no, "solution", "为您办理整机退货并全额退款，同时赔偿食物损失 200 元"
    )
    reply = services.save_reply_draft(desk, bob, no, "solution", body)
    services.submit_reply(desk, bob, reply.id)
    services.review_reply(desk, carol, reply.id, approve=True)
    services.act(
        desk,
        bob,
        no,
        "resolve",
        {"result": "已办理整机退货并全额退款", "compensation": "赔偿食物损失 200 元"},
    )
    for kind in ("reply", "confirmation", "record", "escalation"):
        pdfs[kind] = issue_document(desk, carol, kind, no).pdf
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = f"-{language}" if language else ""
    for kind, pdf in pdfs.items():
        path = tmp / f"{kind}.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(path),
                str(out_dir / f"print-{kind}{suffix}"),
            ],
            check=True,
        )
        print(out_dir / f"print-{kind}{suffix}.png")
    desk.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    chosen = args[args.index("--lang") + 1] if "--lang" in args[:-1] else None
    rest = [a for i, a in enumerate(args) if a != "--lang" and (i == 0 or args[i - 1] != "--lang")]
    main(Path(rest[0]) if rest else ROOT / "docs", chosen)
