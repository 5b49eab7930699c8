"""Tokens for Chinese full-text search, the same on SQLite and PostgreSQL.

Chinese has no spaces, and the engines' own tokenizers either treat a whole sentence as one word
(FTS5 unicode61) or cannot match terms shorter than three characters (FTS5 trigram, pg_trgm). So the
text is cut here into overlapping character bigrams plus the last character of each run: every
occurrence of a character then starts some token, which makes one-character searches (张) prefix
lookups and longer ones (退款, 退款申请) exact token lookups. The candidates are verified by substring
afterwards, so the index only has to be complete, not exact.

Text and terms are first folded the same way (``fold``: Unicode NFKC, then full case folding), here in
Python rather than by the database: SQLite's ``lower()`` folds ASCII only and PostgreSQL's depends on
the database's locale, so ``ｖｉｐ`` would find ``ＶＩＰ`` on one and not the other. Folded here, ``vip``,
``ｖｉｐ``, ``VIP`` and ``ＶＩＰ`` are one word on both, as are ``école`` and ``ÉCOLE`` and ``straße`` and
``STRASSE``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


def fold(text: str) -> str:
    """The form text is searched in: compatibility forms unified (full-width → ASCII), case folded.

    NFKC again after folding because folding can undo a composition (the Unicode NFKC_Casefold idea):
    the result is stable, ``fold(fold(x)) == fold(x)``.
    """
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _runs(text: str) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    for ch in fold(text):
        if ch.isalnum() and ch.isprintable():
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def index_tokens(parts: Iterable[str | None]) -> list[str]:
    """The distinct tokens of a document, sorted so the stored form is deterministic; a ``Facet``
    among the parts is one token as it is."""
    tokens: set[str] = set()
    for part in parts:
        if not part:
            continue
        if isinstance(part, Facet):
            tokens.add(str(part))
            continue
        for run in _runs(part):
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
            tokens.add(run[-1])
    return sorted(tokens)


@dataclass(frozen=True)
class Probe:
    """One index lookup: an exact token, or any token starting with it (prefix)."""

    token: str
    prefix: bool


def query_probes(term: str) -> list[Probe]:
    """Lookups that every document containing ``term`` as a substring is sure to satisfy."""
    probes: list[Probe] = []
    for run in _runs(term):
        if len(run) == 1:
            probes.append(Probe(run, prefix=True))
        else:
            probes.extend(Probe(run[i : i + 2], prefix=False) for i in range(len(run) - 1))
    return list(dict.fromkeys(probes))


#: Starts every facet token. A private-use character is never part of a word (``_runs`` keeps letters
#: and digits only), so no text can produce a facet token, and FTS5's ascii tokenizer keeps it, like
#: every non-ASCII character, inside the token.
FACET_MARK = "\ue000"


class Facet(str):
    """A facet token among a case's search parts: indexed as it is, never cut into bigrams nor
    substring-tested (the search entry's folded text leaves it out).

    Why in the word index at all: a common word with a filter that rarely meets it (退款 among the
    complaints about staff attitude) would otherwise need every case of the filter read to find
    none; with the filter's value indexed beside the words, the index intersects the two.
    """

    __slots__ = ()


def facet(name: str, value: str) -> Facet:
    """The token saying field ``name`` (one letter) holds ``value``: hex, so any value makes one token."""
    return Facet(f"{FACET_MARK}{name}{value.encode('utf-8').hex()}")
