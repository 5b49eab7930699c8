"""Filter values indexed beside the words: kept current when a case changes, added by migration 0015."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kesu_desktop import services
from kesu_desktop.services import Desk
from kesu_desktop.storage import search
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.storage.tokens import FACET_MARK, Facet, facet, index_tokens
from tests.helpers.data import complaint


def test_a_facet_is_one_token_that_no_text_makes() -> None:
    token = facet("c", "service_attitude")
    assert index_tokens(["要求退款", token]) == sorted(["要求", "求退", "退款", "款", str(token)])
    # Text that merely spells a facet (or holds the private-use mark) is cut into words like any text.
    assert str(token) not in index_tokens([str(token)])
    assert not any(t.startswith(FACET_MARK) for t in index_tokens([f"{FACET_MARK}c73"]))
    assert search.folded_text(["退款", token]) == "退款"


def test_case_texts_carry_the_filter_values(desk: Desk, people) -> None:
    case = services.register_case(desk, people.alice, complaint(category="logistics"))
    with desk.db.read() as s:
        row = s.get(search.Case, case.id)
        facets = [t for t in search.case_texts(row) if isinstance(t, Facet)]
        expected = search.filter_facets(category="logistics", department=row.department_code, office="BJ01")
    assert facets == expected and len(expected) >= 2  # no department until the case is assigned


@pytest.fixture
def indexed_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every term looked up in the index (with the filters' facets), none walked."""
    monkeypatch.setattr(search, "COMMON_MIN_DOCS", 10**9)


def _names(desk: Desk, actor, **flt: object) -> list[str]:
    return [r.customer_name for r in services.list_cases(desk, actor, services.CaseFilter(limit=100, **flt))]


def test_facets_follow_reclassification_and_assignment(desk: Desk, people, clock, indexed_only) -> None:
    refund = services.register_case(
        desk,
        people.alice,
        complaint(customer_name="甲", description="快递丢件，要求退款", category="logistics", demand=None),
    )
    clock.advance(minutes=1)
    services.register_case(
        desk,
        people.alice,
        complaint(customer_name="乙", description="快递丢件，要求补发", category="logistics", demand=None),
    )
    assert _names(desk, people.bob, search="退款", category="logistics") == ["甲"]
    services.act(desk, people.carol, refund.case_no, "classify", {"category": "billing_dispute"})
    assert _names(desk, people.bob, search="退款", category="logistics") == []
    assert _names(desk, people.bob, search="退款", category="billing_dispute") == ["甲"]
    services.act(desk, people.alice, refund.case_no, "verify", {"valid": True})
    services.act(desk, people.bob, refund.case_no, "assign", {"department": "AS", "assignee": "dave"})
    assert _names(desk, people.bob, search="退款", department="AS") == ["甲"]
    assert _names(desk, people.dave, search="退款 快递", assigned_to_me=True) == ["甲"]
    assert _names(desk, people.bob, search="快递", department="WL") == []


def _strip_facets(desk: Desk) -> None:
    """Put the database back as 0014 left it: words only in the index, no index for "mine"."""
    with desk.db.write() as s:
        if s.get_bind().dialect.name == "sqlite":
            entries = s.execute(
                text(
                    "SELECT s.doc_id, c.customer_name, c.description, c.demand, c.product, c.location "
                    "FROM case_search s JOIN cases c ON c.id = s.case_id"
                )
            ).all()
            s.execute(text("DROP TABLE case_fts"))
            s.execute(text("CREATE VIRTUAL TABLE case_fts USING fts5(tokens, content='', tokenize='ascii')"))
            s.execute(text("CREATE VIRTUAL TABLE case_fts_vocab USING fts5vocab('case_fts', 'row')"))
            for doc_id, *texts in entries:
                s.execute(
                    text("INSERT INTO case_fts (rowid, tokens) VALUES (:r, :t)"),
                    {"r": doc_id, "t": " ".join(index_tokens(texts))},
                )
        else:
            s.execute(
                text(
                    "UPDATE case_search SET tokens = array_to_tsvector(ARRAY(SELECT lexeme FROM "
                    "unnest(tokens) WHERE left(lexeme, 1) <> chr(57344)))"
                )
            )
        s.execute(text("DROP INDEX ix_cases_assignee_created"))
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("DROP INDEX ix_cases_case_no_prefix"))
        s.execute(text("DROP INDEX ix_case_links_linked"))  # 0016's, made again by the upgrade below
        s.execute(text("UPDATE alembic_version SET version_num = '0014'"))


def test_the_migration_indexes_the_facets_of_existing_cases(desk: Desk, people, clock, indexed_only) -> None:
    for name, category, text_ in [("甲", "logistics", "要求退款"), ("乙", "service_attitude", "态度差")]:
        clock.advance(minutes=1)
        services.register_case(
            desk,
            people.alice,
            complaint(customer_name=name, description=text_, category=category, demand=None),
        )
    _strip_facets(desk)
    # Without facets the index proposes nothing for a filtered term: the state 0015 repairs.
    assert _names(desk, people.bob, search="退款", category="logistics") == []
    assert upgrade(desk.db)
    assert _names(desk, people.bob, search="退款", category="logistics") == ["甲"]
    assert _names(desk, people.bob, search="态度", category="service_attitude", office="BJ01") == ["乙"]
    assert _names(desk, people.bob, search="退款", category="service_attitude") == []
    assert _names(desk, people.bob, search="退款") == ["甲"]
