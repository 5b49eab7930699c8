"""Sign-in throttling: failed attempts per user name and per desk (filled by the sign-in work).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

``login_throttle`` counts failed sign-ins per user name (known or not) and per desk (node id), and holds
the lock-out they led to, so repeated guessing slows down on every desk sharing the database
(docs/security.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttle")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_login_throttle_kind")),
    )


def downgrade() -> None:
    op.drop_table("login_throttle")
