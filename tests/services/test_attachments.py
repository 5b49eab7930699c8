"""Evidence attachments on both databases: stored with their hash, bad files refused."""

from __future__ import annotations

import pytest

from kesu_desktop import services
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.services import Desk
from tests.helpers.data import complaint
from tests.helpers.services import counts


@pytest.fixture
def case_no(desk: Desk, people) -> str:
    return services.register_case(desk, people.alice, complaint()).case_no


def test_attachments_are_stored_with_their_hash_and_an_event(desk: Desk, people, case_no: str) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    added = services.add_attachment(desk, people.alice, case_no, "C:\\照片\\收据.png", png)
    assert added.filename == "收据.png" and added.is_image and added.size == len(png)
    assert services.attachment_data(desk, people.bob, added.id) == png
    assert [a.id for a in services.list_attachments(desk, people.bob, case_no)] == [added.id]
    event = services.get_case(desk, people.bob, case_no).events[-1]
    assert event.kind == "attachment_added" and event.payload["sha256"] == added.sha256


def test_empty_or_huge_attachments_are_refused_and_change_nothing(desk: Desk, people, case_no: str) -> None:
    before = counts(desk)
    with pytest.raises(ValidationError, match="空"):
        services.add_attachment(desk, people.alice, case_no, "a.txt", b"")
    with pytest.raises(ValidationError, match="20 MB"):
        services.add_attachment(desk, people.alice, case_no, "big.bin", b"0" * (20 * 1024 * 1024 + 1))
    assert counts(desk) == before and services.list_attachments(desk, people.bob, case_no) == []


def test_a_file_name_with_a_control_character_is_refused(desk: Desk, people, case_no: str) -> None:
    with pytest.raises(ValidationError) as info:
        services.add_attachment(desk, people.alice, case_no, "收据\x1b.png", b"data")
    assert "U+001B" in info.value.errors["filename"]
