"""Facts several documents print the same way: times in the office's zone, names, the case's fields.

The phone is printed as the services handed it to the reader (masked for a department user) on the
office's own papers, and masked on every paper the customer takes away (``domain.privacy``: one rule).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kesu_desktop.domain.enums import Channel, Priority, Severity, Status
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.domain.privacy import mask_phone
from kesu_desktop.i18n import _, join_items, with_note
from kesu_desktop.services.documents import CaseFile
from kesu_desktop.services.views import EventView


def when(file: CaseFile, value: datetime | str | None, *, time: bool = True) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return local_time(value, file.timezone, "long_minute" if time else "long_date")


def label(enum: type, value: Any) -> str:
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def person(file: CaseFile, username: str | None) -> str:
    if not username:
        return "—"
    name = file.names.get(username)
    return with_note(name, username) if name and name != username else username


def customer_copy_phone(file: CaseFile) -> str:
    """On papers the customer takes away: enough to recognise, not enough to misuse if lost."""
    return _with_extension(file, mask_phone(file.case.phone))


def office_copy_phone(file: CaseFile) -> str:
    """On the office's own papers: as the reader may see it (the services already masked it if not)."""
    return _with_extension(file, file.case.phone)


def _with_extension(file: CaseFile, phone: str) -> str:
    """The extension is printed wherever the phone is: a call-back without it reaches the switchboard."""
    ext = file.case.phone_ext
    return _("{phone} 转 {ext}").format(phone=phone, ext=ext) if ext else phone


def events(file: CaseFile, *kinds: str) -> list[EventView]:
    return [e for e in file.case.events if e.kind in kinds]


def latest(file: CaseFile, kind: str, key: str) -> str | None:
    for event in reversed(file.case.events):
        if event.kind == kind and event.payload.get(key):
            return str(event.payload[key])
    return None


def complainant_rows(file: CaseFile, *, customer_copy: bool) -> list[tuple[str, str | None]]:
    c = file.case
    return [
        (_("客户姓名"), c.customer_name),
        (_("联系电话"), customer_copy_phone(file) if customer_copy else office_copy_phone(file)),
        (_("电子邮箱"), c.email),
        (_("联系地址"), c.address),
        (_("会员/账号"), c.account_no),
        (_("会员等级"), c.member_level),
        (_("房号"), c.room_no),
        (_("工作单位"), c.employer),
    ]


def complaint_rows(file: CaseFile) -> list[tuple[str, str | None]]:
    c = file.case
    return [
        (_("投诉编号"), c.case_no),
        (_("受理时间"), when(file, c.created_at)),
        (_("受理渠道"), label(Channel, c.channel)),
        (_("受理网点"), file.office_name),
        (_("投诉类别"), file.category_name),
        (_("涉及产品/服务"), c.product),
        (_("发生时间"), when(file, c.occurred_at)),
        (_("发生地点"), c.location),
    ]


def handling_rows(file: CaseFile) -> list[tuple[str, str | None]]:
    c = file.case
    return [
        (_("当前状态"), label(Status, c.status)),
        (_("核实结论"), {"valid": _("有效投诉"), "invalid": _("无效投诉")}.get(c.validity or "")),
        (_("严重程度"), label(Severity, c.severity)),
        (_("优先级"), label(Priority, c.priority)),
        (_("紧急投诉"), _("是") if c.urgent else _("否")),
        (_("重复投诉"), join_items(c.repeat_of) if c.is_repeat else _("否")),
        (_("责任部门"), file.department_name or c.department),
        (_("处理人"), person(file, c.assignee) if c.assignee else None),
        (_("升级次数"), str(c.escalation_level)),
        (_("登记人"), person(file, c.registered_by)),
        (_("响应期限"), when(file, c.respond_by)),
        (_("首次响应"), when(file, c.responded_at)),
        (_("解决期限"), when(file, c.resolve_by)),
        (_("解决时间"), when(file, c.resolved_at)),
        (_("客户确认"), when(file, c.confirmed_at)),
        (_("归档时间"), when(file, c.closed_at)),
    ]


def survey_text(file: CaseFile) -> str | None:
    c = file.case
    if c.survey_efficiency is None and c.survey_attitude is None and c.survey_solution is None:
        return None
    return _("处理时效 {e} 分 · 服务态度 {a} 分 · 解决方案 {s} 分").format(
        e=c.survey_efficiency or "—", a=c.survey_attitude or "—", s=c.survey_solution or "—"
    )
