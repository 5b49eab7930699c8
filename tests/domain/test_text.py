"""The input boundary's pure rules (domain/text.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.text import (
    bad_code_points,
    check_instant,
    check_number,
    clean_text,
    escape_unencodable,
    has_unencodable,
    printable,
)
from kesu_desktop.domain.validation import FieldReader


def test_text_is_nfc_and_control_characters_are_refused_by_code_point() -> None:
    assert clean_text("  Cafe\u0301 ") == "Café"
    assert clean_text("a\r\nb\tc", multiline=True) == "a\nb\tc"
    refused = (("x\ud800", "U+D800"), ("x\x00", "U+0000"), ("x\x1b[31m", "U+001B"), ("a\nb", "U+000A"))
    for bad, code in refused:
        with pytest.raises(ValueError, match=re.escape(code)):
            clean_text(bad)
    with pytest.raises(ValueError, match=re.escape("U+0000")):
        clean_text("a\nb\x00", multiline=True)


def test_numbers_must_be_finite_and_sane() -> None:
    assert check_number(90000) == 90000.0
    for bad in (float("nan"), float("inf"), -1, 10**400, 10**12, True, "5"):
        with pytest.raises(ValueError):
            check_number(bad)


def test_instants_outside_the_desks_years_are_bad_input_not_overflow() -> None:
    for raw in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:00:00+08:00"):
        with pytest.raises(ValueError, match="时间超出范围"):
            check_instant(datetime.fromisoformat(raw))
    moment = datetime(2026, 11, 23, 10, tzinfo=timezone(timedelta(hours=8)))
    assert check_instant(moment).hour == 2


def test_the_field_reader_reports_each_bad_field_and_strict_mode_unknown_keys() -> None:
    reader = FieldReader(
        {"a": "x\ud800", "n": float("nan"), "t": "0001-01-01T00:00:00+14:00", "big": 10**5000, "cots": 1},
        strict=True,
    )
    reader.text("a")
    reader.number("n")
    reader.instant("t")
    reader.text("big")
    with pytest.raises(ValidationError) as info:
        reader.finish()
    assert set(info.value.errors) == {"a", "n", "t", "big", "cots"}
    assert info.value.errors["cots"] == "未知字段"


def test_stored_payloads_are_escaped_for_reading_and_named_for_repair() -> None:
    payload = {"set": {}, "summary": "bad \ud800 here", "list": ["\udfff"]}
    assert has_unencodable(payload) and bad_code_points(payload) == ["U+D800", "U+DFFF"]
    escaped = escape_unencodable(payload)
    assert escaped["summary"] == "bad 〔U+D800〕 here" and not has_unencodable(escaped)
    assert printable("a\nb\ud800\x00") == "a\\nb\\ud800\\x00"
