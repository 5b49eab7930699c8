"""Human-readable output of the ``kesu`` command (``--json`` gives the machine form instead).

Every time is shown with ``domain.localtime.local_time`` in the zone the caller passes: the signed-in
user's office zone, the same one the desktop and the JSON use. The phone is printed as the services
handed it (masked for roles that may not see it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from kesu_desktop import services
from kesu_desktop.domain.enums import Channel, Priority, Severity, Status
from kesu_desktop.i18n import _, join_items

if TYPE_CHECKING:
    from kesu_desktop.services import CaseRow, CaseView, DueItem


def _t(value: datetime | None, zone: str) -> str:
    return services.local_time(value, zone) if value else "—"


def _phone(case: CaseView) -> str:
    return (
        _("{phone} 转 {ext}").format(phone=case.phone, ext=case.phone_ext) if case.phone_ext else case.phone
    )


def _label(enum, code: str | None) -> str:
    try:
        return enum(code).label if code else "—"
    except ValueError:
        return code or "—"


def case_text(case: CaseView, zone: str, names: Mapping[str, str]) -> str:
    """``kesu show``: the case and its timeline in words (labels, never codes; ``--json`` has the codes)."""
    status = _label(Status, case.status) + (_("·挂起") if case.on_hold else "")
    lines = [
        f"{case.case_no}  [{status}]  {_label(Priority, case.priority)} · "
        f"{_label(Severity, case.severity)} · {names.get(case.category, case.category)} · "
        f"{_label(Channel, case.channel)}",
        _("客户：{name}  电话：{phone}").format(name=case.customer_name, phone=_phone(case)),
        _("描述：{text}").format(text=case.description),
    ]
    if case.demand:
        lines.append(_("诉求：{text}").format(text=case.demand))
    if case.repeat_of:
        lines.append(_("重复投诉，关联：{nos}").format(nos=", ".join(case.repeat_of)))
    department = names.get(case.department, case.department) if case.department else "—"
    lines.append(_("责任部门：{dept}  处理人：{who}").format(dept=department, who=case.assignee or "—"))
    lines.append(
        _("响应期限：{r}  解决期限：{s}  下次更新：{u}").format(
            r=_t(case.respond_by, zone), s=_t(case.resolve_by, zone), u=_t(case.update_by, zone)
        )
    )
    actions = join_items(a.label for a in case.allowed_actions) or "—"
    lines.append(_("可执行操作：{actions}").format(actions=actions))
    lines.append(_("时间线："))
    for line in case.timeline:
        text = line.summary_with_note
        lines.append(f"  {_t(line.at, zone)}  {line.actor:<12} {line.label}" + (f"  {text}" if text else ""))
    return "\n".join(lines)


def rows_text(rows: Sequence[CaseRow], zone: str, names: Mapping[str, str]) -> str:
    if not rows:
        return _("没有符合条件的案件")
    out = []
    for r in rows:
        category = names.get(r.category, r.category)
        out.append(
            f"{r.case_no:<24} {_label(Status, r.status):<6} {r.priority.upper():<3} {category:<10} "
            f"{r.customer_name:<8} {r.phone:<14} {_t(r.created_at, zone)}  {_t(r.next_due_at, zone)}"
        )
    return "\n".join(out)


def due_text(items: Sequence[DueItem], zone: str) -> str:
    if not items:
        return _("没有即将到期或已超时的事项")
    state = {"overdue": _("已超时"), "due_soon": _("即将到期")}
    labels = services.deadline_labels()
    return "\n".join(
        f"{i.case_no:<24} {labels.get(i.deadline, i.deadline):<9} {_t(i.due_at, zone)}  {state[i.state]}"
        for i in items
    )
