"""投诉登记处理单: the supervisor's file copy — every field, the whole timeline and the communication
log, over as many pages as it takes."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from kesu_desktop.domain.enums import Channel, DocumentKind
from kesu_desktop.i18n import _
from kesu_desktop.printing.documents.common import (
    complainant_rows,
    complaint_rows,
    events,
    handling_rows,
    label,
    person,
    survey_text,
    when,
)
from kesu_desktop.printing.layout import FRAME_W, SUBTITLE, TITLE, Writer
from kesu_desktop.services.documents import CaseFile

KIND = DocumentKind.RECORD


def story(file: CaseFile, w: Writer, issued_on: str) -> list[Flowable]:
    del issued_on
    c = file.case
    out: list[Flowable] = [
        w.p(_("客户投诉登记处理单"), TITLE),
        w.p(_("{org} · 投诉编号 {no}").format(org=file.organisation, no=c.case_no), SUBTITLE),
        w.heading(_("投诉人")),
        w.fields(complainant_rows(file, customer_copy=False)),
        w.heading(_("投诉信息")),
        w.fields(complaint_rows(file)),
        w.heading(_("投诉内容")),
        w.p(c.description),
        w.heading(_("客户诉求")),
        w.p(c.demand or _("（未填写）")),
        w.heading(_("处理信息")),
        w.fields([*handling_rows(file), (_("满意度"), survey_text(file))]),
        w.heading(_("处理时间线")),
        w.grid(
            [_("时间"), _("操作人"), _("事项"), _("内容")],
            [
                [when(file, line.at), person(file, line.actor), line.label, line.summary_with_note]
                for line in c.timeline
            ],
            [30 * mm, 28 * mm, 24 * mm, FRAME_W - 82 * mm],
        ),
        w.heading(_("客户沟通记录")),
    ]
    logs = events(file, "communication_logged")
    if logs:
        out.append(
            w.grid(
                [_("时间"), _("渠道"), _("沟通人"), _("沟通内容/承诺"), _("下次承诺时间")],
                [
                    [
                        when(file, e.at),
                        label(Channel, e.payload.get("channel")) if e.payload.get("channel") else None,
                        person(file, e.actor),
                        e.payload.get("summary"),
                        when(file, e.payload.get("promised_at")),
                    ]
                    for e in logs
                ],
                [30 * mm, 24 * mm, 26 * mm, FRAME_W - 110 * mm, 30 * mm],
            )
        )
    else:
        out.append(w.p(_("（暂无沟通记录）")))
    return out
