"""JSON documents stored as UTF-8 text on SQLite (they were ``\\uXXXX``-escaped)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

From now on the engine writes JSON with ``ensure_ascii=False`` (storage/json_text.py); this rewrites
the rows written before, so an old database shrinks too. A Chinese character escaped takes six bytes,
in UTF-8 three; event payloads are most of the file. Only the text changes: every document reads back
as the same value, and the event chain's hashes are over canonical JSON (storage/eventlog.py), not
over the stored text, so they still verify.

PostgreSQL keeps JSONB in binary, so nothing changes there.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from kesu_desktop.storage.json_text import dumps

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

#: Every JSON column, by table.
JSON_COLUMNS = {
    "case_events": ("payload",),
    "case_signatures": ("strokes",),
    "sync_links": ("last_result",),
    "case_conflicts": ("kept", "lost"),
    "admin_changes": ("before", "after"),
}
BATCH = 5000
NO_UPDATE_TRIGGER = (
    "CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events "
    "BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END"
)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    # The events' append-only trigger is lifted for exactly this rewrite and put back in the same
    # transaction (as migration 0010 did to chain them): the values stay the same documents.
    op.execute("DROP TRIGGER case_events_no_update")
    for table, columns in JSON_COLUMNS.items():
        for column in columns:
            _rewrite(conn, table, column)
    op.execute(NO_UPDATE_TRIGGER)


def _rewrite(conn: sa.Connection, table: str, column: str) -> None:
    """Re-encode the escaped documents of one column, a batch of rows at a time (by rowid)."""
    select = sa.text(
        f"SELECT rowid, {column} FROM {table} WHERE rowid > :after AND {column} LIKE '%\\u%' ESCAPE '!' "
        f"ORDER BY rowid LIMIT {BATCH}"
    )
    update = sa.text(f"UPDATE {table} SET {column} = :value WHERE rowid = :rowid")
    after = 0
    while True:
        rows = conn.execute(select, {"after": after}).all()
        if not rows:
            return
        changed = []
        for rowid, stored in rows:
            rewritten = dumps(json.loads(stored))
            if rewritten != stored:
                changed.append({"rowid": rowid, "value": rewritten})
        if changed:
            conn.execute(update, changed)
        after = rows[-1][0]


def downgrade() -> None:
    """Nothing to undo: escaped and unescaped JSON read back as the same documents."""
