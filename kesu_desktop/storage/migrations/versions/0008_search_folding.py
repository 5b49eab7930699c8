"""Search folds text the same way on both databases: NFKC and case folding, done in Python

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08

Before, SQLite's substring test used ``lower()``, which folds ASCII only (``ｖｉｐ`` missed ``ＶＩＰ``,
``école`` missed ``ÉCOLE``), while PostgreSQL's ILIKE followed the database's locale. Now the tokens and
the text the substring test reads are folded by ``storage.tokens.fold`` (``case_search.folded``: the
searched fields, folded, one per line). Every existing case is therefore re-indexed here, with the
tokenizer of this release: on SQLite the FTS5 tables are rebuilt (a contentless table cannot be told
to forget tokens it was never told about), on PostgreSQL each entry is rewritten in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: The searched fields as of this revision (storage.search.TEXT_FIELDS), written out so that a later
#: change there does not change what this migration did.
_FIELDS = ("customer_name", "description", "demand", "product", "location")
_BATCH = 2000


def _documents(bind: Any) -> Iterator[list[tuple[Any, str, str]]]:
    """(case id as stored, tokens joined by spaces, folded text) for every case, in batches."""
    from kesu_desktop.storage.tokens import fold, index_tokens

    rows = bind.execute(sa.text(f"SELECT id, {', '.join(_FIELDS)} FROM cases ORDER BY id"))
    while batch := rows.fetchmany(_BATCH):
        yield [
            (
                row[0],
                " ".join(index_tokens(row[1:])),
                "\n".join(fold(value) for value in row[1:] if value),
            )
            for row in batch
        ]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE case_fts_vocab")
        op.execute("DROP TABLE case_fts")
        op.execute("DROP TABLE case_search")
        op.execute(
            "CREATE TABLE case_search (doc_id INTEGER PRIMARY KEY, "
            "case_id CHAR(32) NOT NULL UNIQUE REFERENCES cases(id), folded TEXT NOT NULL)"
        )
        op.execute("CREATE VIRTUAL TABLE case_fts USING fts5(tokens, content='', tokenize='ascii')")
        op.execute("CREATE VIRTUAL TABLE case_fts_vocab USING fts5vocab('case_fts', 'row')")
        doc_id = 0
        for batch in _documents(bind):
            entries = [
                {"doc_id": doc_id + i, "case_id": case_id, "tokens": tokens, "folded": folded}
                for i, (case_id, tokens, folded) in enumerate(batch, start=1)
            ]
            doc_id += len(batch)
            bind.execute(
                sa.text(
                    "INSERT INTO case_search (doc_id, case_id, folded) VALUES (:doc_id, :case_id, :folded)"
                ),
                entries,
            )
            bind.execute(sa.text("INSERT INTO case_fts (rowid, tokens) VALUES (:doc_id, :tokens)"), entries)
        return
    op.execute("ALTER TABLE case_search ADD COLUMN folded TEXT")
    for batch in _documents(bind):
        bind.execute(
            sa.text(
                "INSERT INTO case_search (case_id, tokens, folded) "
                "SELECT t.id, array_to_tsvector(string_to_array(t.words, ' ')), t.folded "
                "FROM unnest(CAST(:ids AS uuid[]), CAST(:words AS text[]), CAST(:folded AS text[])) "
                "AS t(id, words, folded) "
                "ON CONFLICT (case_id) DO UPDATE SET tokens = EXCLUDED.tokens, folded = EXCLUDED.folded"
            ),
            {
                "ids": [case_id for case_id, _w, _f in batch],
                "words": [words for _c, words, _f in batch],
                "folded": [folded for _c, _w, folded in batch],
            },
        )
    op.execute("ALTER TABLE case_search ALTER COLUMN folded SET NOT NULL")


def downgrade() -> None:
    """Back to the shape of 0007: the folded text goes; the tokens stay (the old substring test reads
    the case fields themselves, so folded tokens only propose a few more candidates)."""
    op.execute("ALTER TABLE case_search DROP COLUMN folded")
