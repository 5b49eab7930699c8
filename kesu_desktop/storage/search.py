"""Case search: one function to keep the index current, one to build the search condition.

The dialect-specific SQL lives only here (FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL); both
index the same tokens (see tokens.py) and verify candidates with the same substring test, so a search
returns the same cases on either database.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import ColumnElement, Uuid, and_, cast, column, func, literal_column, or_, select, table, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session

from kesu_desktop.domain.case_number import looks_like_case_no
from kesu_desktop.domain.validation import normalize_phone
from kesu_desktop.storage.models import Case
from kesu_desktop.storage.tokens import Probe, index_tokens, query_probes

#: The case fields whose words can be searched.
TEXT_FIELDS = ("customer_name", "description", "demand", "product", "location")

_search = table("case_search", column("doc_id"), column("case_id", Uuid()), column("tokens"))
_fts = table("case_fts", column("rowid"), column("tokens"))


def case_texts(case: Case) -> list[str | None]:
    return [getattr(case, name) for name in TEXT_FIELDS]


def index_case(session: Session, case: Case, previous_texts: list[str | None] | None = None) -> None:
    """Write (or rewrite) the search entry of a case inside the caller's transaction."""
    tokens = index_tokens(case_texts(case))
    if session.get_bind().dialect.name == "sqlite":
        _index_sqlite(session, case.id, tokens, previous_texts)
    else:
        session.execute(
            text(
                "INSERT INTO case_search (case_id, tokens) VALUES (:id, array_to_tsvector(:tokens)) "
                "ON CONFLICT (case_id) DO UPDATE SET tokens = EXCLUDED.tokens"
            ),
            {"id": case.id, "tokens": tokens},
        )


def _index_sqlite(
    session: Session, case_id: uuid.UUID, tokens: list[str], previous_texts: list[str | None] | None
) -> None:
    doc_id = session.execute(
        select(_search.c.doc_id).where(_search.c.case_id == case_id)
    ).scalar_one_or_none()
    if doc_id is None:
        doc_id = session.execute(
            _search.insert().values(case_id=case_id).returning(_search.c.doc_id)
        ).scalar_one()
    elif previous_texts is not None:
        # A contentless FTS5 table forgets a document only when told its old tokens.
        session.execute(
            text("INSERT INTO case_fts (case_fts, rowid, tokens) VALUES ('delete', :rowid, :tokens)"),
            {"rowid": doc_id, "tokens": " ".join(index_tokens(previous_texts))},
        )
    session.execute(
        text("INSERT INTO case_fts (rowid, tokens) VALUES (:rowid, :tokens)"),
        {"rowid": doc_id, "tokens": " ".join(tokens)},
    )


def _fts5_query(probes: list[Probe]) -> str:
    return " AND ".join(f'"{p.token}"*' if p.prefix else f'"{p.token}"' for p in probes)


def _tsquery(probes: list[Probe]) -> str:
    return " & ".join(f"'{p.token}':*" if p.prefix else f"'{p.token}'" for p in probes)


def _indexed_candidates(dialect: str, probes: list[Probe]) -> ColumnElement[bool]:
    if dialect == "sqlite":
        docs = select(_fts.c.rowid).where(literal_column("case_fts").op("MATCH")(_fts5_query(probes)))
        return Case.id.in_(select(_search.c.case_id).where(_search.c.doc_id.in_(docs)))
    # A cast, not to_tsquery(): the lexemes are ours already and must not meet a locale-bound parser.
    matches = _search.c.tokens.op("@@")(cast(_tsquery(probes), TSQUERY))
    return Case.id.in_(select(_search.c.case_id).where(matches))


def _text_condition(dialect: str, term: str) -> ColumnElement[bool]:
    needle = term.lower()
    verify = or_(*(func.lower(getattr(Case, f)).contains(needle, autoescape=True) for f in TEXT_FIELDS))
    probes = query_probes(term)
    if not probes:  # only punctuation: nothing to look up, fall back to the substring test alone
        return verify
    return and_(_indexed_candidates(dialect, probes), verify)


def term_condition(dialect: str, term: str) -> ColumnElement[bool]:
    """Cases matching one search term: case number, phone (full or last 4 digits), or words."""
    conditions = [_text_condition(dialect, term)]
    if looks_like_case_no(term):
        conditions.append(Case.case_no.startswith(term.upper(), autoescape=True))
    digits = re.sub(r"[\s\-()]", "", term)
    if re.fullmatch(r"\d{4}", digits):
        conditions.append(Case.phone_last4 == digits)
    elif re.fullmatch(r"\+?\d{7,15}", digits):
        try:
            conditions.append(Case.phone == normalize_phone(digits))
        except ValueError:
            conditions.append(Case.phone.contains(digits.lstrip("+"), autoescape=True))
    return or_(*conditions)


def search_condition(dialect: str, query: str) -> ColumnElement[bool] | None:
    """All whitespace-separated terms must match (None for an empty query)."""
    terms = query.split()
    if not terms:
        return None
    return and_(*(term_condition(dialect, t) for t in terms))
