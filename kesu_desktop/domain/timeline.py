"""Plain-language lines for the timeline (who did what, and why), shared by the GUI and printed records.

The services build the lines (``CaseView.timeline``) so the desktop only draws them; printing builds its
own in the zone of the case's office with the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from kesu_desktop.domain.enums import Channel, DocumentKind, Priority, Severity, Status
from kesu_desktop.domain.localtime import Zone, local_time
from kesu_desktop.formatting import money_text
from kesu_desktop.i18n import LANGUAGES, _, join_clauses, language_name

#: Details that are instants (ISO text in the payload), shown as office time.
TIME_DETAILS = ("promised_at", "due")
#: Details that are codes of reference data, shown by name.
NAMED_DETAILS = ("category", "department")
#: A stated time further than this from when the event was really recorded is shown beside it.
RECORDED_TOLERANCE = timedelta(minutes=5)


def recorded_at(at: datetime, hlc: str) -> datetime | None:
    """When the event was really recorded (its HLC's wall time), if that is more than five minutes from
    the time it states (``at``, e.g. given with ``--now``); else None: the two agree.

    The HLC always comes from the desk's real clock, so a backdated or postdated event shows as such.
    """
    wall, _sep, _counter = hlc.partition("-")
    try:
        recorded = datetime.fromtimestamp(int(wall) / 1000, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return recorded if abs(recorded - at) > RECORDED_TOLERANCE else None


def recorded_note(at: datetime, recorded: datetime | None, zone: Zone) -> str:
    """ "记录于 …（所述时间 …）" for an event whose stated time differs from when it was recorded; else ""."""
    if recorded is None:
        return ""
    return _("记录于 {recorded}（所述时间 {stated}）").format(
        recorded=local_time(recorded, zone), stated=local_time(at, zone)
    )


def kind_labels() -> dict[str, str]:
    """Event kind → what the timeline calls it (built on each call, so a language switch shows)."""
    return {
        "registered": _("登记投诉"),
        "verified": _("初步核实"),
        "classified": _("分类定级"),
        "assigned": _("分派"),
        "plan_proposed": _("提交处理方案"),
        "plan_approved": _("批准方案"),
        "plan_rejected": _("退回方案"),
        "communication_logged": _("客户沟通"),
        "resolved": _("处理完成"),
        "confirmed": _("客户确认"),
        "objection_recorded": _("客户异议"),
        "surveyed": _("满意度回访"),
        "closed": _("归档"),
        "escalated": _("升级"),
        "reopened": _("重新打开"),
        "put_on_hold": _("挂起"),
        "resumed": _("恢复处理"),
        "severity_raised": _("升级为重大投诉"),
        "attachment_added": _("添加附件"),
        "reply_submitted": _("提交回复待审批"),
        "reply_approved": _("回复已批准"),
        "reply_returned": _("回复被退回"),
        "document_issued": _("出具文档"),
        "document_printed": _("打印文档"),
        "document_exported": _("导出文档"),
        "signature_captured": _("采集签名"),
        "document_signed": _("签字确认"),
        "conflict_resolved": _("处理同步冲突"),
    }


def _document_label(code: Any) -> str:
    return _enum_label(DocumentKind, code)


def kind_label(kind: str) -> str:
    return kind_labels().get(kind, kind)


def _enum_label(enum: type, value: Any) -> str:
    try:
        return enum(value).label
    except ValueError:
        return str(value)


def summary(kind: str, payload: Mapping[str, Any]) -> str:
    """One sentence of what the event says, from its details (never its raw field changes)."""
    p = payload
    parts: list[str] = []
    if kind == "verified":
        parts.append(_("有效投诉") if p.get("valid") else _("无效投诉"))
        if p.get("urgent"):
            parts.append(_("紧急"))
    elif kind == "classified":
        if p.get("category"):
            parts.append(_("类别：{c}").format(c=p["category"]))
        if p.get("severity"):
            parts.append(_("严重程度：{s}").format(s=_enum_label(Severity, p["severity"])))
        if p.get("priority"):
            parts.append(_("优先级：{p}").format(p=_enum_label(Priority, p["priority"])))
    elif kind == "assigned":
        parts.append(_("责任部门：{d}").format(d=p.get("department") or "—"))
        if p.get("assignee"):
            parts.append(_("处理人：{a}").format(a=p["assignee"]))
    elif kind == "plan_proposed":
        if p.get("cause"):
            parts.append(_("原因：{c}").format(c=p["cause"]))
        parts.append(_("措施：{m}").format(m=p.get("measures") or ""))
        if isinstance(p.get("cost"), int | float) and not isinstance(p.get("cost"), bool):
            parts.append(_("预计费用：{cost}").format(cost=money_text(Decimal(str(p["cost"])))))
    elif kind == "communication_logged":
        if p.get("channel"):
            parts.append(_enum_label(Channel, p["channel"]))
        parts.append(p.get("summary") or "")
        if p.get("promised_at"):
            parts.append(_("承诺回复：{t}").format(t=p["promised_at"]))
    elif kind == "resolved":
        parts.append(p.get("result") or "")
    elif kind == "surveyed":
        parts.append(
            _("时效 {e} · 态度 {a} · 方案 {s}").format(
                e=p.get("efficiency"), a=p.get("attitude"), s=p.get("solution")
            )
        )
    elif kind == "escalated" and p.get("from_status"):
        parts.append(_("由“{s}”升级").format(s=_enum_label(Status, p["from_status"])))
    elif kind == "attachment_added":
        parts.append(p.get("filename") or "")
    elif kind in ("document_issued", "document_printed", "document_exported"):
        parts.append(_document_label(p.get("document")))
        if p.get("pages"):
            parts.append(_("{n} 页").format(n=p["pages"]))
        if p.get("target"):
            parts.append(str(p["target"]))
        if p.get("language") in LANGUAGES:
            parts.append(language_name(p["language"]))
    elif kind == "signature_captured":
        parts.append(
            _("{doc} · {who}").format(doc=_document_label(p.get("document")), who=p.get("signer") or "")
        )
    elif kind == "document_signed":
        parts.append(_document_label(p.get("document")))
        parts.append(
            _("纸面签字，由 {who} 确认").format(who=p.get("confirmed_by"))
            if p.get("on_paper")
            else _("签名：{who}").format(who=p.get("signer") or "")
        )
    for key in ("reason", "opinion", "comment", "note", "assessment"):
        if p.get(key):
            parts.append(str(p[key]))
    return join_clauses(x for x in parts if x)


def _local(value: Any, zone: Zone) -> Any:
    if isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    return value


def display_details(payload: Mapping[str, Any], names: Mapping[str, str], zone: Zone) -> dict[str, Any]:
    """An event's details (never its field changes) with codes turned into names and instants into
    ``zone``'s wall-clock time: what ``summary`` and a communication log show."""
    details = {k: v for k, v in payload.items() if k != "set"}
    for key in TIME_DETAILS:
        if details.get(key):
            details[key] = _local(details[key], zone)
    for key in NAMED_DETAILS:
        if details.get(key):
            details[key] = names.get(details[key], details[key])
    return details
