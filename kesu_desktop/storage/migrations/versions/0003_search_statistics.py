"""Search statistics and department lists: an FTS5 vocabulary, a department-by-date index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite only: an fts5vocab table stores nothing, it reads case_fts's own term index, so how many
    # documents hold a token is one index lookup (storage/search.py uses it to tell common terms,
    # found by walking the newest cases, from rare ones, found through the index). PostgreSQL keeps
    # the same numbers in pg_stats after ANALYZE, so there is nothing to create there.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE case_fts_vocab USING fts5vocab('case_fts', 'row')")
    # A department user's list (and search) is "this department's cases, newest first". With only
    # (department_code, status) SQLite fetched and sorted all of a department's cases for every page:
    # 0.24 s for the plain list and up to 1 s for a common search term at 500,000 cases, 1-5 ms with
    # this index, which hands them out already in order.
    op.create_index("ix_cases_department_created", "cases", ["department_code", "created_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_department_created", table_name="cases")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE case_fts_vocab")
