"""The ``kesu`` command as a script sees it: exit codes, JSON on stdout, one line per error on stderr."""

from __future__ import annotations

import json

from tests.helpers.cli import ADMIN, COMPLAINT, NOW, USERS, Kesu, setup


def setup_through_cli(kesu: Kesu) -> None:
    r = kesu("init", "--office", "BJ01", "--office-name", "北京总部", "--admin", ADMIN[0], password=ADMIN[1])
    assert r.code == 0, r.err
    for name, (role, dept, password) in USERS.items():
        args = ["user", "add", name, "--role", role, *(["--department", dept] if dept else [])]
        r = kesu(*args, user=ADMIN[0], password=ADMIN[1], extra_env={"KESU_NEW_PASSWORD": password})
        assert r.code == 0, r.err


def as_(name: str) -> dict[str, str]:
    return {"user": name, "password": USERS[name][2]}


def register(kesu: Kesu, data: dict | None = None, *extra: str) -> str:
    r = kesu("--now", NOW, "register", "-", *extra, stdin=json.dumps(data or COMPLAINT), **as_("alice"))
    assert r.code == 0, r.err
    return r.json["case_no"]


def test_whole_scenario_from_init_to_close(kesu: Kesu) -> None:
    setup_through_cli(kesu)
    case_no = register(kesu)
    assert case_no == "20261123-BJ01-CS-0001"
    steps = [
        ("alice", "verify", {"valid": True, "reason": "产品故障属实"}),
        ("bob", "assign", {"department": "AS", "assignee": "dave"}),
        (
            "dave",
            "plan",
            {"cause": "压缩机故障", "measures": "上门更换压缩机", "due": "2026-11-30T18:00:00+08:00"},
        ),
        ("carol", "approve_plan", {}),
        ("dave", "resolve", {"result": "已更换压缩机，试机正常"}),
        ("alice", "confirm", {"opinion": "满意"}),
        ("alice", "survey", {"efficiency": 5, "attitude": 5, "solution": 4, "comment": "处理及时"}),
        ("bob", "close", {}),
    ]
    for user, action, args in steps:
        r = kesu("--now", NOW, "--json", "act", case_no, action, "-", stdin=json.dumps(args), **as_(user))
        assert r.code == 0, (action, r.err)
    shown = kesu("show", case_no, "--json", **as_("bob")).json
    assert shown["status"] == "closed"
    assert [e["kind"] for e in shown["events"]] == [
        "registered",
        "verified",
        "assigned",
        "plan_proposed",
        "plan_approved",
        "resolved",
        "confirmed",
        "surveyed",
        "closed",
    ]
    assert all(e["actor"] and e["at"].endswith("+08:00") for e in shown["events"])
    for key in (
        "id",
        "case_no",
        "status",
        "customer_name",
        "phone",
        "channel",
        "category",
        "severity",
        "priority",
        "department",
        "assignee",
        "repeat_of",
        "respond_by",
        "resolve_by",
        "update_by",
        "created_at",
    ):
        assert key in shown
    assert shown["phone"] == "+8613800138000" and shown["department"] == "AS" and shown["assignee"] == "dave"
    text = kesu("show", case_no, **as_("bob")).out
    assert "张三" in text and "plan_approved" in text and "carol" in text


def test_init_twice_changes_nothing(kesu: Kesu) -> None:
    setup(kesu)
    before = kesu("--json", "list", **as_("bob")).out
    again = kesu(
        "init", "--office", "SH02", "--office-name", "上海", "--admin", "root2", password="another-pass"
    )
    assert again.code == 0 and "BJ01" in again.out
    assert (
        kesu(
            "user",
            "add",
            "x",
            "--role",
            "admin",
            user="root2",
            password="another-pass",
            extra_env={"KESU_NEW_PASSWORD": "whatever-1"},
        ).code
        == 3
    )
    assert kesu("--json", "list", **as_("bob")).out == before


def test_bad_input_exits_2_with_one_line_per_field_and_writes_nothing(kesu: Kesu) -> None:
    setup(kesu)
    bad = {**COMPLAINT, "phone": "12345", "channel": "pigeon", "category": "weather"}
    r = kesu("register", "-", stdin=json.dumps(bad), **as_("alice"))
    assert r.code == 2 and "Traceback" not in r.err
    lines = r.err.strip().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == ["category", "channel", "phone"]
    r = kesu("register", "-", stdin="{not json", **as_("alice"))
    assert r.code == 2 and r.err.startswith("input:")
    r = kesu("register", "/no/such/file.json", **as_("alice"))
    assert r.code == 2 and "文件不存在" in r.err
    assert kesu("--json", "list", **as_("bob")).json == []


def test_wrong_role_and_state_exit_3_and_change_nothing(kesu: Kesu) -> None:
    setup(kesu)
    case_no = register(kesu)
    r = kesu.act("alice", USERS["alice"][2], case_no, "assign", {"department": "AS"})
    assert r.code == 3 and "前台客服" in r.err and "Traceback" not in r.err
    r = kesu.act("bob", USERS["bob"][2], case_no, "close")
    assert r.code == 3 and "已登记" in r.err
    shown = kesu("--json", "show", case_no, **as_("bob")).json
    assert shown["status"] == "registered" and len(shown["events"]) == 1


def test_sign_in_problems_are_not_allowed(kesu: Kesu) -> None:
    setup(kesu)
    assert kesu("list").code == 3
    r = kesu("list", user="alice", password="wrong-password")
    assert r.code == 3 and "用户名或密码错误" in r.err
    r = kesu("list", user="nobody", password="wrong-password")
    assert r.code == 3 and "用户名或密码错误" in r.err


def test_now_flag_and_env_act_at_that_time(kesu: Kesu) -> None:
    setup(kesu)
    r = kesu(
        "--now", "2026-10-01T09:00:00+08:00", "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice")
    )
    assert r.json["case_no"].startswith("20261001-") and r.json["created_at"] == "2026-10-01T09:00:00+08:00"
    r = kesu(
        "register",
        "-",
        stdin=json.dumps(COMPLAINT),
        extra_env={"KESU_NOW": "2026-09-30T10:00:00+08:00"},
        **as_("alice"),
    )
    # National Day: P2 resolves seven working days later, after the holiday, counting the make-up Saturday.
    assert r.json["resolve_by"] == "2026-10-15T10:00:00+08:00"
    assert kesu("--now", "yesterday", "list", **as_("bob")).code == 2


def test_list_filters_search_and_due(kesu: Kesu) -> None:
    setup(kesu)
    first = register(kesu)
    register(
        kesu,
        {
            **COMPLAINT,
            "phone": "13912345678",
            "customer_name": "李四",
            "category": "logistics",
            "description": "快递三天未送达",
        },
    )
    rows = kesu("--json", "list", "--category", "logistics", **as_("bob")).json
    assert [r["customer_name"] for r in rows] == ["李四"]
    assert [r["case_no"] for r in kesu("--json", "list", "--search", "冰箱", **as_("bob")).json] == [first]
    assert len(kesu("--json", "list", "--search", "5678", **as_("bob")).json) == 1
    assert kesu("--json", "list", "--limit", "0", **as_("bob")).code == 2
    # The next morning at 10:00 the 8-working-hour response of both is overdue.
    due = kesu("--json", "due", "--at", "2026-11-24T10:00:00+08:00", **as_("bob")).json
    assert {(d["case_no"], d["deadline"], d["state"]) for d in due} >= {(first, "respond", "overdue")}
    assert all(set(d) >= {"case_no", "deadline", "due_at", "state"} for d in due)
    soon = kesu("--json", "due", "--at", "2026-11-23T10:30:00+08:00", **as_("bob")).json
    assert soon == []
    overdue = kesu("--json", "--now", "2026-11-30T10:00:00+08:00", "list", "--overdue", **as_("bob")).json
    assert len(overdue) == 2


def test_unsupported_or_unreachable_database_is_a_clear_message(kesu: Kesu) -> None:
    r = Kesu("mysql://localhost/x", kesu.env)("list", user="a", password="b")
    assert r.code == 2 and r.err.startswith("db:") and "Traceback" not in r.err
    r = Kesu("postgresql://postgres@127.0.0.1:1/none", kesu.env)("list", user="a", password="b")
    assert r.code == 1 and "无法打开数据库" in r.err and len(r.err.strip().splitlines()) == 1


def test_admin_declares_a_day_off_and_deadlines_follow(kesu: Kesu) -> None:
    setup(kesu)
    r = kesu("admin", "calendar", "2026-11-24", "off", "--note", "停电检修", user=ADMIN[0], password=ADMIN[1])
    assert r.code == 0, r.err
    r = kesu(
        "--now", "2026-11-23T17:00:00+08:00", "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice")
    )
    assert r.json["respond_by"] == "2026-11-25T16:00:00+08:00"
    bad = kesu("admin", "set", "sla.p1.respond", "soon", user=ADMIN[0], password=ADMIN[1])
    assert bad.code == 2 and bad.err.startswith("sla.p1.respond:")
    assert kesu("admin", "set", "repeat_window_days", "30", **as_("bob")).code == 3


def test_hold_resume_and_the_watcher_from_a_script(kesu: Kesu) -> None:
    setup(kesu)
    case_no = register(kesu)
    for user, action, args in (
        ("alice", "verify", {"valid": True}),
        ("bob", "assign", {"department": "AS"}),
        ("bob", "hold", {"reason": "等待厂家检测报告"}),
    ):
        r = kesu("--now", NOW, "act", case_no, action, "-", stdin=json.dumps(args), **as_(user))
        assert r.code == 0, r.err
    due = kesu("--json", "due", "--at", "2026-12-30T10:00:00+08:00", **as_("bob")).json
    assert "resolve" not in {d["deadline"] for d in due if d["case_no"] == case_no}
    r = kesu("--now", "2026-11-25T10:00:00+08:00", "--json", "act", case_no, "resume", **as_("bob"))
    assert r.code == 0 and r.json["resolve_by"] == "2026-12-04T10:00:00+08:00"
    watch = kesu("--now", "2026-12-05T10:00:00+08:00", "--json", "watch", **as_("bob")).json
    assert (case_no, "resolve", "overdue") in {
        (a["case_no"], a["deadline"], a["state"]) for a in watch["new_alerts"]
    }
    again = kesu("--now", "2026-12-05T10:01:00+08:00", "--json", "watch", **as_("bob")).json
    assert again["new_alerts"] == []


def test_an_unknown_case_number_is_a_field_message_line(kesu: Kesu) -> None:
    setup(kesu)
    for args in (("show", "20990101-XX-CS-0001"), ("act", "20990101-XX-CS-0001", "verify", "-")):
        r = kesu(*args, stdin='{"valid": true}', **as_("bob"))
        assert r.code == 2, r.err
        [line] = r.err.strip().splitlines()
        assert line.startswith("case_no: ") and "20990101-XX-CS-0001" in line and "不存在" in line


def test_a_phone_extension_is_kept_and_shown(kesu: Kesu) -> None:
    setup(kesu)
    case_no = register(kesu, {**COMPLAINT, "phone": "13800138000 ext. 12"})
    shown = kesu("show", case_no, "--json", **as_("bob")).json
    assert shown["phone"] == "+8613800138000" and shown["phone_ext"] == "12"
    r = kesu("register", "-", stdin=json.dumps({**COMPLAINT, "phone": "13800138000 ext. 1x"}), **as_("alice"))
    assert r.code == 2 and r.err.startswith("phone: 分机号只能是数字")
