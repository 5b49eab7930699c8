"""The change feed: every synced row written here, numbered per office without gaps, in commit order.

Sync reads "everything of office X after number N" from the feed. For that cursor never to pass a
transaction still in flight, numbers are taken from the office's ``sync_feed_heads`` row with one
upsert whose row lock is held until the writing transaction commits: a second writer of the same
office waits on it, so number N+1 can only be given out after N's transaction has committed (or rolled
back, and then N is given out again). That is the gap-free per-office sequence docs/sync.md describes;
no replication slot, no ``pg_snapshot_xmin`` arithmetic, and the same code on SQLite.

Rows written through the ORM are entered by a session hook (``after_flush``), so no use case can
forget it; rows written with Core (sync's apply, the bulk loader) call ``enqueue`` themselves.
A session whose ``info["kesu_feed_source"]`` is set enters ORM rows with that source (the sync link that
brought them), so they are not sent back where they came from.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from kesu_desktop.storage.models import (
    Alert,
    Attachment,
    Case,
    CaseDocument,
    CaseEvent,
    CaseLink,
    CaseSignature,
    Reply,
    SyncFeed,
)

#: The synced tables whose rows are appended once and never change.
APPEND_ONLY = {
    CaseEvent: "case_events",
    Attachment: "attachments",
    CaseDocument: "case_documents",
    CaseSignature: "case_signatures",
    CaseLink: "case_links",
}
#: Synced tables whose rows change after they were written (merged by docs/sync.md's rules).
MUTABLE = {Reply: "replies", Alert: "alerts"}
TABLES = {**APPEND_ONLY, **MUTABLE}

#: A session flag: rows flushed in it are not entered in the feed (a caller enqueues them itself).
NO_FEED = "kesu_no_feed"
SOURCE = "kesu_feed_source"

_RESERVE = text(
    "INSERT INTO sync_feed_heads (office_code, last_seq) VALUES (:office, :n) "
    "ON CONFLICT (office_code) DO UPDATE SET last_seq = sync_feed_heads.last_seq + :n "
    "RETURNING last_seq"
)


def row_key(table: str, row: Any) -> str:
    """The text key a feed entry names its row by (case_links has a three-part key)."""
    if table == "case_links":
        return f"{row.case_id}|{row.linked_case_id}|{row.kind}"
    return str(row.id)


def enqueue(
    session: Session, office_code: str, items: Sequence[tuple[str, str]], source: str | None = None
) -> int:
    """Enter ``items`` (table, key) for one office; returns the last number given. Locks the office's
    feed head until this transaction ends."""
    if not items:
        return 0
    last = int(session.connection().execute(_RESERVE, {"office": office_code, "n": len(items)}).scalar_one())
    first = last - len(items) + 1
    rows = [
        {"office_code": office_code, "seq": first + i, "item_table": t, "item_id": k, "source": source}
        for i, (t, k) in enumerate(items)
    ]
    from kesu_desktop.storage.bulk import insert_many  # bulk imports this module

    insert_many(session, SyncFeed.__table__, rows)
    return last


def _office_of_cases(session: Session, case_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    ids = set(case_ids)
    found: dict[uuid.UUID, str] = {}
    for obj in session.identity_map.values():
        if isinstance(obj, Case) and obj.id in ids:
            found[obj.id] = obj.office_code
    missing = ids - found.keys()
    if missing:
        rows = session.connection().execute(select(Case.id, Case.office_code).where(Case.id.in_(missing)))
        found.update({r[0]: r[1] for r in rows})
    return found


def _after_flush(session: Session, _context: Any) -> None:
    if session.info.get(NO_FEED):
        return
    changed: list[tuple[str, Any]] = []
    for obj in session.new:
        table = TABLES.get(type(obj))
        if table is not None:
            changed.append((table, obj))
    for obj in session.dirty:
        table = MUTABLE.get(type(obj))
        if table is not None and session.is_modified(obj, include_collections=False):
            changed.append((table, obj))
    if not changed:
        return
    offices = _office_of_cases(session, [o.case_id for _t, o in changed if getattr(o, "case_id", None)])
    by_office: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for table, obj in changed:
        office = obj.office_code if table == "alerts" else offices.get(obj.case_id)
        if office is not None:
            by_office[office].append((table, row_key(table, obj)))
    # Offices in a fixed order, so two transactions never take two offices' head locks crosswise.
    for office in sorted(by_office):
        enqueue(session, office, by_office[office], session.info.get(SOURCE))


event.listen(Session, "after_flush", _after_flush)
