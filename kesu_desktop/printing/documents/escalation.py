"""升级投诉报告 in the five sections of docs/domain.md: background, handling so far (facts, not dialogue), the
customer's opinion, measures (each with an owner and a due date), and the reply statement (回复口径)."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from kesu_desktop.domain.enums import Channel, DocumentKind, Status
from kesu_desktop.i18n import _, join_clauses
from kesu_desktop.printing.documents.common import events, label, latest, person, when
from kesu_desktop.printing.layout import FRAME_W, SUBTITLE, TITLE, Writer
from kesu_desktop.services.documents import CaseFile
from kesu_desktop.services.views import TimelineLine

KIND = DocumentKind.ESCALATION
#: What counts as handling (section 2): contacts and the steps taken, not bookkeeping.
_HANDLING = (
    "verified",
    "assigned",
    "plan_proposed",
    "plan_approved",
    "plan_rejected",
    "communication_logged",
    "resolved",
    "objection_recorded",
    "escalated",
    "reopened",
    "severity_raised",
)


def _handling_line(file: CaseFile, line: TimelineLine) -> str:
    if line.kind == "communication_logged":
        channel = line.details.get("channel")
        how = label(Channel, channel) if channel else ""
        return _("{at}，{who}通过{how}联系客户：{what}").format(
            at=when(file, line.at),
            who=person(file, line.actor),
            how=how,
            what=line.details.get("summary") or "",
        )
    return _("{at}，{who}：{what}{detail}").format(
        at=when(file, line.at),
        who=person(file, line.actor),
        what=line.label,
        detail=_("（{summary}）").format(summary=line.summary) if line.summary else "",
    )


def story(file: CaseFile, w: Writer, issued_on: str) -> list[Flowable]:
    del issued_on
    c = file.case
    earlier = join_clauses(
        _("{case_no}（{date}，{status}）").format(
            case_no=r.case_no, date=when(file, r.created_at, time=False), status=label(Status, r.status)
        )
        for r in file.earlier_cases
    )
    causes = join_clauses(e.payload["cause"] for e in events(file, "plan_proposed") if e.payload.get("cause"))
    reasons = join_clauses(e.payload.get("reason") or "" for e in events(file, "escalated"))
    out: list[Flowable] = [
        w.p(_("升级投诉报告"), TITLE),
        w.p(
            _("{org} · 投诉编号 {no} · 第 {n} 次升级").format(
                org=file.organisation, no=c.case_no, n=c.escalation_level
            ),
            SUBTITLE,
        ),
        w.heading(_("一、事件背景")),
        w.fields(
            [
                (_("客户姓名"), c.customer_name),
                (_("房号"), c.room_no),
                (_("工作单位"), c.employer),
                (_("投诉类型"), file.category_name),
                (_("受理时间"), when(file, c.created_at)),
                (_("责任部门"), file.department_name),
                (_("此前投诉"), earlier or _("无")),
                (_("升级原因"), reasons or None),
                (_("原因分析"), causes or _("调查中")),
            ],
            columns=1,
        ),
        w.p(_("客户主要诉求：{d}").format(d=c.demand or "—")),
        w.p(_("客户反映：{d}").format(d=c.description)),
        w.heading(_("二、处理经过")),
    ]
    steps = [line for line in c.timeline if line.kind in _HANDLING]
    out += [w.p(f"{i}. {_handling_line(file, line)}") for i, line in enumerate(steps, 1)] or [w.p("—")]
    opinion = (
        latest(file, "objection_recorded", "reason")
        or latest(file, "confirmed", "opinion")
        or latest(file, "communication_logged", "summary")
    )
    out += [
        w.heading(_("三、客户意见")),
        w.p(opinion or _("（待与客户沟通后补充）")),
        w.heading(_("四、处理措施")),
    ]
    plans = events(file, "plan_proposed")
    owner = person(file, c.assignee) if c.assignee else (file.department_name or "—")
    rows = [
        [
            str(i),
            e.payload.get("measures"),
            f"{owner}" if c.assignee else person(file, e.actor),
            when(file, e.payload.get("due")),
        ]
        for i, e in enumerate(plans, 1)
    ]
    out.append(
        w.grid(
            [_("序号"), _("整改措施"), _("负责人"), _("完成期限")],
            rows or [["—", "—", "—", "—"]],
            [12 * mm, FRAME_W - 88 * mm, 38 * mm, 38 * mm],
        )
    )
    out += [
        w.p(
            _("员工考核结果：{r}").format(
                r=latest(file, "escalated", "assessment") or _("（如涉及员工过错，由主管填写）")
            )
        ),
        w.heading(_("五、回复口径")),
        w.p(file.approved_replies[-1] if file.approved_replies else _("（尚无已批准的回复口径）")),
    ]
    return out
