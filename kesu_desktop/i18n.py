"""The one translation entry point, and which language the process speaks.

Message ids are the Simplified Chinese source text: Chinese is the product's first language, so the
source strings are what most users read, and other languages translate from them. Everything a user
can see goes through ``_()`` and is looked up when it is shown, so switching the language with
:func:`set_language` changes every later screen, message, printed page and CLI line.

Catalogues are ``translations/<lang>/LC_MESSAGES/kesu.mo``, compiled from the ``.po`` files by the
install step (``scripts/bootstrap.sh``); ``zh_CN`` needs none (the ids are the text).
"""

from __future__ import annotations

import gettext
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from babel import Locale, UnknownLocaleError

from kesu_desktop import paths

#: The languages the product ships, the source language first. Codes are a contract (settings, CLI).
LANGUAGES: tuple[str, ...] = ("zh_CN", "zh_TW", "en")
SOURCE_LANGUAGE = "zh_CN"
DOMAIN = "kesu"
#: Babel's locale for each language (zh_TW is Traditional Chinese as written in Taiwan).
_BABEL_LOCALES = {"zh_CN": "zh_Hans_CN", "zh_TW": "zh_Hant_TW", "en": "en_US"}

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


class MissingCatalogue(RuntimeError):
    """A language's compiled catalogue is not installed (the install step did not compile it)."""


def install(translation: gettext.NullTranslations) -> None:
    """Switch the active catalogue directly (tests use it with a hand-made catalogue)."""
    global _translation
    _translation = translation


def _(message: str) -> str:
    return _translation.gettext(message)


def normalize_language(text: str | None) -> str | None:
    """``zh-TW``, ``zh_Hant``, ``zh_HK``, ``en_GB.UTF-8`` … → a shipped language code, or None.

    Babel's likely-subtags data decides the script (zh_TW and zh_HK are Traditional, zh and zh_SG
    Simplified), so no alias table of ours can disagree with the locale data the formatting uses.
    """
    code = (text or "").strip().split(".")[0].split("@")[0].replace("-", "_")
    if not code:
        return None
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return None
    if locale.language == "en":
        return "en"
    if locale.language == "zh":
        return "zh_TW" if locale.script == "Hant" else SOURCE_LANGUAGE
    return None


def catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (the source language has none: its ids are the text)."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    try:
        return gettext.translation(DOMAIN, str(paths.translations_dir()), languages=[language])
    except FileNotFoundError as exc:
        raise MissingCatalogue(
            f"translations/{language}/LC_MESSAGES/{DOMAIN}.mo is missing: run scripts/bootstrap.sh "
            "(it compiles the catalogues)"
        ) from exc


def set_language(language: str) -> None:
    """Speak ``language`` from now on: messages through its catalogue, numbers and dates by its locale."""
    global _language
    install(catalogue(language))
    _language = language


def use_language(language: str) -> str:
    """:func:`set_language`, falling back to the source language (logged) when the catalogue is missing:
    a broken install must still open and speak; returns the language now spoken."""
    try:
        set_language(language)
    except MissingCatalogue as exc:
        logging.getLogger(__name__).warning("%s", exc)
        language = SOURCE_LANGUAGE
        set_language(language)
    return language


def current_language() -> str:
    return _language


def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale that formats dates, numbers and durations for ``language`` (default: current)."""
    return Locale.parse(_BABEL_LOCALES[language or _language])


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Run a block in ``language`` and switch back after (tests, and one-off output in another language)."""
    global _translation, _language
    saved = (_translation, _language)
    set_language(language)
    try:
        yield
    finally:
        _translation, _language = saved


def environment_language() -> str | None:
    """``KESU_LANG`` when it names a shipped language (the CLI's and the app's override)."""
    return normalize_language(os.environ.get("KESU_LANG"))


def language_name(language: str) -> str:
    """A language's own name (中文（简体） / 中文（繁體） / English): how a language menu lists it."""
    return {"zh_CN": "简体中文", "zh_TW": "繁體中文", "en": "English"}[language]  # not translated


def join_items(items: Iterable[str]) -> str:
    """Names or codes listed in running text (甲、乙、丙): the separator is the language's, not ours."""
    return _("、").join(items)


def join_clauses(items: Iterable[str]) -> str:
    """Sentences or reasons run together on one line (甲；乙)."""
    return _("；").join(items)


def with_note(text: str, note: str) -> str:
    """``text`` followed by a note in brackets: 张三（zhang）."""
    return _("{text}（{note}）").format(text=text, note=note)
