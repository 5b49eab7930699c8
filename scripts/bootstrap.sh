#!/usr/bin/env bash
# Set up everything Kesu Desk needs in ./.venv (idempotent; fast when already done).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.kesu-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  touch "$stamp"
fi
# The message catalogues: .po files are the source (in git), .mo files are built here (never committed).
# Only when a catalogue changed: rewriting them under a running test suite or a bundle build (CI runs
# both at once) could let one read a half-written file.
stale=0
for po in translations/*/LC_MESSAGES/kesu.po; do
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then stale=1; fi
done
if [ "$stale" -eq 1 ]; then
  .venv/bin/pybabel compile --domain kesu --directory translations --use-fuzzy --statistics 2>&1 | grep -v "^compiling" || true
fi
