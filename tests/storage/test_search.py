"""How common a search term is: the estimate behind walking common terms, and the planner statistics."""

from __future__ import annotations

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
from tests.helpers.data import complaint

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


def test_common_means_above_two_percent_and_two_thousand() -> None:
    assert search.common_threshold(0) == search.COMMON_MIN_DOCS == 2000
    assert search.common_threshold(50_000) == 2000
    assert search.common_threshold(500_000) == 10_000
    assert search.common_threshold(1_000_000) == 20_000


@pytest.mark.parametrize(
    ("prefix", "after"),
    [("张", chr(ord("张") + 1)), ("a", "b"), ("\ud7ff", "\ue000"), ("\U0010ffff", None)],
)
def test_prefix_ranges_end_right_after_the_prefix(prefix: str, after: str | None) -> None:
    assert search._after_prefix(prefix) == after


def test_vocabulary_prefix_sums_read_a_range(tmp_path: Path) -> None:
    """fts5vocab answers term >= ? AND term < ? from its index (a scan would cost the vocabulary)."""
    db = Database(f"sqlite:///{tmp_path / 'v.db'}")
    upgrade(db)
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT sum(doc) FROM case_fts_vocab WHERE term >= ? AND term < ?",
            ("张", "弡"),
        ).all()
    db.dispose()
    assert "INDEX 6" in plan[0][3]  # idxNum 6: a lower and an upper bound on the term


def test_migrations_leave_planner_statistics(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    assert upgrade(db) is True
    with db.engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
    db.dispose()
    assert {"sqlite_stat1", "case_fts_vocab"} <= tables


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
