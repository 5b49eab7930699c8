"""Fresh databases for a benchmark run: a SQLite file in a temp folder, a scratch PostgreSQL database.

Each measurement starts from an empty, migrated, initialised database so figures do not depend on
what an earlier run left behind; scratch PostgreSQL databases are named ``kesu_bench_*`` and dropped
afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Actor, Desk

#: Where PostgreSQL is looked for; any database on the server will do, scratch ones are created beside it.
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-pass-1"
OFFICE = "BJ01"

#: Monday 2026-11-23 10:00 in Shanghai: registrations start on a working morning.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class StepClock:
    """A clock the benchmark moves forward between operations, so each registration has its own instant."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


def pg_admin_url() -> str:
    return os.environ.get("KESU_BENCH_PG", DEFAULT_PG)


def pg_reachable(url: str) -> str | None:
    """The server version if PostgreSQL answers within a few seconds, else None (the run goes on)."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])
    except psycopg.Error:
        return None


@contextmanager
def pg_scratch(admin_url: str, purpose: str) -> Iterator[str]:
    """A new, empty database ``kesu_bench_<purpose>_<pid>``; dropped on exit whatever happens."""
    name = f"kesu_bench_{purpose}_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}"


def open_desk(url: str, clock: StepClock) -> tuple[Desk, Actor]:
    """Migrate and initialise a database; returns the desk and its admin."""
    desk = Desk.open(url, clock=clock, node_id="bench")
    services.initialize(
        desk, office_code=OFFICE, office_name="基准测试网点", admin="admin", password=PASSWORD
    )
    return desk, services.login(desk, "admin", PASSWORD)


def add_staff(desk: Desk, admin: Actor, name: str, role: Role) -> Actor:
    services.add_user(desk, admin, username=name, password=PASSWORD, role=role, department_code=None)
    return services.get_actor(desk, name)
