"""The monthly analysis report's figures against counts the test makes itself in SQL and in Python.

The seeded months: October and November 2026 at office BJ01 (Shanghai time). The test's own counts read
the ``cases`` and ``case_events`` tables with hand-written SQL, never the report's query.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from kesu_desktop import services
from kesu_desktop.domain.errors import NotAllowed, NotFound, ValidationError
from kesu_desktop.services import Desk
from tests.helpers.data import People, complaint
from tests.helpers.services import walk_to_resolved

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(clock, year: int, month: int, day: int, hour: int) -> None:  # type: ignore[no-untyped-def]
    clock.instant = datetime(year, month, day, hour, tzinfo=SHANGHAI).astimezone(UTC)


def _register(desk: Desk, people: People, **overrides: object) -> str:
    return services.register_case(desk, people.alice, complaint(**overrides)).case_no


@pytest.fixture
def seeded(desk: Desk, people: People, clock) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Four October cases, seven November ones (one at 07:00 on the 1st: still October in UTC)."""
    made: dict[str, list[str]] = {"oct": [], "nov": []}
    _at(clock, 2026, 10, 12, 10)
    for i, category in enumerate(["product_quality", "billing_dispute", "billing_dispute", "logistics"]):
        made["oct"].append(_register(desk, people, category=category, phone=f"1380013{8100 + i}"))
    _at(clock, 2026, 11, 1, 7)  # 2026-10-31 23:00 UTC: November on the office's clock
    made["nov"].append(
        _register(desk, people, category="billing_dispute", channel="phone", product="宽带套餐")
    )
    _at(clock, 2026, 11, 2, 10)
    for i, (category, channel, product) in enumerate(
        [
            ("product_quality", "counter", "冰箱"),
            ("product_quality", "counter", "冰箱"),
            ("product_quality", "online", "洗衣机"),
            ("logistics", "phone", None),
            ("billing_dispute", "email", "宽带套餐"),
        ]
    ):
        made["nov"].append(
            _register(
                desk, people, category=category, channel=channel, product=product, phone=f"1390013{9200 + i}"
            )
        )
    # a repeat: the same customer and category as an October case, within 90 days
    made["nov"].append(_register(desk, people, category="billing_dispute", phone="13800138101"))
    # work some of them: two resolved (one of them late), one escalated with a staff assessment, one surveyed
    first, second, third = made["nov"][1], made["nov"][2], made["nov"][3]
    walk_to_resolved(desk, people, first)
    services.act(desk, people.alice, first, "confirm", {})
    services.act(desk, people.carol, first, "survey", {"efficiency": 5, "attitude": 4, "solution": 2})
    clock.advance(days=20)  # past every deadline of the cases left open
    walk_to_resolved(desk, people, second)
    services.act(
        desk, people.carol, third, "escalate", {"reason": "客户不满", "assessment": "接待人员未按时回复"}
    )
    _at(clock, 2026, 12, 2, 11)  # the report is made early in December
    return made


def _bound(desk: Desk, moment: datetime) -> object:
    """A UTC instant as the raw driver compares it with the stored column."""
    if desk.db.engine.dialect.name == "sqlite":
        return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


def _month(desk: Desk, year: int, month: int) -> dict[str, object]:
    start = datetime(year, month, 1, tzinfo=SHANGHAI)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    return {"s": _bound(desk, start), "e": _bound(desk, end)}


def _sql(desk: Desk, sql: str, **params: object) -> list[tuple]:
    with desk.db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_monthly_figures_equal_the_tests_own_counts(desk: Desk, people: People, seeded) -> None:  # type: ignore[no-untyped-def]
    nov, oct_ = _month(desk, 2026, 11), _month(desk, 2026, 10)
    where = "office_code = 'BJ01' AND deleted_at IS NULL AND created_at >= :s AND created_at < :e"
    report = services.monthly_report(desk, people.carol, "2026-11")

    assert report.total == _sql(desk, f"SELECT count(*) FROM cases WHERE {where}", **nov)[0][0] == 7
    assert report.previous_total == _sql(desk, f"SELECT count(*) FROM cases WHERE {where}", **oct_)[0][0] == 4
    for column, figure in (
        ("category", report.by_category),
        ("channel", report.by_channel),
        ("office_code", report.by_office),
    ):
        rows = _sql(desk, f"SELECT {column}, count(*) FROM cases WHERE {where} GROUP BY {column}", **nov)
        assert figure == dict(rows), column
    assert report.by_category == {"billing_dispute": 3, "product_quality": 3, "logistics": 1}

    cases = _sql(
        desk,
        "SELECT responded_at, respond_by, resolved_at, resolve_by, is_repeat, survey_efficiency, "
        f"survey_attitude, survey_solution FROM cases WHERE {where}",
        **nov,
    )
    now = datetime(2026, 12, 2, 11, tzinfo=SHANGHAI)

    def when(value):  # type: ignore[no-untyped-def]
        if value is None or isinstance(value, datetime):
            return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
        return datetime.fromisoformat(value).replace(tzinfo=UTC)

    rated = [c for c in cases if c[0] is not None or (c[1] is not None and when(c[1]) <= now)]
    on_time = [c for c in rated if c[0] is not None and (c[1] is None or when(c[0]) <= when(c[1]))]
    assert report.on_time_response_rate == pytest.approx(len(on_time) / len(rated))
    rated = [c for c in cases if c[2] is not None or (c[3] is not None and when(c[3]) <= now)]
    on_time = [c for c in rated if c[2] is not None and (c[3] is None or when(c[2]) <= when(c[3]))]
    assert len(on_time) == 1 and len(rated) == 7  # one resolved in time; the late one and five overdue
    assert report.on_time_resolution_rate == pytest.approx(1 / 7)
    assert report.repeat_rate == pytest.approx(sum(1 for c in cases if c[4]) / 7)
    assert report.repeats >= 1
    assert report.satisfaction == {"efficiency": 5.0, "attitude": 4.0, "solution": 2.0}

    escalated = _sql(
        desk,
        "SELECT count(DISTINCT e.case_id) FROM case_events e JOIN cases c ON c.id = e.case_id "
        "WHERE e.kind = 'escalated' AND c.office_code = 'BJ01' AND e.at >= :s AND e.at < :e",
        **nov,
    )[0][0]
    assert report.escalated == escalated == 1
    end = _bound(desk, datetime(2026, 12, 1, tzinfo=SHANGHAI))
    overdue = _sql(
        desk,
        "SELECT count(*) FROM cases WHERE office_code = 'BJ01' AND created_at < :e "
        "AND (closed_at IS NULL OR closed_at >= :e) AND (resolved_at IS NULL OR resolved_at >= :e) "
        "AND resolve_by < :e",
        e=end,
    )[0][0]
    assert report.overdue_open == overdue and overdue >= 5

    top = {(p.category, p.product, p.count) for p in report.top_problems[:2]}
    assert top == {("product_quality", "冰箱", 2), ("billing_dispute", "宽带套餐", 2)}
    assert "冰箱" in report.top_problems[1].label
    data = report.as_json()
    assert data["month"] == "2026-11" and data["total"] == 7
    assert all(0 <= data[k] <= 1 for k in ("on_time_response_rate", "on_time_resolution_rate", "repeat_rate"))


def test_month_follows_the_offices_clock_and_rates_are_empty_without_cases(
    desk: Desk, people: People, seeded
) -> None:  # type: ignore[no-untyped-def]
    october = services.monthly_report(desk, people.mia, "2026-10", office="BJ01")
    assert october.total == 4  # the 07:00 case of 1 November (23:00 UTC) is not October's
    empty = services.monthly_report(desk, people.carol, "2026-09")
    assert empty.total == 0 and empty.on_time_response_rate is None and empty.change is None
    assert october.change is None and services.monthly_report(
        desk, people.carol, "2026-11"
    ).change == pytest.approx(0.75)


def test_who_may_read_the_figures(desk: Desk, people: People) -> None:
    for reader in (people.alice, people.bob, people.dave):
        with pytest.raises(NotAllowed):
            services.monthly_report(desk, reader, "2026-11")
    with pytest.raises(NotAllowed):
        services.staff_figures(desk, people.admin, "2026-11")
    with pytest.raises(ValidationError) as bad:
        services.monthly_report(desk, people.carol, "2026-13")
    assert set(bad.value.errors) == {"month"}
    with pytest.raises(ValidationError):
        services.monthly_report(desk, people.carol, "2027-05")  # not begun
    with pytest.raises(NotFound):
        services.monthly_report(desk, people.mia, "2026-11", office="XX99")


def test_staff_figures_count_each_assignees_cases_escalations_and_errors(
    desk: Desk, people: People, seeded
) -> None:  # type: ignore[no-untyped-def]
    staff = services.staff_figures(desk, people.carol, "2026-11")
    by_name = {line.username: line for line in staff.lines}
    handled = dict(
        _sql(
            desk,
            "SELECT assignee, count(*) FROM cases WHERE assignee IS NOT NULL AND created_at >= :s "
            "AND created_at < :e GROUP BY assignee",
            **_month(desk, 2026, 11),
        )
    )
    assert {name: line.handled for name, line in by_name.items()} == handled
    dave = by_name["dave"]
    assert dave.handled == 2 and dave.on_time_resolution_rate == pytest.approx(0.5)
    assert dave.satisfaction == pytest.approx((5 + 4 + 2) / 3)
    assert staff.as_json()["staff"][0]["username"] == "dave"
