"""``kesu init --branch-of``, ``kesu sync``, ``kesu sync export|import`` and ``kesu conflicts`` as a script
runs them: real processes, a SQLite branch and the PostgreSQL central."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from kesu_desktop.storage.models import CaseEvent
from tests.cli.conftest import base_env
from tests.helpers.cli import COMPLAINT, Kesu
from tests.helpers.data import ADMIN_PASSWORD
from tests.helpers.sync import CLERK_PASSWORD, Central


def _events(central: Central) -> int:
    with central.desk.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(CaseEvent)) or 0)


def test_branch_by_cli_syncs_and_refuses_bad_bundles(central: Central, tmp_path: Path) -> None:
    path = tmp_path / "branch.db"
    env = {**base_env(tmp_path), "KESU_NODE_ID": "cli-branch"}
    branch = Kesu(f"sqlite:///{path}", env)
    hq = Kesu(central.url, {**base_env(tmp_path), "KESU_NODE_ID": "cli-central"})
    made = branch(
        "--json",
        "init",
        "--branch-of",
        central.url,
        "--office",
        "SH02",
        user="admin",
        password=ADMIN_PASSWORD,
    )
    assert made.code == 0, made.err
    assert made.json["office"] == "SH02" and made.json["sync"]["agree"]
    # the branch keeps only its office role's URL, never the superuser's
    assert b"postgres@" not in path.read_bytes()
    reg = branch(
        "--json", "register", "-", user="sh_clerk", password=CLERK_PASSWORD, stdin=json.dumps(COMPLAINT)
    )
    assert reg.code == 0, reg.err
    synced = branch("--json", "sync", user="sh_clerk", password=CLERK_PASSWORD)
    assert synced.code == 0, synced.err
    report = synced.json
    assert {"pushed", "pulled", "conflicts", "checkpoint", "central_events", "local_events"} <= report.keys()
    assert report["pushed"] >= 1 and report["central_events"] == report["local_events"]
    shown = hq("--json", "show", reg.json["case_no"], user="admin", password=ADMIN_PASSWORD)
    assert shown.code == 0, shown.err

    bundle = tmp_path / "carry.kesu"
    out = branch("--json", "sync", "export", "-o", str(bundle), user="sh_clerk", password=CLERK_PASSWORD)
    assert out.code == 0, out.err and out.json["events"] >= 1
    before = _events(central)
    imported = hq("--json", "sync", "import", str(bundle), user="admin", password=ADMIN_PASSWORD)
    assert imported.code == 0, imported.err
    assert imported.json["applied_events"] == 0  # the same events came by network: nothing twice
    assert _events(central) == before

    data = bundle.read_bytes()
    truncated, tampered = tmp_path / "cut.kesu", tmp_path / "bad.kesu"
    truncated.write_bytes(data[: len(data) // 2])
    at = data.index(b"batch.json") + 200
    tampered.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :])
    for bad in (truncated, tampered):
        refused = hq("sync", "import", str(bad), user="admin", password=ADMIN_PASSWORD)
        assert refused.code == 2, (bad, refused.err)
        assert refused.err.startswith("bundle:") and "Traceback" not in refused.err
    assert _events(central) == before

    not_branch = hq("sync", user="admin", password=ADMIN_PASSWORD)
    assert not_branch.code == 2 and not_branch.err.startswith("db:")
    listed = branch("--json", "conflicts", user="sh_lead", password=CLERK_PASSWORD)
    assert listed.code == 0 and listed.json == []
    assert branch("conflicts", user="sh_clerk", password=CLERK_PASSWORD).code == 3
