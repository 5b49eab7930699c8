"""Which language the desktop speaks, and switching it: our catalogue, Qt's own strings, Qt's locale.

The choice is per user and per desk (QSettings, like the window layout): a Taiwan colleague signing in
at a Beijing counter gets Traditional Chinese without changing anyone else's. The order is: ``--lang``
or ``KESU_LANG`` (an override for the session), then the user's own choice, then the office's default
(``language`` setting), then Simplified Chinese. The sign-in dialog, shown before we know who signs
in, speaks the language last used on this desk.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from kesu_desktop import i18n

_LAST_KEY = "language/last"
_translators: list[QTranslator] = []


def _user_key(username: str) -> str:
    return f"language/users/{username}"


def saved_language(username: str | None = None) -> str | None:
    """The language ``username`` chose on this desk (or the one last used here, for no user)."""
    value = QSettings().value(_user_key(username) if username else _LAST_KEY)
    return i18n.normalize_language(str(value)) if value else None


def remember_language(username: str, language: str) -> None:
    """The user picked ``language`` (视图 → 语言): theirs on this desk from now on."""
    QSettings().setValue(_user_key(username), language)
    remember_last(language)


def remember_last(language: str) -> None:
    """What the next sign-in dialog on this desk speaks."""
    QSettings().setValue(_LAST_KEY, language)


def resolve_language(override: str | None, username: str | None, office_default: str | None) -> str:
    """The language to speak, by the order in the module docstring."""
    chosen = saved_language(username) if username else None
    return override or chosen or office_default or saved_language() or i18n.SOURCE_LANGUAGE


def _qt_locale(language: str) -> QLocale:
    return {
        "zh_CN": QLocale(
            QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript, QLocale.Country.China
        ),
        "zh_TW": QLocale(
            QLocale.Language.Chinese, QLocale.Script.TraditionalChineseScript, QLocale.Country.Taiwan
        ),
        "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
    }[language]


def apply_language(language: str) -> str:
    """Speak ``language`` from now on; returns what is spoken (Simplified Chinese if its catalogue is
    missing, which is logged: a broken install must still open)."""
    language = i18n.use_language(language)
    locale = _qt_locale(language)
    QLocale.setDefault(locale)
    app = QCoreApplication.instance()
    if app is not None:
        for old in _translators:
            app.removeTranslator(old)
        _translators.clear()
        if language != "en":  # Qt's own strings are English already
            translator = QTranslator(app)
            folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if translator.load(locale, "qtbase", "_", folder):
                app.installTranslator(translator)
                _translators.append(translator)
    return language
