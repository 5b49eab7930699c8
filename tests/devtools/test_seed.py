"""Demo seeding (kesu_desktop.devtools.seed): bulk-written cases that are what the services would write.

The parity tests give one complaint to ``register_case`` + ``act`` and to the seeder and compare the
events, the search tokens and the serials. The others check the invariants on a few hundred seeded cases:
unique well-formed numbers that later registrations continue, a projection equal to the replay of its
events, deadlines and next-due from the domain rules, repeat links, a working search index — on SQLite
and PostgreSQL alike.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import re
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Uuid, column, func, select, table, text, update
from sqlalchemy.orm import Session

from kesu_desktop import services
from kesu_desktop.devtools import demo_data
from kesu_desktop.devtools.demo_data import DemoComplaint
from kesu_desktop.devtools.seed import seed_complaints, seed_demo
from kesu_desktop.domain import rules, sla
from kesu_desktop.domain.enums import Priority, Severity, Status
from kesu_desktop.domain.errors import NotAllowed
from kesu_desktop.services import CaseFilter, Desk, unit
from kesu_desktop.services.reference import office_rules
from kesu_desktop.storage import eventlog, search
from kesu_desktop.storage.models import Case, CaseEvent, CaseLink, CaseSerial, CaseWatch
from kesu_desktop.storage.tokens import index_tokens
from tests.helpers.data import START, complaint

COUNT = 300
CASE_NO = re.compile(r"^\d{8}-BJ01-CS-\d{4}$")


@pytest.fixture
def seeded(desk: Desk, people) -> list[Case]:
    assert seed_demo(desk, people.admin, count=COUNT, seed=3) == COUNT
    with desk.db.read() as s:
        cases = list(s.scalars(select(Case).order_by(Case.created_at)))
        s.expunge_all()  # keep the loaded values: the read session rolls back (and would expire them)
        return cases


# -- parity: the seeder writes what the services write -------------------------------------------

ALL_THE_WAY = ["verified", "assigned", "resolved", "confirmed", "surveyed", "closed"]
#: The action that records each step kind.
ACTION_OF = {
    "verified": "verify",
    "assigned": "assign",
    "resolved": "resolve",
    "confirmed": "confirm",
    "surveyed": "survey",
    "closed": "close",
}
_search_table = table("case_search", column("doc_id"), column("case_id", Uuid()))


def went_all_the_way(*, low_score: bool) -> DemoComplaint:
    """A generated complaint with an account and an e-mail that was verified, … surveyed and closed."""
    for c in demo_data.generate(2000, seed=7, now=START):
        if [s.kind for s in c.steps] != ALL_THE_WAY or not (c.account_no and c.email):
            continue
        scores = [v for k, v in c.steps[4].details.items() if k != "comment"]
        if (min(scores) <= 3) == low_score:
            return c
    raise AssertionError("the generator made no such complaint")


def comparable(payload: dict[str, Any], case: Case) -> dict[str, Any]:
    """An event payload with the two things that must differ between two cases (id, number) blanked."""
    out = copy.deepcopy(payload)
    if out.get("base"):
        out["base"] = "<stamp seen>"  # each database's own HLC stamps
    changes = out.get("set", {})
    if changes.get("id") == str(case.id):
        changes["id"] = "<id>"
    if changes.get("case_no") == case.case_no:
        changes["case_no"] = "<case_no>"
    return out


def stored_tokens(session: Session, case_id: uuid.UUID) -> list[str]:
    """The search tokens the index holds for one case, read back from the index itself."""
    if session.get_bind().dialect.name == "sqlite":
        doc = session.scalar(select(_search_table.c.doc_id).where(_search_table.c.case_id == case_id))
        # A contentless FTS5 table keeps no text, but its term index says which document has which token.
        vocab = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, case_fts, instance)"
        session.execute(text(vocab))
        terms = text("SELECT DISTINCT term FROM temp.fts_terms WHERE doc = :doc")
        return sorted(session.scalars(terms, {"doc": doc}))
    lexemes = session.scalar(
        text("SELECT tsvector_to_array(tokens) FROM case_search WHERE case_id = :id"), {"id": case_id}
    )
    return sorted(lexemes)


def case_and_events(desk: Desk, case_no: str) -> tuple[Case, list[CaseEvent], list[str]]:
    with desk.db.write() as s:  # write: reading the SQLite index back needs a temp table
        case = s.scalar(select(Case).where(Case.case_no == case_no))
        events = eventlog.events_of(s, case.id)
        tokens = stored_tokens(s, case.id)
        s.expunge_all()
    return case, events, tokens


@pytest.mark.parametrize("low_score", [False, True], ids=["good-survey", "low-score-callback"])
def test_seeder_and_services_write_the_same_case(desk: Desk, people, clock, low_score: bool) -> None:
    """One complaint, seeded and then registered and taken through the same steps with ``act``."""
    c = went_all_the_way(low_score=low_score)
    assert seed_complaints(desk, people.carol, [c]) == 1
    with desk.db.read() as s:
        seeded_no = s.scalar(select(Case.case_no))
    seeded, seeded_events, seeded_tokens = case_and_events(desk, seeded_no)
    # Out of the way of the repeat rule, which would otherwise (rightly) link the second to the first.
    with desk.db.write() as s:
        s.execute(update(Case).where(Case.id == seeded.id).values(deleted_at=START))

    clock.instant = c.created_at
    registered_no = services.register_case(desk, people.carol, demo_data.registration_data(c)).case_no
    for step, event in zip(c.steps, seeded_events[1:], strict=True):
        clock.instant = step.at
        args = dict(step.details)
        if step.kind == "assigned":
            args["department"] = event.payload["department"]  # the seeder's choice of department
        services.act(desk, people.carol, registered_no, ACTION_OF[step.kind], args)
    registered, registered_events, registered_tokens = case_and_events(desk, registered_no)

    # Event payloads: the same, but for the case's id and number and the seeder's demo marker.
    kinds = ["registered", *ALL_THE_WAY]
    assert [e.kind for e in seeded_events] == [e.kind for e in registered_events] == kinds
    assert [e.at for e in seeded_events] == [e.at for e in registered_events]
    assert all(e.payload.pop("demo") is True for e in seeded_events)
    for mine, theirs in zip(seeded_events, registered_events, strict=True):
        assert comparable(mine.payload, seeded) == comparable(theirs.payload, registered), mine.kind
    if low_score:
        assert seeded_events[5].payload["set"]["callback_by"] is not None  # the low-score rule fired
    # The projections agree too (every column but the row's identity and bookkeeping).
    differ = {"id", "case_no", "last_hlc", "deleted_at"}
    for name in (c.key for c in Case.__table__.columns if c.key not in differ):
        assert getattr(seeded, name) == getattr(registered, name), name
    # Search tokens: the same tokens, made by the same function, in both indexes.
    assert seeded_tokens == registered_tokens == index_tokens(search.case_texts(registered))
    # Serials: one each from the same daily sequence, in order.
    assert seeded_no[:-4] == registered_no[:-4]
    assert (int(seeded_no[-4:]), int(registered_no[-4:])) == (1, 2)
    with desk.db.read() as s:
        serials = s.execute(
            select(CaseSerial.office_code, CaseSerial.department_code, CaseSerial.last_serial)
        ).all()
    assert [tuple(r) for r in serials] == [("BJ01", "CS", 2)]


def test_a_seeded_complaint_gets_the_registration_rules(desk: Desk, people, clock) -> None:
    """Severity, priority and deadlines come from the rules register_case applies (urgent → P0, major)."""
    c = went_all_the_way(low_score=False)
    urgent = dataclasses.replace(c, urgent=True, steps=())
    seed_complaints(desk, people.carol, [urgent])
    with desk.db.read() as s:
        case = s.scalar(select(Case))
        assert (case.priority, case.urgent) == ("p0", True) and case.severity in ("major", "serious")
        payload = eventlog.events_of(s, case.id)[0].payload
    assert payload["set"]["priority"] == "p0" and payload["repeat_of"] == []


# -- seeding ---------------------------------------------------------------------------------------


def test_seeding_writes_unique_well_formed_case_numbers(desk: Desk, seeded: list[Case]) -> None:
    assert len(seeded) == COUNT
    numbers = [c.case_no for c in seeded]
    assert all(CASE_NO.match(n) for n in numbers)
    assert len(set(numbers)) == COUNT
    for case in seeded:
        local_day = case.created_at.astimezone(demo_data.ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
        assert case.case_no.startswith(local_day)
        assert case.registered_by == "admin"
    # Within a day, serials follow registration order.
    by_day: dict[str, list[int]] = {}
    for case in seeded:
        by_day.setdefault(case.case_no[:8], []).append(int(case.case_no.rsplit("-", 1)[1]))
    assert all(serials == sorted(serials) for serials in by_day.values())
    with desk.db.read() as s:
        last = {row.day.strftime("%Y%m%d"): row.last_serial for row in s.scalars(select(CaseSerial))}
    assert last == {day: max(serials) for day, serials in by_day.items()}


def test_projection_equals_replay_of_events(desk: Desk, seeded: list[Case]) -> None:
    sample = random.Random(1).sample(seeded, 40) + [c for c in seeded if c.is_repeat]
    with desk.db.read() as s:
        for case in sample:
            events = eventlog.events_of(s, case.id)
            assert events[0].kind == "registered"
            assert events[0].payload["demo"] is True
            replayed = eventlog.replay(events)
            assert replayed, case.case_no
            for field, value in replayed.items():
                assert getattr(case, field) == value, (case.case_no, field)
            assert case.last_hlc == events[-1].hlc
            assert case.updated_at == events[-1].at
            assert [e.hlc for e in events] == sorted(e.hlc for e in events)


def test_statuses_and_timelines_are_truthful(desk: Desk, seeded: list[Case]) -> None:
    statuses = Counter(c.status for c in seeded)
    assert statuses[Status.CLOSED] > COUNT / 2  # a year of history: most cases are done
    with desk.db.read() as s:
        kinds = {
            case_id: kinds
            for case_id, kinds in s.execute(
                select(CaseEvent.case_id, func.count()).group_by(CaseEvent.case_id)
            ).all()
        }
        closed = [c for c in seeded if c.status == Status.CLOSED]
        for case in closed[:20]:
            names = [e.kind for e in eventlog.events_of(s, case.id)]
            assert names[0] == "registered" and names[-1] == "closed"
            assert case.closed_at is not None and case.next_due_at is None
    assert set(kinds) == {c.id for c in seeded}


def test_deadlines_next_due_and_watch_follow_the_domain_rules(desk: Desk, seeded: list[Case]) -> None:
    with desk.db.read() as s:
        office = office_rules(s, "BJ01")
        watch = dict(s.execute(select(CaseWatch.case_id, CaseWatch.next_alert_at)).all())
    assert set(watch) == {c.id for c in seeded}  # the deadline watcher knows every case, as after register
    policy = office.policy
    for case in random.Random(2).sample(seeded, 40):
        clock = unit.case_clock(case)
        assert case.next_due_at == sla.next_due(clock)
        assert watch[case.id] == sla.next_alert_at(
            clock, START, policy.due_soon_share, timedelta(minutes=policy.due_soon_minutes)
        )
        expected = rules.case_deadlines(
            office.policy,
            office.calendar,
            priority=Priority(case.priority),
            severity=Severity(case.severity),
            start=case.created_at,
        )
        assert (case.respond_by, case.resolve_by, case.update_by) == (
            expected.respond_by,
            expected.resolve_by,
            expected.update_by,
        )
        if case.urgent:
            assert case.priority == Priority.P0


def test_repeat_complaints_are_linked_and_raised(desk: Desk, seeded: list[Case]) -> None:
    repeats = [c for c in seeded if c.is_repeat]
    assert repeats, "the generator makes some customers complain again"
    by_id = {c.id: c for c in seeded}
    with desk.db.read() as s:
        for case in repeats:
            linked = s.scalars(select(CaseLink.linked_case_id).where(CaseLink.case_id == case.id)).all()
            assert linked
            for other_id in linked:
                other = by_id[other_id]
                assert other.phone == case.phone and other.category == case.category
                assert timedelta(0) <= case.created_at - other.created_at <= timedelta(days=90)
            assert case.priority in (Priority.P0, Priority.P1)
            event = eventlog.events_of(s, case.id)[0]
            assert sorted(event.payload["repeat_of"]) == sorted(by_id[i].case_no for i in linked)


def test_search_finds_seeded_cases(desk: Desk, people, seeded: list[Case]) -> None:
    case = seeded[len(seeded) // 2]
    words = re.findall(r"[\u4e00-\u9fff]{6,}", case.description)
    term = max(words, key=len)[:6]
    found = services.list_cases(desk, people.mia, CaseFilter(search=term, limit=1000))
    assert case.case_no in {r.case_no for r in found}
    for row in found[:10]:
        view = services.get_case(desk, people.mia, row.case_no)
        assert any(term in (getattr(view, f) or "") for f in search.TEXT_FIELDS)
    by_number = services.list_cases(desk, people.mia, CaseFilter(search=case.case_no))
    assert [r.case_no for r in by_number] == [case.case_no]
    by_phone = services.list_cases(desk, people.mia, CaseFilter(search=case.phone[-4:], limit=1000))
    assert case.case_no in {r.case_no for r in by_phone}
    by_name = services.list_cases(desk, people.mia, CaseFilter(search=case.customer_name, limit=1000))
    assert case.case_no in {r.case_no for r in by_name}


def test_filtered_lists_work_on_seeded_data(desk: Desk, people, seeded: list[Case]) -> None:
    logistics = services.list_cases(desk, people.mia, CaseFilter(category="logistics", limit=1000))
    assert logistics and all(r.category == "logistics" for r in logistics)
    assert len(logistics) == sum(c.category == "logistics" for c in seeded)
    closed = services.list_cases(desk, people.carol, CaseFilter(status=Status.CLOSED, limit=1000))
    assert len(closed) == sum(c.status == Status.CLOSED for c in seeded)
    page = services.list_cases(desk, people.carol, CaseFilter(limit=50))
    assert [r.created_at for r in page] == sorted((r.created_at for r in page), reverse=True)


def test_later_registrations_continue_the_serials(desk: Desk, people, clock) -> None:
    before = services.register_case(desk, people.alice, complaint(phone="13900001111")).case_no
    clock.advance(hours=6)
    # Enough cases that some fall on "today", before and after the real registration's instant.
    seed_demo(desk, people.carol, count=3000, seed=4)
    seed_demo(desk, people.mia, count=50, seed=4)  # the same seed again never reuses a number
    after = services.register_case(desk, people.alice, complaint(phone="13900002222")).case_no
    with desk.db.read() as s:
        numbers = list(s.scalars(select(Case.case_no)))
    today = sorted(int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(after[:8]))
    assert len(numbers) == len(set(numbers)) == 3000 + 50 + 2
    assert len(today) > 3, "some demo cases were registered today"
    assert before.endswith("-0001")
    assert today == list(range(1, len(today) + 1))  # no gaps, no duplicates: one sequence per day
    assert int(after.rsplit("-", 1)[1]) == len(today)


def test_progress_is_reported_per_batch(desk: Desk, people) -> None:
    calls: list[tuple[int, int]] = []
    seed_demo(
        desk,
        people.admin,
        count=250,
        seed=9,
        progress=lambda done, total: calls.append((done, total)),
        batch_size=100,
    )
    assert calls == [(100, 250), (200, 250), (250, 250)]


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_only_admins_supervisors_and_managers_may_seed(desk: Desk, people, who: str) -> None:
    with pytest.raises(NotAllowed):
        seed_demo(desk, people.__dict__[who], count=5)
    with desk.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_worker_processes_build_the_same_kind_of_data(desk: Desk, people) -> None:
    """Large runs build rows in worker processes; the invariants must not depend on where rows are built."""
    calls: list[tuple[int, int]] = []
    made = seed_demo(
        desk,
        people.admin,
        count=3000,
        seed=11,
        batch_size=400,
        workers=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert made == 3000 and calls[-1] == (3000, 3000) and len(calls) == 8
    with desk.db.read() as s:
        cases = list(s.scalars(select(Case).order_by(Case.created_at)))
        numbers = [c.case_no for c in cases]
        assert len(numbers) == len(set(numbers)) == 3000
        repeats = [c for c in cases if c.is_repeat]
        assert repeats
        assert s.scalar(select(func.count()).select_from(CaseLink)) >= len(repeats)
        for case in random.Random(3).sample(cases, 30) + repeats[:10]:
            events = eventlog.events_of(s, case.id)
            for field, value in eventlog.replay(events).items():
                assert getattr(case, field) == value, (case.case_no, field)
        middle = cases[1500].case_no
    found = services.list_cases(desk, people.mia, CaseFilter(search=middle))
    assert [r.case_no for r in found] == [middle]
