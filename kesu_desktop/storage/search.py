"""Case search: one function to keep the index current, one to build the search condition.

The dialect-specific SQL lives only here (FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL); both
index the same tokens (see tokens.py) and verify candidates with the same substring test, so a search
returns the same cases on either database.

The index is an accelerator, never the judge: a case matches a term when one of its text fields
contains the term — both folded by ``tokens.fold`` (NFKC and case folding, the same in Python for both
databases; the folded fields are kept in the search entry, ``case_search.folded``) — or its phone or case
number matches. The index only proposes
candidates, which is the fast way for rare terms. For common ones (退款 is in 40% of complaints) the
candidate list is most of the table, while walking the cases newest-first and testing each finds a
page after a few hundred rows; so every term's document frequency is counted first, stopping once it
is known to be common, and common terms are found by the walk alone. Both ways give the same cases.

A filter changes what is common: 退款 is in none of the complaints about staff attitude, and walking
that category newest-first would read all of them to find nothing. So the values of the filters that
pick cases by a code (category, department, office, assignee) are indexed beside the words as facet
tokens (``tokens.Facet``), a term is counted together with them, and the index intersects the two
lists, stopping early as before.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Uuid,
    and_,
    any_,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from kesu_desktop.domain.case_number import looks_like_case_no
from kesu_desktop.domain.validation import normalize_phone
from kesu_desktop.storage.models import Case
from kesu_desktop.storage.tokens import Facet, Probe, facet, fold, index_tokens, query_probes

#: The case fields whose words can be searched.
TEXT_FIELDS = ("customer_name", "description", "demand", "product", "location")

#: The list filters whose values are indexed beside the words (``tokens.Facet``): filter name → (the
#: facet's letter, the case column). Only fields that change through a path which compares
#: ``case_texts`` before and after and re-indexes (actions, conflict resolution, sync): status,
#: priority and severity also change by the watcher's escalation and the mass-complaint rule, which
#: do not, so they stay out.
FACETS = {
    "category": ("c", "category"),
    "department": ("d", "department_code"),
    "office": ("o", "office_code"),
    "assignee": ("a", "assignee_id"),
}

_search = table(
    "case_search", column("doc_id"), column("case_id", Uuid()), column("tokens"), column("folded")
)
_fts = table("case_fts", column("rowid"), column("tokens"))


def case_texts(case: Any) -> list[str | None]:
    """What a case's search entry is made of (an ORM row, or anything with those attributes): the
    searched fields, then a ``Facet`` for each filter value it holds.

    The facets are here, not beside, so that every writer that re-indexes a case when this list
    changes (``index_case`` with the previous list) keeps them current without knowing of them.
    """
    texts: list[str | None] = [getattr(case, name) for name in TEXT_FIELDS]
    for letter, column_name in FACETS.values():
        value = getattr(case, column_name)
        if value is not None:
            texts.append(facet(letter, _facet_value(column_name, value)))
    return texts


def _facet_value(column_name: str, value: Any) -> str:
    """One spelling per value: an assignee id may arrive as a UUID or (from a sync payload) as text."""
    return uuid.UUID(str(value)).hex if column_name == "assignee_id" else str(value)


def filter_facets(**values: Any) -> list[Facet]:
    """The facet tokens of the list filters given (``FACETS`` names; None means not filtered)."""
    out = []
    for name, value in values.items():
        letter, column_name = FACETS[name]
        if value is not None:
            out.append(facet(letter, _facet_value(column_name, value)))
    return out


#: Between the folded fields of ``case_search.folded``: a term never contains it (terms are split on
#: whitespace and folding makes none), so a term can only match inside one field, as before.
FIELD_SEPARATOR = "\n"


def folded_text(texts: Iterable[str | None]) -> str:
    """The searched fields as the substring test reads them: each folded, one per line (no facets)."""
    return FIELD_SEPARATOR.join(fold(t) for t in texts if t and not isinstance(t, Facet))


def index_case(session: Session, case: Case, previous_texts: list[str | None] | None = None) -> None:
    """Write (or rewrite) the search entry of a case inside the caller's transaction."""
    texts = case_texts(case)
    tokens, folded = index_tokens(texts), folded_text(texts)
    if session.get_bind().dialect.name == "sqlite":
        _index_sqlite(session, case.id, tokens, folded, previous_texts)
    else:
        session.execute(
            text(
                "INSERT INTO case_search (case_id, tokens, folded) "
                "VALUES (:id, array_to_tsvector(:tokens), :folded) "
                "ON CONFLICT (case_id) DO UPDATE SET tokens = EXCLUDED.tokens, folded = EXCLUDED.folded"
            ),
            {"id": case.id, "tokens": tokens, "folded": folded},
        )


def _index_sqlite(
    session: Session,
    case_id: uuid.UUID,
    tokens: list[str],
    folded: str,
    previous_texts: list[str | None] | None,
) -> None:
    doc_id = session.execute(
        select(_search.c.doc_id).where(_search.c.case_id == case_id)
    ).scalar_one_or_none()
    if doc_id is None:
        doc_id = session.execute(
            _search.insert().values(case_id=case_id, folded=folded).returning(_search.c.doc_id)
        ).scalar_one()
    else:
        session.execute(_search.update().where(_search.c.doc_id == doc_id).values(folded=folded))
        if previous_texts is not None:
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


def _index_matches(dialect: str, probes: list[Probe]) -> Select[Any]:
    """The index entries holding every probe: doc ids on SQLite, case ids on PostgreSQL."""
    if dialect == "sqlite":
        return select(_fts.c.rowid).where(literal_column("case_fts").op("MATCH")(_fts5_query(probes)))
    from sqlalchemy.dialects.postgresql import TSQUERY  # here: on SQLite the dialect is never imported

    # A cast, not to_tsquery(): the lexemes are ours already and must not meet a locale-bound parser.
    return select(_search.c.case_id).where(_search.c.tokens.op("@@")(cast(_tsquery(probes), TSQUERY)))


def _word_matches(dialect: str, term: str, probes: list[Probe]) -> Select[Any]:
    """Ids of the cases whose text contains ``term``, found through the entries holding every probe.

    The substring test runs here, on the entry the index pointed to, rather than on each case
    afterwards: the entry holds the folded text, so a candidate costs one row instead of three (the
    entry for its case id, the case, the entry again for its text), and the outer query gets exactly
    the matching cases.
    """
    position = func.instr if dialect == "sqlite" else func.strpos
    contains = position(_search.c.folded, fold(term)) > 0
    if dialect == "sqlite":
        candidates = _search.c.doc_id.in_(_index_matches(dialect, probes))
        return select(_search.c.case_id).where(candidates, contains)
    return _index_matches(dialect, probes).where(contains)


# -- how common a term is ----------------------------------------------------------------------------

#: A term is common (walked, not looked up) when more documents than this hold it, whatever the size.
COMMON_MIN_DOCS = 2000
#: The page the threshold is tuned for when the caller does not say (the desktop list's page).
DEFAULT_PAGE = 200


def common_threshold(documents: int, page: int = DEFAULT_PAGE) -> int:
    """The document frequency above which a term is searched without the index.

    Walking the newest cases reads about page × documents / frequency rows before a page is full;
    fetching the matches reads the frequency's worth, each about twice the cost of a walked row (the
    index entry, the case by its id, and a sort, against the next case in an index already in order;
    measured at 200,000 cases). The two cross at sqrt(page × documents / 2): 10,000 of a million
    documents for a 200-row page, 5,000 for 50. Below COMMON_MIN_DOCS fetching is cheap anyway.
    """
    return max(COMMON_MIN_DOCS, math.isqrt(max(page, 1) * max(documents, 0) // 2))


def indexed_documents(session: Session) -> int:
    """About how many documents the index holds (cheap: a threshold needs no exact count)."""
    if session.get_bind().dialect.name == "sqlite":
        # Doc ids are handed out in increasing order and never reused: the largest is the count (or a
        # little more after deletions), read from the end of the b-tree.
        return session.execute(select(func.coalesce(func.max(_search.c.doc_id), 0))).scalar_one()
    # The planner's own row estimate, kept by ANALYZE and autovacuum; count(*) would read the table.
    estimate = session.execute(
        text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('case_search')")
    ).scalar()
    return max(int(estimate or 0), 0)


def _facet_probes(facets: Iterable[Facet]) -> list[Probe]:
    return [Probe(str(f), prefix=False) for f in facets]


def term_frequency(
    session: Session, term: str, *, at_most: int | None = None, facets: Iterable[Facet] = ()
) -> int | None:
    """How many indexed documents hold every token of ``term`` (and every facet); None if the term
    has no tokens. With ``at_most``, counting stops after ``at_most + 1``.

    Counting the matches themselves, stopped early, rather than reading a statistic: it is exact for
    terms of several tokens (``1120``: 11, 12 and 20 are each in 4% of documents, together in 0.02%)
    and for a word with a filter (退款 is in 40% of complaints, in none about staff attitude), and it
    costs at most ``at_most`` index entries, which the index intersects without reading the rest of
    the longer lists. On PostgreSQL ANALYZE's lexeme statistics first give a bound for free (see
    ``_pg_frequency_bound``); only when it is above ``at_most`` and not the answer itself is counted.
    """
    probes = query_probes(term)
    if not probes:
        return None
    probes += _facet_probes(facets)
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":
        bound, exact = _pg_frequency_bound(session, probes)
        if (at_most is not None and bound <= at_most) or exact:
            return bound
    matches = _index_matches(dialect, probes)
    if at_most is not None:
        matches = matches.limit(at_most + 1)
    return session.execute(select(func.count()).select_from(matches.subquery())).scalar_one()


def _pg_frequency_bound(session: Session, probes: list[Probe]) -> tuple[int, bool]:
    """An upper bound from the lexeme statistics ANALYZE keeps for the tsvector (the planner's own).

    ``most_common_elems`` lists the most frequent lexemes (up to ten times the statistics target) with
    the share of rows holding each, followed in ``most_common_elem_freqs`` by the smallest and largest
    share. A lexeme not listed is held by fewer rows than the smallest listed share. A prefix probe is
    only bounded from below by the listed lexemes it starts (张三, 张伟… are each rare, 张 is not), so
    it bounds nothing. Returns (bound, whether the bound is the estimate itself).
    """
    documents = indexed_documents(session)
    row = session.execute(
        text(
            "SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs "
            "FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename = 'case_search' AND attname = 'tokens'"
        )
    ).one_or_none()
    if row is None or not row.elems:  # never analysed: nothing is known
        return documents, False
    shares = dict(zip(row.elems, row.freqs, strict=False))
    smallest = row.freqs[len(row.elems)]
    bound, exact = documents, False
    for probe in probes:
        if probe.prefix:
            continue
        listed = probe.token in shares
        frequency = int(documents * (shares[probe.token] if listed else smallest))
        if frequency < bound:
            bound, exact = frequency, listed and len(probes) == 1
    return bound, exact


def is_common(session: Session, term: str, threshold: int, *, facets: Iterable[Facet] = ()) -> bool:
    """Whether more than ``threshold`` documents hold ``term`` and the ``facets`` (see common_threshold)."""
    frequency = term_frequency(session, term, at_most=threshold, facets=facets)
    return frequency is not None and frequency > threshold


# -- conditions --------------------------------------------------------------------------------------


def _substring_test(dialect: str, term: str) -> ColumnElement[bool]:
    """Whether some text field contains ``term``, both folded: the test that decides a match.

    The same test on both databases, on text folded in Python (``case_search.folded``), so neither
    SQLite's ASCII-only ``lower()`` nor PostgreSQL's locale decides what matches. The folded text is
    read through a scalar subquery on the search entry's key: evaluated row by row, so the database
    still walks the newest cases and stops at the page size for a common term, instead of joining the
    whole search table first.
    """
    folded = select(_search.c.folded).where(_search.c.case_id == Case.id).scalar_subquery()
    position = func.instr if dialect == "sqlite" else func.strpos
    return position(folded, fold(term)) > 0


def _number_conditions(dialect: str, term: str) -> list[ColumnElement[bool]]:
    """The term as a case number (prefix) or a phone (last 4 digits or full)."""
    conditions = []
    if looks_like_case_no(term):
        # Digits, letters and hyphens only (looks_like_case_no): nothing to escape, and a constant
        # pattern is what lets PostgreSQL's pattern-ops index (migration 0015) serve the prefix.
        prefix = term.upper()
        condition = Case.case_no.like(prefix + "%")
        if dialect == "sqlite":
            # SQLite's LIKE ignores case, so its index on case_no cannot serve it: 0.27 s a search at
            # 200,000 cases. The same prefix as a range in code point order (SQLite's BINARY) can.
            condition = and_(Case.case_no >= prefix, Case.case_no < _after_prefix(prefix), condition)
        conditions.append(condition)
    digits = re.sub(r"[\s\-()]", "", term)
    if re.fullmatch(r"\d{4}", digits):
        conditions.append(Case.phone_last4 == digits)
    elif re.fullmatch(r"\+?\d{7,15}", digits):
        try:
            conditions.append(Case.phone == normalize_phone(digits))
        except ValueError:
            conditions.append(Case.phone.contains(digits.lstrip("+"), autoescape=True))
    return conditions


def _after_prefix(prefix: str) -> str:
    """The smallest string after every string starting with ``prefix`` (an ASCII case number)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def term_condition(
    dialect: str, term: str, *, indexed: bool = True, facets: Iterable[Facet] = ()
) -> ColumnElement[bool]:
    """Cases matching one search term: case number, phone (full or last 4 digits), or words.

    With ``indexed`` (rare terms) the matching cases are one id list: the word index's candidates that
    pass the substring test, plus the phone and case-number matches. One list rather than
    ``(candidates AND words) OR phone``: PostgreSQL cannot combine an IN-subquery with an index in an
    OR, and walked every case for a phone's last four digits. The ``facets`` of the list's filters
    narrow the word candidates further (the filter itself is still applied to the cases: the index
    only proposes). Without ``indexed`` (common terms) the test alone is applied while the database
    walks the cases in the query's order.
    """
    numbers = _number_conditions(dialect, term)
    probes = query_probes(term)
    if not indexed or not probes:  # too common to be worth a lookup, or nothing to look up
        return or_(_substring_test(dialect, term), *numbers)
    # The index holds every word of every case, so the cases whose text contains the term are all
    # among its candidates: the id list is the whole answer, and the substring test still decides it.
    matching = _word_matches(dialect, term, probes + _facet_probes(facets))
    if numbers:
        # Their own scan of cases, not correlated with the outer one (an alias would do the same and
        # cost a millisecond or two of SQLAlchemy building its column collection per search).
        matching = matching.union_all(*(select(Case.id).where(c).correlate(None) for c in numbers))
    if dialect == "sqlite":
        return Case.id.in_(matching)  # SQLite reads an IN list first and looks each case up by id
    # PostgreSQL cannot know the list is short (it guesses a third of the entries pass the substring
    # test), and walked every case of the filter, probing the entry of each: 0.17-0.36 s for 退款
    # among 20,000 staff-attitude complaints at 200,000 cases. As an array the list is computed once,
    # before the cases, and they are fetched by id.
    return Case.id == any_(func.array(matching.scalar_subquery()))


def search_condition(
    session: Session, query: str, *, facets: Iterable[Facet] = (), page: int = DEFAULT_PAGE
) -> ColumnElement[bool] | None:
    """All whitespace-separated terms must match (None for an empty query).

    ``facets`` are those of the list's filters (``filter_facets``): a term is common or rare together
    with them, so 退款 among the complaints of a category it never appears in is rare (none), looked
    up in the index and answered at once, where walking that category's cases would read them all.
    Rare terms narrow the cases through the index; common ones are tested on each case only, so the
    database walks the newest cases and stops at the ``page`` size (see common_threshold). When every
    term is common the whole search is a walk in date order, which finds a page quickly precisely
    because the terms are common among the filtered cases.
    """
    terms = query.split()
    if not terms:
        return None
    dialect = session.get_bind().dialect.name
    facets = list(facets)
    threshold = common_threshold(indexed_documents(session), page)
    return and_(
        *(
            term_condition(
                dialect, t, indexed=not is_common(session, t, threshold, facets=facets), facets=facets
            )
            for t in terms
        )
    )
