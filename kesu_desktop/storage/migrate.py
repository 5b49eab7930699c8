"""Bring a database's schema to the newest Alembic revision when it is opened.

Several desks may open one PostgreSQL at the same moment after an upgrade; a transaction-scoped
advisory lock (PostgreSQL) or the write lock (SQLite) makes exactly one of them migrate while the
others wait and then find nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from kesu_desktop.storage.database import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x6B657375  # "kesu"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: Database) -> bool:
    """Migrate to head if needed; returns True when something was applied."""
    head = head_revision()
    if current_revision(db) == head:
        return False
    with db.write_engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        if MigrationContext.configure(conn).get_current_revision() == head:
            return False
        command.upgrade(_config(conn), "head")
    return True
