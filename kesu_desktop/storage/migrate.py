"""Bring a database's schema to the newest Alembic revision when it is opened.

Several desks may open one PostgreSQL at the same moment after an upgrade; a transaction-scoped
advisory lock (PostgreSQL) or the write lock (SQLite) makes exactly one of them migrate while the
others wait and then find nothing to do. Alembic itself is imported only when there is work to do:
the ``kesu`` command opens the database on every call and should not pay for it.

A migration may add indexes the SQLite planner knows nothing about until ANALYZE has run, so SQLite
statistics are refreshed in the same transaction whenever something was applied (PostgreSQL's
autovacuum analyses new tables and indexes by itself).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from kesu_desktop.storage.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: The newest revision in migrations/versions; a test checks it against Alembic's own answer.
HEAD = "0016"
_LOCK_KEY = 0x6B657375  # "kesu"


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return _revision(conn)


def upgrade(db: Database) -> bool:
    """Migrate to head if needed; returns True when something was applied."""
    if current_revision(db) == HEAD:
        return False
    from alembic import command

    with db.write_engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        if _revision(conn) == HEAD:
            return False
        command.upgrade(_config(conn), "head")
        if conn.dialect.name == "sqlite":
            db.refresh_statistics(conn)
    return True
