"""Search facets: each case's category, department, office and assignee indexed beside its words;
indexes for "mine" and, on PostgreSQL, for case-number prefixes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

A common word with a filter it rarely meets (退款 among the complaints about staff attitude, none of
which mention a refund) made the list walk every case of the filter to find nothing: 325 ms at 200,000
cases, growing with the table. With the filter values in the word index as facet tokens
(``storage.tokens.Facet``), the index intersects the word's documents with the filter's and says
"none" in a few milliseconds (storage/search.py). Every existing entry gets its facets here.

On SQLite the contentless FTS5 table cannot add tokens to a document it holds, so it is rebuilt from
the cases (the entries' doc ids and folded text stay); its fts5vocab companion goes with it, as term
frequencies are now counted from the index itself. On PostgreSQL the facet lexemes are appended to
each tsvector in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: The searched fields and the facet columns with their letters as of this revision
#: (storage.search.TEXT_FIELDS and FACETS), written out so a later change there does not change this.
_FIELDS = ("customer_name", "description", "demand", "product", "location")
_FACETS = (("c", "category"), ("d", "department_code"), ("o", "office_code"), ("a", "assignee_id"))
_BATCH = 5000


def _documents(bind: Any) -> Iterator[list[dict[str, Any]]]:
    """{rowid, tokens} for every search entry, tokens with the facets, in batches."""
    from kesu_desktop.storage.tokens import facet, index_tokens

    columns = ", ".join(f"c.{name}" for name in (*_FIELDS, *(column for _l, column in _FACETS)))
    rows = bind.execute(
        sa.text(f"SELECT s.doc_id, {columns} FROM case_search s JOIN cases c ON c.id = s.case_id")
    )
    width = len(_FIELDS)
    while batch := rows.fetchmany(_BATCH):
        out = []
        for row in batch:
            tokens = index_tokens(row[1 : 1 + width])
            for (letter, column), value in zip(_FACETS, row[1 + width :], strict=True):
                if value is not None:
                    text = uuid.UUID(str(value)).hex if column == "assignee_id" else str(value)
                    tokens.append(str(facet(letter, text)))
            out.append({"rowid": row[0], "tokens": " ".join(tokens)})
        yield out


def _pg_facet(letter: str, value_sql: str) -> str:
    """The facet token in SQL, spelled as tokens.facet spells it (NULL when the value is NULL)."""
    return f"chr(57344) || '{letter}' || encode(convert_to({value_sql}, 'UTF8'), 'hex')"


def upgrade() -> None:
    # "Mine" (``kesu list --mine``, 只看我的) had no index: every page read all of the office's cases,
    # 0.4 s at 200,000. Newest first within one assignee, like the other filters' indexes; partial,
    # because most cases have no assignee, and with them counted the planner's statistics would call
    # the index unselective (one value, NULL, for every case) and keep walking the office's cases.
    unassigned_out = sa.text("assignee_id IS NOT NULL")
    op.create_index(
        "ix_cases_assignee_created",
        "cases",
        ["assignee_id", "created_at"],
        sqlite_where=unassigned_out,
        postgresql_where=unassigned_out,
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # A case-number prefix (LIKE 'X%') cannot use the unique index unless the database collates
        # in C order; a pattern-ops index serves it whatever the collation (0.06-0.28 s a search at
        # 200,000 cases before). SQLite searches the prefix as a range of its unique index instead.
        op.execute("CREATE INDEX ix_cases_case_no_prefix ON cases (case_no varchar_pattern_ops)")
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS case_fts_vocab")
        op.execute("DROP TABLE case_fts")
        op.execute("CREATE VIRTUAL TABLE case_fts USING fts5(tokens, content='', tokenize='ascii')")
        for batch in _documents(bind):
            bind.execute(sa.text("INSERT INTO case_fts (rowid, tokens) VALUES (:rowid, :tokens)"), batch)
        return
    facets = ", ".join(
        _pg_facet(
            letter,
            f"replace(CAST(c.{column} AS text), '-', '')" if column == "assignee_id" else f"c.{column}",
        )
        for letter, column in _FACETS
    )
    op.execute(
        "UPDATE case_search s SET tokens = s.tokens || array_to_tsvector(array_remove(ARRAY["
        f"{facets}], NULL)) FROM cases c WHERE c.id = s.case_id"
    )


def downgrade() -> None:
    """Back to 0014: the facet tokens may stay (no query of that release looks for them); SQLite gets
    its vocabulary table back."""
    op.drop_index("ix_cases_assignee_created", table_name="cases")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_cases_case_no_prefix")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE case_fts_vocab USING fts5vocab('case_fts', 'row')")
