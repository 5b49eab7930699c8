"""Seeding demo cases in bulk: realistic data registered by the services' own rules, written in batches.

Why not call ``register_case`` and ``act`` per case: one transaction, a serial lock, a repeat query and a
row-by-row search-index write per case would make a million-case demo take hours. So only the writing
is batched; what is written comes from the functions the services use themselves:

* each complaint is read by ``validate_registration`` from the JSON object the registration form
  would send (``demo_data.registration_data``);
* its ``registered`` event (``set`` map and details) is ``registration.registered_event``, the pure
  function ``register_case`` writes, with the repeat links found by ``rules.find_repeats``;
* each later step is the workflow handler ``act`` would run (``actions.HANDLERS``), given the step's
  arguments as a clerk would (through ``FieldReader``) and a case that is the fold of the earlier events;
* ``next_due_at`` is added by ``unit.add_next_due`` and the watcher's next look by ``unit.next_look``,
  as ``unit.record`` does; payloads are ``eventlog.event_payload``;
* case numbers come from ``serials.reserve_serials`` (``next_serial`` is a block of one) and
  ``format_case_no`` over ``registration.registration_day``, so later registrations continue the sequence;
* search tokens are ``tokens.index_tokens`` over ``search.case_texts``, written by ``storage.bulk``.

A test registers one complaint both ways and compares the events, tokens and serials.

Two deliberate differences. The mass-complaint rule (three general complaints of a category in a week)
is not applied: a demo office receiving dozens of complaints a day would trip it on nearly every case
and turn the whole data set "major", which is neither realistic nor useful to look at. And every demo
event carries ``"demo": true`` so synthetic history can always be told apart from real history.

The work is split in three so that large runs can use every core: the *registrar* (this process) reads
the complaints and hands out ids, case numbers and repeat links in registration order; *builders* turn
those into rows — the CPU-heavy part: rules, events, JSON, search tokens — in worker processes for large
runs; the *writer* (this process again) inserts each batch and commits, strictly in order.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from types import SimpleNamespace
from typing import Any

from sqlalchemy import or_, select

from kesu_desktop.devtools import demo_data
from kesu_desktop.devtools.demo_data import DemoComplaint, Step
from kesu_desktop.domain import rules, workflow
from kesu_desktop.domain.case_number import format_case_no
from kesu_desktop.domain.defaults import SERVICE_DEPARTMENT
from kesu_desktop.domain.enums import Action, Role, Severity, Status
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.domain.ids import Timestamp, uuid7
from kesu_desktop.domain.validation import FieldReader, Registration, validate_registration
from kesu_desktop.i18n import _
from kesu_desktop.services.actions import HANDLERS, Ctx
from kesu_desktop.services.actor import Actor
from kesu_desktop.services.desk import Desk
from kesu_desktop.services.reference import OfficeRules, category_departments, office_rules
from kesu_desktop.services.registration import (
    PRIOR_COLUMNS,
    prior_case,
    registered_event,
    registration_day,
    registration_department,
)
from kesu_desktop.services.unit import add_next_due, next_look
from kesu_desktop.storage import search
from kesu_desktop.storage.bulk import CaseRows, CaseTables
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.eventlog import event_payload
from kesu_desktop.storage.models import Case, Department, User
from kesu_desktop.storage.serials import reserve_serials
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
    _check_may_seed(actor)
    if count < 1:
        raise ValidationError.single("count", _("数量须为正整数"))
    with desk.db.read() as session:
        office = office_rules(session, actor.office_code)
        known = category_departments(session)
    categories = [c for c in demo_data.CATEGORY_CODES if c in known]
    if not categories:
        raise ValidationError.single("category", _("没有可用于演示数据的投诉类别"))
    complaints = demo_data.generate(
        count, seed=seed, now=desk.clock.now(), tz=office.calendar.tz, categories=categories
    )
    return seed_complaints(
        desk, actor, complaints, total=count, progress=progress, batch_size=batch_size, workers=workers
    )


def seed_complaints(
    desk: Desk,
    actor: Actor,
    complaints: Iterable[DemoComplaint],
    *,
    total: int | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> int:
    """Register the given complaints (oldest first) with their later steps; returns how many.

    ``seed_demo`` with complaints of the caller's choosing: the parity test gives one complaint to this
    and to ``register_case``. ``total`` is only for progress reports (and the default worker count).
    """
    _check_may_seed(actor)
    with desk.db.read() as session:
        office = office_rules(session, actor.office_code)
        category_depts = category_departments(session)
        active_depts = set(session.scalars(select(Department.code).where(Department.active.is_(True))))
    setup = _Setup(
        url=desk.db.url,
        office_code=actor.office_code,
        reg_department=registration_department(actor),
        actor_id=actor.id,
        actor_name=actor.username,
        node_id=desk.node_id,
        now=desk.clock.now(),
        categories=category_depts,
        active_departments=frozenset(active_depts),
    )
    batches = _chunks(complaints, max(1, batch_size))
    registrar = _Registrar(desk, setup, office)
    writer = _Writer(desk)
    workers = default_workers(total or 0, desk.db.kind) if workers is None else workers
    done = 0

    def written(batch_no: int, rows: CaseRows) -> None:
        nonlocal done
        writer.write(rows)
        registrar.committed(batch_no)
        done += len(rows.cases)
        if progress is not None:
            progress(done, max(total or 0, done))

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
        pending: deque[tuple[int, Future[CaseRows]]] = deque()
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


def _check_may_seed(actor: Actor) -> None:
    if actor.role not in SEED_ROLES:
        raise NotAllowed(_("只有管理员、客服主管或客服经理可以生成演示数据"))


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


def _ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


@dataclass(frozen=True)
class _Setup:
    """What a builder needs, in a form that crosses to a worker process."""

    url: str
    office_code: str
    reg_department: str
    actor_id: uuid.UUID
    actor_name: str
    node_id: str
    categories: dict[str, str | None]  # active category → its default department
    active_departments: frozenset[str]
    now: datetime  # when the seeding runs: the deadline watcher's schedule is computed for it

    def department_for(self, category: str) -> str:
        """Where the demo assigns a case: the category's department, customer service if it has none."""
        department = self.categories.get(category)
        return department if department in self.active_departments else SERVICE_DEPARTMENT


@dataclass(frozen=True)
class _Prepared:
    """One complaint with what only registration order can decide: its id, number and repeat links."""

    registration: Registration
    created_at: datetime
    steps: tuple[Step, ...]
    case_id: uuid.UUID
    case_no: str
    counter: int  # HLC counter of the registered event (registrations of one node never share a stamp)
    repeat_of: list[str]
    linked_ids: list[uuid.UUID]


@dataclass(frozen=True)
class _Earlier:
    """An earlier case as the repeat rule sees it, with its id for the link row."""

    id: uuid.UUID
    case: rules.PriorCase


# -- registrar: validation, numbers and links, in registration order ----------------------------------


class _Registrar:
    """Hands out what depends on registration order, batch by batch, before the rows are built."""

    def __init__(self, desk: Desk, setup: _Setup, office: OfficeRules) -> None:
        self.desk = desk
        self.setup = setup
        self.office = office
        self.window_days = office.policy.repeat_window_days
        self._last_ms = -1
        self._counter = 0
        #: Cases of batches handed out but not yet committed, which the database cannot show yet.
        self._in_flight: dict[int, list[_Earlier]] = {}

    def prepare(self, batch_no: int, batch: Sequence[DemoComplaint]) -> list[_Prepared]:
        # What the clerk's form sends, read as register_case reads it (at the complaint's own instant).
        registrations = [
            validate_registration(
                demo_data.registration_data(c), categories=self.setup.categories.keys(), now=c.created_at
            )
            for c in batch
        ]
        numbers = self._case_numbers(batch)
        by_phone, by_account = self._earlier(registrations, batch[0].created_at)
        mine: list[_Earlier] = []
        prepared = []
        for c, reg, case_no in zip(batch, registrations, numbers, strict=True):
            candidates = {e.case.case_no: e for e in by_phone.get(reg.phone, ())}
            if reg.account_no:
                candidates.update((e.case.case_no, e) for e in by_account.get(reg.account_no, ()))
            repeat_of = rules.find_repeats(
                phone=reg.phone,
                account_no=reg.account_no,
                category=reg.category,
                at=c.created_at,
                earlier=[e.case for e in candidates.values()],
                window_days=self.window_days,
            )
            created_ms = _ms(c.created_at)
            self._counter = self._counter + 1 if created_ms == self._last_ms else 0
            self._last_ms = created_ms
            item = _Prepared(
                registration=reg,
                created_at=c.created_at,
                steps=c.steps,
                case_id=uuid7(created_ms),
                case_no=case_no,
                counter=self._counter,
                repeat_of=repeat_of,
                linked_ids=[candidates[n].id for n in repeat_of],
            )
            prepared.append(item)
            if not (c.steps and c.steps[0].details.get("valid") is False):  # the rule ignores invalid cases
                earlier = _Earlier(
                    item.case_id,
                    rules.PriorCase(
                        case_no=case_no,
                        phone=reg.phone,
                        account_no=reg.account_no,
                        category=reg.category,
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
        office, department = self.setup.office_code, self.setup.reg_department
        days = [registration_day(self.office, c.created_at) for c in batch]
        next_serial: dict[date, int] = {}
        with self.desk.db.write() as session:
            for day, n in Counter(days).items():
                next_serial[day] = reserve_serials(session, office, department, day, n)
        numbers = []
        for day in days:
            numbers.append(format_case_no(day, office, department, next_serial[day]))
            next_serial[day] += 1
        return numbers

    def _earlier(
        self, batch: Sequence[Registration], first_created: datetime
    ) -> tuple[dict[str, list[_Earlier]], dict[str, list[_Earlier]]]:
        """Earlier cases of this batch's customers: stored ones (real or demo) and those in flight."""
        since = first_created - timedelta(days=self.window_days)
        phones = sorted({r.phone for r in batch})
        accounts = sorted({r.account_no for r in batch if r.account_no})
        by_phone: dict[str, list[_Earlier]] = {}
        by_account: dict[str, list[_Earlier]] = {}
        seen: set[uuid.UUID] = set()
        with self.desk.db.read() as session:
            for field, values in ((Case.phone, phones), (Case.account_no, accounts)):
                for start in range(0, len(values), _IN_CHUNK):
                    query = select(*PRIOR_COLUMNS).where(
                        field.in_(values[start : start + _IN_CHUNK]),
                        Case.created_at >= since,
                        Case.deleted_at.is_(None),
                        or_(Case.validity.is_(None), Case.validity != "invalid"),
                    )
                    for r in session.execute(query):
                        if r.id not in seen:
                            seen.add(r.id)
                            _add(by_phone, by_account, _Earlier(r.id, prior_case(r)))
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


# -- writer: one transaction per batch, in order --------------------------------------------------


class _Writer:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.tables = CaseTables.for_database(desk.db)

    def write(self, rows: CaseRows) -> None:
        with self.desk.db.write() as session:
            self.tables.write(session, rows)


# -- builder: rows from prepared complaints (the CPU-heavy part) ----------------------------------


@dataclass(frozen=True)
class _Directory:
    """The workflow handlers' lookups, answered from reference data read once (actions.Directory)."""

    categories: Mapping[str, str | None]
    active_departments: frozenset[str]

    def category_departments(self) -> Mapping[str, str | None]:
        return self.categories

    def active_department(self, code: str) -> bool:
        return code in self.active_departments

    def active_user(self, username: str) -> User | None:
        return None  # demo cases are assigned to departments, never to a person


class _Builder:
    """Turns prepared complaints into case rows, events, links and search tokens."""

    def __init__(self, setup: _Setup, db: Database) -> None:
        self.setup = setup
        with db.read() as session:
            self.office = office_rules(session, setup.office_code)
        self.directory = _Directory(setup.categories, setup.active_departments)
        self.tables = CaseTables.for_database(db)

    def build(self, batch: list[_Prepared]) -> CaseRows:
        cases: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        watches: list[dict[str, Any]] = []
        documents: list[tuple[uuid.UUID, list[str], str]] = []
        policy = self.office.policy
        for item in batch:
            case, case_events = self._case(item)
            cases.append(vars(case))
            events.extend(case_events)
            # As unit.schedule_watch leaves it after the case's last event, seen from "now".
            when = next_look(case, policy, self.setup.now)
            watches.append({"case_id": item.case_id, "next_alert_at": when})
            # As registration._link writes them.
            links.extend(
                {"case_id": item.case_id, "linked_case_id": linked, "kind": "repeat"}
                for linked in item.linked_ids
            )
            # As search.index_case makes them.
            texts = search.case_texts(case)
            documents.append((item.case_id, index_tokens(texts), search.folded_text(texts)))
        return self.tables.params(cases, events, links, watches, documents)

    def _case(self, item: _Prepared) -> tuple[SimpleNamespace, list[dict[str, Any]]]:
        """The case row and its events; the row is the fold of the events, so it equals their replay."""
        fields, info = registered_event(
            item.registration,
            self.office,
            case_id=item.case_id,
            case_no=item.case_no,
            office_code=self.setup.office_code,
            reg_department=self.setup.reg_department,
            registered_by=self.setup.actor_name,
            at=item.created_at,
            repeat_of=item.repeat_of,
            mass=False,  # see the module docstring
        )
        # What the ORM would hold for a new row: each column's default until an event sets it.
        case = SimpleNamespace(**self.tables.cases.defaults)
        events = [self._event(case, "registered", item.created_at, item.counter, fields, info)]
        for step in item.steps:
            events.append(self._step(case, step))
        case.updated_at = events[-1]["at"]
        case.last_hlc = events[-1]["hlc"]
        return case, events

    def _step(self, case: SimpleNamespace, step: Step) -> dict[str, Any]:
        """One later workflow step, decided by the handler ``act`` runs, with the step's arguments."""
        action = _STEP_ACTIONS[step.kind]
        current = Status(case.status)
        if current not in workflow.ALLOWED_FROM[action]:
            raise AssertionError(f"demo step {step.kind} is not allowed from {current}")
        args = step.details
        if action is Action.ASSIGN:
            args = {**args, "department": self.setup.department_for(case.category)}
        decided = HANDLERS[action](Ctx(self.directory, case, self.office, step.at), FieldReader(args))
        return self._event(case, decided.kind, step.at, 0, decided.changes, decided.info)

    def _event(
        self,
        case: SimpleNamespace,
        kind: str,
        at: datetime,
        counter: int,
        changes: dict[str, Any],
        info: dict[str, Any],
    ) -> dict[str, Any]:
        """Apply one event to ``case`` and return its row, as unit.record and eventlog.append do."""
        add_next_due(case, changes)
        at_ms = _ms(at)
        hlc = Timestamp(at_ms, counter).encode()
        # ``base``: the stamp the writer had seen, as eventlog.append records it (sync's concurrency test)
        payload = event_payload(changes, {**info, "base": getattr(case, "last_hlc", None) or hlc})
        payload["demo"] = True
        case.last_hlc = hlc
        # The database hands values back in UTC, so the next step sees them as act() would (and UTC
        # compares far faster than the office's zone).
        for name, value in changes.items():
            setattr(case, name, value.astimezone(UTC) if isinstance(value, datetime) else value)
        return {
            "id": uuid7(at_ms),
            "case_id": case.id,
            "hlc": hlc,
            "node_id": self.setup.node_id,
            "actor_id": self.setup.actor_id,
            "actor": self.setup.actor_name,
            "kind": kind,
            "at": at,
            "payload": payload,
        }


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


def _build_in_worker(batch: list[_Prepared]) -> CaseRows:
    assert _worker_builder is not None, "worker not started"
    return _worker_builder.build(batch)
