"""Applying a batch on the receiving node: validate all, then write all, in the caller's transaction.

Idempotent: an event or row already present is skipped, so a batch applied twice, a bundle imported
after the same events came by network, or a push whose COMMIT reply was lost changes nothing the
second time. A batch that fails validation (a row that does not parse, an event whose content no
longer gives its hash, a row of another office) raises ``BatchRefused`` before anything is written.

Each case a batch touches is projected again from all its events in ``(hlc, node_id, id)`` order, so
every node that holds the same events holds the same case row (domain/merge.py), and its conflicts are
derived again from the same events.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from kesu_desktop.domain.case_number import CASE_NO_RE
from kesu_desktop.domain.enums import ReplyStatus
from kesu_desktop.services.conflicts import derive_conflicts
from kesu_desktop.services.reference import office_rules
from kesu_desktop.services.unit import schedule_watch
from kesu_desktop.storage import eventlog, feed, search
from kesu_desktop.storage.models import Alert, Case, CaseEvent
from kesu_desktop.sync.batch import Batch
from kesu_desktop.sync.rows import load_row, table


class BatchRefused(Exception):
    """A batch that must not be applied; the message says why (nothing was written)."""


@dataclass
class ApplyResult:
    events: int = 0
    rows: int = 0
    skipped: int = 0
    cases: set[uuid.UUID] = field(default_factory=set)


_REPLY_RANK = {
    ReplyStatus.DRAFT.value: 0,
    ReplyStatus.RETURNED.value: 1,
    ReplyStatus.SUBMITTED.value: 2,
    ReplyStatus.APPROVED.value: 3,
}


def _parse(batch: Batch) -> list[tuple[str, dict[str, Any]]]:
    parsed: list[tuple[str, dict[str, Any]]] = []
    for name, data in batch.items:
        if name not in feed.TABLES.values():
            raise BatchRefused(f"unknown table {name!r}")
        try:
            parsed.append((name, load_row(table(name), data, batch.blobs)))
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise BatchRefused(f"malformed {name} row: {exc!r}") from None
    return parsed


def _check_events(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if eventlog.event_hash(SimpleNamespace(**row)) != row["hash"]:
            raise BatchRefused(f"event {row['id']} does not match its hash (changed in transit)")


def _case_offices(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = session.execute(select(Case.id, Case.office_code).where(Case.id.in_(list(ids))))
    return {r[0]: r[1] for r in rows}


def _check_office(
    session: Session, office: str, parsed: list[tuple[str, dict[str, Any]]]
) -> dict[uuid.UUID, str]:
    """Every row must be of ``office``: a branch's key or role never brings another office's cases."""
    known = _case_offices(session, {r["case_id"] for _n, r in parsed if r.get("case_id")})
    for name, row in parsed:
        if name == "case_events" and row["kind"] == "registered":
            registered_office = (row["payload"].get("set") or {}).get("office_code")
            known.setdefault(row["case_id"], registered_office)
    for name, row in parsed:
        if name == "alerts" and row["case_id"] is None:
            row_office = row["office_code"]
        else:
            row_office = known.get(row["case_id"])
        if row_office is None:
            raise BatchRefused(f"{name} row {row.get('id')} is of a case this batch does not bring")
        if row_office != office:
            raise BatchRefused(f"{name} row of office {row_office} in a batch of office {office}")
    return known


def apply_batch(session: Session, batch: Batch, *, source: str, now: datetime) -> ApplyResult:
    """Validate and apply ``batch`` in the caller's transaction (which also writes the checkpoint)."""
    parsed = _parse(batch)
    _check_events([r for n, r in parsed if n == "case_events"])
    _check_office(session, batch.office, parsed)
    session.info[feed.NO_FEED] = True
    try:
        return _apply(session, batch.office, parsed, source, now)
    finally:
        session.info.pop(feed.NO_FEED, None)


def _apply(
    session: Session, office: str, parsed: list[tuple[str, dict[str, Any]]], source: str, now: datetime
) -> ApplyResult:
    result = ApplyResult()
    entered: list[tuple[str, str]] = []
    events = [r for n, r in parsed if n == "case_events"]
    present = _present_ids(session, "case_events", [r["id"] for r in events])
    fresh = [r for r in events if r["id"] not in present]
    result.skipped += len(events) - len(fresh)
    by_case: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in fresh:
        by_case[row["case_id"]].append(row)
    for case_id, rows in by_case.items():
        _project(session, case_id, rows, now)
    if fresh:
        session.execute(insert(CaseEvent.__table__), fresh)
        entered += [("case_events", str(r["id"])) for r in fresh]
    for case_id in by_case:
        derive_conflicts(session, case_id)
    result.events, result.cases = len(fresh), set(by_case)
    for name, row in parsed:
        if name == "case_events":
            continue
        changed = _apply_row(session, name, row)
        if changed:
            result.rows += 1
            entered.append((name, feed.row_key(name, SimpleNamespace(**row))))
        else:
            result.skipped += 1
    feed.enqueue(session, office, entered, source)
    return result


def _present_ids(session: Session, name: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    tbl = table(name)
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), 500):
        found.update(session.scalars(select(tbl.c.id).where(tbl.c.id.in_(ids[start : start + 500]))))
    return found


def _project(session: Session, case_id: uuid.UUID, rows: list[dict[str, Any]], now: datetime) -> None:
    """Project the case again from its stored events plus ``rows`` (not yet inserted)."""
    stored = eventlog.events_of(session, case_id)
    every = sorted(
        [*stored, *(SimpleNamespace(**r) for r in rows)], key=lambda e: (e.hlc, e.node_id, str(e.id))
    )
    state = eventlog.replay(every)  # type: ignore[arg-type]
    last = every[-1]
    case = session.get(Case, case_id, with_for_update=True)
    if case is None:
        case = Case(**state, last_hlc=last.hlc, updated_at=last.at)
        session.add(case)
        session.flush()
        search.index_case(session, case)
        _raise_serial(session, case.case_no)
    else:
        before = search.case_texts(case)
        eventlog.apply_changes(case, {k: eventlog.to_json_value(v) for k, v in state.items()})
        case.last_hlc, case.updated_at = last.hlc, last.at
        session.flush()
        if search.case_texts(case) != before:
            search.index_case(session, case, before)
    schedule_watch(session, case, office_rules(session, case.office_code).policy, now)


def _raise_serial(session: Session, case_no: str) -> None:
    """The daily serial of the case's office never goes back below a number it has handed out."""
    match = CASE_NO_RE.match(case_no)
    if match is None:
        return
    day, office, department, serial = match.groups()
    pg = session.get_bind().dialect.name == "postgresql"
    higher = "GREATEST" if pg else "MAX"
    session.execute(
        text(
            "INSERT INTO case_serials (office_code, department_code, day, last_serial) "
            "VALUES (:office, :department, :day, :serial) "
            "ON CONFLICT (office_code, department_code, day) "
            f"DO UPDATE SET last_serial = {higher}(case_serials.last_serial, excluded.last_serial)"
        ),
        {
            "office": office,
            "department": department,
            "day": datetime.strptime(day, "%Y%m%d").date(),
            "serial": int(serial),
        },
    )


def _apply_row(session: Session, name: str, row: dict[str, Any]) -> bool:
    """Insert or merge one non-event row; True when this database changed."""
    tbl = table(name)
    if name == "alerts":
        return _merge_alert(session, row)
    if name == "case_links":
        if session.get(Case, row["linked_case_id"]) is None:
            return False  # a case of another office: a branch never holds it (docs/sync.md)
        key = (tbl.c.case_id == row["case_id"]) & (tbl.c.linked_case_id == row["linked_case_id"])
        key = key & (tbl.c.kind == row["kind"])
    else:
        key = tbl.c.id == row["id"]
    existing = session.execute(select(tbl).where(key)).mappings().one_or_none()
    if existing is None:
        session.execute(insert(tbl).values(**row))
        return True
    if name != "replies":
        return False
    mine = (existing["updated_at"], _REPLY_RANK.get(existing["status"], 0))
    theirs = (row["updated_at"], _REPLY_RANK.get(row["status"], 0))
    if theirs <= mine:
        return False
    session.execute(update(tbl).where(key).values(**{k: v for k, v in row.items() if k != "id"}))
    return True


def _merge_alert(session: Session, row: dict[str, Any]) -> bool:
    """Alerts are made by each node's watcher; what travels is their acknowledgement (the earliest wins)."""
    tbl = Alert.__table__
    existing = (
        session.execute(select(tbl).where((tbl.c.id == row["id"]) | (tbl.c.dedupe_key == row["dedupe_key"])))
        .mappings()
        .first()
    )
    if existing is None:
        session.execute(insert(tbl).values(**row))
        return True
    changes: dict[str, Any] = {}
    if row["acknowledged_at"] is not None and (
        existing["acknowledged_at"] is None or row["acknowledged_at"] < existing["acknowledged_at"]
    ):
        changes["acknowledged_at"], changes["acknowledged_by"] = (
            row["acknowledged_at"],
            row["acknowledged_by"],
        )
    if row["snoozed_until"] is not None and (
        existing["snoozed_until"] is None or row["snoozed_until"] > existing["snoozed_until"]
    ):
        changes["snoozed_until"] = row["snoozed_until"]
    if not changes:
        return False
    session.execute(update(tbl).where(tbl.c.id == existing["id"]).values(**changes))
    return True
