"""``kesu --lang`` / ``KESU_LANG``: messages, human output and printed letters in the chosen language;
the JSON keeps its codes and ISO times whatever the language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers.cli import ADMIN, COMPLAINT, NOW, USERS, Kesu, setup
from tests.helpers.printing import pdf_text

ALICE = {"user": "alice", "password": USERS["alice"][2]}
CJK = re.compile(r"[\u3400-\u9fff]")


def _register(kesu: Kesu) -> str:
    r = kesu("--now", NOW, "register", "-", stdin=json.dumps(COMPLAINT), **ALICE)
    assert r.code == 0, r.err
    return r.json["case_no"]


def test_a_bad_phone_in_english_is_an_english_field_message_and_exit_2(kesu: Kesu) -> None:
    setup(kesu)
    bad = dict(COMPLAINT, customer_name="Zhang", description="Fridge not cooling", phone="12")
    r = kesu("--lang", "en", "--now", NOW, "register", "-", stdin=json.dumps(bad), **ALICE)
    assert r.code == 2
    line = next(line for line in r.err.splitlines() if line.startswith("phone:"))
    assert not CJK.search(line) and "phone" in line.lower().removeprefix("phone:"), line
    # the same mistake in the source language is the Chinese message, and nothing was registered
    r = kesu("--now", NOW, "register", "-", stdin=json.dumps(bad), **ALICE)
    assert r.code == 2 and CJK.search(r.err)
    assert kesu("list", "--json", **ALICE).json == []


def test_kesu_lang_works_like_the_flag_and_a_bad_value_is_refused(kesu: Kesu) -> None:
    setup(kesu)
    case_no = _register(kesu)
    english = kesu("show", case_no, extra_env={"KESU_LANG": "en"}, **ALICE)
    assert english.code == 0, english.err
    assert "Product quality" in english.out and "product_quality" not in english.out
    assert "Registered" in english.out or "registered" in english.out.lower()
    bad = kesu("show", case_no, extra_env={"KESU_LANG": "fr"}, **ALICE)
    assert bad.code == 2 and "KESU_LANG" in bad.err
    wrong_flag = kesu("--lang", "fr", "show", case_no, **ALICE)
    assert wrong_flag.code == 2 and "zh_TW" in wrong_flag.err


def test_human_output_names_codes_in_words_and_json_keeps_codes(kesu: Kesu) -> None:
    setup(kesu)
    case_no = _register(kesu)
    shown = kesu("show", case_no, **ALICE).out
    assert "产品质量" in shown and "现场/柜台" in shown and "登记" in shown
    assert "product_quality" not in shown and " registered" not in shown
    listed = kesu("--lang", "zh_TW", "list", **ALICE).out
    assert "產品品質" in listed or "產品質量" in listed
    as_json = kesu("--lang", "en", "show", case_no, "--json", **ALICE).json
    assert as_json["category"] == "product_quality" and as_json["events"][0]["kind"] == "registered"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", as_json["created_at"])


def test_a_receipt_printed_in_traditional_chinese_and_its_language_on_the_case(
    kesu: Kesu, tmp_path: Path
) -> None:
    setup(kesu)
    case_no = _register(kesu)
    target = tmp_path / "receipt-tw.pdf"
    printed = kesu("--lang", "zh_TW", "print", "receipt", case_no, "-o", str(target), **ALICE)
    assert printed.code == 0, printed.err  # every glyph found: the bundled font covers Traditional
    text = pdf_text(target.read_bytes())
    assert "受理回執" in text and "投訴編號" in text and "受理回执" not in text
    english = tmp_path / "receipt-en.pdf"
    assert kesu("--lang", "en", "print", "receipt", case_no, "-o", str(english), **ALICE).code == 0
    assert "Acknowledgement" in pdf_text(english.read_bytes())
    events = kesu("show", case_no, "--json", **ALICE).json["events"]
    issued = [e["details"]["language"] for e in events if e["kind"] == "document_issued"]
    assert issued == ["zh_TW", "en"]


def test_the_office_default_language_applies_when_no_language_is_asked_for(kesu: Kesu) -> None:
    setup(kesu)
    case_no = _register(kesu)
    admin = {"user": ADMIN[0], "password": ADMIN[1]}
    refused = kesu("admin", "set", "language", "klingon", "--office", "BJ01", **admin)
    assert refused.code == 2 and "zh_TW" in refused.err
    assert kesu("admin", "set", "language", "en", "--office", "BJ01", **admin).code == 0
    assert "Product quality" in kesu("show", case_no, **ALICE).out
    assert "产品质量" in kesu("--lang", "zh_CN", "show", case_no, **ALICE).out
