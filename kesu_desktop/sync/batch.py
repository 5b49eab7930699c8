"""A batch: the rows of one office's feed between two feed numbers, ready to travel.

Read in one transaction on the sending side; applied in one transaction on the receiving side
(sync/apply.py), with the receiver's checkpoint written in that same transaction.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from kesu_desktop.storage.models import SyncFeed
from kesu_desktop.sync.rows import dump_row, table

#: The synced tables, in the order a case's rows are applied (events first: they make the case).
CASE_TABLES = (
    "case_events",
    "attachments",
    "case_documents",
    "case_signatures",
    "replies",
    "case_links",
    "alerts",
)


@dataclass
class Batch:
    office: str
    #: Feed numbers (of the sender) the batch covers: after ``after``, up to and including ``through``.
    after: int
    through: int
    items: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)

    def events(self) -> list[dict[str, Any]]:
        return [row for t, row in self.items if t == "case_events"]

    def as_json(self) -> dict[str, Any]:
        from kesu_desktop.sync.rows import encode_blobs

        return {
            "office": self.office,
            "after": self.after,
            "through": self.through,
            "items": [[t, r] for t, r in self.items],
            "blobs": encode_blobs(self.blobs),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Batch:
        from kesu_desktop.sync.rows import decode_blobs

        return cls(
            office=str(data["office"]),
            after=int(data["after"]),
            through=int(data["through"]),
            items=[(str(t), dict(r)) for t, r in data["items"]],
            blobs=decode_blobs(data["blobs"]),
        )


def _key_condition(name: str, keys: list[str]) -> Any:
    tbl = table(name)
    if name == "case_links":
        parts = [k.split("|") for k in keys]
        return tuple_(tbl.c.case_id, tbl.c.linked_case_id, tbl.c.kind).in_(
            [(uuid.UUID(a), uuid.UUID(b), kind) for a, b, kind in parts]
        )
    return tbl.c.id.in_([uuid.UUID(k) for k in keys])


def _key_of(name: str, row: Any) -> str:
    if name == "case_links":
        return f"{uuid.UUID(str(row.case_id))}|{uuid.UUID(str(row.linked_case_id))}|{row.kind}"
    return str(uuid.UUID(str(row.id)))


def _normal_key(name: str, key: str) -> str:
    if name == "case_links":
        a, b, kind = key.split("|")
        return f"{uuid.UUID(a)}|{uuid.UUID(b)}|{kind}"
    return str(uuid.UUID(key))


def read_feed(
    session: Session,
    office: str,
    after: int,
    limit: int,
    *,
    local_only: bool = False,
    exclude_source: str | None = None,
) -> Batch:
    """The next ``limit`` feed entries of ``office`` after ``after`` and their rows as they are now.

    ``local_only``: only rows written on this database (a branch pushing); ``exclude_source``: not the
    rows that came from that link (the central serving a branch its own rows back). Entries left out
    still move ``through``, so the cursor passes them.
    """
    entries = session.execute(
        select(SyncFeed.seq, SyncFeed.item_table, SyncFeed.item_id, SyncFeed.source)
        .where(SyncFeed.office_code == office, SyncFeed.seq > after)
        .order_by(SyncFeed.seq)
        .limit(limit)
    ).all()
    batch = Batch(office=office, after=after, through=entries[-1].seq if entries else after)
    wanted: list[tuple[str, str]] = []
    for entry in entries:
        if local_only and entry.source is not None:
            continue
        if exclude_source is not None and entry.source == exclude_source:
            continue
        wanted.append((entry.item_table, _normal_key(entry.item_table, entry.item_id)))
    _fill(session, batch, wanted)
    return batch


def _fill(session: Session, batch: Batch, wanted: list[tuple[str, str]]) -> None:
    """Add the rows named by (table, key) to the batch, once each, in the order first named."""
    order: dict[tuple[str, str], int] = {}
    for item in wanted:
        order.setdefault(item, len(order))
    by_table: dict[str, list[str]] = defaultdict(list)
    for name, key in order:
        by_table[name].append(key)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name, keys in by_table.items():
        tbl = table(name)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for row in session.execute(select(tbl).where(_key_condition(name, chunk))).mappings():
                found[(name, _key_of(name, _Row(row)))] = dump_row(tbl, row, batch.blobs)
    for item in sorted(found, key=order.__getitem__):
        batch.items.append((item[0], found[item]))


class _Row:
    def __init__(self, mapping: Any) -> None:
        self._m = mapping

    def __getattr__(self, name: str) -> Any:
        return self._m[name]


def case_histories(session: Session, case_ids: Iterable[uuid.UUID], batch: Batch) -> None:
    """Add everything about these cases (a receiver that never saw them gets them whole)."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return
    present = {(t, _key_of(t, _Row(r))) for t, r in batch.items}
    wanted: list[tuple[str, str]] = []
    for name in CASE_TABLES:
        tbl = table(name)
        query = select(tbl).where(tbl.c.case_id.in_(ids))
        if name == "case_events":
            query = query.order_by(tbl.c.hlc, tbl.c.node_id, tbl.c.id)
        for row in session.execute(query).mappings():
            key = (name, _key_of(name, _Row(row)))
            if key not in present:
                wanted.append(key)
    prefix = Batch(office=batch.office, after=batch.after, through=batch.through, blobs=batch.blobs)
    _fill(session, prefix, wanted)
    # The histories go first: the rows of the batch may hang on these cases.
    batch.items[:0] = prefix.items


def referenced_cases(batch: Batch) -> set[uuid.UUID]:
    """Every case a batch's rows hang on (a receiver lacking one needs its whole history first)."""
    return {uuid.UUID(row["case_id"]) for _name, row in batch.items if row.get("case_id")}


def registered_cases(batch: Batch) -> set[uuid.UUID]:
    return {uuid.UUID(r["case_id"]) for r in batch.events() if r["kind"] == "registered"}
