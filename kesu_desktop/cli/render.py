"""Human-readable output of the ``kesu`` command (``--json`` gives the machine form instead)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from kesu_desktop.domain.enums import Priority, Severity, Status
from kesu_desktop.i18n import _
from kesu_desktop.services import CaseRow, CaseView, DueItem

TZ = ZoneInfo("Asia/Shanghai")


def _t(value: datetime | None) -> str:
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else "—"


def _label(enum, code: str | None) -> str:
    try:
        return enum(code).label if code else "—"
    except ValueError:
        return code or "—"


def case_text(case: CaseView) -> str:
    lines = [
        f"{case.case_no}  [{_label(Status, case.status)}]  {_label(Priority, case.priority)} · "
        f"{_label(Severity, case.severity)} · {case.category}",
        _("客户：{name}  电话：{phone}").format(name=case.customer_name, phone=case.phone),
        _("描述：{text}").format(text=case.description),
    ]
    if case.demand:
        lines.append(_("诉求：{text}").format(text=case.demand))
    if case.repeat_of:
        lines.append(_("重复投诉，关联：{nos}").format(nos=", ".join(case.repeat_of)))
    lines.append(
        _("责任部门：{dept}  处理人：{who}").format(dept=case.department or "—", who=case.assignee or "—")
    )
    lines.append(
        _("响应期限：{r}  解决期限：{s}  下次更新：{u}").format(
            r=_t(case.respond_by), s=_t(case.resolve_by), u=_t(case.update_by)
        )
    )
    lines.append(_("时间线："))
    for event in case.events:
        details = {k: v for k, v in event.payload.items() if k != "set" and v not in (None, "", [], False)}
        extra = "  " + "; ".join(f"{k}={v}" for k, v in details.items()) if details else ""
        lines.append(f"  {_t(event.at)}  {event.actor:<12} {event.kind}{extra}")
    return "\n".join(lines)


def rows_text(rows: Sequence[CaseRow]) -> str:
    if not rows:
        return _("没有符合条件的案件")
    out = []
    for r in rows:
        out.append(
            f"{r.case_no:<24} {_label(Status, r.status):<6} {r.priority.upper():<3} {r.category:<18} "
            f"{r.customer_name:<8} {_t(r.created_at)}  {_t(r.next_due_at)}"
        )
    return "\n".join(out)


def due_text(items: Sequence[DueItem]) -> str:
    if not items:
        return _("没有即将到期或已超时的事项")
    state = {"overdue": _("已超时"), "due_soon": _("即将到期")}
    return "\n".join(f"{i.case_no:<24} {i.deadline:<9} {_t(i.due_at)}  {state[i.state]}" for i in items)
