"""Shared mode: hearing other desks' writes, and refusing to act on a case changed since it was shown.

``watch_changes(desk)`` wraps the storage listener (``storage/notify``) so the desktop never imports
storage: a ``ChangeWatcher`` blocks in ``wait`` on a thread of its own and says which cases changed,
whether alerts did, or that everything may have (after a reconnect, or on SQLite).

``check_version`` is the other half: a view carries its case's ``last_hlc`` as ``version``; a write
given ``expected_version`` compares it inside its own transaction, with the case row locked, so two
desks acting on what they both saw cannot both win. The loser is told, in the timeline's words, what
was written since (``StaleCase``), and nothing of its action is written.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kesu_desktop.domain import timeline
from kesu_desktop.domain.errors import StaleCase, ValidationError
from kesu_desktop.domain.localtime import local_time
from kesu_desktop.domain.privacy import mask_phone, sees_full_phone
from kesu_desktop.i18n import _, join_items
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import reference_names
from kesu_desktop.services.views import EventView
from kesu_desktop.storage import notify
from kesu_desktop.storage.models import Case, CaseEvent
from kesu_desktop.storage.notify import Changes

__all__ = ["ChangeWatcher", "Changes", "check_version", "watch_changes"]


class ChangeWatcher:
    """What other desks change, one ``wait`` at a time (a single thread waits, then closes it)."""

    def __init__(self, desk: Desk) -> None:
        self._listener = notify.open_listener(desk.db)

    def wait(self, timeout_s: float) -> Changes:
        """Up to ``timeout_s`` seconds for a change; an empty ``Changes`` when none came. A lost
        database connection is not an error: the watcher reconnects and then reports ``everything``."""
        return self._listener.wait(timeout_s)

    def close(self) -> None:
        self._listener.close()


def watch_changes(desk: Desk) -> ChangeWatcher:
    return ChangeWatcher(desk)


def field_labels() -> dict[str, str]:
    """Case field → the name a user knows it by (built on each call, so a language switch shows).

    Fields a user never sees by themselves (ids, the next-due summary) are absent and left out of the
    lines; any other field is named by its code.
    """
    return {
        "status": _("状态"),
        "priority": _("优先级"),
        "severity": _("严重程度"),
        "category": _("类别"),
        "department_code": _("责任部门"),
        "assignee": _("处理人"),
        "urgent": _("紧急"),
        "validity": _("核实结论"),
        "escalation_level": _("升级"),
        "respond_by": _("响应期限"),
        "plan_by": _("方案期限"),
        "resolve_by": _("解决期限"),
        "update_by": _("下次告知客户"),
        "survey_by": _("回访期限"),
        "callback_by": _("承诺回电"),
        "held_at": _("挂起"),
        "responded_at": _("首次响应"),
        "resolved_at": _("处理完成时间"),
        "confirmed_at": _("客户确认时间"),
        "closed_at": _("归档时间"),
        "plan_needs_manager": _("需经理审批"),
        "survey_efficiency": _("满意度"),
        "survey_attitude": _("满意度"),
        "survey_solution": _("满意度"),
        "customer_name": _("客户"),
        "phone": _("电话"),
        "description": _("投诉描述"),
        "demand": _("客户诉求"),
    }


_HLC = re.compile(r"[0-9]{15}-[0-9]{6}")
_UNSEEN = frozenset({"assignee_id", "next_due_at", "updated_at", "last_hlc"})


def change_line(event: EventView, names: dict[str, str], zone: str) -> str:
    """One event as the stale-case message shows it: when, who, what, and which fields it changed."""
    details = timeline.display_details(event.payload, names, zone)
    labels = field_labels()
    changed: list[str] = []
    for name in event.payload.get("set", {}):
        if name in _UNSEEN:
            continue
        label = labels.get(name, name)
        if label not in changed:
            changed.append(label)
    text = _("{when} {who}：{what}").format(
        when=local_time(event.at, zone), who=event.actor, what=timeline.kind_label(event.kind)
    )
    summary = timeline.summary(event.kind, details)
    if summary:
        text += _("（{summary}）").format(summary=summary)
    if changed:
        text += _("；改动：{fields}").format(fields=join_items(changed))
    return text


def _masked(event: CaseEvent, full_phone: bool) -> EventView:
    payload: dict[str, Any] = dict(event.payload)
    changes = payload.get("set")
    if not full_phone and isinstance(changes, dict) and changes.get("phone"):
        payload["set"] = {**changes, "phone": mask_phone(str(changes["phone"]))}
    return EventView.of(event, payload)


def check_version(session: Session, actor: Actor, case: Case, expected: str | None) -> None:
    """Raise ``StaleCase`` when ``expected`` (the version the actor saw) is not the case's version now.

    Call it with the case loaded FOR UPDATE in the write's own transaction, before anything is written.
    ``None`` means the caller did not say what it saw (a script): no check.
    """
    if expected is None:
        return
    expected = expected.strip()
    if not _HLC.fullmatch(expected):  # the fixed width of Timestamp.encode: compared as text below
        raise ValidationError.single("expect_version", _("版本号无效：{value}").format(value=expected))
    if expected == case.last_hlc:
        return
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.hlc > expected)
        .order_by(CaseEvent.hlc, CaseEvent.node_id, CaseEvent.id)
    )
    names = reference_names(session)
    full_phone = sees_full_phone(actor.role)
    lines = [change_line(_masked(e, full_phone), names, actor.timezone) for e in events]
    message = _("案件“{case_no}”在您打开后有了新的改动，操作未执行").format(case_no=case.case_no)
    raise StaleCase(message, lines=lines, version=case.last_hlc)
