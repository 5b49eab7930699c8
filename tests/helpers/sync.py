"""A central on the real PostgreSQL with a second office, and empty SQLite files for its branches
(the sync tests' fixture ``central`` and ``make_branch``; conftests import the fixture)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.domain.errors import Conflict
from kesu_desktop.services import Actor, Desk
from kesu_desktop.services.offices import add_office
from kesu_desktop.storage.database import Database
from kesu_desktop.storage.migrate import upgrade
from kesu_desktop.sync.branch import init_branch
from tests.helpers.data import ADMIN_PASSWORD, MutableClock

BRANCH_OFFICE = "SH02"
CLERK_PASSWORD = "Clerk#2026pass"


@dataclass
class Central:
    desk: Desk
    admin: Actor
    url: str


@pytest.fixture
def central(pg_database: str, clock: MutableClock) -> Iterator[Central]:
    from tests.conftest import _reset_pg

    _reset_pg(pg_database)
    desk = Desk(db=Database(pg_database), clock=clock, node_id="central-node")
    admin = services.login(desk, "admin", ADMIN_PASSWORD)
    with contextlib.suppress(Conflict):  # the office outlives one test (only case tables are reset)
        add_office(desk, admin, BRANCH_OFFICE, "上海分部")
    for name, role in (("sh_clerk", Role.FRONT_DESK), ("sh_lead", Role.SUPERVISOR)):
        services.add_user(
            desk, admin, username=name, password=CLERK_PASSWORD, role=role, office_code=BRANCH_OFFICE
        )
    yield Central(desk, admin, pg_database)
    desk.close()


def make_branch(central: Central, path: Path, clock: MutableClock, node: str) -> Desk:
    """An empty SQLite file made a branch of SH02 at the central (``kesu init --branch-of``)."""
    desk = Desk(db=Database(f"sqlite:///{path}"), clock=clock, node_id=node)
    upgrade(desk.db)
    init_branch(desk, central.url, BRANCH_OFFICE, "admin", ADMIN_PASSWORD)
    return desk


@dataclass
class PriorityConflict:
    """A SH02 case whose priority the branch set to p0 and the central, later, to p2; then synced."""

    branch: Desk
    lead_b: Actor
    lead_c: Actor
    case_no: str
    report: Any


def priority_conflict(central: Central, path: Path, clock: MutableClock) -> PriorityConflict:
    from kesu_desktop.sync.network import sync_now
    from tests.helpers.data import complaint

    clerk = services.login(central.desk, "sh_clerk", CLERK_PASSWORD)
    case = services.register_case(central.desk, clerk, complaint())
    branch = make_branch(central, path, clock, "branch-node")
    lead_b = services.login(branch, "sh_lead", CLERK_PASSWORD)
    lead_c = services.login(central.desk, "sh_lead", CLERK_PASSWORD)
    services.act(branch, lead_b, case.case_no, "classify", {"priority": "p0"})
    services.act(central.desk, lead_c, case.case_no, "classify", {"priority": "p2"})
    return PriorityConflict(branch, lead_b, lead_c, case.case_no, sync_now(branch, lead_b))
