"""The one translation entry point.

Message ids are the Simplified Chinese source text: Chinese is the product's first language, so the
source strings are what most users read, and other languages translate from them. Everything a user
can see goes through ``_()`` so the translation issue only has to add catalogues.
"""

from __future__ import annotations

import gettext

_translation: gettext.NullTranslations = gettext.NullTranslations()


def install(translation: gettext.NullTranslations) -> None:
    """Switch the active catalogue (called by the app at start-up or on a language change)."""
    global _translation
    _translation = translation


def _(message: str) -> str:
    return _translation.gettext(message)
