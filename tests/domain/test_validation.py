"""Registration validation: one message per bad field, normalised values, never another exception."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.domain.validation import Phone, normalize_phone, parse_phone, validate_registration

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CATEGORIES = {"product_quality", "logistics"}
VALID = {
    "customer_name": "李四",
    "phone": "138-0013-8000",
    "channel": "phone",
    "description": "快递三天未送达",
    "category": "logistics",
}


def test_valid_registration_is_normalised() -> None:
    reg = validate_registration(
        {**VALID, "occurred_at": "2026-11-22T09:30:00+08:00", "severity": "MAJOR"},
        categories=CATEGORIES,
        now=NOW,
    )
    assert reg.phone == "+8613800138000"
    assert reg.occurred_at == datetime(2026, 11, 22, 1, 30, tzinfo=UTC)
    assert reg.severity is not None and reg.severity.value == "major"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("010-6552 9988", "+861065529988"),
    ],
)
def test_phone_forms_people_type(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


def test_every_bad_field_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        validate_registration(
            {
                "customer_name": "",
                "phone": "12345",
                "channel": "fax",
                "category": "nope",
                "urgent": "yes",
                "email": "not-an-email",
                "occurred_at": "2030-01-01T00:00:00+08:00",
                "colour": "red",
            },
            categories=CATEGORIES,
            now=NOW,
        )
    errors = info.value.errors
    assert set(errors) == {
        "customer_name",
        "phone",
        "channel",
        "description",
        "category",
        "urgent",
        "email",
        "occurred_at",
        "colour",
    }
    assert "可选" in errors["channel"] and "phone" in errors["channel"]
    assert "12345" in errors["phone"]


def test_time_without_offset_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        validate_registration({**VALID, "occurred_at": "2026-11-22T09:30:00"}, categories=CATEGORIES, now=NOW)
    assert "时区" in info.value.errors["occurred_at"]


def test_input_must_be_an_object() -> None:
    with pytest.raises(ValidationError) as info:
        validate_registration(["not", "a", "dict"], categories=CATEGORIES, now=NOW)  # type: ignore[arg-type]
    assert "input" in info.value.errors


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from([*VALID, "email", "urgent", "occurred_at", "severity", "x"]), json_values)
)
def test_any_input_gives_a_registration_or_field_errors(data: dict) -> None:
    try:
        validate_registration(data, categories=CATEGORIES, now=NOW)
    except ValidationError as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        assert set(exc.errors) <= set(data) | set(VALID)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "-"]))
def test_mobile_numbers_normalise_to_e164_whatever_the_spacing(number: str, sep: str) -> None:
    typed = sep.join([number[:3], number[3:7], number[7:]])
    try:
        normalized = normalize_phone(typed)
    except ValueError:
        return  # a block phonenumbers knows is unallocated
    assert normalized == "+86" + number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0898-67402372转613", Phone("+8689867402372", "613")),
        ("0898-67402372 转 613", Phone("+8689867402372", "613")),
        ("010-6552 9988 分机 27", Phone("+861065529988", "27")),
        ("010-65529988分机号：27", Phone("+861065529988", "27")),
        ("13800138000 ext. 12", Phone("+8613800138000", "12")),
        ("13800138000 ext12", Phone("+8613800138000", "12")),
        ("138 0013 8000 EXT 12", Phone("+8613800138000", "12")),
        ("13800138000x12", Phone("+8613800138000", "12")),
        ("13800138000 x 12", Phone("+8613800138000", "12")),
        ("13800138000#12", Phone("+8613800138000", "12")),
        ("13800138000;ext=12", Phone("+8613800138000", "12")),
        ("１３８００１３８０００　转　１２", Phone("+8613800138000", "12")),
        ("13800138000", Phone("+8613800138000", None)),
    ],
)
def test_extensions_are_kept_apart_from_the_number(raw: str, expected: Phone) -> None:
    assert parse_phone(raw) == expected
    assert normalize_phone(raw) == expected.number  # a lookup by number ignores the extension


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0898-67402372转", "分机号为空"),
        ("13800138000 ext.", "分机号为空"),
        ("13800138000 ext. abc", "分机号只能是数字：abc"),
        ("13800138000转6a", "分机号只能是数字：6a"),
        ("13800138000转12345678901", "分机号过长"),
        ("12345转613", "电话号码无效"),
    ],
)
def test_bad_extensions_are_refused_with_the_reason(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_phone(raw)
    with pytest.raises(ValidationError) as info:
        validate_registration({**VALID, "phone": raw}, categories=CATEGORIES, now=NOW)
    assert message in info.value.errors["phone"] and raw in info.value.errors["phone"]


def test_registration_keeps_the_extension_whichever_way_it_is_given() -> None:
    def reg(**data: str):
        return validate_registration({**VALID, **data}, categories=CATEGORIES, now=NOW)

    assert (reg(phone="0898-67402372转613").phone, reg(phone="0898-67402372转613").phone_ext) == (
        "+8689867402372",
        "613",
    )
    assert reg(phone="13800138000", phone_ext="12").phone_ext == "12"
    assert reg(phone="13800138000 ext. 12", phone_ext="12").phone_ext == "12"
    assert reg().phone_ext is None
    with pytest.raises(ValidationError) as info:
        reg(phone="13800138000 ext. 12", phone_ext="13")
    assert set(info.value.errors) == {"phone_ext"} and "12" in info.value.errors["phone_ext"]
    with pytest.raises(ValidationError) as info:
        reg(phone_ext="分机")
    assert set(info.value.errors) == {"phone_ext"}
