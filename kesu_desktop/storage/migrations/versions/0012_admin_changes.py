"""Administrators' changes: who changed which user, office, reference row or setting, before and after

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "admin_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_key", sa.String(120), nullable=False),
        sa.Column("before", _JSON, nullable=True),
        sa.Column("after", _JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_changes")),
    )
    op.create_index("ix_admin_changes_entity", "admin_changes", ["entity", "entity_key"])


def downgrade() -> None:
    op.drop_index("ix_admin_changes_entity", table_name="admin_changes")
    op.drop_table("admin_changes")
