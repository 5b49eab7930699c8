"""The ``kesu`` command as a script sees it: exit codes, JSON on stdout, one line per error on stderr."""

from __future__ import annotations

import json

from tests.helpers.cli import ADMIN, COMPLAINT, NOW, USERS, Kesu, setup


def setup_through_cli(kesu: Kesu) -> None:
    r = kesu("init", "--office", "BJ01", "--office-name", "北京总部", "--admin", ADMIN[0], password=ADMIN[1])
    assert r.code == 0, r.err
    r = kesu("admin", "set", "allow_clock_override", "true", user=ADMIN[0], password=ADMIN[1])
    assert r.code == 0, r.err  # the scenario states its times with --now
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
    assert "张三" in text and "批准方案" in text and "carol" in text


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
    assert kesu("--now", "2026-12-05T10:00:00+08:00", "watch", **as_("bob")).code == 3  # a specialist
    watch = kesu("--now", "2026-12-05T10:00:00+08:00", "--json", "watch", **as_("carol")).json
    assert (case_no, "resolve", "overdue") in {
        (a["case_no"], a["deadline"], a["state"]) for a in watch["new_alerts"]
    }
    again = kesu("--now", "2026-12-05T10:01:00+08:00", "--json", "watch", **as_("carol")).json
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


def test_calendar_import_and_the_estimated_deadline_note(kesu: Kesu, tmp_path) -> None:
    from kesu_desktop.domain.calendar import statutory_years

    setup(kesu)
    nxt = statutory_years()[-1] + 1  # the first year the bundled holiday data does not cover
    late_december = f"{nxt - 1}-12-28T10:00:00+08:00"
    r = kesu("--now", late_december, "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice"))
    assert r.code == 0, r.err
    assert r.json["deadlines_estimated"] is True and r.json["resolve_by"].startswith(f"{nxt}-")
    assert f"{nxt} 年" in r.err and "估算" in r.err and "calendar-import" in r.err
    due = kesu("--json", "due", "--at", f"{nxt}-01-05T17:00:00+08:00", **as_("bob"))
    assert due.code == 0 and due.json and f"{nxt} 年" in due.err

    bad = tmp_path / "bad.txt"
    bad.write_text(f"year {nxt}\n{nxt}-01-01 holiday 元旦\n{nxt}-02-30 holiday 春节\n", encoding="utf-8")
    refused = kesu("admin", "calendar-import", str(bad), user=ADMIN[0], password=ADMIN[1])
    assert refused.code == 2 and refused.err.strip().splitlines() == [f"line 3: 不存在的日期：{nxt}-02-30"]
    still = kesu("--now", late_december, "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice"))
    assert still.json["deadlines_estimated"] is True  # nothing of the bad file was stored
    missing = kesu("admin", "calendar-import", str(tmp_path / "none.txt"), user=ADMIN[0], password=ADMIN[1])
    assert missing.code == 2 and missing.err.startswith("file: 文件不存在")
    assert kesu("admin", "calendar-import", str(bad), **as_("bob")).code == 3

    good = tmp_path / "calendar.txt"
    good.write_text(f"# 通知\nyear {nxt}\n{nxt}-01-01 holiday 元旦\n", encoding="utf-8")
    done = kesu("--json", "admin", "calendar-import", str(good), user=ADMIN[0], password=ADMIN[1])
    assert done.code == 0, done.err
    assert done.json == {"years": [nxt], "holidays": 1, "workdays": 0, "office": None}
    exact = kesu(
        "--now",
        late_december,
        "register",
        "-",
        stdin=json.dumps({**COMPLAINT, "phone": "13900139000"}),
        **as_("alice"),
    )
    assert exact.code == 0 and exact.json["deadlines_estimated"] is False and exact.err == ""


def test_a_department_user_gets_a_masked_phone_from_show_list_and_json(kesu: Kesu) -> None:
    setup(kesu)
    case_no = register(kesu)
    assert kesu.act("alice", USERS["alice"][2], case_no, "verify", {"valid": True}).code == 0
    assign = {"department": "AS", "assignee": "dave"}
    assert kesu.act("bob", USERS["bob"][2], case_no, "assign", assign).code == 0
    full, masked = "13800138000", "138****8000"
    for args in (("show", case_no), ("list",), ("--json", "show", case_no), ("--json", "list")):
        r = kesu(*args, **as_("dave"))
        assert r.code == 0, r.err
        assert masked in r.out and full not in r.out, args
    shown = kesu("--json", "show", case_no, **as_("dave")).json
    assert shown["phone"] == masked
    assert shown["events"][0]["changes"]["phone"] == masked
    assert [row["phone"] for row in kesu("--json", "list", **as_("dave")).json] == [masked]
    # those who call the customer back get the whole number
    assert kesu("--json", "show", case_no, **as_("bob")).json["phone"] == "+86" + full


def test_show_json_tells_what_the_user_may_do_now_and_whether_the_case_is_on_hold(kesu: Kesu) -> None:
    from kesu_desktop.domain.enums import Action

    setup(kesu)
    case_no = register(kesu)
    for user, action, args in (
        ("alice", "verify", {"valid": True}),
        ("bob", "assign", {"department": "AS", "assignee": "dave"}),
    ):
        assert kesu.act(user, USERS[user][2], case_no, action, args).code == 0
    shown = kesu("--json", "show", case_no, **as_("dave")).json
    assert shown["on_hold"] is False
    assert "hold" in shown["allowed_actions"] and "resume" not in shown["allowed_actions"]
    assert kesu.act("dave", USERS["dave"][2], case_no, "hold", {"reason": "等待检测报告"}).code == 0
    held = kesu("--json", "show", case_no, **as_("dave")).json
    assert held["on_hold"] is True
    assert "resume" in held["allowed_actions"] and "hold" not in held["allowed_actions"]
    assert set(held["allowed_actions"]) <= {a.value for a in Action}
    assert "verify" in kesu("--json", "show", register(kesu), **as_("alice")).json["allowed_actions"]
    assert "可执行操作：" in kesu("show", case_no, **as_("dave")).out


def test_every_time_is_shown_in_the_offices_zone_even_documents_and_verification(
    kesu: Kesu, tmp_path
) -> None:
    """An office in Urumqi whose time-zone setting says Tokyo: every time the CLI prints is Tokyo's."""
    from datetime import datetime

    from sqlalchemy import update

    from kesu_desktop.services import Desk
    from kesu_desktop.storage.models import Office
    from tests.helpers.printing import pdf_text

    setup(kesu)
    desk = Desk.open(kesu.db, node_id="cli-setup")
    with desk.db.write() as session:
        session.execute(update(Office).where(Office.code == "BJ01").values(timezone="Asia/Urumqi"))
    desk.close()
    urumqi = kesu(
        "--json", "--now", "2026-11-23T11:00", "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice")
    )
    assert urumqi.json["created_at"] == "2026-11-23T11:00:00+06:00"  # the office row, while no setting
    r = kesu("admin", "set", "timezone", "Asia/Tokyo", "--office", "BJ01", user=ADMIN[0], password=ADMIN[1])
    assert r.code == 0, r.err

    case_no = register(kesu)  # at NOW, 10:00 in Shanghai
    tokyo, shanghai = "2026/11/23 11:00", "2026/11/23 10:00"
    shown = kesu("--json", "show", case_no, **as_("bob")).json
    assert shown["created_at"] == "2026-11-23T11:00:00+09:00"
    assert {e["at"] for e in shown["events"]} == {"2026-11-23T11:00:00+09:00"}
    assert all(shown[k].endswith("+09:00") for k in ("respond_by", "resolve_by", "updated_at"))
    text = kesu("show", case_no, **as_("bob")).out
    assert tokyo in text and shanghai not in text
    listed = kesu("list", **as_("bob")).out
    assert tokyo in listed and shanghai not in listed
    assert kesu("--json", "list", **as_("bob")).json[0]["created_at"].endswith("+09:00")
    respond_by = datetime.fromisoformat(shown["respond_by"])
    due = kesu("--json", "due", "--at", "2026-12-30T10:00", **as_("bob")).json
    assert due and all(d["due_at"].endswith("+09:00") for d in due)
    due_text = kesu("due", "--at", "2026-12-30T10:00", **as_("bob")).out
    assert f"{respond_by.year}/{respond_by.month}/{respond_by.day} {respond_by:%H:%M}" in due_text
    naive = kesu(
        "--json", "--now", "2026-11-23T12:00", "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice")
    )
    assert naive.json["created_at"] == "2026-11-23T12:00:00+09:00"  # --now without offset: Tokyo time

    receipt = tmp_path / "receipt.pdf"
    r = kesu("--now", NOW, "print", "receipt", case_no, "-o", str(receipt), **as_("alice"))
    assert r.code == 0, r.err
    printed = pdf_text(receipt.read_bytes())
    assert "2026年11月23日11:00" in printed and "2026年11月23日10:00" not in printed
    assert tokyo.replace(" ", "") in printed  # the footer's issue time
    documents = kesu("documents", case_no, **as_("alice")).out
    assert documents.startswith(tokyo)
    assert (
        kesu("--json", "documents", case_no, **as_("alice")).json[0]["issued_at"]
        == "2026-11-23T11:00:00+09:00"
    )
    verified = kesu("verify-letter", str(receipt), **as_("alice"))
    assert verified.code == 0, verified.err
    assert tokyo in verified.out and "UTC" not in verified.out and "02:00" not in verified.out


def test_verify_log_exits_4_and_names_a_rewritten_event(kesu: Kesu) -> None:
    from sqlalchemy import text

    from kesu_desktop.storage.database import Database

    setup(kesu)
    case_no = register(kesu)
    r = kesu("verify-log", **as_("carol"))
    assert r.code == 0 and "cli-test" in r.out, r.err
    r = kesu("verify-log", "--json", user=ADMIN[0], password=ADMIN[1])
    assert r.code == 0 and r.json["intact"] is True, r.err
    assert kesu("verify-log", **as_("alice")).code == 3
    r = kesu("verify-log", "--case", "20261123-BJ01-CS-9999", **as_("carol"))
    assert r.code == 2 and r.err.startswith("case_no: "), r.err
    db = Database(kesu.db)
    with db.write_engine.begin() as conn:  # an attacker with the file or a superuser's password
        if db.kind == "sqlite":
            conn.execute(text("DROP TRIGGER case_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE case_events SET actor = 'mallory' WHERE seq = 1 AND node_id = 'cli-test'"))
        if db.kind != "sqlite":
            conn.execute(text("ALTER TABLE case_events ENABLE TRIGGER USER"))
    db.dispose()
    r = kesu("verify-log", "--json", "--case", case_no, **as_("carol"))
    assert r.code == 4, r.err
    (node,) = [n for n in r.json["nodes"] if n["first_break"]]
    assert node["node_id"] == "cli-test" and node["first_break"]["kind"] == "content_changed"
    assert node["first_break"]["case_no"] == case_no and node["first_break"]["seq"] == 1
    r = kesu("verify-log", **as_("carol"))
    assert r.code == 4 and case_no in r.out and "Traceback" not in r.err


def test_admin_db_role_prints_the_least_privilege_sql_and_is_for_postgresql_only(kesu: Kesu) -> None:
    setup(kesu)
    r = kesu("admin", "db-role", "kesu_desk", "--print-only", "--json")
    assert r.code == 0, r.err
    sql = "\n".join(r.json["sql"])
    assert "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON case_events" in sql
    assert "NOSUPERUSER" in sql
    assert kesu("admin", "db-role", "Bad Name", "--print-only").err.startswith("name: ")
    admin = {"user": ADMIN[0], "password": ADMIN[1]}
    r = kesu("admin", "db-role", "kesu_desk", "--password-env", "NO_SUCH_VAR", **admin)
    assert r.code == 2 and r.err.startswith("password-env: "), r.err
    if kesu.db.startswith("sqlite"):
        r = kesu("admin", "db-role", "kesu_desk", **admin)
        assert r.code == 2 and r.err.startswith("db: "), r.err
    assert kesu("admin", "db-role", "kesu_desk", **as_("carol")).code == 3


def test_now_is_refused_unless_the_database_allows_it(kesu: Kesu) -> None:
    """Without ``allow_clock_override`` a stated time is not allowed (exit 3) and nothing is written."""
    setup(kesu)
    r = kesu("admin", "set", "allow_clock_override", "false", user=ADMIN[0], password=ADMIN[1])
    assert r.code == 0, r.err
    before = kesu("--json", "list", **as_("bob")).out
    for args, env in (
        (("--now", "2020-01-01T09:00:00+08:00"), {}),
        ((), {"KESU_NOW": "2020-01-01T09:00:00+08:00"}),
    ):
        r = kesu(*args, "register", "-", stdin=json.dumps(COMPLAINT), extra_env=env, **as_("alice"))
        assert r.code == 3 and "now: 本数据库不允许指定时间" in r.err and "Traceback" not in r.err, r.err
    assert kesu("--now", "2030-01-01T00:00:00+08:00", "watch", **as_("carol")).code == 3
    assert kesu("--json", "list", **as_("bob")).out == before == "[]\n"
    # Without --now the real time is used, and the record shows no "recorded at" note.
    r = kesu("--json", "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice"))
    assert r.code == 0, r.err
    shown = kesu("show", r.json["case_no"], **as_("bob"))
    assert shown.code == 0 and "记录于" not in shown.out


def test_a_stated_time_is_shown_beside_the_recorded_time(kesu: Kesu) -> None:
    setup(kesu)
    case_no = register(kesu)  # stated NOW (2026-11-23), recorded at the real time, later
    shown = kesu("show", case_no, **as_("bob"))
    assert shown.code == 0 and "记录于" in shown.out and "所述时间 2026/11/23 10:00" in shown.out


def test_repeated_wrong_passwords_lock_and_the_admin_unlocks(kesu: Kesu) -> None:
    setup(kesu)
    for _ in range(5):
        r = kesu("list", user="bob", password="wrong-password")
        assert r.code == 3
    assert "已暂时锁定" in r.err
    r = kesu("list", **as_("bob"))
    assert r.code == 3 and "已暂时锁定" in r.err and "用户名" not in r.err
    assert kesu("user", "unlock", "bob", **as_("carol")).code == 3
    r = kesu("user", "unlock", "bob", user=ADMIN[0], password=ADMIN[1])
    assert r.code == 0, r.err
    assert kesu("list", **as_("bob")).code == 0
