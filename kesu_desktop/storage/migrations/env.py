"""Alembic environment: always run on a connection handed in by kesu_desktop.storage.migrate."""

from __future__ import annotations

from alembic import context

from kesu_desktop.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Kesu migrations run through kesu_desktop.storage.migrate.upgrade()")


def include_object(obj, name, type_, reflected, compare_to):
    """The search index tables are dialect-specific SQL written by hand; autogenerate leaves them alone."""
    return not (type_ == "table" and name and name.startswith(("case_fts", "case_search")))


context.configure(
    connection=connection,
    include_object=include_object,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
context.run_migrations()
