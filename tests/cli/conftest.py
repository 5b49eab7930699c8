"""Fixtures for driving the real ``kesu`` command in subprocesses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import Kesu
from tests.helpers.postgres import pg_admin
from tests.helpers.sync import central  # noqa: F401  (the PostgreSQL central of the sync tests)


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KESU_")}
    env.update(KESU_DATA_DIR=str(tmp_path / "data"), KESU_NODE_ID="cli-test", PYTHONIOENCODING="utf-8")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # as on CI; never a real keyring
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def kesu(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kesu]:
    """An empty database of each kind (the CLI's own ``init`` sets it up)."""
    if request.param == "sqlite":
        yield Kesu(f"sqlite:///{tmp_path / 'cli.db'}", base_env(tmp_path))
        return
    name = f"kesu_cli_{os.getpid()}"
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield Kesu(f"postgresql://postgres@127.0.0.1:5432/{name}", base_env(tmp_path))
    with pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
