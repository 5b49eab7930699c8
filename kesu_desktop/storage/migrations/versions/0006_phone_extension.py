"""Phone extensions: cases keep the extension (分机) written after the number in a column of their own

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

Nullable and without a default: cases registered before had no way to keep an extension, so NULL is
the truth about them. New values arrive through the ``registered`` event's ``set`` like every field.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("phone_ext", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("phone_ext")
