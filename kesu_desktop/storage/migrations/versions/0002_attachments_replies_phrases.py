"""Evidence attachments, replies with approval, reply templates and the phrase library

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from kesu_desktop.domain.ids import uuid7
from kesu_desktop.domain.replies import default_forbidden, default_recommended, default_templates

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    phrases = op.create_table(
        "phrases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("suggestion", sa.String(length=200), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phrases")),
        sa.UniqueConstraint("kind", "text", name=op.f("uq_phrases_kind")),
    )
    templates = op.create_table(
        "reply_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
        sa.UniqueConstraint("kind", name=op.f("uq_reply_templates_kind")),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_attachments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_case", "attachments", ["case_id"])
    op.create_table(
        "replies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_replies_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replies")),
    )
    op.create_index("ix_replies_case", "replies", ["case_id"])
    op.create_index("ix_replies_status", "replies", ["status"])
    _seed_defaults(phrases, templates)


def _seed_defaults(phrases: sa.Table, templates: sa.Table) -> None:
    """The Chinese defaults of docs/domain.md; admins edit them afterwards."""
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    op.bulk_insert(
        templates,
        [
            {"id": uuid7(), "kind": kind.value, "name": kind.label, "body": body, "updated_at": now}
            for kind, body in default_templates().items()
        ],
    )
    rows: list[dict[str, object]] = [
        {
            "id": uuid7(),
            "kind": "recommended",
            "text": text,
            "suggestion": "",
            "sort_order": i,
            "active": True,
        }
        for i, text in enumerate(default_recommended())
    ]
    rows += [
        {
            "id": uuid7(),
            "kind": "forbidden",
            "text": p.text,
            "suggestion": p.suggestion,
            "sort_order": i,
            "active": True,
        }
        for i, p in enumerate(default_forbidden())
    ]
    op.bulk_insert(phrases, rows)


def downgrade() -> None:
    op.drop_index("ix_replies_status", table_name="replies")
    op.drop_index("ix_replies_case", table_name="replies")
    op.drop_table("replies")
    op.drop_index("ix_attachments_case", table_name="attachments")
    op.drop_table("attachments")
    op.drop_table("reply_templates")
    op.drop_table("phrases")
