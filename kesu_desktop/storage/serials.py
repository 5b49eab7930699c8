"""Daily case-number serials that never repeat, however many desks register at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

# One statement on both databases: the conflicting row is locked until commit, so concurrent
# registrations for the same office, department and day queue on it and each gets the next number.
_RESERVE = text(
    "INSERT INTO case_serials (office_code, department_code, day, last_serial) "
    "VALUES (:office, :department, :day, :n) "
    "ON CONFLICT (office_code, department_code, day) "
    "DO UPDATE SET last_serial = case_serials.last_serial + :n "
    "RETURNING last_serial"
)


def reserve_serials(session: Session, office_code: str, department_code: str, day: date, count: int) -> int:
    """Reserve ``count`` consecutive serials of one day; returns the first of them.

    Why a block: bulk loads (the demo seeder) number thousands of cases of a day in one statement; a
    registration running meanwhile queues on the locked row and continues after the block.
    """
    if count < 1:
        raise ValueError("count must be positive")
    last = session.execute(
        _RESERVE, {"office": office_code, "department": department_code, "day": day, "n": count}
    ).scalar_one()
    return int(last) - count + 1


def next_serial(session: Session, office_code: str, department_code: str, day: date) -> int:
    """The next serial of the day for one registration (a block of one)."""
    return reserve_serials(session, office_code, department_code, day, 1)
