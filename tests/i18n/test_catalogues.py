"""The catalogues: complete, faithful to their placeholders, up to date with the code, compiled.

A message added in the code without ``scripts/update-translations.sh`` fails here (the template is
stale); one left untranslated in zh_TW or en fails here; a translation that drops or renames a
``{placeholder}`` would raise KeyError at the moment a user meets it, and fails here first.
"""

from __future__ import annotations

import ast
import io
import re
import string
from pathlib import Path

import opencc
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kesu_desktop import i18n
from kesu_desktop.paths import resources_dir
from kesu_desktop.printing.fonts import FontSet

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TRANSLATED = ("zh_TW", "en")
#: Characters written the same in both scripts are fine; these are the Simplified-only ones OpenCC knows.
_TO_TRADITIONAL = opencc.OpenCC("s2t")
#: Characters OpenCC's s2t maps to a variant although Taiwan writes them as they are (台 in 客訴台 and
#: 櫃台, 群, 准 in 批准-like words, 采 in 風采), and 简 in the name of the Simplified language.
_TAIWAN_AS_IS = {"台", "群", "准", "采", "简"}


def simplified_only(text: str) -> set[str]:
    """Characters of ``text`` that Traditional Chinese writes differently."""
    return {c for c in text if "\u4e00" <= c <= "\u9fff" and _TO_TRADITIONAL.convert(c) != c} - _TAIWAN_AS_IS


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "kesu.po").open("rb") as f:
        return read_po(f, locale=language)


def fields(text: str) -> list[str]:
    return sorted({name for _, name, _, _ in string.Formatter().parse(text) if name is not None})


def code_messages() -> set[str]:
    """Every ``_()`` message in the product, extracted now the way ``babel.cfg`` says."""
    method_map = [("kesu_desktop/**.py", "python")]
    found = extract_from_dir(str(ROOT), method_map, keywords={"_": None}, comment_tags=())
    return {message for _file, _line, message, _comments, _context in found if message}


def test_the_template_and_every_catalogue_hold_exactly_the_codes_messages() -> None:
    in_code = code_messages()
    with (TRANSLATIONS / "kesu.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert template == in_code, (
        "translations/kesu.pot is stale: run scripts/update-translations.sh",
        sorted(in_code - template)[:10],
        sorted(template - in_code)[:10],
    )
    for language in (*TRANSLATED, "zh_CN"):
        ids = {m.id for m in catalogue(language) if m.id}
        assert ids == in_code, (language, sorted(in_code - ids)[:10])


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    untranslated, fuzzy, mismatched = [], [], []
    for m in catalogue(language):
        if not m.id:
            continue
        if not m.string:
            untranslated.append(m.id)
        elif m.fuzzy:
            fuzzy.append(m.id)
        elif fields(m.id) != fields(m.string):
            mismatched.append((m.id, m.string))
    assert not untranslated, (language, len(untranslated), untranslated[:10])
    assert not fuzzy, (language, fuzzy[:10])
    assert not mismatched, (language, mismatched[:10])


def test_english_has_no_chinese_and_traditional_has_no_simplified_only_characters() -> None:
    chinese = re.compile(r"[\u3400-\u9fff]")
    english = [(m.id, m.string) for m in catalogue("en") if m.id and chinese.search(m.string)]
    assert not english, english[:10]
    traditional = [
        (m.string, simplified_only(m.string))
        for m in catalogue("zh_TW")
        if m.id and simplified_only(m.string)
    ]
    assert not traditional, traditional[:10]


def test_taiwan_terms_not_mainland_ones() -> None:
    """The terms OpenCC's character conversion leaves in mainland usage, checked where they occur."""
    mainland = {
        "信息": "資訊",
        "網絡": "網路",
        "默認": "預設",
        "打印": "列印",
        "用戶": "使用者",
        "登錄": "登入",
    }
    wrong = [(m.string, word) for m in catalogue("zh_TW") if m.id for word in mainland if word in m.string]
    assert not wrong, wrong[:10]


def test_the_compiled_catalogues_are_what_the_program_speaks() -> None:
    for language in TRANSLATED:
        assert (TRANSLATIONS / language / "LC_MESSAGES" / "kesu.mo").is_file(), "run scripts/bootstrap.sh"
    with i18n.speaking("en"):
        assert i18n._("受理回执") != "受理回执" and not re.search(r"[\u3400-\u9fff]", i18n._("受理回执"))
        assert i18n.join_items(["a", "b"]) == "a, b"
    with i18n.speaking("zh_TW"):
        assert i18n._("受理回执") == "受理回執"
    assert i18n._("受理回执") == "受理回执"  # and back to the source language


def test_no_mo_file_is_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "*.mo" in ignored
    buffer = io.StringIO((ROOT / "scripts" / "bootstrap.sh").read_text(encoding="utf-8"))
    assert any("pybabel compile" in line for line in buffer)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("zh-TW", "zh_TW"),
        ("zh_Hant", "zh_TW"),
        ("zh_HK", "zh_TW"),
        ("en_GB.UTF-8", "en"),
        ("zh", "zh_CN"),
        ("fr", None),
        ("", None),
    ],
)
def test_language_names_people_type_are_understood(typed: str, expected: str | None) -> None:
    assert i18n.normalize_language(typed) == expected


def test_every_translated_literal_in_the_code_reaches_the_template() -> None:
    """``_("…")`` inside an f-string is invisible to pybabel (one token before Python 3.12): such a text
    would stay Chinese in every language. The syntax tree sees every call; the template must hold them."""
    with (TRANSLATIONS / "kesu.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    unseen = []
    for path in sorted((ROOT / "kesu_desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value not in template
            ):
                unseen.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value}")
    assert not unseen, unseen


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_bundled_print_font_has_every_character_of_the_catalogue(language: str) -> None:
    """Any translated text may end up on paper: the body font (no fallbacks) must draw all of it, or a
    Traditional or English letter would stop at the missing-glyph check in front of a customer."""
    body = FontSet(resources_dir() / "fonts" / "wqy-microhei.ttc", [])
    missing: set[str] = set()
    for m in catalogue(language):
        if m.id:
            lacking: set[str] = set()
            source: set[str] = set()
            body.plain(m.string.replace("\n", ""), lacking)
            body.plain(m.id.replace("\n", ""), source)  # screen-only symbols (the ▾ of a menu button)
            missing |= lacking - source
    assert not missing, sorted(missing)
