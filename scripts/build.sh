#!/usr/bin/env bash
# Build the frozen desktop from a checkout: dist/kesu-desk/ with kesu-desk and kesu, then prove it works.
#   scripts/build.sh            bootstrap, compile the catalogues, PyInstaller (build.spec), self-test
#   scripts/build.sh --prepare  only the first part: bootstrap and PyInstaller in .venv (.ci/run does this
#                               before it builds beside the test suite, so neither installs under the other)
# Needs the same system libraries as the app (scripts/bootstrap.sh installs them). PyInstaller is pinned
# in pyproject.toml's "build" extra and installed into .venv when missing. Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# The "build" extra of pyproject.toml pins PyInstaller; install it when the venv has another version.
read_build_extra='import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["build"]))'
wanted=$(.venv/bin/python -c "$read_build_extra")
have=$(.venv/bin/python -c 'from importlib.metadata import version; print(version("pyinstaller"))' 2>/dev/null || true)
if [[ " $wanted " != *" pyinstaller==$have "* ]]; then
  # shellcheck disable=SC2086 # one word per requirement
  .venv/bin/python -m pip install --quiet $wanted
fi
# The .mo files are built (by bootstrap.sh, above), never committed; the spec refuses to run without them.
[ "${1:-}" = "--prepare" ] && exit 0
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build build.spec
echo "build: pyinstaller took $(( $(date +%s) - start )) s; bundle $(du -sh dist/kesu-desk | cut -f1)"
# The smoke test of what was built: the CLI's version, then the desktop's own self-test (offscreen).
dist/kesu-desk/kesu --version
QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" dist/kesu-desk/kesu-desk --selftest
