"""Exporting the filtered case list: the list's rows in the file, phones as the role may see them,
every finished export recorded, a cancelled one leaving nothing behind (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kesu_desktop import services
from kesu_desktop.devtools.seed import seed_demo
from kesu_desktop.domain.enums import Status
from kesu_desktop.domain.errors import ValidationError
from kesu_desktop.services import CaseFilter, Desk
from kesu_desktop.services import exports as exports_module
from tests.helpers.data import complaint

PHONES = ["13800138000", "13912345678", "18611112222"]


@pytest.fixture
def registered(desk: Desk, people, clock) -> list[str]:
    """Three cases at BJ01; the second is verified and assigned to 售后 (AS), which dave works in."""
    numbers = []
    for n, phone in enumerate(PHONES):
        clock.advance(minutes=1)
        numbers.append(
            services.register_case(
                desk, people.alice, complaint(customer_name=f"张{n}", phone=phone, product="冰箱")
            ).case_no
        )
    services.act(desk, people.alice, numbers[1], "verify", {"valid": True})
    services.act(desk, people.bob, numbers[1], "assign", {"department": "AS", "assignee": "dave"})
    return numbers


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for the exported files (the test database lives beside it)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def xlsx_rows(path: Path) -> list[tuple]:
    book = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book.active.iter_rows(values_only=True)]
    finally:
        book.close()


def csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def exports_recorded(desk: Desk, people) -> list[services.ChangeView]:
    return services.list_changes(desk, people.admin, entity="export")


def test_xlsx_holds_the_lists_rows_in_its_order(desk: Desk, people, registered, out: Path) -> None:
    listed = [r.case_no for r in services.list_cases(desk, people.bob, CaseFilter(limit=1000))]
    result = services.export_cases(desk, people.bob, CaseFilter(), out / "cases.xlsx")

    assert result is not None and (result.rows, result.format, result.masked) == (3, "xlsx", False)
    rows = xlsx_rows(out / "cases.xlsx")
    header, body = rows[0], rows[1:]
    assert header[:3] == ("案件编号", "登记时间", "受理网点") and header[9] == "联系电话"
    assert [r[0] for r in body] == listed
    newest = body[0]
    # A real Excel date-time, on Shanghai's wall clock (the clock's START is 10:00 there, +3 minutes).
    assert newest[1] == datetime(2026, 11, 23, 10, 3)
    assert newest[2] == "北京总部" and newest[7] == "已登记" and newest[19] == "否"
    assert newest[8] == "张2" and newest[9] == "18611112222" and newest[10] == "冰箱"


def test_csv_starts_with_the_bom_and_reads_back_in_chinese(desk: Desk, people, registered, out: Path) -> None:
    target = out / "案件.csv"
    result = services.export_cases(desk, people.carol, CaseFilter(), target)

    assert result is not None and result.format == "csv"
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = csv_rows(target)
    assert rows[0][0] == "案件编号" and len(rows) == 4
    assert {r[8] for r in rows[1:]} == {"张0", "张1", "张2"}
    assert rows[1][1] == "2026-11-23 10:03"  # local time as text


def test_department_users_export_has_masked_phones_and_supervisors_full_ones(
    desk: Desk, people, registered, out: Path
) -> None:
    dave = services.export_cases(desk, people.dave, CaseFilter(), out / "dave.xlsx")
    carol = services.export_cases(desk, people.carol, CaseFilter(), out / "carol.csv")

    assert dave is not None and dave.masked and dave.rows == 1  # only his department's case
    (only,) = xlsx_rows(out / "dave.xlsx")[1:]
    assert only[0] == registered[1] and only[9] == "139****5678"
    assert only[12] == "售后服务部" and only[13] is not None
    assert carol is not None and not carol.masked
    assert sorted(r[9] for r in csv_rows(out / "carol.csv")[1:]) == sorted(PHONES)


def test_every_export_is_recorded_with_actor_filter_and_rows(
    desk: Desk, people, registered, out: Path
) -> None:
    services.export_cases(desk, people.dave, CaseFilter(), out / "a.csv")
    services.export_cases(
        desk, people.bob, CaseFilter(status=Status.REGISTERED, search="冰箱", limit=7), out / "b.xlsx"
    )

    newest, oldest = exports_recorded(desk, people)
    assert (oldest.actor, oldest.entity_key, oldest.before) == ("dave", "a.csv", None)
    assert oldest.after == {"format": "csv", "filter": {}, "rows": 1, "masked": True}
    assert (newest.actor, newest.entity_key) == ("bob", "b.xlsx")
    assert newest.after == {
        "format": "xlsx",
        "filter": {"status": "registered", "search": "冰箱"},
        "rows": 2,
        "masked": False,
    }


def test_the_filter_is_honoured(desk: Desk, people, registered, out: Path) -> None:
    result = services.export_cases(desk, people.bob, CaseFilter(status=Status.REGISTERED), out / "new.csv")

    assert result is not None and result.rows == 2
    assert {r[0] for r in csv_rows(out / "new.csv")[1:]} == {registered[0], registered[2]}


def test_cancel_leaves_no_file_and_no_record(
    desk: Desk, people, registered, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports_module, "CHUNK", 1)  # progress after every row
    seen: list[tuple[int, int]] = []

    def cancel_after_first(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 1

    scratch = out.parent / "scratch"  # where openpyxl streams a sheet before zipping it
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    existing = out / "kept.xlsx"
    existing.write_bytes(b"the previous export")
    for name in ("new.xlsx", "new.csv", "kept.xlsx"):
        assert (
            services.export_cases(desk, people.bob, CaseFilter(), out / name, progress=cancel_after_first)
            is None
        )

    assert seen[:2] == [(0, 3), (1, 3)]
    assert sorted(p.name for p in out.iterdir()) == ["kept.xlsx"]  # no partial or temporary file
    assert existing.read_bytes() == b"the previous export"
    assert list(scratch.iterdir()) == []
    assert exports_recorded(desk, people) == []


def test_progress_runs_to_the_total(
    desk: Desk, people, registered, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports_module, "CHUNK", 2)
    seen: list[tuple[int, int]] = []
    services.export_cases(
        desk, people.bob, CaseFilter(), out / "p.csv", progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(0, 3), (2, 3), (3, 3)]


def test_no_row_cap(desk: Desk, people, out: Path) -> None:
    """More cases than one page of the list may hold (MAX_LIMIT) all reach the file."""
    count = services.queries.MAX_LIMIT + 150
    seed_demo(desk, people.admin, count=count, workers=0)

    result = services.export_cases(desk, people.admin, CaseFilter(), out / "all.xlsx")

    assert result is not None and result.rows == count and result.masked  # an admin sees masked phones
    rows = xlsx_rows(out / "all.xlsx")[1:]
    assert len(rows) == count and len({r[0] for r in rows}) == count
    assert all("****" in r[9] for r in rows)


def test_formula_looking_text_is_defanged(desk: Desk, people, out: Path) -> None:
    attack = '=HYPERLINK("http://x","点我")'
    services.register_case(
        desk, people.alice, complaint(product=attack, description="-1+1 @SUM(A1) 冰箱不制冷")
    )

    services.export_cases(desk, people.bob, CaseFilter(), out / "x.csv")
    services.export_cases(desk, people.bob, CaseFilter(), out / "x.xlsx")

    (row,) = csv_rows(out / "x.csv")[1:]
    assert row[10] == "'" + attack and row[11].startswith("'-1+1")
    book = load_workbook(out / "x.xlsx")  # not read-only: the cell's type is what matters
    cell = book.active.cell(row=2, column=11)
    assert cell.data_type == "s" and cell.value == attack


@pytest.mark.parametrize("name", ["cases.txt", "cases", "cases.xls"])
def test_unknown_extension_is_bad_output(desk: Desk, people, out: Path, name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.export_cases(desk, people.bob, CaseFilter(), out / name)
    assert list(caught.value.errors) == ["output"]
    assert list(out.iterdir()) == [] and exports_recorded(desk, people) == []


def test_missing_folder_is_bad_output(desk: Desk, people, out: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        services.export_cases(desk, people.bob, CaseFilter(), out / "nowhere" / "a.csv")
    assert list(caught.value.errors) == ["output"]
