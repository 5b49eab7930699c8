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

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from kesu_desktop.domain.case_number import CASE_NO_RE
from kesu_desktop.domain.enums import ReplyStatus
from kesu_desktop.services.conflicts import derive_conflicts
from kesu_desktop.services.reference import office_rules
from kesu_desktop.services.unit import next_look
from kesu_desktop.storage import eventlog, feed, search
from kesu_desktop.storage.bulk import CaseTables, insert_many
from kesu_desktop.storage.models import Alert, Case, CaseEvent, CaseWatch
from kesu_desktop.storage.tokens import index_tokens
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


def _check_links(session: Session, parsed: list[tuple[str, dict[str, Any]]], source: str) -> None:
    """On the central every office's cases are present, so a link to a case it lacks came before that
    case (a batch or bundle out of order). Skipping it (as a branch skips links to other offices'
    cases, ``_apply_row``) would lose it for good: the batch is refused, to be sent again later."""
    linked = {r["linked_case_id"] for n, r in parsed if n == "case_links"}
    if not linked or source == "central":  # network.CENTRAL: this is a branch, pulling
        return
    coming = {r["case_id"] for n, r in parsed if n == "case_events" and r["kind"] == "registered"}
    absent = linked - coming - set(_case_offices(session, linked - coming))
    if absent:
        raise BatchRefused(f"case_links row links to case {min(absent)} that this batch does not bring")


def apply_batch(session: Session, batch: Batch, *, source: str, now: datetime) -> ApplyResult:
    """Validate and apply ``batch`` in the caller's transaction (which also writes the checkpoint)."""
    parsed = _parse(batch)
    _check_events([r for n, r in parsed if n == "case_events"])
    _check_office(session, batch.office, parsed)
    _check_links(session, parsed, source)
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
    if by_case:
        _project(session, by_case, now)
        insert_many(session, CaseEvent.__table__, fresh, skip_existing=True)
        entered += [("case_events", str(r["id"])) for r in fresh]
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


def _chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _order(event: Any) -> tuple[str, str, str]:
    return (event.hlc, event.node_id, str(event.id))


def _project(session: Session, by_case: dict[uuid.UUID, list[dict[str, Any]]], now: datetime) -> None:
    """Project every touched case again from its stored events plus the new ones (not yet inserted).

    Set-based, because a push of thousands of events must not cost a dozen round trips per case: one
    query for the cases, one for their stored events, one insert for the new cases, one update for
    the others, one each for their search entries, watch entries and serials.
    """
    cases_table = Case.__table__
    ids = list(by_case)
    existing: dict[uuid.UUID, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        query = select(cases_table).where(cases_table.c.id.in_(chunk)).with_for_update()
        existing.update({r["id"]: dict(r) for r in session.execute(query).mappings()})
    stored: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for chunk in _chunks(list(existing)):
        for event in session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(chunk))):
            stored[event.case_id].append(event)
    defaults = {
        c.key: c.default.arg if c.default is not None and c.default.is_scalar else None
        for c in cases_table.columns
    }
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    reindex: list[tuple[SimpleNamespace, list[str | None] | None]] = []
    policies: dict[str, Any] = {}
    watches: dict[uuid.UUID, datetime | None] = {}
    several_nodes: list[tuple[uuid.UUID, list[Any]]] = []  # only these can have conflicts
    for case_id, rows in by_case.items():
        every = sorted([*stored[case_id], *(SimpleNamespace(**r) for r in rows)], key=_order)
        state = eventlog.replay(every)  # type: ignore[arg-type]
        last = every[-1]
        before = existing.get(case_id)
        row = {
            **(defaults if before is None else before),
            **state,
            "last_hlc": last.hlc,
            "updated_at": last.at,
        }
        case = SimpleNamespace(**row)
        if before is None:
            new_rows.append(row)
            reindex.append((case, None))
        else:
            changed_rows.append(row)
            previous = search.case_texts(SimpleNamespace(**before))
            if search.case_texts(case) != previous:
                reindex.append((case, previous))
        office = row["office_code"]
        if office not in policies:
            policies[office] = office_rules(session, office).policy
        watches[case_id] = next_look(case, policies[office], now)
        if len({e.node_id for e in every}) > 1:
            several_nodes.append((case_id, every))
    if new_rows:
        insert_many(session, cases_table, new_rows)
        _raise_serials(session, [r["case_no"] for r in new_rows])
    if changed_rows:
        primary = cases_table.c.id
        session.execute(
            update(cases_table).where(primary == bindparam("b_id")),
            [{**{k: v for k, v in r.items() if k != "id"}, "b_id": r["id"]} for r in changed_rows],
        )
    _index(session, reindex)
    _schedule(session, watches)
    for case_id, every in several_nodes:
        derive_conflicts(session, case_id, every)


def _index(session: Session, cases: list[tuple[SimpleNamespace, list[str | None] | None]]) -> None:
    """Search entries: the new cases in one statement (storage/bulk), a changed case one by one."""
    fresh = [c for c, previous in cases if previous is None]
    if fresh:
        CaseTables(session.get_bind().dialect).index_new_cases(
            session,
            [
                (c.id, index_tokens(search.case_texts(c)), search.folded_text(search.case_texts(c)))
                for c in fresh
            ],
        )
    for case, previous in cases:
        if previous is not None:
            search.index_case(session, case, previous)  # type: ignore[arg-type]


def _schedule(session: Session, watches: dict[uuid.UUID, datetime | None]) -> None:
    """When the deadline watcher looks at each case next (as unit.schedule_watch, for many cases)."""
    watch = CaseWatch.__table__
    known: set[uuid.UUID] = set()
    for chunk in _chunks(list(watches)):
        known.update(session.scalars(select(watch.c.case_id).where(watch.c.case_id.in_(chunk))))
    inserts = [{"case_id": k, "next_alert_at": v} for k, v in watches.items() if k not in known]
    updates = [{"b_id": k, "next_alert_at": v} for k, v in watches.items() if k in known]
    if inserts:
        session.execute(insert(watch), inserts)
    if updates:
        session.execute(update(watch).where(watch.c.case_id == bindparam("b_id")), updates)


def _raise_serials(session: Session, case_numbers: list[str]) -> None:
    """The daily serial of an office never goes back below a number it has handed out."""
    highest: dict[tuple[str, str, Any], int] = {}
    for case_no in case_numbers:
        match = CASE_NO_RE.match(case_no)
        if match is None:
            continue
        day, office, department, serial = match.groups()
        key = (office, department, datetime.strptime(day, "%Y%m%d").date())
        highest[key] = max(highest.get(key, 0), int(serial))
    if not highest:
        return
    pg = session.get_bind().dialect.name == "postgresql"
    higher = "GREATEST" if pg else "MAX"
    session.execute(
        text(
            "INSERT INTO case_serials (office_code, department_code, day, last_serial) "
            "VALUES (:office, :department, :day, :serial) "
            "ON CONFLICT (office_code, department_code, day) "
            f"DO UPDATE SET last_serial = {higher}(case_serials.last_serial, excluded.last_serial)"
        ),
        [{"office": o, "department": d, "day": day, "serial": n} for (o, d, day), n in highest.items()],
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
    if _reply_order(row) <= _reply_order(existing):
        return False
    session.execute(update(tbl).where(key).values(**{k: v for k, v in row.items() if k != "id"}))
    return True


def _reply_order(reply: Any) -> tuple[Any, ...]:
    """Which version of a reply every node keeps: the later edit (services/replies.py makes each change
    later than the version it replaces), then the further status; two desks changing one reply apart
    within one stated instant (a fixed ``--now``) are settled by the content, so both nodes keep the
    same one whichever reached them first (tests/sync/test_convergence.py)."""
    texts = (reply[k] or "" for k in ("kind", "body", "author", "reviewer", "review_comment"))
    return (reply["updated_at"], _REPLY_RANK.get(reply["status"], 0), *texts)


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
    # Acknowledged on two nodes in one stated instant: the name decides, the same way on both.
    if row["acknowledged_at"] is not None and (
        existing["acknowledged_at"] is None
        or (row["acknowledged_at"], row["acknowledged_by"] or "")
        < (existing["acknowledged_at"], existing["acknowledged_by"] or "")
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
    row["id"] = existing["id"]  # the feed names the row this node holds (its own alert, merged into)
    return True
