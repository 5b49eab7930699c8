"""Opening databases: migrations on both kinds, SQLite settings, URL handling, UTC round trips."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.storage.database import Database, normalize_url
from kesu_desktop.storage.migrate import HEAD, current_revision, head_revision, upgrade
from kesu_desktop.storage.models import Office
from tests.helpers.postgres import pg_admin

ROOT = Path(__file__).resolve().parents[2]


def test_head_constant_matches_the_migration_scripts() -> None:
    assert head_revision() == HEAD


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"kesu_empty_{os.getpid()}"
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_opening_an_empty_database_migrates_it_once(empty_url: str) -> None:
    db = Database(empty_url)
    assert current_revision(db) is None
    assert upgrade(db) is True
    assert current_revision(db) == HEAD
    assert upgrade(db) is False
    tables = set(inspect(db.engine).get_table_names())
    assert {"cases", "case_events", "users", "offices", "case_serials", "case_search"} <= tables
    db.dispose()


def _migrate(url: str) -> bool:
    db = Database(url)
    try:
        return upgrade(db)
    finally:
        db.dispose()


def test_desks_opening_one_database_together_migrate_it_exactly_once(empty_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(3) as pool:
        applied = pool.map(_migrate, [empty_url] * 3)
    assert sorted(applied) == [False, False, True]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_times_come_back_aware_in_utc(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(db)
    local = datetime.fromisoformat("2026-11-23T10:00:00+08:00")
    with db.write() as s:
        s.add(Office(code="T1", name="测试", created_at=local))
    with db.read() as s:
        stored = s.scalar(select(Office.created_at))
    assert stored == local and stored.tzinfo is not None and stored.utcoffset().total_seconds() == 0
    assert stored == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    db.dispose()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite+pysqlite"),
    ],
)
def test_urls_people_paste_get_our_drivers(url: str, driver: str) -> None:
    assert normalize_url(url).startswith(driver + "://")


def test_unsupported_database_is_a_field_error() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_url("mysql://root@localhost/kesu")
    assert "db" in info.value.errors


def test_services_import_without_qt() -> None:
    """DESIGN.md: the core must work on a machine with no display; importing it must not load Qt."""
    code = (
        "import sys, kesu_desktop.services, kesu_desktop.cli.main; "
        "assert not [m for m in sys.modules if m.startswith('PySide6')]"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True).returncode == 0
