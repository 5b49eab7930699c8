#!/usr/bin/env bash
# What CI proves about the installable product (docs/packaging.md): the bundle builds and passes its
# self-test, the .deb installs with apt-get, the installed kesu-desk passes the self-test from /usr/bin,
# and the package removes cleanly. Needs root (apt-get) and network only for Qt's system libraries that
# the machine lacks. Run `scripts/build.sh --prepare` first (bootstrap and PyInstaller).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo "package-check: $1 ($(( $(date +%s) - started )) s)"; }
bash scripts/build.sh
step "bundle built and self-tested: $(du -sh dist/kesu-desk | cut -f1)"
KESU_DEB_COMPRESSION="${KESU_DEB_COMPRESSION:-gzip}" bash scripts/build-deb.sh
deb=$(ls dist/kesu-desk_*.deb)
step "package made: $deb"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -qq "./$deb" >/dev/null
trap '$sudo apt-get remove -y -qq kesu-desk >/dev/null || true' EXIT
[ "$(readlink -f "$(command -v kesu-desk)")" = /opt/kesu-desk/kesu-desk ] || { echo "package-check: kesu-desk on the PATH is not the installed one" >&2; exit 1; }
version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
[ "$(kesu --version)" = "kesu $version" ] || { echo "package-check: kesu --version says '$(kesu --version)', not $version" >&2; exit 1; }
LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen kesu-desk --selftest
grep -q '^Name\[zh_CN\]=客诉台$' /usr/share/applications/kesu-desk.desktop
step "installed package passed its self-test"
trap - EXIT
$sudo apt-get remove -y -qq kesu-desk >/dev/null
[ ! -e /opt/kesu-desk/kesu-desk ] && [ ! -e /usr/bin/kesu-desk ] || { echo "package-check: removal left files behind" >&2; exit 1; }
step "package removed"
