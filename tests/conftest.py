"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every storage/service test.

Each backend is migrated and seeded (office, admin, standard users) once per session; each test then
gets a clean copy: a copied SQLite file, or PostgreSQL with the case tables truncated. PostgreSQL
being unreachable is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from kesu_desktop import i18n, services
from kesu_desktop.services import Desk
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade
from tests.helpers.data import ADMIN_PASSWORD, STANDARD_USERS, START, MutableClock, People
from tests.helpers.postgres import pg_admin

PG_DB = f"kesu_test_{os.getpid()}"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"


def _seed(url: str) -> None:
    desk = Desk(db=Database(url), clock=MutableClock(START - timedelta(days=400)), node_id="seed")
    upgrade(desk.db)
    services.initialize(
        desk, office_code="BJ01", office_name="北京总部", admin="admin", password=ADMIN_PASSWORD
    )
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    for name, (role, dept, password) in STANDARD_USERS.items():
        services.add_user(desk, admin, username=name, password=password, role=role, department_code=dept)
    desk.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    _seed(PG_URL)
    yield PG_URL
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


_CASE_TABLES = ", ".join(
    (
        "case_links",
        "case_search",
        "case_events",
        "attachments",
        "case_documents",
        "case_signatures",
        "signing_certificates",
        "print_assets",
        "replies",
        "alerts",
        "case_watch",
        "cases",
        "case_serials",
        "settings",
        "calendar_overrides",
        "calendar_years",
        "login_throttle",
        "node_chain_heads",
        "case_conflicts",
        "sync_feed",
        "sync_feed_heads",
        "sync_links",
        "sync_branches",
        "office_keys",
        "branch_roles",
        "admin_changes",
    )
)
#: Reference tables tests may edit; restored to their seeded content before each test.
_REFERENCE_TABLES = ("reply_templates", "phrases", "categories", "departments", "users", "offices")
_reference_snapshot: dict[str, list[dict]] = {}


def _reset_pg(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        if not _reference_snapshot:
            for table in _REFERENCE_TABLES:
                _reference_snapshot[table] = [
                    dict(r) for r in conn.execute(text(f"SELECT * FROM {table}")).mappings()
                ]
        # The append-only and no-truncate triggers (a tamper test may have disabled one of them).
        conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
        conn.execute(text(f"TRUNCATE {_CASE_TABLES} CASCADE"))
        conn.execute(text("ALTER TABLE case_events ENABLE TRIGGER USER"))
        for table, rows in _reference_snapshot.items():
            conn.execute(text(f"DELETE FROM {table}"))
            if rows:
                columns = ", ".join(rows[0])
                values = ", ".join(f":{c}" for c in rows[0])
                conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows)
    db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated, seeded database of each kind."""
    if request.param == "sqlite":
        target = tmp_path / "kesu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("pg_database")
    _reset_pg(url)
    return url


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(START)


@pytest.fixture
def desk(db_url: str, clock: MutableClock) -> Iterator[Desk]:
    d = Desk(db=Database(db_url), clock=clock, node_id="test-node")
    yield d
    d.close()


@pytest.fixture
def people(desk: Desk) -> People:
    return People(**{name: services.get_actor(desk, name) for name in ("admin", *STANDARD_USERS)})


@pytest.fixture(autouse=True)
def no_system_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts as on a machine without a system keyring (as CI is), so none writes a
    signing password into a developer's real keyring; keyring tests set their own backend."""
    import keyring
    from keyring.backends import fail

    before = keyring.get_keyring()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # subprocesses too
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture(autouse=True)
def _source_language() -> Iterator[None]:
    """Every test starts and ends in Simplified Chinese (a CLI run with ``--lang en`` switches the
    process's language, which would otherwise carry over into the next test)."""
    i18n.set_language(i18n.SOURCE_LANGUAGE)
    yield
    i18n.set_language(i18n.SOURCE_LANGUAGE)
