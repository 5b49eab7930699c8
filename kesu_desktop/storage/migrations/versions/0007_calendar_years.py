"""Imported holiday arrangements: which years an administrator has loaded the State Council's days for

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

The days go to ``calendar_overrides`` as before; ``calendar_years`` records that a year is known, so
deadlines falling in it are no longer marked estimated.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_years")),
        sa.UniqueConstraint("scope", "year", name=op.f("uq_calendar_years_scope")),
    )


def downgrade() -> None:
    op.drop_table("calendar_years")
