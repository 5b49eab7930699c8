"""``kesu report monthly|staff`` through the real command: JSON figures, the PDF, refusals."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import COMPLAINT, USERS, Kesu, setup
from tests.helpers.printing import pdf_text

CAROL = ("carol", USERS["carol"][2])
REPORT_TIME = "2026-12-02T10:00:00+08:00"


def _register(kesu: Kesu, when: str, **overrides: object) -> None:
    done = kesu(
        "--now",
        when,
        "register",
        user="alice",
        password=USERS["alice"][2],
        stdin=json.dumps(COMPLAINT | overrides),
    )
    assert done.code == 0, done.err


def test_monthly_report_as_json_and_pdf_and_who_may_ask(kesu: Kesu, tmp_path: Path) -> None:
    setup(kesu)
    _register(kesu, "2026-10-20T10:00:00+08:00")
    _register(kesu, "2026-11-05T10:00:00+08:00", channel="phone")
    _register(kesu, "2026-11-06T10:00:00+08:00", category="billing_dispute", phone="13900139000")

    done = kesu(
        "--now", REPORT_TIME, "report", "monthly", "2026-11", "--json", user=CAROL[0], password=CAROL[1]
    )
    assert done.code == 0, done.err
    figures = done.json
    assert figures["month"] == "2026-11" and figures["total"] == 2 and figures["previous_total"] == 1
    assert figures["by_category"] == {"billing_dispute": 1, "product_quality": 1}
    assert figures["by_channel"] == {"counter": 1, "phone": 1}
    assert set(figures["satisfaction"]) == {"efficiency", "attitude", "solution"}
    assert 0 <= figures["on_time_response_rate"] <= 1  # both deadlines (4 or 8 working hours) are long past

    out = tmp_path / "report.pdf"
    done = kesu(
        "--now", REPORT_TIME, "report", "monthly", "2026-11", "-o", str(out), user=CAROL[0], password=CAROL[1]
    )
    assert done.code == 0, done.err
    text = pdf_text(out.read_bytes())
    assert "月度投诉分析报告" in text and "产品质量" in text and "计费争议" in text

    done = kesu(
        "--lang",
        "en",
        "--now",
        REPORT_TIME,
        "report",
        "monthly",
        "2026-11",
        "-o",
        str(out),
        user=CAROL[0],
        password=CAROL[1],
    )
    assert done.code == 0, done.err
    assert "Monthlycomplaintanalysisreport" in pdf_text(out.read_bytes())

    done = kesu(
        "--now", REPORT_TIME, "report", "monthly", "2026-11", user="alice", password=USERS["alice"][2]
    )
    assert done.code == 3 and "not allowed" in done.err
    done = kesu("report", "monthly", "2026/11", user=CAROL[0], password=CAROL[1])
    assert done.code == 2 and done.err.startswith("month: ")
    done = kesu(
        "report", "monthly", "2026-11", "-o", str(tmp_path / "no" / "r.pdf"), user=CAROL[0], password=CAROL[1]
    )
    assert done.code == 2 and done.err.startswith("output: ")

    done = kesu(
        "--now", REPORT_TIME, "report", "staff", "2026-11", "--json", user=CAROL[0], password=CAROL[1]
    )
    assert done.code == 0, done.err
    assert done.json == {"month": "2026-11", "office": None, "staff": []}  # nobody assigned yet
