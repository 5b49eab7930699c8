"""Registration: ``services.register_case`` (the real path) against a bare INSERT + COMMIT per row.

The bare side writes an equivalent row (the same registration fields plus a case number, status and
timestamps) into a plain table with one commit per row and the same durability settings, so the
ratio is what validation, the rules, the serial, the event and the search index cost on top of the
database's own commit.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.databases import START, StepClock, add_staff, open_desk, pg_scratch, sqlite_url
from benchmarks.timing import median, p95, ratio, rounded
from kesu_desktop import services
from kesu_desktop.devtools.demo_data import DemoComplaint, generate
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Actor, Desk

#: Registrations arrive this far apart on the desk clock (a busy counter), so the repeat and
#: mass-complaint rules see a realistic spread of earlier cases.
GAP = timedelta(seconds=90)

_BARE_COLUMNS = (
    "id",
    "case_no",
    "customer_name",
    "phone",
    "email",
    "address",
    "account_no",
    "member_level",
    "channel",
    "occurred_at",
    "location",
    "product",
    "description",
    "demand",
    "category",
    "severity",
    "priority",
    "status",
    "created_at",
)


def _bare_insert(placeholder: str) -> str:
    values = ", ".join([placeholder] * len(_BARE_COLUMNS))
    return f"INSERT INTO bare_cases ({', '.join(_BARE_COLUMNS)}) VALUES ({values})"


def payloads(n: int, seed: int = 7) -> list[DemoComplaint]:
    """Realistic complaints (some repeat customers) to register, all from before the benchmark clock."""
    return list(generate(n, seed=seed, now=START, days=30))


def registration_data(c: DemoComplaint) -> dict[str, Any]:
    """The JSON object a front desk would submit for this complaint."""
    data: dict[str, Any] = {
        "customer_name": c.customer_name,
        "phone": c.phone,
        "channel": c.channel.value,
        "description": c.description,
        "category": c.category,
        "occurred_at": c.occurred_at.isoformat(),
        "urgent": c.urgent,
    }
    optional = {
        "demand": c.demand,
        "product": c.product,
        "location": c.location,
        "email": c.email,
        "address": c.address,
        "account_no": c.account_no,
        "member_level": c.member_level,
        "severity": c.severity.value if c.severity else None,
        "priority": c.priority.value if c.priority else None,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def bare_row(i: int, c: DemoComplaint) -> tuple[Any, ...]:
    values = {
        "id": str(uuid.uuid4()),
        "case_no": f"20261123-BJ01-CS-{i + 1:04d}",
        "customer_name": c.customer_name,
        "phone": c.phone,
        "email": c.email,
        "address": c.address,
        "account_no": c.account_no,
        "member_level": c.member_level,
        "channel": c.channel.value,
        "occurred_at": c.occurred_at.isoformat(),
        "location": c.location,
        "product": c.product,
        "description": c.description,
        "demand": c.demand,
        "category": c.category,
        "severity": "general",
        "priority": "p2",
        "status": "registered",
        "created_at": (START + GAP * i).isoformat(),
    }
    return tuple(values[name] for name in _BARE_COLUMNS)


def summary(kesu: list[float], bare: list[float]) -> dict[str, Any]:
    kesu_mean = sum(kesu) / len(kesu)
    bare_mean = sum(bare) / len(bare)
    return {
        "n": len(kesu),
        "kesu_ms_per_op": rounded(kesu_mean),
        "kesu_p50_ms": rounded(median(kesu)),
        "kesu_p95_ms": rounded(p95(kesu)),
        "bare_ms_per_op": rounded(bare_mean),
        "bare_p50_ms": rounded(median(bare)),
        "bare_p95_ms": rounded(p95(bare)),
        "ratio": ratio(kesu_mean, bare_mean),
    }


def _register_all(url: str, complaints: list[DemoComplaint]) -> list[float]:
    clock = StepClock(START)
    desk, admin = open_desk(url, clock)
    try:
        clerk = add_staff(desk, admin, "bench_front", Role.FRONT_DESK)
        return register_timed(desk, clerk, clock, complaints)
    finally:
        desk.close()


def register_timed(
    desk: Desk, clerk: Actor, clock: StepClock, complaints: list[DemoComplaint]
) -> list[float]:
    """``register_case`` for each complaint, ``GAP`` apart on the desk clock; the samples in ms."""
    samples = []
    for c in complaints:
        clock.advance(GAP)
        data = registration_data(c)
        start = time.perf_counter()
        services.register_case(desk, clerk, data)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _timed_inserts(rows: list[tuple[Any, ...]], insert: Callable[[tuple[Any, ...]], None]) -> list[float]:
    samples = []
    for row in rows:
        start = time.perf_counter()
        insert(row)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def sqlite_registration(folder: Path, n: int) -> dict[str, Any]:
    complaints = payloads(n)
    kesu = _register_all(sqlite_url(folder, "register.db"), complaints)
    return summary(kesu, bare_sqlite_inserts(folder / "bare_register.db", complaints))


def _inserts_into(conn: Any, create: str, placeholder: str, complaints: list[DemoComplaint]) -> list[float]:
    """Create ``bare_cases`` with ``create``, then one full case row per complaint, a commit each."""
    conn.execute("DROP TABLE IF EXISTS bare_cases")
    conn.execute(create)
    conn.commit()
    sql = _bare_insert(placeholder)

    def insert(row: tuple[Any, ...]) -> None:
        conn.execute(sql, row)
        conn.commit()

    return _timed_inserts([bare_row(i, c) for i, c in enumerate(complaints)], insert)


def bare_sqlite_inserts(path: Path, complaints: list[DemoComplaint]) -> list[float]:
    """One full case row per complaint into a new plain table in ``path``, a commit each; ms samples."""
    conn = sqlite3.connect(path)
    try:
        # The same durability as the application's engine (storage/database.py).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        create = (
            "CREATE TABLE bare_cases (id TEXT PRIMARY KEY, case_no TEXT NOT NULL UNIQUE, "
            + ", ".join(f"{c} TEXT" for c in _BARE_COLUMNS[2:])
            + ")"
        )
        return _inserts_into(conn, create, "?", complaints)
    finally:
        conn.close()


def postgresql_registration(admin_url: str, n: int) -> dict[str, Any]:
    complaints = payloads(n)
    with pg_scratch(admin_url, "register") as url:
        kesu = _register_all(url, complaints)
        return summary(kesu, bare_pg_inserts(url, complaints))


def bare_pg_inserts(url: str, complaints: list[DemoComplaint]) -> list[float]:
    """As ``bare_sqlite_inserts``, into a new plain table of the PostgreSQL database ``url``."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        create = (
            "CREATE TABLE bare_cases (id UUID PRIMARY KEY, case_no TEXT NOT NULL UNIQUE, "
            + ", ".join(f"{c} TEXT" for c in _BARE_COLUMNS[2:-1])
            + ", created_at TIMESTAMPTZ NOT NULL)"
        )
        return _inserts_into(conn, create, "%s", complaints)
