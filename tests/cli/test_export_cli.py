"""``kesu export -o FILE.xlsx|FILE.csv`` run as a real subprocess on SQLite and PostgreSQL: the list's
rows in the file, phones masked for a department user, bad output names refused, every export recorded."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from openpyxl import load_workbook

from kesu_desktop import services
from kesu_desktop.services import CaseFilter, Desk
from tests.helpers.cli import ADMIN, COMPLAINT, USERS, Kesu, setup

PHONES = ("13800138000", "13912345678")
T = TypeVar("T")


def as_(name: str) -> dict[str, str]:
    return {"user": name, "password": USERS[name][2]}


def cases(kesu: Kesu) -> list[str]:
    """Two complaints registered in-process; the first is assigned to 售后 (AS), dave's department."""
    setup(kesu)
    desk = Desk.open(kesu.db, node_id="cli-export")
    try:
        alice, bob = (services.login(desk, name, USERS[name][2]) for name in ("alice", "bob"))
        numbers = [
            services.register_case(desk, alice, {**COMPLAINT, "phone": phone}).case_no for phone in PHONES
        ]
        services.act(desk, alice, numbers[0], "verify", {"valid": True})
        services.act(desk, bob, numbers[0], "assign", {"department": "AS", "assignee": "dave"})
    finally:
        desk.close()
    return numbers


def in_process(kesu: Kesu, read: Callable[[Desk], T]) -> T:
    """What the services answer on the CLI's database (quicker than another subprocess)."""
    desk = Desk.open(kesu.db, node_id="cli-export")
    try:
        return read(desk)
    finally:
        desk.close()


def bob(desk: Desk) -> services.Actor:
    return services.login(desk, "bob", USERS["bob"][2])


def exports_recorded(desk: Desk) -> list[services.ChangeView]:
    return services.list_changes(desk, services.login(desk, *ADMIN), entity="export")


def test_export_writes_the_lists_rows_and_is_recorded(kesu: Kesu, tmp_path: Path) -> None:
    numbers = cases(kesu)
    target = tmp_path / "清单.xlsx"

    r = kesu("--json", "export", "-o", str(target), **as_("bob"))

    assert r.code == 0, r.err
    assert r.json == {"path": str(target), "rows": 2, "format": "xlsx", "masked": False}
    book = load_workbook(target, read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    listed = [row.case_no for row in in_process(kesu, lambda d: services.list_cases(d, bob(d), CaseFilter()))]
    assert [row[0] for row in rows[1:]] == listed and sorted(listed) == sorted(numbers)
    assert sorted(row[9] for row in rows[1:]) == sorted(PHONES)

    r = kesu("--json", "export", "-o", str(tmp_path / "new.csv"), "--status", "registered", **as_("bob"))
    assert r.code == 0, r.err
    assert r.json["rows"] == 1
    (only,) = list(csv.reader(io.StringIO((tmp_path / "new.csv").read_text("utf-8-sig"))))[1:]
    assert only[0] == numbers[1]

    changes = in_process(kesu, exports_recorded)
    assert [(c.actor, c.entity_key, c.after["filter"], c.after["rows"]) for c in changes] == [
        ("bob", "new.csv", {"status": "registered"}, 1),
        ("bob", "清单.xlsx", {}, 2),
    ]


def test_department_users_export_has_masked_phones(kesu: Kesu, tmp_path: Path) -> None:
    numbers = cases(kesu)
    target = tmp_path / "dave.csv"

    r = kesu("export", "-o", str(target), **as_("dave"))

    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == f"已导出 1 件案件：{target}"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese as UTF-8
    header, only = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[0] == "案件编号" and only[0] == numbers[0]
    assert only[9] == "138****8000" and PHONES[0] not in raw.decode("utf-8-sig")


def test_unknown_extension_is_exit_2_and_writes_nothing(kesu: Kesu, tmp_path: Path) -> None:
    """Refused before the database is opened or anyone signed in (the service test checks no record)."""
    r = kesu("export", "-o", str(tmp_path / "cases.txt"), **as_("bob"))

    assert r.code == 2
    assert r.err.startswith("output: ") and ".xlsx" in r.err
    assert list(tmp_path.glob("*cases.txt*")) == []  # neither the file nor a temporary one
