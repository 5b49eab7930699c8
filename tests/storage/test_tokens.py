"""The search tokens: whatever substring a user types, the index lookups find the document."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kesu_desktop.storage.tokens import index_tokens, query_probes

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80)
TEXT = st.text(alphabet=st.one_of(CJK, st.sampled_from("abcXYZ0129，。 -")), min_size=1, max_size=40)


def satisfied(doc: str, term: str) -> bool:
    tokens = set(index_tokens([doc]))
    return all(
        any(t.startswith(p.token) for t in tokens) if p.prefix else p.token in tokens
        for p in query_probes(term)
    )


@settings(max_examples=400, deadline=None)
@given(TEXT, st.data())
def test_every_substring_passes_the_index(doc: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(doc) - 1))
    end = data.draw(st.integers(start + 1, len(doc)))
    assert satisfied(doc, doc[start:end])


def test_short_chinese_terms_have_probes() -> None:
    assert [p.token for p in query_probes("张")] == ["张"]
    assert query_probes("张")[0].prefix
    assert [p.token for p in query_probes("退款")] == ["退款"]
    assert not satisfied("张三要求退货", "退款")
    assert satisfied("张三要求退款", "退款")


def test_tokens_are_case_folded_and_punctuation_free() -> None:
    assert index_tokens(["iPhone，好"]) == sorted({"ip", "ph", "ho", "on", "ne", "e", "好"})


def test_text_and_terms_are_folded_alike_full_width_accents_and_case() -> None:
    from kesu_desktop.storage.tokens import fold

    assert fold("ＶＩＰ") == fold("ｖｉｐ") == fold("VIP") == "vip"
    assert fold("ÉCOLE") == fold("école") == "école"
    assert fold("STRASSE") == fold("Straße") == "strasse"
    assert fold("１２３４５") == "12345"
    assert fold("张三") == "张三"
    assert index_tokens(["ＶＩＰ会员"]) == index_tokens(["vip会员"])
    assert satisfied("ＶＩＰ会员投诉", "ｖｉｐ") and satisfied("vip会员", "ＶＩＰ")
    assert satisfied("ÉCOLE 学费", "école") and satisfied("Straße 12", "STRASSE")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_folding_is_stable(text: str) -> None:
    from kesu_desktop.storage.tokens import fold

    assert fold(fold(text)) == fold(text)


WIDE = st.text(
    alphabet=st.one_of(CJK, st.sampled_from("abcÉéßSsＶｖＩｉＰｐ１1ﬁ，。 -")), min_size=1, max_size=40
)


@settings(max_examples=300, deadline=None)
@given(WIDE, st.data())
def test_every_substring_of_the_folded_text_passes_the_index(doc: str, data: st.DataObject) -> None:
    """Whatever the substring test accepts (a substring of the folded text), the index proposes."""
    from kesu_desktop.storage.tokens import fold

    folded = fold(doc)
    start = data.draw(st.integers(0, len(folded) - 1))
    end = data.draw(st.integers(start + 1, len(folded)))
    assert satisfied(doc, folded[start:end])
