"""Deadline watcher: per-case next look, stored alerts, cases on hold

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("held_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "case_watch",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("next_alert_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_watch_case_id_cases")),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_watch")),
    )
    op.create_index("ix_case_watch_next", "case_watch", ["next_alert_at"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("case_no", sa.String(length=40), nullable=True),
        sa.Column("office_code", sa.String(length=8), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("priority", sa.String(length=4), nullable=True),
        sa.Column("deadline", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_alerts_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alerts_dedupe_key")),
    )
    op.create_index("ix_alerts_open", "alerts", ["acknowledged_at", "created_at"])
    # Every case with a running deadline gets looked at by the first tick, which then schedules it.
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.get_bind().execute(
        sa.text(
            "INSERT INTO case_watch (case_id, next_alert_at) SELECT id, :now FROM cases WHERE next_due_at IS NOT NULL"
        ),
        {"now": now},
    )


def downgrade() -> None:
    op.drop_index("ix_alerts_open", table_name="alerts")
    op.drop_table("alerts")
    op.drop_index("ix_case_watch_next", table_name="case_watch")
    op.drop_table("case_watch")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("held_at")
