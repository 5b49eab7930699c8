"""``kesu reply …``, ``kesu attach`` and ``kesu attachments`` as a script drives them, in subprocesses on
SQLite and PostgreSQL: the reply workflow by the right roles, refusals with their exit codes, and an
attached file coming back with the bytes' own size and SHA-256."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.helpers.cli import COMPLAINT, NOW, USERS, Kesu, Result, setup

UNKNOWN_REPLY = "0190a000-0000-7000-8000-000000000000"


def as_(name: str) -> dict[str, str]:
    return {"user": name, "password": USERS[name][2]}


def register(kesu: Kesu) -> str:
    r = kesu("--now", NOW, "register", "-", stdin=json.dumps(COMPLAINT), **as_("alice"))
    assert r.code == 0, r.err
    return r.json["case_no"]


def draft(kesu: Kesu, case_no: str, data: dict, *extra: str, user: str = "bob") -> Result:
    return kesu("reply", "draft", case_no, "-", *extra, stdin=json.dumps(data), **as_(user))


def test_reply_drafted_returned_redrafted_and_approved(kesu: Kesu) -> None:
    setup(kesu)
    case_no = register(kesu)

    # Bad input (a wrong kind, a misspelt key: every field reported) and an unknown --reply add nothing.
    r = draft(kesu, case_no, {"kind": "thanks", "text": " ", "txet": "您好"})
    assert r.code == 2, r.err
    assert sorted(line.split(":")[0] for line in r.err.splitlines()) == ["kind", "text", "txet"]
    r = draft(kesu, case_no, {"text": "您好"}, "--reply", UNKNOWN_REPLY)
    assert r.code == 2 and r.err.startswith("reply: "), r.err

    # A draft from the template: the case's facts are filled in, the id is all stdout holds.
    r = draft(kesu, case_no, {"kind": "acceptance"})
    assert r.code == 0, r.err
    template_id = r.out.strip()
    assert len(template_id) == 36 and "\n" not in template_id

    # A forbidden phrase: the draft is kept (the service saves it), the finding is shown at once,
    # and submitting is refused with exit 2 naming the phrase.
    r = draft(kesu, case_no, {"kind": "solution", "text": "您好，我们有规定，只能换货。"}, "--json")
    assert r.code == 0, r.err
    reply = r.json
    reply_id = reply["id"]
    assert reply["status"] == "draft" and reply["author"] == "bob" and reply["case_no"] == case_no
    assert [f["phrase"] for f in reply["forbidden"]] == ["我们有规定"]
    assert "我们有规定" in r.err and "根据公司的服务标准" in r.err  # the suggestion, on stderr
    r = kesu("reply", "submit", reply_id, **as_("bob"))
    assert r.code == 2 and r.err.startswith("body: ") and "我们有规定" in r.err, r.err

    r = draft(kesu, case_no, {"text": "您好，我们将为您换货。"}, "--reply", reply_id)
    assert r.code == 0 and r.out.strip() == reply_id and not r.err, r.err
    assert kesu("reply", "submit", reply_id, **as_("bob")).code == 0

    # Reviewing is the supervisor's: a front-desk clerk is refused (exit 3), nothing changes.
    r = kesu("reply", "approve", reply_id, **as_("alice"))
    assert r.code == 3 and r.err.startswith("not allowed: "), r.err
    r = kesu("--json", "reply", "return", reply_id, "--reason", "请写明换货时间", **as_("carol"))
    assert r.code == 0, r.err
    assert r.json["status"] == "returned" and r.json["review_comment"] == "请写明换货时间"

    r = draft(kesu, case_no, {"text": "您好，我们将于三个工作日内为您换货。"}, "--reply", reply_id)
    assert r.code == 0, r.err
    assert kesu("reply", "submit", reply_id, **as_("bob")).code == 0
    r = kesu("--json", "reply", "approve", reply_id, "--comment", "同意", **as_("carol"))
    assert r.code == 0, r.err
    assert (r.json["status"], r.json["reviewer"]) == ("approved", "carol")

    r = kesu("--json", "reply", "list", case_no, **as_("carol"))
    assert r.code == 0, r.err
    assert [row["id"] for row in r.json] == [template_id, reply_id]  # in the order they were written
    listed = {row["id"]: row for row in r.json}
    assert listed[template_id]["status"] == "draft" and listed[reply_id]["status"] == "approved"
    assert "张三" in listed[template_id]["body"] and case_no in listed[template_id]["body"]
    assert listed[reply_id]["body"] == "您好，我们将于三个工作日内为您换货。"
    assert listed[reply_id]["updated_at"].endswith("+08:00")
    r = kesu("reply", "list", case_no, **as_("bob"))
    assert r.code == 0 and "已批准" in r.out and "carol" in r.out and "同意" in r.out, r.err

    events = [e["kind"] for e in kesu("--json", "show", case_no, **as_("bob")).json["events"]]
    assert [k for k in events if k.startswith("reply_")] == [
        "reply_submitted",
        "reply_returned",
        "reply_submitted",
        "reply_approved",
    ]

    # An approved reply is final; an unknown id is bad input naming the reply.
    assert draft(kesu, case_no, {"text": "改一下"}, "--reply", reply_id).code == 3
    r = kesu("reply", "submit", UNKNOWN_REPLY, **as_("bob"))
    assert r.code == 2 and r.err.startswith("reply: "), r.err


def test_attach_lists_the_file_with_its_size_and_sha256(kesu: Kesu, tmp_path: Path) -> None:
    setup(kesu)
    case_no = register(kesu)
    photo = tmp_path / "冰箱照片.jpg"
    data = bytes(range(256)) * 40
    photo.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()

    r = kesu("--json", "attach", case_no, str(photo), **as_("bob"))
    assert r.code == 0, r.err
    added = r.json
    assert (added["filename"], added["size"], added["sha256"]) == ("冰箱照片.jpg", len(data), sha)
    assert added["content_type"] == "image/jpeg" and added["uploaded_by"] == "bob"

    # Refused: a missing file, a file over 20 MB; neither adds anything.
    r = kesu("attach", case_no, str(tmp_path / "missing.jpg"), **as_("bob"))
    assert r.code == 2 and r.err.startswith("file: ") and "missing.jpg" in r.err, r.err
    big = tmp_path / "video.mp4"
    with big.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)
    r = kesu("attach", case_no, str(big), **as_("bob"))
    assert r.code == 2 and r.err.startswith("file: ") and "20 MB" in r.err, r.err

    r = kesu("--json", "attachments", case_no, **as_("alice"))
    assert r.code == 0, r.err
    assert [(a["id"], a["size"], a["sha256"]) for a in r.json] == [(added["id"], len(data), sha)]
    shown = kesu("--json", "show", case_no, **as_("alice")).json
    [event] = [e for e in shown["events"] if e["kind"] == "attachment_added"]
    assert (event["details"]["sha256"], event["details"]["size"]) == (sha, len(data))
    r = kesu("attachments", case_no, **as_("alice"))
    assert r.code == 0 and "冰箱照片.jpg" in r.out and sha in r.out, r.err
