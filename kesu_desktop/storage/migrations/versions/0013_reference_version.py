"""A version number of the reference data, bumped by triggers; an index for the mass-complaint rule

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

- ``reference_version`` holds one row whose ``n`` grows whenever a row of the tables the registration
  rules read changes: settings, calendar overrides and imported years, offices, categories, departments,
  sync links and branch roles. A desk caches what it built from them (the office's policy and business
  calendar, the category list) and re-reads only when ``n`` moved — a trigger sees every writer: this
  desk, another desk on the shared server, the CLI, a sync apply, an administrator's SQL.
- ``ix_cases_office_category_created`` serves the mass-complaint rule ("three general complaints of one
  category at one office within a week"), which otherwise walks every case of the category.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: The tables whose changes invalidate a desk's cached reference data (services/reference_cache.py).
WATCHED = (
    "settings",
    "calendar_overrides",
    "calendar_years",
    "offices",
    "categories",
    "departments",
    "sync_links",
    "branch_roles",
)

_PG_FUNCTION = """
CREATE FUNCTION kesu_bump_reference_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    UPDATE reference_version SET n = n + 1;
    RETURN NULL;
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    op.execute("INSERT INTO reference_version (id, n) VALUES (1, 1)")
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(_PG_FUNCTION)
        op.execute("GRANT SELECT ON reference_version TO PUBLIC")
    for table in WATCHED:
        if postgresql:
            op.execute(
                f"CREATE TRIGGER {table}_reference_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION kesu_bump_reference_version()"
            )
            continue
        for verb in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_reference_version_{verb.lower()} AFTER {verb} ON {table} "
                "BEGIN UPDATE reference_version SET n = n + 1; END"
            )
    op.create_index("ix_cases_office_category_created", "cases", ["office_code", "category", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_office_category_created", table_name="cases")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        if postgresql:
            op.execute(f"DROP TRIGGER {table}_reference_version ON {table}")
            continue
        for verb in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_reference_version_{verb}")
    if postgresql:
        op.execute("DROP FUNCTION kesu_bump_reference_version()")
    op.drop_table("reference_version")
