"""Bulk writes of brand-new cases: the batch form of ``eventlog.append`` and ``search.index_case``.

Why a second way to write rows at all: loading a demo or benchmark database of 100,000 cases row by
row through the ORM (an INSERT per case, per event and per search entry) takes an hour. The rows
written here are the ones the per-case writes would have written — the caller builds them with the
same functions (``eventlog.event_payload``, ``tokens.index_tokens`` and ``search.folded_text`` over
``search.case_texts``,
``serials.reserve_serials``) — only the statements differ: one executemany per table on SQLite, COPY
on PostgreSQL, inside the caller's transaction.

Only for cases that do not exist yet: nothing here updates or deletes, and the search entries are
written without looking for an earlier one.

The events are chained like ``eventlog.append``'s: the workers make each event's canonical content
(``eventlog.event_body``), and ``write`` links them onto their node's head inside the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Integer, Text, Uuid, column, func, insert, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from kesu_desktop.storage import eventlog, feed
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.models import Case, CaseEvent, CaseLink, CaseWatch
from kesu_desktop.storage.types import is_json

# The search tables have no ORM model (they differ per dialect); see the initial migration and search.py.
_SQLITE_SEARCH = table(
    "case_search", column("doc_id", Integer), column("case_id", Uuid()), column("folded", Text)
)
_SQLITE_FTS = table("case_fts", column("rowid", Integer), column("tokens", Text))
# Built once, as are the inserts of ``insert_many``: a registration runs each of them, and building a
# statement cost more than running it.
_LAST_DOC_ID = select(func.coalesce(func.max(_SQLITE_SEARCH.c.doc_id), 0))
_PG_SEARCH = text(
    "INSERT INTO case_search (case_id, tokens, folded) "
    "SELECT t.id, array_to_tsvector(string_to_array(t.words, ' ')), t.folded "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:words AS text[]), CAST(:folded AS text[])) "
    "AS t(id, words, folded)"
)


#: Up to this many rows go to PostgreSQL as an INSERT rather than through COPY.
FEW_ROWS = 32


class BulkInsert:
    """A bulk insert into one table, prepared once: column order, defaults and each column's processor.

    SQLAlchemy's executemany prepares every parameter set through several layers per row; for the
    hundreds of thousands of event rows a large load writes that is most of the time spent. Here every
    value still goes through its column type's own bind processor (UTC handling, UUID and JSON
    encoding), just in one tight loop — in a worker process when the caller has some (``params`` is
    separate from ``execute`` for that). SQLite then gets the statement SQLAlchemy compiled, as one
    executemany; PostgreSQL gets the same rows through COPY, its bulk-load path.

    A column a row does not give gets the column's scalar Python default, else NULL: what adding the
    ORM object would have stored.
    """

    def __init__(self, target: TableClause, dialect: Dialect) -> None:
        columns = {c.key: c for c in target.columns}
        self.defaults = {
            k: c.default.arg if c.default is not None and c.default.is_scalar else None
            for k, c in columns.items()
        }
        compiled = insert(target).compile(dialect=dialect, column_keys=list(columns))
        order = list(compiled.positiontup or columns)
        self.sqlite = dialect.name == "sqlite"
        if self.sqlite:
            self.sql = str(compiled)
        else:
            quote = dialect.identifier_preparer.quote
            names = ", ".join(quote(k) for k in order)
            self.sql = f"COPY {quote(target.name)} ({names}) FROM STDIN"
            placeholders = ", ".join(["%s"] * len(order))
            self.insert_sql = f"INSERT INTO {quote(target.name)} ({names}) VALUES ({placeholders})"
        self.order = order
        self._values = itemgetter(*order)
        self._processors = [
            (i, processor)
            for i, key in enumerate(order)
            if (processor := columns[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]

    def params(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The rows as processed value tuples in statement order, ready for the driver."""
        defaults = self.defaults
        out = []
        for row in rows:
            values = list(self._values({**defaults, **row}))
            for i, process in self._processors:
                values[i] = process(values[i])
            out.append(tuple(values))
        return out

    def execute(self, session: Session, params: list[tuple[Any, ...]]) -> None:
        if not params:
            return
        if self.sqlite:
            session.connection().exec_driver_sql(self.sql, params)
            return
        driver = session.connection().connection.driver_connection
        if len(params) <= FEW_ROWS:
            # A registration's handful of rows: a plain INSERT costs less than starting a COPY, and a
            # branch's role under row-level security is refused COPY altogether.
            with driver.cursor() as cursor:
                cursor.executemany(self.insert_sql, params)
            return
        with driver.cursor() as cursor, cursor.copy(self.sql) as copy:
            for values in params:
                copy.write_row(values)


@dataclass
class CaseRows:
    """New cases ready to insert: per table, processed value tuples (``CaseTables.params``)."""

    cases: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    links: list[tuple[Any, ...]]
    watches: list[tuple[Any, ...]]
    #: Each case's id, search tokens and folded text (``tokens.index_tokens`` and ``search.folded_text``
    #: of ``search.case_texts``).
    documents: list[tuple[uuid.UUID, list[str], str]]
    #: Per event (same order as ``events``): its node, id and canonical content (``eventlog.event_body``),
    #: to be chained by ``CaseTables.write``.
    chain: list[tuple[str, uuid.UUID, str]]


class CaseTables:
    """The statements that insert new cases with their events, links, watch entries and search entries."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect.name
        self.cases = BulkInsert(Case.__table__, dialect)
        self.events = BulkInsert(CaseEvent.__table__, dialect)
        self._seq, self._prev, self._hash = (self.events.order.index(k) for k in ("seq", "prev_hash", "hash"))
        self.links = BulkInsert(CaseLink.__table__, dialect)
        self.watches = BulkInsert(CaseWatch.__table__, dialect)
        self._search = BulkInsert(_SQLITE_SEARCH, dialect)
        self._fts = BulkInsert(_SQLITE_FTS, dialect)

    @classmethod
    def for_database(cls, db: Database) -> CaseTables:
        with db.engine.connect():  # some dialect settings are only known after the first connection
            return cls(db.engine.dialect)

    def params(
        self,
        cases: Sequence[dict[str, Any]],
        events: Sequence[dict[str, Any]],
        links: Sequence[dict[str, Any]],
        watches: Sequence[dict[str, Any]],
        documents: list[tuple[uuid.UUID, list[str], str]],
    ) -> CaseRows:
        """Rows as dicts (column key → Python value) turned into what ``write`` sends."""
        chain = [
            (
                e["node_id"],
                e["id"],
                eventlog.event_body(
                    event_id=e["id"],
                    case_id=e["case_id"],
                    hlc=e["hlc"],
                    node_id=e["node_id"],
                    actor_id=e["actor_id"],
                    actor=e["actor"],
                    kind=e["kind"],
                    at=e["at"],
                    payload=e["payload"],
                ),
            )
            for e in events
        ]
        return CaseRows(
            self.cases.params(cases),
            self.events.params(events),
            self.links.params(links),
            self.watches.params(watches),
            documents,
            chain,
        )

    def write(self, session: Session, rows: CaseRows) -> None:
        """Insert one batch inside the caller's transaction."""
        self.cases.execute(session, rows.cases)
        self.events.execute(session, self._chained(session, rows))
        self.links.execute(session, rows.links)
        self.watches.execute(session, rows.watches)
        self.index_new_cases(session, rows.documents)
        self._feed(session, rows)

    def _feed(self, session: Session, rows: CaseRows) -> None:
        """Enter the new events and links in the change feed (storage/feed.py), so sync carries them."""
        case_id, office = self.cases.order.index("id"), self.cases.order.index("office_code")
        office_of = {row[case_id]: row[office] for row in rows.cases}
        event_id, event_case = self.events.order.index("id"), self.events.order.index("case_id")
        link_case, link_other = self.links.order.index("case_id"), self.links.order.index("linked_case_id")
        link_kind = self.links.order.index("kind")
        items: dict[str, list[tuple[str, str]]] = {}
        for row in rows.events:
            items.setdefault(office_of[row[event_case]], []).append(("case_events", str(row[event_id])))
        for row in rows.links:
            key = f"{row[link_case]}|{row[link_other]}|{row[link_kind]}"
            items.setdefault(office_of[row[link_case]], []).append(("case_links", key))
        for code in sorted(items):
            feed.enqueue(session, code, items[code])

    def _chained(self, session: Session, rows: CaseRows) -> list[tuple[Any, ...]]:
        """The event rows linked onto their nodes' heads, in the order given; the heads advanced."""
        heads: dict[str, eventlog.Head] = {}
        out = []
        for values, (node_id, event_id, body) in zip(rows.events, rows.chain, strict=True):
            head = heads.get(node_id)
            if head is None:
                head = heads[node_id] = eventlog.lock_head(session, node_id)
            digest = eventlog.chain_hash(body, head.last_hash)
            row = list(values)
            row[self._seq], row[self._prev], row[self._hash] = head.count + 1, head.last_hash, digest
            out.append(tuple(row))
            head.last_event_id, head.last_hash, head.count = event_id, digest, head.count + 1
        for head in heads.values():
            eventlog.advance_head(session, head)
        return out

    def index_new_cases(self, session: Session, documents: list[tuple[uuid.UUID, list[str], str]]) -> None:
        """The bulk form of search.index_case for brand-new cases (nothing to delete first)."""
        if not documents:
            return
        if self.dialect != "sqlite":
            # One statement per batch: the tokens travel as arrays (they never contain spaces).
            ids = [case_id for case_id, _t, _f in documents]
            words = [" ".join(tokens) for _c, tokens, _f in documents]
            folded = [text for _c, _t, text in documents]
            session.execute(_PG_SEARCH, {"ids": ids, "words": words, "folded": folded})
            return
        # Doc ids follow the current maximum: safe because SQLite write transactions are exclusive
        # (BEGIN IMMEDIATE), and far cheaper than RETURNING row by row.
        first = session.scalar(_LAST_DOC_ID) + 1
        ids = range(first, first + len(documents))
        self._search.execute(
            session,
            self._search.params(
                [
                    {"doc_id": i, "case_id": case_id, "folded": folded}
                    for i, (case_id, _t, folded) in zip(ids, documents, strict=True)
                ]
            ),
        )
        self._fts.execute(
            session,
            self._fts.params(
                [
                    {"rowid": i, "tokens": " ".join(words)}
                    for i, (_c, words, _f) in zip(ids, documents, strict=True)
                ]
            ),
        )


def insert_many(
    session: Session, tbl: Any, rows: list[dict[str, Any]], *, skip_existing: bool = False
) -> None:
    """Insert rows with as few statements as possible.

    On PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)`` per table: an executemany is a round
    trip per row there, a multi-row VALUES costs SQLAlchemy seconds to compile, and COPY is refused to
    a role under row-level security (the branch role). ``skip_existing``: ``ON CONFLICT DO NOTHING``
    there, so two pushes of the same events racing each other both succeed (the caller has already
    left out the rows it saw; SQLite's writers are serialised, so there nothing can race).
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(_insert_into(tbl), rows)
        return
    session.execute(_unnest_insert(tbl, skip_existing), _column_arrays(tbl, rows))


@cache
def _insert_into(tbl: Any) -> Any:
    return insert(tbl)


@cache
def _unnest_insert(tbl: Any, skip_existing: bool) -> Any:
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    names, selects, arrays = [], [], []
    for col in tbl.columns:
        sql_type = col.type.compile(dialect=dialect)
        json = sql_type in ("JSON", "JSONB")
        names.append(col.name)
        arrays.append(f"CAST(:{col.key} AS {'TEXT' if json else sql_type}[])")
        selects.append(f"CAST(u.{col.name} AS {sql_type})" if json else f"u.{col.name}")
    return text(
        f"INSERT INTO {tbl.name} ({', '.join(names)}) SELECT {', '.join(selects)} "
        f"FROM unnest({', '.join(arrays)}) AS u({', '.join(names)})"
        + (" ON CONFLICT DO NOTHING" if skip_existing else "")
    )


def _column_arrays(tbl: Any, rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    import json

    out: dict[str, list[Any]] = {}
    for col in tbl.columns:
        values = [row.get(col.key) for row in rows]
        if is_json(col.type):
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        out[col.key] = values
    return out
