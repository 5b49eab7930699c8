"""Many desks, one truth: live notifications, the change feed, sync links, office keys, conflicts

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

- PostgreSQL tells every desk listening when an event or an alert is written (``NOTIFY kesu_events``
  with the case id, ``NOTIFY kesu_alerts`` with the office code), from triggers, so a write by any
  desk, the CLI or a branch's push is announced. The events' trigger runs once per statement over
  the inserted rows (a push inserts hundreds of events in one statement: once per case, not per row).
- ``sync_feed`` numbers every synced row per office without gaps, in commit order (the number is
  taken from the office's ``sync_feed_heads`` row, locked until the writing transaction commits), so a
  reader's cursor can never pass a transaction still in flight (docs/sync.md).
- ``sync_links`` (on a branch: its central and cursors), ``sync_branches`` (on the central: what each
  branch has pushed and pulled), ``office_keys`` (the key that authenticates an office's carried
  bundles), ``branch_roles`` (PostgreSQL roles a branch connects with, for row-level security),
  ``case_conflicts`` (lost values and clashing transitions, derived from the events).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")

_PG_NOTIFY = """
CREATE FUNCTION kesu_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kesu_events', case_id::text) FROM (SELECT DISTINCT case_id FROM new_events) AS c;
    RETURN NULL;
END $$;
CREATE TRIGGER case_events_notify AFTER INSERT ON case_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION kesu_notify_event();
CREATE FUNCTION kesu_notify_alert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('kesu_alerts', NEW.office_code);
    RETURN NULL;
END $$;
CREATE TRIGGER alerts_notify AFTER INSERT OR UPDATE ON alerts
    FOR EACH ROW EXECUTE FUNCTION kesu_notify_alert();
"""


def upgrade() -> None:
    op.create_table(
        "sync_feed",
        sa.Column("office_code", sa.String(8), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("item_table", sa.String(32), nullable=False),
        sa.Column("item_id", sa.String(120), nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("office_code", "seq", name=op.f("pk_sync_feed")),
    )
    op.create_table(
        "sync_feed_heads",
        sa.Column("office_code", sa.String(8), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("office_code", name=op.f("pk_sync_feed_heads")),
    )
    op.create_table(
        "sync_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("office_code", sa.String(8), nullable=False),
        sa.Column("central_url", sa.Text(), nullable=True),
        sa.Column("branch_id", sa.String(64), nullable=False),
        sa.Column("pulled_through", sa.BigInteger(), nullable=False),
        sa.Column("pushed_through", sa.BigInteger(), nullable=False),
        sa.Column("reference_hash", sa.String(64), nullable=True),
        sa.Column("clock_offset_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", _JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_links")),
    )
    op.create_table(
        "sync_branches",
        sa.Column("branch_id", sa.String(64), nullable=False),
        sa.Column("office_code", sa.String(8), nullable=False),
        sa.Column("pushed_through", sa.BigInteger(), nullable=False),
        sa.Column("pulled_through", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("branch_id", name=op.f("pk_sync_branches")),
    )
    op.create_table(
        "office_keys",
        sa.Column("office_code", sa.String(8), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("office_code", name=op.f("pk_office_keys")),
    )
    op.create_table(
        "branch_roles",
        sa.Column("role_name", sa.String(63), nullable=False),
        sa.Column("office_code", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_branch_roles")),
    )
    op.create_table(
        "case_conflicts",
        sa.Column("id", sa.String(120), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("kept", _JSON, nullable=True),
        sa.Column("lost", _JSON, nullable=True),
        sa.Column("kept_by", sa.String(64), nullable=False),
        sa.Column("lost_by", sa.String(64), nullable=False),
        sa.Column("kept_event_id", sa.Uuid(), nullable=False),
        sa.Column("lost_event_id", sa.Uuid(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_conflicts_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_conflicts")),
    )
    op.create_index("ix_case_conflicts_case", "case_conflicts", ["case_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_NOTIFY)
    _backfill_feed()


#: Rows stored before this revision enter the feed in this order: a case's events (by HLC) before the
#: rows that hang on the case, so a receiver always learns of a case before anything attached to it.
_EXISTING = """
SELECT c.office_code AS office_code, 0 AS grp, e.hlc AS ord, 'case_events' AS tbl, {eid} AS item
  FROM case_events e JOIN cases c ON c.id = e.case_id
UNION ALL SELECT c.office_code, 1, {aid}, 'attachments', {aid} FROM attachments a JOIN cases c ON c.id = a.case_id
UNION ALL SELECT c.office_code, 2, {did}, 'case_documents', {did} FROM case_documents d JOIN cases c ON c.id = d.case_id
UNION ALL SELECT c.office_code, 3, {sid}, 'case_signatures', {sid} FROM case_signatures s JOIN cases c ON c.id = s.case_id
UNION ALL SELECT c.office_code, 4, {rid}, 'replies', {rid} FROM replies r JOIN cases c ON c.id = r.case_id
UNION ALL SELECT c.office_code, 5, {lid}, 'case_links', {lid} FROM case_links l JOIN cases c ON c.id = l.case_id
UNION ALL SELECT al.office_code, 6, {alid}, 'alerts', {alid} FROM alerts al
"""


def _backfill_feed() -> None:
    pg = op.get_bind().dialect.name == "postgresql"

    def key(column: str) -> str:
        return f"CAST({column} AS TEXT)" if pg else column

    link = (
        "CAST(l.case_id AS TEXT) || '|' || CAST(l.linked_case_id AS TEXT) || '|' || l.kind"
        if pg
        else "l.case_id || '|' || l.linked_case_id || '|' || l.kind"
    )
    existing = _EXISTING.format(
        eid=key("e.id"),
        aid=key("a.id"),
        did=key("d.id"),
        sid=key("s.id"),
        rid=key("r.id"),
        lid=link,
        alid=key("al.id"),
    )
    op.execute(
        "INSERT INTO sync_feed (office_code, seq, item_table, item_id, source) "
        "SELECT office_code, ROW_NUMBER() OVER (PARTITION BY office_code ORDER BY grp, ord, item), "
        f"tbl, item, NULL FROM ({existing}) AS existing"
    )
    op.execute(
        "INSERT INTO sync_feed_heads (office_code, last_seq) "
        "SELECT office_code, MAX(seq) FROM sync_feed GROUP BY office_code"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER alerts_notify ON alerts")
        op.execute("DROP TRIGGER case_events_notify ON case_events")
        op.execute("DROP FUNCTION kesu_notify_alert()")
        op.execute("DROP FUNCTION kesu_notify_event()")
    op.drop_index("ix_case_conflicts_case", table_name="case_conflicts")
    for table in (
        "case_conflicts",
        "branch_roles",
        "office_keys",
        "sync_branches",
        "sync_links",
        "sync_feed_heads",
        "sync_feed",
    ):
        op.drop_table(table)
