"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_overrides",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_overrides")),
        sa.UniqueConstraint("scope", "day", name=op.f("uq_calendar_overrides_scope")),
    )
    op.create_table(
        "case_serials",
        sa.Column("office_code", sa.String(length=8), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("office_code", "department_code", "day", name=op.f("pk_case_serials")),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("office_code", sa.String(length=8), nullable=False),
        sa.Column("reg_department_code", sa.String(length=8), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=True),
        sa.Column("assignee_id", sa.Uuid(), nullable=True),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("customer_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("phone_last4", sa.String(length=4), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("account_no", sa.String(length=64), nullable=True),
        sa.Column("member_level", sa.String(length=32), nullable=True),
        sa.Column("room_no", sa.String(length=32), nullable=True),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("demand", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=4), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("is_repeat", sa.Boolean(), nullable=False),
        sa.Column("validity", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("plan_needs_manager", sa.Boolean(), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolve_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("update_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("survey_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("survey_efficiency", sa.Integer(), nullable=True),
        sa.Column("survey_attitude", sa.Integer(), nullable=True),
        sa.Column("survey_solution", sa.Integer(), nullable=True),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_hlc", sa.String(length=24), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_no", name=op.f("uq_cases_case_no")),
    )
    op.create_index("ix_cases_account", "cases", ["account_no"], unique=False)
    op.create_index("ix_cases_category_created", "cases", ["category", "created_at"], unique=False)
    op.create_index("ix_cases_created", "cases", ["created_at", "id"], unique=False)
    op.create_index("ix_cases_department_status", "cases", ["department_code", "status"], unique=False)
    op.create_index("ix_cases_next_due", "cases", ["next_due_at"], unique=False)
    op.create_index("ix_cases_office_created", "cases", ["office_code", "created_at"], unique=False)
    op.create_index("ix_cases_phone", "cases", ["phone"], unique=False)
    op.create_index("ix_cases_phone_last4", "cases", ["phone_last4"], unique=False)
    op.create_index("ix_cases_priority_created", "cases", ["priority", "created_at"], unique=False)
    op.create_index("ix_cases_status_created", "cases", ["status", "created_at"], unique=False)

    op.create_table(
        "categories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("default_department_code", sa.String(length=8), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("code", name=op.f("uq_categories_code")),
    )
    op.create_table(
        "departments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("code", name=op.f("uq_departments_code")),
    )
    op.create_table(
        "offices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offices")),
        sa.UniqueConstraint("code", name=op.f("uq_offices_code")),
    )
    op.create_table(
        "settings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settings")),
        sa.UniqueConstraint("scope", "key", name=op.f("uq_settings_scope")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("office_code", sa.String(length=8), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "case_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("hlc", sa.String(length=24), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    op.create_index("ix_case_events_case_hlc", "case_events", ["case_id", "hlc"], unique=False)
    op.create_index("ix_case_events_hlc", "case_events", ["hlc"], unique=False)

    op.create_table(
        "case_links",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("linked_case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["linked_case_id"], ["cases.id"], name=op.f("fk_case_links_linked_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "linked_case_id", "kind", name=op.f("pk_case_links")),
    )

    _create_search_index()
    _protect_event_log()


def _create_search_index() -> None:
    """Chinese full-text search: uni/bigram tokens made in Python, indexed natively per dialect.

    SQLite: a contentless FTS5 table keyed by an integer doc id (FTS5 rowids are integers).
    PostgreSQL: a tsvector built with array_to_tsvector (no text parser, so no locale surprises).
    """
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TABLE case_search (doc_id INTEGER PRIMARY KEY, "
            "case_id CHAR(32) NOT NULL UNIQUE REFERENCES cases(id))"
        )
        op.execute("CREATE VIRTUAL TABLE case_fts USING fts5(tokens, content='', tokenize='ascii')")
    else:
        op.execute(
            "CREATE TABLE case_search (case_id UUID PRIMARY KEY REFERENCES cases(id), "
            "tokens TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_case_search_tokens ON case_search USING GIN (tokens)")


def _protect_event_log() -> None:
    """Events are evidence: the database itself refuses to update or delete them."""
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER case_events_no_{verb.lower()} BEFORE {verb} ON case_events "
                "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION kesu_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'case_events is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON case_events "
            "FOR EACH ROW EXECUTE FUNCTION kesu_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE case_fts")
        op.execute("DROP TRIGGER case_events_no_update")
        op.execute("DROP TRIGGER case_events_no_delete")
    else:
        op.execute("DROP TRIGGER case_events_append_only ON case_events")
        op.execute("DROP FUNCTION kesu_events_append_only()")
    op.execute("DROP TABLE case_search")
    op.drop_table("case_links")
    op.drop_index("ix_case_events_hlc", table_name="case_events")
    op.drop_index("ix_case_events_case_hlc", table_name="case_events")

    op.drop_table("case_events")
    op.drop_table("users")
    op.drop_table("settings")
    op.drop_table("offices")
    op.drop_table("departments")
    op.drop_table("categories")
    op.drop_index("ix_cases_status_created", table_name="cases")
    op.drop_index("ix_cases_priority_created", table_name="cases")
    op.drop_index("ix_cases_phone_last4", table_name="cases")
    op.drop_index("ix_cases_phone", table_name="cases")
    op.drop_index("ix_cases_office_created", table_name="cases")
    op.drop_index("ix_cases_next_due", table_name="cases")
    op.drop_index("ix_cases_department_status", table_name="cases")
    op.drop_index("ix_cases_created", table_name="cases")
    op.drop_index("ix_cases_category_created", table_name="cases")
    op.drop_index("ix_cases_account", table_name="cases")

    op.drop_table("cases")
    op.drop_table("case_serials")
    op.drop_table("calendar_overrides")
