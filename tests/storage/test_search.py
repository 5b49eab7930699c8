"""How common a search term is: the estimate behind walking common terms, and the planner statistics."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from kesu_desktop import services
from kesu_desktop.services import Desk
from kesu_desktop.storage import search
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS, START, MutableClock, complaint
from tests.helpers.postgres import pg_admin

#: (description, how many cases) — 退款 in 12 of 20, 张 only in names, 11/12/20 never together.
TEXTS = [("订单112号要求退款", 6), ("第20天仍未退款", 6), ("屏幕碎裂", 8)]


@pytest.fixture
def indexed(desk: Desk, people, clock) -> Desk:
    names = iter(["张三", "张伟", "张小明", "李四"] * 5)
    for description, n in TEXTS:
        for _ in range(n):
            clock.advance(minutes=1)
            services.register_case(
                desk, people.alice, complaint(customer_name=next(names), description=description, demand=None)
            )
    desk.db.refresh_statistics()  # PostgreSQL's estimates come from ANALYZE
    return desk


def test_frequency_of_a_term(indexed: Desk) -> None:
    with indexed.db.read() as s:
        assert search.indexed_documents(s) == 20
        # One exact token: the document count itself (PostgreSQL: ANALYZE's share of 20 rows).
        assert search.term_frequency(s, "退款") == pytest.approx(12, abs=1)
        assert search.term_frequency(s, "碎裂", at_most=100) == pytest.approx(8, abs=1)
        # A token nowhere (PostgreSQL only knows it is rarer than every listed lexeme, so it counts),
        # and a term with nothing to look up.
        assert search.term_frequency(s, "冰箱", at_most=3) == 0
        assert search.term_frequency(s, "%") is None
        # One character is a prefix of 张三, 张伟, 张小明: 15 documents, beyond any small limit.
        assert search.term_frequency(s, "张", at_most=5) > 5


def test_tokens_that_never_meet_are_counted_not_guessed(indexed: Desk) -> None:
    """11 and 12 are in 6 documents, 20 in 6 others: no document holds all three of 1120's tokens.

    The statistics only bound the term by its rarest token (6); above the caller's limit the real
    matches are counted, and there are none.
    """
    with indexed.db.read() as s:
        assert search.term_frequency(s, "1120", at_most=3) == 0
        assert search.term_frequency(s, "112", at_most=3) == 4  # counting stops after at_most + 1
        assert search.term_frequency(s, "112", at_most=10) <= 10


def test_common_means_above_the_square_root_of_page_times_documents() -> None:
    """Where walking (page × documents / frequency rows) and fetching (frequency rows, each costing
    two walked ones) cost the same."""
    assert search.common_threshold(0) == search.COMMON_MIN_DOCS == 2000
    assert search.common_threshold(20_000) == 2000
    assert search.common_threshold(500_000) == 7_071
    assert search.common_threshold(1_000_000) == 10_000
    assert search.common_threshold(1_000_000, page=50) == 5_000


def test_migrations_leave_planner_statistics(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    assert upgrade(db) is True
    with db.engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    db.dispose()
    assert "sqlite_stat1" in tables
    assert "case_fts_vocab" not in tables  # frequencies are counted from the index itself (0015)


def test_statistics_refresh_on_both_databases(indexed: Desk) -> None:
    with indexed.db.read() as s:
        if s.get_bind().dialect.name == "sqlite":
            rows = s.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases'")).scalar()
        else:
            rows = s.execute(
                text("SELECT count(*) FROM pg_stats WHERE tablename = 'case_search' AND attname = 'tokens'")
            ).scalar()
    assert rows > 0


def test_closing_a_busy_database_does_not_wait_for_the_lock(tmp_path: Path) -> None:
    """PRAGMA optimize on close is housekeeping: another process holding the write lock skips it."""
    path = tmp_path / "busy.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.read() as s:
        s.execute(text("SELECT count(*) FROM cases")).scalar()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        db.dispose()
        assert time.monotonic() - started < 5
    finally:
        other.execute("ROLLBACK")
        other.close()


# -- text and terms folded the same way on both databases -------------------------------------------

#: (customer name, description): full-width letters, accents, ß, and a control group.
FOLDING = [
    ("王丽", "ＶＩＰ会员积分未到账"),
    ("李雷", "vip 会员被重复扣费"),
    ("Zoë", "ÉCOLE 培训费发票开错"),
    ("韩梅梅", "孩子在 école 的学费退款"),
    ("Jürgen", "Straße 12 号门店拒绝退货"),
    ("张三", "冰箱不制冷"),
]
FOLDING_QUERIES = {
    "ｖｉｐ": {"王丽", "李雷"},
    "VIP": {"王丽", "李雷"},
    "ＶＩＰ会员": {"王丽"},  # 李雷 wrote "vip 会员", with a space
    "école": {"Zoë", "韩梅梅"},
    "ÉCOLE": {"Zoë", "韩梅梅"},
    "STRASSE": {"Jürgen"},
    "zoë": {"Zoë"},
    "ＺＯË": {"Zoë"},
    "冰箱": {"张三"},
    "vip 扣费": {"李雷"},
}


def _register_folding_cases(desk: Desk, clerk: services.Actor, clock: MutableClock) -> None:
    for i, (name, description) in enumerate(FOLDING):
        clock.advance(minutes=1)
        data = complaint(customer_name=name, description=description, phone=f"1390000{i:04d}")
        services.register_case(desk, clerk, data)


def _found(desk: Desk, reader: services.Actor, query: str) -> set[str]:
    rows = services.list_cases(desk, reader, services.CaseFilter(search=query, limit=1000))
    return {r.customer_name for r in rows}


@pytest.mark.parametrize("walk", [False, True], ids=["index", "walk"])
def test_full_width_and_accented_terms_find_the_same_cases_on_both_databases(
    desk: Desk, people, clock, monkeypatch: pytest.MonkeyPatch, walk: bool
) -> None:
    """The expected sets are the same for SQLite and PostgreSQL, looked up or walked."""
    _register_folding_cases(desk, people.alice, clock)
    desk.db.refresh_statistics()
    if walk:  # every term "common": the substring test alone decides, on every case
        monkeypatch.setattr(search, "common_threshold", lambda documents, page=0: search.COMMON_MIN_DOCS)
        monkeypatch.setattr(search, "COMMON_MIN_DOCS", 0)
    for query, expected in FOLDING_QUERIES.items():
        assert _found(desk, people.bob, query) == expected, query


def test_sqlite_and_postgresql_return_the_same_cases(tmp_path: Path) -> None:
    """Side by side: one database of each kind, the same complaints, every query's answer compared."""
    name = f"kesu_fold_{os.getpid()}"
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    answers: dict[str, dict[str, set[str]]] = {}
    try:
        for url in (f"sqlite:///{tmp_path / 'fold.db'}", f"postgresql://postgres@127.0.0.1:5432/{name}"):
            clock = MutableClock(START)
            desk = Desk.open(url, clock=clock, node_id="fold")
            services.initialize(
                desk, office_code="BJ01", office_name="北京总部", admin="admin", password=ADMIN_PASSWORD
            )
            admin = services.login(desk, "admin", ADMIN_PASSWORD)
            for user in ("alice", "bob"):
                role, dept, password = STANDARD_USERS[user]
                services.add_user(
                    desk, admin, username=user, password=password, role=role, department_code=dept
                )
            alice, bob = services.get_actor(desk, "alice"), services.get_actor(desk, "bob")
            _register_folding_cases(desk, alice, clock)
            answers[desk.db.kind] = {q: _found(desk, bob, q) for q in [*FOLDING_QUERIES, "会员", "e", "ß"]}
            desk.close()
    finally:
        with pg_admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    assert answers["sqlite"] == answers["postgresql"]
    assert answers["sqlite"]["ß"] == {"Jürgen"}  # ß folds to ss, and Straße holds it


def _tokens_before_0008(texts: list[str | None]) -> list[str]:
    """The tokenizer of releases before migration 0008, written out: ``lower()`` only, no NFKC."""
    tokens: set[str] = set()
    for value in texts:
        runs, current = [], []
        for ch in (value or "").lower():
            if ch.isalnum() and ch.isprintable():
                current.append(ch)
            elif current:
                runs.append("".join(current))
                current = []
        if current:
            runs.append("".join(current))
        for run in runs:
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
            tokens.add(run[-1])
    return sorted(tokens)


def _migrate(desk: Desk, direction: str, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    from kesu_desktop.storage.migrate import MIGRATIONS

    with desk.db.write_engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        getattr(command, direction)(config, target)


def test_migration_0008_refolds_the_index_of_existing_cases(desk: Desk, people, clock) -> None:
    _register_folding_cases(desk, people.alice, clock)
    _migrate(desk, "downgrade", "0007")
    try:
        # The index as the earlier release left it: tokens of lower()-ed text, no folded text.
        with desk.db.write() as s:
            cases = s.execute(text(f"SELECT id, {', '.join(search.TEXT_FIELDS)} FROM cases")).all()
            if s.get_bind().dialect.name == "sqlite":
                s.execute(text("INSERT INTO case_fts (case_fts) VALUES ('delete-all')"))
                for row in cases:
                    doc = s.execute(
                        text("SELECT doc_id FROM case_search WHERE case_id = :id"), {"id": row[0]}
                    )
                    s.execute(
                        text("INSERT INTO case_fts (rowid, tokens) VALUES (:doc, :tokens)"),
                        {"doc": doc.scalar_one(), "tokens": " ".join(_tokens_before_0008(list(row[1:])))},
                    )
            else:
                for row in cases:
                    s.execute(
                        text(
                            "UPDATE case_search SET tokens = array_to_tsvector(:tokens) WHERE case_id = :id"
                        ),
                        {"id": row[0], "tokens": _tokens_before_0008(list(row[1:]))},
                    )
    finally:
        upgrade(desk.db)
    desk.db.refresh_statistics()
    # Six cases make every term rare, so each query goes through the index: ＶＩＰ is found by ｖｉｐ
    # only if its entry was rebuilt with folded tokens.
    for query, expected in FOLDING_QUERIES.items():
        assert _found(desk, people.bob, query) == expected, query
    # and the entries keep being maintained: an edit re-indexes from the folded tokens
    case = services.register_case(desk, people.alice, complaint(customer_name="Ｚｏｅ", phone="13900009999"))
    assert _found(desk, people.bob, "zoe") == {"Ｚｏｅ"} and case.customer_name == "Ｚｏｅ"
