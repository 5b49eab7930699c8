#!/usr/bin/env bash
# Set up, make sure PostgreSQL is running, then lint and run the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh -k search).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/start-postgres.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports --no-cache
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
