#!/usr/bin/env bash
# Set up, then start the Kesu Desk desktop app (embedded SQLite by default; pass --db URL for another).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python main.py "$@"
