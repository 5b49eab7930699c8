"""Seeding demo cases in bulk (``kesu seed-demo``): realistic data, the real rules, a truthful event log.

Why not call ``register_case`` per case: one transaction, a serial lock, a repeat query and a row-by-row
search-index write per case would make a million-case demo take hours. Instead each batch of cases is
built in Python and written with a handful of executemany statements in one transaction, while keeping
every invariant the rest of the application relies on:

* priority, severity, deadlines and ``next_due_at`` come from the same domain rules the services use
  (``rules.effective_severity/effective_priority/case_deadlines``, ``sla.next_due``);
* every case has a ``registered`` event, and a case that moved on has the events of each step, with the
  same ``set`` payloads the workflow services write — so the row equals the replay of its events;
* case numbers are reserved from ``case_serials`` per office-local day, so later real registrations
  continue the sequence instead of colliding;
* repeat complaints (same phone or account, same category, inside the window) are linked and raised
  to at least P1 exactly as at the counter.

The mass-complaint rule (three general complaints of a category in a week) is deliberately not applied:
a demo office receiving dozens of complaints a day would trip it on nearly every case and turn the whole
data set "major", which is neither realistic nor useful to look at. Every demo event carries
``"demo": true`` so synthetic history can always be told apart from real history.

The work is split in three so that large runs can use every core: the *registrar* (this process) hands
out ids, case numbers and repeat links in registration order; *builders* turn those into rows — the
CPU-heavy part: deadlines, events, JSON, search tokens — in worker processes for large runs; the
*writer* (this process again) inserts each batch and commits, strictly in order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Dialect, Integer, Text, Uuid, column, func, insert, or_, select, table, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from kesu_desktop.domain import rules, sla, workflow
from kesu_desktop.domain.case_number import format_case_no
from kesu_desktop.domain.defaults import SERVICE_DEPARTMENT
from kesu_desktop.domain.enums import Action, Priority, Role, Severity, Status
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.domain.ids import Timestamp, uuid7
from kesu_desktop.domain.sla import CaseClock
from kesu_desktop.i18n import _
from kesu_desktop.services import demo_data
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.demo_data import DemoComplaint, Step
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import category_departments, office_rules
from kesu_desktop.storage import search
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.eventlog import json_changes, to_json_value
from kesu_desktop.storage.models import Case, CaseEvent, CaseLink, CaseWatch, Department
from kesu_desktop.storage.tokens import index_tokens

#: Who may fill a database with synthetic cases: people who run an office or its installation.
SEED_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGER})

#: Cases per transaction: large enough to amortise statement overhead, small enough to show progress
#: and keep memory flat however many cases are asked for.
BATCH_SIZE = 5000

#: From this many cases on, rows are built in worker processes (starting them costs about a second).
PARALLEL_FROM = 20_000

#: SQLite binds at most 32766 parameters per statement; IN lists are cut well below that.
_IN_CHUNK = 2000

Progress = Callable[[int, int], None]

#: The case columns demo events set (registration and the workflow steps below), plus bookkeeping.
#: Only these are written, so a column added later keeps its own default instead of a forced NULL.
_DEMO_CASE_FIELDS = frozenset(
    [
        "id",
        "case_no",
        "office_code",
        "reg_department_code",
        "customer_name",
        "phone",
        "phone_last4",
        "email",
        "address",
        "account_no",
        "member_level",
        "room_no",
        "employer",
        "channel",
        "occurred_at",
        "location",
        "product",
        "description",
        "demand",
        "category",
        "severity",
        "priority",
        "urgent",
        "is_repeat",
        "status",
        "escalation_level",
        "plan_needs_manager",
        "respond_by",
        "resolve_by",
        "update_by",
        "registered_by",
        "created_at",
        "validity",
        "responded_at",
        "department_code",
        "assignee_id",
        "assignee",
        "plan_by",
        "resolved_at",
        "confirmed_at",
        "survey_by",
        "closed_at",
        "survey_efficiency",
        "survey_attitude",
        "survey_solution",
        "callback_by",
        "next_due_at",
        "held_at",
        "updated_at",
        "last_hlc",
        "deleted_at",
    ]
)
_CASE_KEYS = tuple(c.key for c in Case.__table__.columns if c.key in _DEMO_CASE_FIELDS)
#: CaseClock reads case fields of the same names (status and created_at included).
_CLOCK_NAMES = tuple(f.name for f in fields(CaseClock))
_STATUSES = {s.value: s for s in Status}

# The search tables have no ORM model (they differ per dialect); see the initial migration.
_SQLITE_SEARCH = table("case_search", column("doc_id", Integer), column("case_id", Uuid()))
_SQLITE_FTS = table("case_fts", column("rowid", Integer), column("tokens", Text))
_PG_SEARCH = text(
    "INSERT INTO case_search (case_id, tokens) "
    "SELECT t.id, array_to_tsvector(string_to_array(t.words, ' ')) "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:words AS text[])) AS t(id, words)"
)

# Reserve a block of serials in one statement: the row stays locked until commit, so a registration
# running at the same time queues behind the block and continues after it (see storage/serials.py).
_RESERVE_SERIALS = text(
    "INSERT INTO case_serials (office_code, department_code, day, last_serial) "
    "VALUES (:office, :department, :day, :n) "
    "ON CONFLICT (office_code, department_code, day) "
    "DO UPDATE SET last_serial = case_serials.last_serial + :n "
    "RETURNING last_serial"
)

_STEP_ACTIONS = {
    "verified": Action.VERIFY,
    "assigned": Action.ASSIGN,
    "resolved": Action.RESOLVE,
    "confirmed": Action.CONFIRM,
    "surveyed": Action.SURVEY,
    "closed": Action.CLOSE,
}


def seed_demo(
    desk: Desk,
    actor: Actor,
    *,
    count: int,
    seed: int = 1,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> int:
    """Create ``count`` demo cases registered over the past year at the actor's office; returns the count.

    Deterministic in content for a given seed and desk clock (ids are fresh UUIDv7s). One transaction
    per batch: an interrupted run leaves whole batches, never half a case. ``workers`` processes build
    the rows (``None``: one per core for large runs, none for small ones; ``0``: all in this process).
    """
    if actor.role not in SEED_ROLES:
        raise NotAllowed(_("只有管理员、客服主管或客服经理可以生成演示数据"))
    if count < 1:
        raise ValidationError.single("count", _("数量须为正整数"))
    with desk.db.read() as session:
        office = office_rules(session, actor.office_code)
        category_depts = category_departments(session)
        active_depts = set(session.scalars(select(Department.code).where(Department.active.is_(True))))
    categories = [c for c in demo_data.CATEGORY_CODES if c in category_depts]
    if not categories:
        raise ValidationError.single("category", _("没有可用于演示数据的投诉类别"))
    setup = _Setup(
        url=desk.db.url,
        office_code=actor.office_code,
        actor_id=actor.id,
        actor_name=actor.username,
        node_id=desk.node_id,
        now=desk.clock.now(),
        departments={c: d if d in active_depts else SERVICE_DEPARTMENT for c, d in category_depts.items()},
    )
    complaints = demo_data.generate(
        count, seed=seed, now=setup.now, tz=office.calendar.tz, categories=categories
    )
    batches = _chunks(complaints, max(1, batch_size))
    registrar = _Registrar(desk, setup, office.calendar.tz, office.policy.repeat_window_days)
    writer = _Writer(desk)
    workers = default_workers(count, desk.db.kind) if workers is None else workers
    done = 0

    def written(batch_no: int, rows: _Rows) -> None:
        nonlocal done
        writer.write(rows)
        registrar.committed(batch_no)
        done += len(rows.cases)
        if progress is not None:
            progress(done, count)

    if workers <= 0:
        builder = _Builder(setup, desk.db)
        for batch_no, batch in enumerate(batches):
            written(batch_no, builder.build(registrar.prepare(batch_no, batch)))
        # A bulk load changes the data's shape more than anything else does: without fresh statistics
        # SQLite plans the first searches on the new cases from a guess (seconds instead of milliseconds).
        desk.db.refresh_statistics()
        return done
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_process_context(),
        initializer=_start_worker,
        initargs=(setup,),
    )
    try:
        # Keep every worker busy while this process generates, numbers and writes in order.
        pending: deque[tuple[int, Future[_Rows]]] = deque()
        for batch_no, batch in enumerate(batches):
            pending.append((batch_no, pool.submit(_build_in_worker, registrar.prepare(batch_no, batch))))
            while len(pending) > workers:
                oldest, future = pending.popleft()
                written(oldest, future.result())
        while pending:
            oldest, future = pending.popleft()
            written(oldest, future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    desk.db.refresh_statistics()  # as above
    return done


def default_workers(count: int, database: str = "sqlite") -> int:
    """Worker processes pay off only for large runs on several cores, and are only started unasked
    where that is safe whoever the caller is: by fork on Linux, from a process with no other thread.

    Only for SQLite: there this process spends its time writing while workers build rows. With
    PostgreSQL a local server needs the same cores and the COPY here takes a larger share, so workers
    measured slower than none on a two-core machine.

    Elsewhere processes must be spawned, which re-imports the caller's main module in every worker —
    a script that calls seed_demo at top level would then run again in each of them — and a frozen
    build needs the application's own multiprocessing support. There the caller may still ask for
    workers explicitly.
    """
    cpus = os.cpu_count() or 1
    if database != "sqlite" or count < PARALLEL_FROM or cpus < 2 or not _fork_is_safe():
        return 0
    return min(cpus, 4)


def _fork_is_safe() -> bool:
    # A lock held by another thread at the moment of fork stays locked forever in the child.
    return (
        sys.platform == "linux"
        and not getattr(sys, "frozen", False)
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def _process_context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("fork" if _fork_is_safe() else "spawn")


def _chunks(items: Iterable[DemoComplaint], size: int) -> Iterator[list[DemoComplaint]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _utc(instant: datetime) -> datetime:
    """The same instant in UTC: the calendar answers in office time, whose zone makes every later
    comparison and conversion of the value several times slower (it is stored as UTC anyway)."""
    return instant.astimezone(UTC)


def _ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


@dataclass(frozen=True)
class _Setup:
    """What a builder needs, in a form that crosses to a worker process."""

    url: str
    office_code: str
    actor_id: uuid.UUID
    actor_name: str
    node_id: str
    departments: dict[str, str]
    now: datetime  # when the seeding runs: the deadline watcher's schedule is computed for it


@dataclass(frozen=True)
class _Prepared:
    """One complaint with what only registration order can decide: its id, number and repeat links."""

    complaint: DemoComplaint
    case_id: uuid.UUID
    case_no: str
    counter: int  # HLC counter of the registered event (registrations of one node never share a stamp)
    repeat_of: list[str]
    linked_ids: list[uuid.UUID]


@dataclass
class _Rows:
    """One batch ready to insert: per table, processed value tuples in statement order."""

    cases: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    links: list[tuple[Any, ...]]
    watches: list[tuple[Any, ...]]
    documents: list[tuple[uuid.UUID, list[str]]]


@dataclass(frozen=True)
class _Earlier:
    """An earlier case as the repeat rule sees it, with its id for the link row."""

    id: uuid.UUID
    case: rules.PriorCase


# -- registrar: numbers and links, in registration order ---------------------------------------------


class _Registrar:
    """Hands out what depends on registration order, batch by batch, before the rows are built."""

    def __init__(self, desk: Desk, setup: _Setup, tz: ZoneInfo, window_days: int) -> None:
        self.desk = desk
        self.setup = setup
        self.tz = tz
        self.window_days = window_days
        self._last_ms = -1
        self._counter = 0
        #: Cases of batches handed out but not yet committed, which the database cannot show yet.
        self._in_flight: dict[int, list[_Earlier]] = {}

    def prepare(self, batch_no: int, batch: Sequence[DemoComplaint]) -> list[_Prepared]:
        numbers = self._case_numbers(batch)
        by_phone, by_account = self._earlier(batch)
        mine: list[_Earlier] = []
        prepared = []
        for c, case_no in zip(batch, numbers, strict=True):
            candidates = {e.case.case_no: e for e in by_phone.get(c.phone, ())}
            if c.account_no:
                candidates.update((e.case.case_no, e) for e in by_account.get(c.account_no, ()))
            repeat_of = rules.find_repeats(
                phone=c.phone,
                account_no=c.account_no,
                category=c.category,
                at=c.created_at,
                earlier=[e.case for e in candidates.values()],
                window_days=self.window_days,
            )
            created_ms = _ms(c.created_at)
            self._counter = self._counter + 1 if created_ms == self._last_ms else 0
            self._last_ms = created_ms
            item = _Prepared(
                c, uuid7(created_ms), case_no, self._counter, repeat_of, [candidates[n].id for n in repeat_of]
            )
            prepared.append(item)
            if not (c.steps and c.steps[0].details.get("valid") is False):  # the rule ignores invalid cases
                earlier = _Earlier(
                    item.case_id,
                    rules.PriorCase(
                        case_no=case_no,
                        phone=c.phone,
                        account_no=c.account_no,
                        category=c.category,
                        severity=Severity.GENERAL,  # not read by the repeat rule
                        created_at=c.created_at,
                    ),
                )
                mine.append(earlier)
                _add(by_phone, by_account, earlier)
        self._in_flight[batch_no] = mine
        return prepared

    def committed(self, batch_no: int) -> None:
        self._in_flight.pop(batch_no, None)

    def _case_numbers(self, batch: Sequence[DemoComplaint]) -> list[str]:
        """Reserve one block of serials per office-local day, handed out in registration order.

        Reserved in a transaction of its own, before the rows exist: a run interrupted in between leaves
        a gap in that day's numbers, never a number used twice.
        """
        office = self.setup.office_code
        days = [c.created_at.astimezone(self.tz).date() for c in batch]
        next_serial: dict[date, int] = {}
        with self.desk.db.write() as session:
            for day, n in Counter(days).items():
                params = {"office": office, "department": SERVICE_DEPARTMENT, "day": day, "n": n}
                last = session.execute(_RESERVE_SERIALS, params).scalar_one()
                next_serial[day] = int(last) - n + 1
        numbers = []
        for day in days:
            numbers.append(format_case_no(day, office, SERVICE_DEPARTMENT, next_serial[day]))
            next_serial[day] += 1
        return numbers

    def _earlier(
        self, batch: Sequence[DemoComplaint]
    ) -> tuple[dict[str, list[_Earlier]], dict[str, list[_Earlier]]]:
        """Earlier cases of this batch's customers: stored ones (real or demo) and those in flight."""
        since = batch[0].created_at - timedelta(days=self.window_days)
        phones = sorted({c.phone for c in batch})
        accounts = sorted({c.account_no for c in batch if c.account_no})
        by_phone: dict[str, list[_Earlier]] = {}
        by_account: dict[str, list[_Earlier]] = {}
        seen: set[uuid.UUID] = set()
        with self.desk.db.read() as session:
            for field, values in ((Case.phone, phones), (Case.account_no, accounts)):
                for start in range(0, len(values), _IN_CHUNK):
                    query = select(
                        Case.id,
                        Case.case_no,
                        Case.phone,
                        Case.account_no,
                        Case.category,
                        Case.severity,
                        Case.created_at,
                        Case.status,
                    ).where(
                        field.in_(values[start : start + _IN_CHUNK]),
                        Case.created_at >= since,
                        Case.deleted_at.is_(None),
                        or_(Case.validity.is_(None), Case.validity != "invalid"),
                    )
                    for r in session.execute(query):
                        if r.id not in seen:
                            seen.add(r.id)
                            prior = rules.PriorCase(
                                case_no=r.case_no,
                                phone=r.phone,
                                account_no=r.account_no,
                                category=r.category,
                                severity=Severity(r.severity),
                                created_at=r.created_at,
                                closed=r.status == Status.CLOSED,
                            )
                            _add(by_phone, by_account, _Earlier(r.id, prior))
        wanted_phones, wanted_accounts = set(phones), set(accounts)
        for earlier_batch in self._in_flight.values():
            for e in earlier_batch:
                if e.id not in seen and (
                    e.case.phone in wanted_phones or e.case.account_no in wanted_accounts
                ):
                    seen.add(e.id)
                    _add(by_phone, by_account, e)
        return by_phone, by_account


def _add(by_phone: dict[str, list[_Earlier]], by_account: dict[str, list[_Earlier]], e: _Earlier) -> None:
    by_phone.setdefault(e.case.phone, []).append(e)
    if e.case.account_no:
        by_account.setdefault(e.case.account_no, []).append(e)


# -- statements --------------------------------------------------------------------------------------


class _Statement:
    """A bulk insert into one table, prepared once: column order, defaults and each column's processor.

    SQLAlchemy's executemany prepares every parameter set through several layers per row; for the
    hundreds of thousands of event rows a large demo writes that is most of the time spent. Here every
    value still goes through its column type's own bind processor (UTC handling, UUID and JSON
    encoding), just in one tight loop — in a builder process when there are workers. SQLite then gets
    the statement SQLAlchemy compiled, as one executemany; PostgreSQL gets the same rows through COPY,
    its bulk-load path, inside the same transaction.
    """

    def __init__(self, target: TableClause, dialect: Dialect, keys: Sequence[str] | None = None) -> None:
        # Columns the rows do not provide keep their server default, or get their scalar Python default.
        given = set(keys or (c.key for c in target.columns))
        columns = {c.key: c for c in target.columns if c.key in given or c.server_default is None}
        self.defaults = {
            k: c.default.arg if c.default is not None and c.default.is_scalar else None
            for k, c in columns.items()
            if k not in given
        }
        compiled = insert(target).compile(dialect=dialect, column_keys=list(columns))
        order = list(compiled.positiontup or columns)
        self.sqlite = dialect.name == "sqlite"
        if self.sqlite:
            self.sql = str(compiled)
        else:
            quote = dialect.identifier_preparer.quote
            self.sql = f"COPY {quote(target.name)} ({', '.join(quote(k) for k in order)}) FROM STDIN"
        self._values = itemgetter(*order)
        self._processors = [
            (i, processor)
            for i, key in enumerate(order)
            if (processor := columns[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]

    def params(self, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        """The rows as processed value tuples in statement order, ready for the driver."""
        if self.defaults:
            rows = [{**self.defaults, **row} for row in rows]
        out = []
        for row in rows:
            values = list(self._values(row))
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
        with driver.cursor() as cursor, cursor.copy(self.sql) as copy:
            for values in params:
                copy.write_row(values)


class _Statements:
    def __init__(self, dialect: Dialect) -> None:
        self.cases = _Statement(Case.__table__, dialect, _CASE_KEYS)
        self.events = _Statement(CaseEvent.__table__, dialect)
        self.links = _Statement(CaseLink.__table__, dialect)
        self.watches = _Statement(CaseWatch.__table__, dialect)
        self.search = _Statement(_SQLITE_SEARCH, dialect)
        self.fts = _Statement(_SQLITE_FTS, dialect)


def _dialect(db: Database) -> Dialect:
    with db.engine.connect():  # some dialect settings are only known after the first connection
        return db.engine.dialect


# -- writer: one transaction per batch, in order --------------------------------------------------


class _Writer:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.statements = _Statements(_dialect(desk.db))

    def write(self, rows: _Rows) -> None:
        s = self.statements
        with self.desk.db.write() as session:
            s.cases.execute(session, rows.cases)
            s.events.execute(session, rows.events)
            s.links.execute(session, rows.links)
            s.watches.execute(session, rows.watches)
            self._index(session, rows.documents)

    def _index(self, session: Session, documents: list[tuple[uuid.UUID, list[str]]]) -> None:
        """The bulk form of search.index_case for brand-new cases (nothing to delete first)."""
        s = self.statements
        if self.desk.db.kind != "sqlite":
            # One statement per batch: the tokens travel as arrays (they never contain spaces).
            ids = [case_id for case_id, _t in documents]
            words = [" ".join(tokens) for _c, tokens in documents]
            session.execute(_PG_SEARCH, {"ids": ids, "words": words})
            return
        # Doc ids follow the current maximum: safe because SQLite write transactions are exclusive
        # (BEGIN IMMEDIATE), and far cheaper than RETURNING row by row.
        first = session.scalar(select(func.coalesce(func.max(_SQLITE_SEARCH.c.doc_id), 0))) + 1
        ids = range(first, first + len(documents))
        s.search.execute(
            session,
            s.search.params(
                [{"doc_id": i, "case_id": case_id} for i, (case_id, _t) in zip(ids, documents, strict=True)]
            ),
        )
        s.fts.execute(
            session,
            s.fts.params(
                [
                    {"rowid": i, "tokens": " ".join(words)}
                    for i, (_c, words) in zip(ids, documents, strict=True)
                ]
            ),
        )


# -- builder: rows from prepared complaints (the CPU-heavy part) ----------------------------------


class _Builder:
    """Turns prepared complaints into case rows, events, links and search tokens."""

    def __init__(self, setup: _Setup, db: Database) -> None:
        self.setup = setup
        with db.read() as session:
            office = office_rules(session, setup.office_code)
        self.policy = office.policy
        self.calendar = office.calendar
        self.statements = _Statements(_dialect(db))

    def build(self, batch: list[_Prepared]) -> _Rows:
        cases: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        watches: list[dict[str, Any]] = []
        documents: list[tuple[uuid.UUID, list[str]]] = []
        share, minimum_lead = self.policy.due_soon_share, timedelta(minutes=self.policy.due_soon_minutes)
        for item in batch:
            row, case_events = self._case(item)
            cases.append(row)
            events.extend(case_events)
            # As unit.schedule_watch would leave it after the case's last event, seen from "now".
            when = sla.next_alert_at(_clock(row), self.setup.now, share, minimum_lead)
            watches.append({"case_id": item.case_id, "next_alert_at": when})
            links.extend(
                {"case_id": item.case_id, "linked_case_id": linked, "kind": "repeat"}
                for linked in item.linked_ids
            )
            documents.append((item.case_id, index_tokens([row[name] for name in search.TEXT_FIELDS])))
        s = self.statements
        return _Rows(
            s.cases.params(cases),
            s.events.params(events),
            s.links.params(links),
            s.watches.params(watches),
            documents,
        )

    def _case(self, item: _Prepared) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The case row and its events; the row is the fold of the events, so it equals their replay."""
        c = item.complaint
        created = c.created_at
        severity = rules.effective_severity(c.severity, c.urgent)
        priority = rules.effective_priority(
            c.priority, severity=severity, urgent=c.urgent, is_repeat=bool(item.repeat_of)
        )
        deadlines = rules.case_deadlines(
            self.policy, self.calendar, priority=priority, severity=severity, start=created
        )
        fields: dict[str, Any] = {
            "id": item.case_id,
            "case_no": item.case_no,
            "office_code": self.setup.office_code,
            "reg_department_code": SERVICE_DEPARTMENT,
            "customer_name": c.customer_name,
            "phone": c.phone,
            "phone_last4": c.phone[-4:],
            "email": c.email,
            "address": c.address,
            "account_no": c.account_no,
            "member_level": c.member_level,
            "room_no": None,
            "employer": None,
            "channel": c.channel.value,
            "occurred_at": c.occurred_at,
            "location": c.location,
            "product": c.product,
            "description": c.description,
            "demand": c.demand,
            "category": c.category,
            "severity": severity.value,
            "priority": priority.value,
            "urgent": c.urgent,
            "is_repeat": bool(item.repeat_of),
            "status": Status.REGISTERED.value,
            "escalation_level": 0,
            "plan_needs_manager": False,
            "respond_by": _utc(deadlines.respond_by),
            "resolve_by": _utc(deadlines.resolve_by),
            "update_by": _utc(deadlines.update_by),
            "registered_by": self.setup.actor_name,
            "created_at": created,
        }
        state: dict[str, Any] = dict.fromkeys(_CASE_KEYS)
        info = {"repeat_of": item.repeat_of}
        events = [self._event(state, "registered", created, item.counter, fields, info)]
        for step in c.steps:
            changes, info = self._step(state, step)
            events.append(self._event(state, step.kind, step.at, 0, changes, info))
        state["updated_at"] = events[-1]["at"]
        state["last_hlc"] = events[-1]["hlc"]
        return state, events

    def _step(self, state: dict[str, Any], step: Step) -> tuple[dict[str, Any], dict[str, Any]]:
        """The changes and details of one workflow step, as services/actions.py would record them."""
        action = _STEP_ACTIONS[step.kind]
        current = _STATUSES[state["status"]]
        if current not in workflow.ALLOWED_FROM[action]:
            raise AssertionError(f"demo step {step.kind} is not allowed from {current}")
        at, d = step.at, step.details
        first_response = {} if state["responded_at"] else {"responded_at": at}
        if action is Action.VERIFY:
            valid = bool(d["valid"])
            changes = {
                "validity": "valid" if valid else "invalid",
                "status": workflow.target_status(action, current, valid=valid).value,
                "urgent": state["urgent"],
                **first_response,
            }
            return changes, {"valid": valid, "urgent": state["urgent"], "reason": d.get("reason")}
        status = workflow.target_status(action, current).value
        if action is Action.ASSIGN:
            department = self.setup.departments.get(state["category"]) or SERVICE_DEPARTMENT
            plan_by = _utc(rules.plan_by(self.policy, self.calendar, Priority(state["priority"]), at))
            changes = {
                "department_code": department,
                "assignee_id": None,
                "assignee": None,
                "status": status,
                "plan_by": plan_by,
                **first_response,
            }
            return changes, {"department": department, "assignee": None, "reason": None}
        if action is Action.RESOLVE:
            changes = {"status": status, "resolved_at": at, **first_response}
            return changes, {"result": d["result"], "compensation": d.get("compensation")}
        if action is Action.CONFIRM:
            survey_by = _utc(rules.survey_by(self.policy, self.calendar, at))
            changes = {"status": status, "confirmed_at": at, "survey_by": survey_by}
            return changes, {"opinion": d.get("opinion")}
        if action is Action.SURVEY:
            scores = {name: d[name] for name in ("efficiency", "attitude", "solution")}
            low = any(v <= self.policy.low_score_threshold for v in scores.values())
            changes = {"status": status, "survey_by": None, **{f"survey_{k}": v for k, v in scores.items()}}
            return changes, {**scores, "comment": d.get("comment"), "needs_callback": low}
        return {"status": status, "closed_at": at, "callback_by": None}, {"note": None}

    def _event(
        self,
        state: dict[str, Any],
        kind: str,
        at: datetime,
        counter: int,
        changes: dict[str, Any],
        info: dict[str, Any],
    ) -> dict[str, Any]:
        """Apply one event to ``state`` and return its row, keeping next_due_at as unit.record does."""
        previous = state["next_due_at"]
        state.update(changes)
        due = sla.next_due(_clock(state))
        if due != previous or previous is None:
            changes["next_due_at"] = state["next_due_at"] = due
        at_ms = _ms(at)
        payload = {"set": json_changes(changes)}
        payload.update((k, to_json_value(v)) for k, v in info.items())
        payload["demo"] = True
        return {
            "id": uuid7(at_ms),
            "case_id": state["id"],
            "hlc": Timestamp(at_ms, counter).encode(),
            "node_id": self.setup.node_id,
            "actor_id": self.setup.actor_id,
            "actor": self.setup.actor_name,
            "kind": kind,
            "at": at,
            "payload": payload,
        }


def _clock(state: dict[str, Any]) -> CaseClock:
    values = {name: state.get(name) for name in _CLOCK_NAMES}
    values["status"] = _STATUSES[values["status"]]
    return CaseClock(**values)


# -- worker processes ----------------------------------------------------------------------------

_worker_builder: _Builder | None = None


def _start_worker(setup: _Setup) -> None:
    """Runs once in each worker process: open the database to read the office's rules."""
    global _worker_builder
    db = Database(setup.url)
    try:
        _worker_builder = _Builder(setup, db)
    finally:
        db.dispose()


def _build_in_worker(batch: list[_Prepared]) -> _Rows:
    assert _worker_builder is not None, "worker not started"
    return _worker_builder.build(batch)
