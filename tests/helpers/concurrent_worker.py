"""Run in separate processes by test_concurrency: one desktop registering complaints as fast as it can."""

from __future__ import annotations

from kesu_desktop import services
from kesu_desktop.services import Desk, FixedClock
from kesu_desktop.storage.database import Database
from tests.helpers.data import STANDARD_USERS, START, complaint


def register_many(url: str, worker: int, count: int, start) -> list[str]:
    desk = Desk(db=Database(url), clock=FixedClock(START), node_id=f"desk-{worker}")
    actor = services.login(desk, "alice", STANDARD_USERS["alice"][2])
    start.wait(timeout=60)  # every process starts registering at the same moment
    numbers = [
        services.register_case(desk, actor, complaint(phone=f"1380013{worker:02d}{i:02d}")).case_no
        for i in range(count)
    ]
    desk.close()
    return numbers
