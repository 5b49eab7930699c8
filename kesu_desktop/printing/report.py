"""The 月度投诉分析报告 as an A4 PDF: the figures of ``services.monthly_report`` in tables and charts.

Charts are ``reportlab.graphics`` drawings (bars for categories, offices and departments, a pie for the
channels) with labels in the documents' font, so Chinese and Traditional labels draw as text, not boxes.
The report is not a letter to a customer: it is not signed or archived on a case; its footer carries
the digest of its texts like every printed document, so a copy can be compared with a fresh print.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from kesu_desktop.domain.enums import Channel
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.formatting import number_text, percent_text
from kesu_desktop.i18n import _
from kesu_desktop.printing.fonts import BODY
from kesu_desktop.printing.layout import FRAME_W, SUBTITLE, TITLE, Meta, Writer, render
from kesu_desktop.services import Figures

PALETTE = [colors.HexColor(c) for c in ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#c62828")]
#: At most this many bars per chart; the rest are summed as "其他".
MOST_BARS = 11


def rate_text(value: float | None) -> str:
    return "—" if value is None else percent_text(value)


def score_text(value: float | None) -> str:
    return "—" if value is None else number_text(round(value, 2))


def change_text(figures: Figures) -> str:
    if figures.change is None:
        return _("上月无投诉")
    sign = "+" if figures.change > 0 else ""
    return _("较上月 {sign}{change}（上月 {previous} 件）").format(
        sign=sign, change=percent_text(figures.change), previous=number_text(figures.previous_total)
    )


def channel_name(code: str) -> str:
    try:
        return Channel(code).label
    except ValueError:
        return code


def department_name(figures: Figures, code: str) -> str:
    return _("未分派") if code == "unassigned" else figures.name(code)


def _top(counts: dict[str, int]) -> list[tuple[str, int]]:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if len(items) <= MOST_BARS:
        return items
    rest = sum(n for _code, n in items[MOST_BARS - 1 :])
    return [*items[: MOST_BARS - 1], ("…", rest)]


def bar_chart(writer: Writer, counts: dict[str, int], name: Callable[[str], str]) -> Drawing:
    """Horizontal bars, largest on top, each labelled with its name and count."""
    items = _top(counts)
    labels = [writer.plain(_("其他") if code == "…" else name(code)) for code, _n in items]
    height = max(22 * mm, len(items) * 7 * mm + 12 * mm)
    drawing = Drawing(FRAME_W, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 42 * mm, 6 * mm
    chart.width, chart.height = FRAME_W - 62 * mm, height - 10 * mm
    chart.data = [[n for _code, n in reversed(items)] or [0]]
    chart.categoryAxis.categoryNames = list(reversed(labels)) or [""]
    chart.categoryAxis.labels.fontName = BODY
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = BODY
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e0e4e8")
    top = max((n for _code, n in items), default=0)
    chart.valueAxis.valueMax = max(top * 1.15, 1)
    chart.valueAxis.valueStep = max(1, round(chart.valueAxis.valueMax / 5))
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = BODY
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def pie_chart(writer: Writer, counts: dict[str, int]) -> Drawing:
    """The channels as a pie with a legend of names, counts and shares."""
    items = _top(counts)
    total = sum(n for _code, n in items) or 1
    drawing = Drawing(FRAME_W, 48 * mm)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 8 * mm, 4 * mm, 40 * mm, 40 * mm
    pie.data = [n for _code, n in items] or [1]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    for i in range(len(pie.data)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)] if items else colors.HexColor("#cccccc")
    drawing.add(pie)
    for i, (code, n) in enumerate(items):
        y = 40 * mm - i * 6 * mm
        label = writer.plain(
            _("{name}：{count} 件（{share}）").format(
                name=_("其他") if code == "…" else channel_name(code),
                count=number_text(n),
                share=percent_text(n / total),
            )
        )
        swatch = String(60 * mm, y, "■", fontName=BODY, fontSize=10, fillColor=PALETTE[i % len(PALETTE)])
        drawing.add(swatch)
        drawing.add(String(66 * mm, y, label, fontName=BODY, fontSize=9))
    return drawing


def story(figures: Figures, writer: Writer) -> list[Flowable]:
    w = writer
    office = figures.name(figures.office) if figures.office else _("全部网点")
    out: list[Flowable] = [
        w.p(_("月度投诉分析报告"), TITLE),
        w.p(
            _("{period}　{office}　编制于 {made}").format(
                period=_period_title(figures),
                office=office,
                made=local_time(figures.made_at, figures.timezone),
            ),
            SUBTITLE,
        ),
        Spacer(1, 4 * mm),
        w.heading(_("总体情况")),
        w.fields(
            [
                (_("本月投诉"), _("{n} 件").format(n=number_text(figures.total))),
                (_("环比"), change_text(figures)),
                (_("按时响应率"), rate_text(figures.on_time_response_rate)),
                (_("按时解决率"), rate_text(figures.on_time_resolution_rate)),
                (_("重复投诉率"), rate_text(figures.repeat_rate)),
                (_("升级案件"), _("{n} 件").format(n=number_text(figures.escalated))),
                (_("月末超时未结"), _("{n} 件").format(n=number_text(figures.overdue_open))),
                (_("已回访"), _("{n} 件").format(n=number_text(figures.surveyed))),
            ]
        ),
        w.p(
            _(
                "按时率按网点工作日历计的工作时限判定：已响应（解决）或时限已过的案件计入，"
                "仍在时限内的不计。满意度为 1–5 分的平均值。"
            ),
            SUBTITLE,
        ),
        w.heading(_("按投诉类别")),
        bar_chart(w, figures.by_category, figures.name),
        w.heading(_("按投诉渠道")),
        pie_chart(w, figures.by_channel),
    ]
    if len(figures.by_office) > 1 or figures.office is None:
        out += [w.heading(_("按网点")), bar_chart(w, figures.by_office, figures.name)]
    out += [
        w.heading(_("按责任部门")),
        bar_chart(w, figures.by_department, lambda code: department_name(figures, code)),
        w.heading(_("客户满意度")),
        w.grid(
            [_("效率"), _("态度"), _("解决方案"), _("回访件数")],
            [
                [
                    score_text(figures.satisfaction["efficiency"]),
                    score_text(figures.satisfaction["attitude"]),
                    score_text(figures.satisfaction["solution"]),
                    number_text(figures.surveyed),
                ]
            ],
            [FRAME_W / 4] * 4,
        ),
        w.heading(_("主要问题（按类别与产品）")),
    ]
    if figures.top_problems:
        out.append(
            w.grid(
                [_("序号"), _("问题"), _("件数"), _("占比")],
                [
                    [
                        str(i),
                        p.label,
                        number_text(p.count),
                        percent_text(p.count / figures.total) if figures.total else "—",
                    ]
                    for i, p in enumerate(figures.top_problems, start=1)
                ],
                [14 * mm, FRAME_W - 58 * mm, 22 * mm, 22 * mm],
            )
        )
    else:
        out.append(w.p(_("本月无投诉。")))
    return out


def _period_title(figures: Figures) -> str:
    period = figures.period
    if period.is_month:
        return _("{year} 年 {month} 月").format(year=period.first.year, month=period.first.month)
    return _("{first} 至 {last}").format(first=period.first.isoformat(), last=period.last.isoformat())


def monthly_report_pdf(figures: Figures, made_by: str) -> tuple[bytes, int]:
    """The report's PDF bytes and page count."""
    writer = Writer()
    flowables = story(figures, writer)
    digest = hashlib.sha256("\n".join(writer.texts).encode("utf-8")).hexdigest()
    meta = Meta(
        title=_("月度投诉分析报告"),
        organisation=figures.organisation or _("客诉台"),
        case_no=figures.period.code + (f" {figures.office}" if figures.office else ""),
        document_id=str(uuid.uuid4())[:8],
        content_sha256=digest,
        issued_at=local_time(figures.made_at, figures.timezone),
        issued_by=made_by,
    )
    return render(meta, writer, flowables, allow_missing=True)
