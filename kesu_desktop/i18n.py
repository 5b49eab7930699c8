"""The one translation entry point.

Message ids are the Simplified Chinese source text: Chinese is the product's first language, so the
source strings are what most users read, and other languages translate from them. Everything a user
can see goes through ``_()`` so the translation issue only has to add catalogues.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable

_translation: gettext.NullTranslations = gettext.NullTranslations()


def install(translation: gettext.NullTranslations) -> None:
    """Switch the active catalogue (called by the app at start-up or on a language change)."""
    global _translation
    _translation = translation


def _(message: str) -> str:
    return _translation.gettext(message)


def join_items(items: Iterable[str]) -> str:
    """Names or codes listed in running text (甲、乙、丙): the separator is the language's, not ours."""
    return _("、").join(items)


def join_clauses(items: Iterable[str]) -> str:
    """Sentences or reasons run together on one line (甲；乙)."""
    return _("；").join(items)


def with_note(text: str, note: str) -> str:
    """``text`` followed by a note in brackets: 张三（zhang）."""
    return _("{text}（{note}）").format(text=text, note=note)
