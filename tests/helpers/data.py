"""Data and clocks every test tree shares: the seeded users, the start instant, a valid complaint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Actor

ADMIN_PASSWORD = "admin-pass-1"


#: name → (role, department, password)
STANDARD_USERS = {
    "alice": (Role.FRONT_DESK, None, "alice-pass-1"),
    "bob": (Role.SPECIALIST, None, "bob-pass-12"),
    "carol": (Role.SUPERVISOR, None, "carol-pass-1"),
    "mia": (Role.MANAGER, None, "mia-pass-12"),
    "dave": (Role.DEPARTMENT, "AS", "dave-pass-1"),
    "erin": (Role.DEPARTMENT, "WL", "erin-pass-1"),
}


#: Monday 2026-11-23 10:00 in Shanghai: a plain working morning.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


class MutableClock:
    """A clock the test moves by hand."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        return self.instant

    def advance(self, **kwargs: float) -> None:
        self.instant += timedelta(**kwargs)


def complaint(**overrides: object) -> dict[str, object]:
    """A valid registration payload; tests override what they are about."""
    data: dict[str, object] = {
        "customer_name": "张三",
        "phone": "13800138000",
        "channel": "counter",
        "description": "在门店购买的冰箱不制冷，要求退款",
        "category": "product_quality",
        "demand": "退款",
    }
    data.update(overrides)
    return data


@dataclass
class People:
    admin: Actor
    alice: Actor
    bob: Actor
    carol: Actor
    mia: Actor
    dave: Actor
    erin: Actor
