"""The PostgreSQL server the tests use: unreachable is a failure, never a skip."""

from __future__ import annotations

import os

import psycopg
import pytest

PG_ADMIN = os.environ.get("KESU_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable ({PG_ADMIN}): {exc}. Start it; these tests never skip.")
