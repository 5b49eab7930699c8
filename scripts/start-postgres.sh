#!/usr/bin/env bash
# The tests need the real PostgreSQL at 127.0.0.1:5432 (KESU_TEST_PG to point elsewhere).
# Start the local cluster if it is down; if it cannot be started the tests fail, they never skip.
set -uo pipefail
if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
    sleep 1
  done
fi
echo "start-postgres: PostgreSQL is not reachable at 127.0.0.1:5432; the PostgreSQL tests will fail" >&2
exit 0
