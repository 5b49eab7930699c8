"""Opening a database: URL normalisation, SQLite pragmas, write transactions, sessions.

SQLite is the embedded default and is shared by several processes of one desk (GUI, CLI, watcher);
write transactions therefore start with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead
of failing half-way with "database is locked" after they have both read.

SQLite's query planner chooses indexes from the statistics ANALYZE leaves in ``sqlite_stat1``; without
them it guesses, and on a large case table it can guess a plan a thousand times slower (it walked all
500,000 cases of an office to find the 54 with a phone's last four digits: 4.7 s instead of 6 ms). So
statistics are refreshed after migrations and bulk seeding (``refresh_statistics``) and kept fresh
with ``PRAGMA optimize`` when a database is closed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.i18n import _
from kesu_desktop.storage import feed as _feed  # noqa: F401  (registers the change-feed hook)
from kesu_desktop.storage import json_text

_WRITE = "kesu_write"
#: Rows ANALYZE samples per index on SQLite: enough to rank the indexes, and 0.1–0.7 s at 500,000 cases
#: where a full ANALYZE takes about 4 s.
ANALYSIS_LIMIT = 400
#: How long closing a desk may wait for another process's write lock before skipping PRAGMA optimize.
_OPTIMIZE_BUSY_MS = 200
_BUSY_MS = 30000


def normalize_url(url: str) -> str:
    """Accept the URLs people paste (``postgres://``, ``postgresql://``) and pick our drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValidationError.single("db", _("数据库地址无效：{url}").format(url=url)) from exc
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+pysqlite")
    else:
        raise ValidationError.single(
            "db", _("不支持的数据库“{kind}”：请使用 sqlite:/// 或 postgresql://").format(kind=backend)
        )
    return parsed.render_as_string(hide_password=False)


def _install_sqlite_hooks(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours (and DDL is transactional).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
        # A REPLACE deletes the row it replaces; only with recursive triggers does that deletion fire
        # DELETE triggers, so case_events' append-only trigger also sees INSERT OR REPLACE (a BEFORE
        # INSERT trigger refuses an existing event id as well: migration 0010).
        cursor.execute("PRAGMA recursive_triggers=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


class Database:
    """One database (SQLite file or PostgreSQL server) with read and write session factories."""

    def __init__(self, url: str, *, echo: bool = False, durable: bool = False) -> None:
        """``durable``: SQLite syncs to disk at every commit (``synchronous=FULL``), as sync writes do:
        a checkpoint must never survive a power cut that the data it covers did not."""
        self.url = normalize_url(url)
        self.kind = make_url(self.url).get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo, "json_serializer": json_text.dumps}
        if self.kind == "sqlite":
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(self.url, **kwargs)
        if self.kind == "sqlite":
            _install_sqlite_hooks(self.engine, "FULL" if durable else "NORMAL")
        self.write_engine = self.engine.execution_options(**{_WRITE: True})
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; rolled back at the end so nothing is written by accident."""
        with self._reader() as session:
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work: committed if the block succeeds, rolled back entirely if it raises."""
        with self._writer.begin() as session:
            yield session

    def refresh_statistics(self, conn: Connection | None = None) -> None:
        """Recompute the planner statistics (after migrations and bulk loads change the data's shape).

        On ``conn`` when given (so a migration can do it inside its own transaction and lock), else in
        a write transaction of its own.
        """
        if conn is None:
            with self.write_engine.begin() as own:
                self.refresh_statistics(own)
            return
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        if self.kind == "sqlite":
            self._optimize_sqlite()
        self.engine.dispose()

    def _optimize_sqlite(self) -> None:
        """``PRAGMA optimize`` as SQLite recommends on closing: it re-analyses only the tables whose size
        changed a lot since the last ANALYZE, so it usually costs nothing. It is housekeeping, so it
        never waits long for a busy database and never makes closing fail."""
        try:
            raw = self.engine.raw_connection()
        except DBAPIError:  # nothing to optimise in a database that cannot be opened
            return
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout={_OPTIMIZE_BUSY_MS}")
                cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
                cursor.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass  # busy or read-only: the statistics stay as they are
            finally:
                cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
                cursor.close()
        finally:
            raw.close()
