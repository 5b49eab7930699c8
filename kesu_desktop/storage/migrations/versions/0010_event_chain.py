"""A hash chain per node over case_events, its heads, and the database refusing rewrites

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Every event gets ``seq`` (its place in its node's chain), ``prev_hash`` and ``hash`` (storage/eventlog.py
says what is hashed); ``node_chain_heads`` keeps each node's last event. The events already stored are
chained here, per node in HLC order, with the append-only trigger lifted for exactly that and put back
in the same transaction.

The database also stops two rewrites that went around the append-only trigger: on SQLite an
``INSERT OR REPLACE`` (or any insert) with an existing id is aborted by a BEFORE INSERT trigger (the
REPLACE deleted the old row without firing the DELETE trigger); on PostgreSQL ``TRUNCATE`` is refused
by a statement trigger. What no trigger can stop — a superuser dropping or disabling triggers — is why
desks connect as the role ``kesu admin db-role`` makes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_GENESIS = "0" * 64
_BATCH = 2000


def _chain_existing(bind: Any) -> list[dict[str, Any]]:
    """Chain every stored event, node by node in HLC order; returns the heads."""
    from kesu_desktop.storage.eventlog import chain_hash, event_body
    from kesu_desktop.storage.models import CaseEvent

    events = CaseEvent.__table__
    rows = bind.execute(
        sa.select(
            events.c.id,
            events.c.case_id,
            events.c.hlc,
            events.c.node_id,
            events.c.actor_id,
            events.c.actor,
            events.c.kind,
            events.c.at,
            events.c.payload,
        ).order_by(events.c.node_id, events.c.hlc, events.c.id)
    ).all()
    heads: dict[str, dict[str, Any]] = {}
    updates: list[dict[str, Any]] = []
    for row in rows:
        head = heads.setdefault(
            row.node_id, {"node_id": row.node_id, "last_event_id": None, "last_hash": _GENESIS, "count": 0}
        )
        body = event_body(
            event_id=row.id,
            case_id=row.case_id,
            hlc=row.hlc,
            node_id=row.node_id,
            actor_id=row.actor_id,
            actor=row.actor,
            kind=row.kind,
            at=row.at,
            payload=row.payload,
        )
        digest = chain_hash(body, head["last_hash"])
        head["count"] += 1
        updates.append({"b_id": row.id, "seq": head["count"], "prev_hash": head["last_hash"], "hash": digest})
        head["last_event_id"], head["last_hash"] = row.id, digest
    statement = (
        events.update()
        .where(events.c.id == sa.bindparam("b_id"))
        .values(seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash"))
    )
    for start in range(0, len(updates), _BATCH):
        bind.execute(statement, updates[start : start + _BATCH])
    return list(heads.values())


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # Filled below for every existing row; the defaults exist only so SQLite can add NOT NULL columns.
    op.add_column("case_events", sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(
        "case_events", sa.Column("prev_hash", sa.String(64), nullable=False, server_default=_GENESIS)
    )
    op.add_column("case_events", sa.Column("hash", sa.String(64), nullable=False, server_default=""))
    heads_table = op.create_table(
        "node_chain_heads",
        sa.Column("node_id", sa.String(64), primary_key=True),
        sa.Column("last_event_id", sa.Uuid(), nullable=True),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("node_id", name="pk_node_chain_heads"),
    )
    if sqlite:
        op.execute("DROP TRIGGER case_events_no_update")
    else:
        op.execute("ALTER TABLE case_events DISABLE TRIGGER case_events_append_only")
    heads = _chain_existing(bind)
    if sqlite:
        op.execute(
            "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
            "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END"
        )
    else:
        op.execute("ALTER TABLE case_events ENABLE TRIGGER case_events_append_only")
        for column in ("seq", "prev_hash", "hash"):
            op.execute(f"ALTER TABLE case_events ALTER COLUMN {column} DROP DEFAULT")
    if heads:
        op.bulk_insert(heads_table, heads)
    op.create_index("ix_case_events_node_seq", "case_events", ["node_id", "seq"], unique=True)
    if sqlite:
        op.execute(
            "CREATE TRIGGER case_events_no_replace BEFORE INSERT ON case_events "
            "WHEN EXISTS (SELECT 1 FROM case_events WHERE id = NEW.id) "
            "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END"
        )
    else:
        op.execute(
            "CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON case_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION kesu_events_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER case_events_no_replace")
    else:
        op.execute("DROP TRIGGER case_events_no_truncate ON case_events")
    op.drop_index("ix_case_events_node_seq", table_name="case_events")
    op.drop_table("node_chain_heads")
    for column in ("hash", "prev_hash", "seq"):
        op.drop_column("case_events", column)
