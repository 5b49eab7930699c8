"""Small helpers for service tests: counting rows, walking a case through the workflow."""

from __future__ import annotations

from sqlalchemy import func, select

from kesu_desktop import services
from kesu_desktop.services import CaseView, Desk
from kesu_desktop.storage.models import Case, CaseEvent


def counts(desk: Desk) -> tuple[int, int]:
    with desk.db.read() as s:
        return s.scalar(select(func.count()).select_from(Case)), s.scalar(
            select(func.count()).select_from(CaseEvent)
        )


def walk_to_resolved(desk: Desk, people, case_no: str) -> CaseView:
    services.act(desk, people.alice, case_no, "verify", {"valid": True})
    services.act(desk, people.bob, case_no, "assign", {"department": "AS", "assignee": "dave"})
    services.act(
        desk,
        people.dave,
        case_no,
        "plan",
        {"cause": "压缩机故障", "measures": "上门更换压缩机", "due": "2026-12-30T10:00:00+08:00"},
    )
    services.act(desk, people.carol, case_no, "approve_plan", {})
    return services.act(desk, people.dave, case_no, "resolve", {"result": "已更换压缩机"})
