"""Daily case-number serials that never repeat, however many desks register at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

# One statement on both databases: the conflicting row is locked until commit, so concurrent
# registrations for the same office, department and day queue on it and each gets the next number.
_NEXT = text(
    "INSERT INTO case_serials (office_code, department_code, day, last_serial) "
    "VALUES (:office, :department, :day, 1) "
    "ON CONFLICT (office_code, department_code, day) "
    "DO UPDATE SET last_serial = case_serials.last_serial + 1 "
    "RETURNING last_serial"
)


def next_serial(session: Session, office_code: str, department_code: str, day: date) -> int:
    return int(
        session.execute(
            _NEXT, {"office": office_code, "department": department_code, "day": day}
        ).scalar_one()
    )
