"""Where the signing key's password lives: a real (in-memory) keyring backend when there is one, the
database with a warning when there is none; signing works either way, on both databases."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail, null
from sqlalchemy import select

from kesu_desktop.domain.errors import Conflict, NotAllowed, ValidationError
from kesu_desktop.printing import certificates as print_certs
from kesu_desktop.printing.issue import issue_document
from kesu_desktop.printing.verify import verify_letter
from kesu_desktop.services import Desk, certificates, register_case
from kesu_desktop.storage.models import SigningCertificate
from tests.helpers.data import People, complaint
from tests.helpers.keyring_backend import MemoryKeyring


@pytest.fixture(autouse=True)
def no_system_keyring() -> Iterator[None]:
    """As on a machine without a keyring (CI), whatever this one has: no test touches a real keyring."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


@pytest.fixture
def store() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(fail.Keyring())


def _stored_password(desk: Desk, fingerprint: str) -> bytes | None:
    with desk.db.read() as session:
        return session.scalar(
            select(SigningCertificate.password).where(SigningCertificate.fingerprint == fingerprint)
        )


def test_with_a_keyring_the_password_is_there_and_not_in_the_database(
    desk: Desk, people: People, store: MemoryKeyring
) -> None:
    record = print_certs.create_certificate(desk, people.admin, "北京某某公司")
    assert record.password_store == certificates.STORE_KEYRING and record.warning is None
    assert _stored_password(desk, record.fingerprint) == certificates.IN_KEYRING
    [(service, user)] = store.entries
    assert service == certificates.keyring_service(desk) and service.startswith("kesu-desk:")
    assert user == record.fingerprint
    case_no = register_case(desk, people.alice, complaint()).case_no
    issued = issue_document(desk, people.alice, "receipt", case_no)
    assert issued.document.cert_fingerprint == record.fingerprint
    assert verify_letter(desk, people.carol, issued.pdf).ok


def test_a_desk_without_the_password_in_its_keyring_is_told_how_to_put_it_there(
    desk: Desk, people: People, store: MemoryKeyring
) -> None:
    record = print_certs.create_certificate(desk, people.admin, password=b"org-secret-1")
    case_no = register_case(desk, people.alice, complaint()).case_no
    store.entries.clear()  # another desk on the same database: its keyring is empty
    with pytest.raises(Conflict, match="cert-password"):
        issue_document(desk, people.alice, "receipt", case_no)
    with pytest.raises(NotAllowed):
        print_certs.set_certificate_password(desk, people.carol, b"org-secret-1")
    with pytest.raises(ValidationError, match="密码不正确"):
        print_certs.set_certificate_password(desk, people.admin, b"wrong")
    with pytest.raises(ValidationError, match="KESU_CERT_PASSWORD"):
        print_certs.set_certificate_password(desk, people.admin, None)  # the database has no copy
    print_certs.set_certificate_password(
        desk, people.admin, b"org-secret-1", fingerprint=record.fingerprint[:12]
    )
    assert verify_letter(desk, people.carol, issue_document(desk, people.alice, "receipt", case_no).pdf).ok


@pytest.mark.parametrize("backend", [fail.Keyring, null.Keyring])
def test_without_a_keyring_the_password_stays_in_the_database_with_a_warning(
    desk: Desk, people: People, caplog: pytest.LogCaptureFixture, backend: object
) -> None:
    keyring.set_keyring(backend())  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="kesu.certificates"):
        record = print_certs.create_certificate(desk, people.admin)
    assert record.password_store == certificates.STORE_DATABASE
    assert record.warning is not None and "数据库" in record.warning and "cert-password" in record.warning
    assert record.warning in caplog.text
    stored = _stored_password(desk, record.fingerprint)
    assert stored and stored != certificates.IN_KEYRING
    case_no = register_case(desk, people.alice, complaint()).case_no
    assert verify_letter(desk, people.carol, issue_document(desk, people.alice, "receipt", case_no).pdf).ok
    keyring.set_keyring(fail.Keyring())


def test_a_password_in_the_database_is_moved_to_the_keyring(desk: Desk, people: People) -> None:
    record = print_certs.create_certificate(desk, people.admin)  # no keyring yet: database
    assert record.password_store == certificates.STORE_DATABASE
    with pytest.raises(ValidationError, match="密钥环"):
        print_certs.set_certificate_password(desk, people.admin, None)
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        moved = print_certs.set_certificate_password(desk, people.admin, None, remove_from_database=True)
        assert moved.password_store == certificates.STORE_KEYRING
        assert _stored_password(desk, record.fingerprint) == certificates.IN_KEYRING
        assert backend.entries[(certificates.keyring_service(desk), record.fingerprint)]
        case_no = register_case(desk, people.alice, complaint()).case_no
        assert verify_letter(
            desk, people.carol, issue_document(desk, people.alice, "receipt", case_no).pdf
        ).ok
    finally:
        keyring.set_keyring(fail.Keyring())
