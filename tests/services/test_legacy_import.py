"""Importing a legacy register: the dry run's row report, one-transaction import, all-or-nothing,
idempotence, and what an imported case keeps (dates, numbers, statuses, the imported mark)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, ValidationError
from kesu_desktop.services import Desk
from kesu_desktop.storage.eventlog import event_hash, events_of, replay
from kesu_desktop.storage.models import Case
from tests.helpers.data import START, MutableClock, People, complaint

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADERS = ["登记时间", "客户姓名", "联系电话", "投诉渠道", "投诉类别", "投诉内容", "产品", "处理状态"]
#: Sheet row → (field, what is wrong with it): the seven bad rows of the 1,000.
BAD = {
    5: ("phone", "12345"),
    77: ("category", "外星人投诉"),
    150: ("customer_name", None),
    333: ("registered_at", "future"),
    480: ("description", None),
    701: ("phone", "abc"),
    999: ("category", "nope"),
}


def good_row(i: int) -> list[object]:
    """Row ``i`` (1-based data row): distinct content, dates spread over 2026, varied statuses."""
    when = datetime(2026, 1, 5, 9, 30) + timedelta(days=i % 300, minutes=i)  # naive: office time
    status = ["已登记", "closed", "已结案", "处理中", ""][i % 5]
    category = ["产品质量", "logistics", "服务态度"][i % 3]
    channel = ["电话", "counter", "网上/在线客服"][i % 3]
    return [when, f"客户{i}", 13800000000 + i, channel, category, f"第{i}号投诉：商品有问题", "冰箱", status]


def write_register(path: Path, rows: int = 1000, bad: dict[int, tuple[str, object]] | None = None) -> Path:
    """A workbook like a legacy register: a header row, then ``rows`` complaints; ``bad`` spoils some."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("登记表")
    sheet.append(HEADERS)
    for i in range(1, rows + 1):
        row = good_row(i)
        sheet_row = i + 1
        if bad and sheet_row in bad:
            field, value = bad[sheet_row]
            if field == "registered_at":
                row[0] = (START + timedelta(days=2)).astimezone(SHANGHAI).replace(tzinfo=None)
            else:
                row[{"phone": 2, "category": 4, "customer_name": 1, "description": 5}[field]] = value
        sheet.append(row)
    book.save(path)
    return path


def case_count(desk: Desk) -> int:
    with desk.db.read() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


@pytest.fixture
def register(tmp_path: Path) -> Path:
    return write_register(tmp_path / "客户投诉登记表.xlsx", bad=BAD)


def test_a_thousand_rows_with_seven_bad_dry_run_import_and_again(
    desk: Desk, people: People, register: Path
) -> None:
    dry = services.import_register(desk, people.admin, register, dry_run=True)
    assert (dry.rows, dry.valid, dry.imported, dry.duplicates) == (1000, 993, 0, 0)
    assert [(e.row, e.field) for e in dry.invalid] == sorted((row, f) for row, (f, _v) in BAD.items())
    assert dry.invalid_rows == sorted(BAD)
    reasons = {e.row: e.message for e in dry.invalid}
    assert "12345" in reasons[5] and "外星人投诉" in reasons[77] and reasons[150] == "必填"
    assert "晚于现在" in reasons[333]
    assert case_count(desk) == 0

    refused = services.import_register(desk, people.admin, register, all_or_nothing=True)
    assert refused.refused and refused.imported == 0 and len(refused.invalid) == 7
    assert case_count(desk) == 0

    done = services.import_register(desk, people.admin, register)
    assert (done.imported, done.duplicates, len(done.invalid)) == (993, 0, 7)
    assert case_count(desk) == 993 and len(set(done.case_nos)) == 993

    again = services.import_register(desk, people.admin, register)
    assert (again.imported, again.duplicates, again.valid) == (0, 993, 993)
    assert case_count(desk) == 993
    assert services.verify_log(desk, people.admin).intact


def test_imported_cases_keep_dates_statuses_and_are_marked(
    desk: Desk, people: People, clock: MutableClock, tmp_path: Path
) -> None:
    path = write_register(tmp_path / "old.xlsx", rows=5)
    report = services.import_register(desk, people.mia, path)
    assert report.imported == 5
    # Row 3 of the sheet is data row 2: registered 2026-01-07 09:32 Shanghai, status 已结案 (closed).
    with desk.db.read() as session:
        case = session.scalar(select(Case).where(Case.customer_name == "客户2"))
        assert case is not None
        assert case.created_at == datetime(2026, 1, 7, 9, 32, tzinfo=SHANGHAI).astimezone(UTC)
        assert case.case_no.startswith("20260107-BJ01-")
        assert case.status == "closed" and case.closed_at == case.created_at
        assert case.department_code == "CS"  # 服务态度 is routed to customer service
        events = events_of(session, case.id)
        assert [e.kind for e in events] == ["registered"]
        assert events[0].payload["imported"]["row"] == 3
        assert events[0].payload["imported"]["source"] == "old.xlsx"
        assert events[0].hash == event_hash(events[0])
        assert replay(events)["status"] == "closed"
        open_case = session.scalar(select(Case).where(Case.customer_name == "客户3"))
        assert open_case is not None and open_case.status == "in_progress"
        assert open_case.respond_by is not None and open_case.respond_by < START  # overdue at once
        closed_no = case.case_no
    view = services.get_case(desk, people.mia, closed_no)
    assert view.status == "closed"
    assert "old.xlsx" in view.timeline[0].summary and "第 3 行" in view.timeline[0].summary
    # Numbers of one day share the serials registration uses: a case registered that day gets the next.
    imported = report.case_nos[3]
    assert imported.startswith("20260109-BJ01-CS-")
    clock.instant = datetime(2026, 1, 9, 15, 0, tzinfo=SHANGHAI).astimezone(UTC)
    later = services.register_case(desk, people.mia, complaint())
    assert later.case_no == imported[:-4] + f"{int(imported[-4:]) + 1:04d}"


def test_all_or_nothing_imports_everything_when_all_rows_are_good(
    desk: Desk, people: People, tmp_path: Path
) -> None:
    report = services.import_register(
        desk, people.carol, write_register(tmp_path / "r.xlsx", rows=20), all_or_nothing=True
    )
    assert report.imported == 20 and not report.refused and case_count(desk) == 20


def test_front_desk_may_not_import(desk: Desk, people: People, register: Path) -> None:
    assert not services.may_import_register(people.alice) and services.may_import_register(people.carol)
    with pytest.raises(NotAllowed):
        services.import_register(desk, people.alice, register, dry_run=True)


def test_a_saved_mapping_reads_other_headers(desk: Desk, people: People, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["说明：本表为 2025 年投诉台账"])
    sheet.append(["日期", "用户", "手机", "问题", "分类"])
    sheet.append([datetime(2025, 6, 1, 10, 0), "王五", "139 0013 9000", "网速慢", "网络质量"])
    book.save(tmp_path / "ledger.xlsx")
    with pytest.raises(ValidationError) as missing:
        services.read_register(tmp_path / "ledger.xlsx")
    assert "mapping.columns" in missing.value.errors
    mapping_file = tmp_path / "mapping.json"
    services.save_mapping(
        services.RegisterMapping(
            columns={
                "日期": "registered_at",
                "用户": "customer_name",
                "手机": "phone",
                "问题": "description",
                "分类": "category",
            },
            header_row=2,
            defaults={"channel": "phone"},
        ),
        mapping_file,
    )
    mapping = services.load_mapping(mapping_file)
    report = services.import_register(desk, people.admin, tmp_path / "ledger.xlsx", mapping=mapping)
    assert report.imported == 1 and not report.invalid
    case = services.get_case(desk, people.admin, report.case_nos[0])
    assert (
        case.case_no.startswith("20250601-")
        and case.channel == "phone"
        and case.category == "network_quality"
    )


def test_guessed_mapping_round_trips_through_a_file(tmp_path: Path) -> None:
    plan = services.read_register(write_register(tmp_path / "r.xlsx", rows=3))
    assert plan.mapping.columns["联系电话"] == "phone" and plan.mapping.columns["登记时间"] == "registered_at"
    services.save_mapping(plan.mapping, tmp_path / "m.json")
    assert services.load_mapping(tmp_path / "m.json") == plan.mapping
    assert plan.preview(2)[1]["customer_name"] == "客户2"


def test_not_a_workbook_is_a_file_error(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_text("hello")
    with pytest.raises(ValidationError) as bad:
        services.read_register(tmp_path / "x.xlsx")
    assert "file" in bad.value.errors
