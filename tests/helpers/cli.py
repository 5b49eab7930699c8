"""Running the kesu command as a real subprocess, and the users and complaint the CLI tests share."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kesu_desktop import services
from kesu_desktop.domain.enums import Role
from kesu_desktop.services import Desk

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Kesu:
    """Runs ``python -m kesu_desktop`` against one database, as one user, like a script would."""

    db: str
    env: dict[str, str]

    def __call__(
        self,
        *args: str,
        user: str | None = None,
        password: str | None = None,
        stdin: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> Result:
        env = dict(self.env)
        if password is not None:
            env["KESU_PASSWORD"] = password
        env.update(extra_env or {})
        argv = [
            sys.executable,
            "-m",
            "kesu_desktop",
            "--db",
            self.db,
            *(["--user", user] if user else []),
            *args,
        ]
        proc = subprocess.run(
            argv,
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def act(self, user: str, password: str, case_no: str, action: str, args: dict | None = None) -> Result:
        return self("act", case_no, action, "-", user=user, password=password, stdin=json.dumps(args or {}))


ADMIN = ("admin", "admin-pass-1")


USERS = {
    "alice": ("front_desk", None, "alice-pass-1"),
    "bob": ("specialist", None, "bob-pass-12"),
    "carol": ("supervisor", None, "carol-pass-1"),
    "dave": ("department", "AS", "dave-pass-1"),
}


NOW = "2026-11-23T10:00:00+08:00"


COMPLAINT = {
    "customer_name": "张三",
    "phone": "138 0013 8000",
    "channel": "counter",
    "description": "在门店购买的冰箱不制冷，要求退款",
    "category": "product_quality",
    "demand": "退款",
}


def setup(kesu: Kesu) -> None:
    """Set up in-process through the services (the scenario test does it through the CLI itself)."""
    desk = Desk.open(kesu.db, node_id="cli-setup")
    services.initialize(desk, office_code="BJ01", office_name="北京总部", admin=ADMIN[0], password=ADMIN[1])
    admin = services.login(desk, *ADMIN)
    # The CLI tests state their times with --now (NOW), which a database must allow (docs/cli.md).
    services.set_setting(desk, admin, "allow_clock_override", "true")
    for name, (role, dept, password) in USERS.items():
        services.add_user(
            desk, admin, username=name, password=password, role=Role(role), department_code=dept
        )
    desk.close()
