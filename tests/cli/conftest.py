"""Fixtures for driving the real ``kesu`` command in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _pg_admin

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


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KESU_")}
    env.update(KESU_DATA_DIR=str(tmp_path / "data"), KESU_NODE_ID="cli-test", PYTHONIOENCODING="utf-8")
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def kesu(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kesu]:
    """An empty database of each kind (the CLI's own ``init`` sets it up)."""
    if request.param == "sqlite":
        yield Kesu(f"sqlite:///{tmp_path / 'cli.db'}", base_env(tmp_path))
        return
    name = f"kesu_cli_{os.getpid()}"
    with _pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield Kesu(f"postgresql://postgres@127.0.0.1:5432/{name}", base_env(tmp_path))
    with _pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
