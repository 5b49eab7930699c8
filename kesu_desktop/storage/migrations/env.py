"""Alembic environment: always run on a connection handed in by kesu_desktop.storage.migrate."""

from __future__ import annotations

from alembic import context

from kesu_desktop.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Kesu migrations run through kesu_desktop.storage.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
context.run_migrations()
