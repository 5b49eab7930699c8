#!/usr/bin/env bash
# Time to a painted main window: the frozen bundle (dist/kesu-desk/) against the source checkout, in
# one run on one database, alternating so both meet the same machine load.
#   scripts/startup-time.sh [RUNS]      (default 5 each; needs scripts/build.sh's bundle)
# Each run is `kesu-desk --screenshot`: start, open the database, sign in, build the main window, load
# the first page of cases, paint, save the PNG, exit. Prints each side's median wall-clock and CPU
# seconds and fails when the frozen one needs more than 10 % more CPU time than the source one (a
# frozen build must not start slower).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
[ -x dist/kesu-desk/kesu-desk ] || { echo "startup-time: run scripts/build.sh first" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KESU_DATA_DIR="$work/data" QT_QPA_PLATFORM=offscreen KESU_PASSWORD=startup-pass-1
db="sqlite:///$work/kesu.db"
dist/kesu-desk/kesu init --db "$db" --office ST01 --office-name "Startup" --admin admin >/dev/null
seconds() {  # one start to a painted, saved window: "wall cpu" (cpu = user + system)
  local TIMEFORMAT='%R %U %S'
  { time "$@" --screenshot "$work/shots" --db "$db" --user admin >/dev/null 2>&1; } 2>&1 \
    | awk '{printf "%.2f %.2f\n", $1, $2 + $3}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
seconds dist/kesu-desk/kesu-desk >/dev/null  # warm the page cache for both before measuring
seconds .venv/bin/python main.py >/dev/null
: >"$work/frozen"; : >"$work/source"
for _ in $(seq "$runs"); do
  seconds dist/kesu-desk/kesu-desk >>"$work/frozen"
  seconds .venv/bin/python main.py >>"$work/source"
done
for side in frozen source; do
  cut -d' ' -f1 "$work/$side" | median >"$work/$side.wall"
  cut -d' ' -f2 "$work/$side" | median >"$work/$side.cpu"
done
echo "startup-time: to a painted window, median of $runs runs, wall (CPU) seconds:" \
  "frozen $(cat "$work/frozen.wall") ($(cat "$work/frozen.cpu")), source $(cat "$work/source.wall") ($(cat "$work/source.cpu"))"
echo "  frozen: $(cut -d' ' -f1 "$work/frozen" | tr '\n' ' ')"
echo "  source: $(cut -d' ' -f1 "$work/source" | tr '\n' ' ')"
# Judged on CPU time, which other work on a shared machine disturbs far less than the wall clock.
if awk -v f="$(cat "$work/frozen.cpu")" -v s="$(cat "$work/source.cpu")" 'BEGIN {exit !(f > s * 1.1)}'; then
  echo "startup-time: the frozen build starts slower than the source checkout" >&2
  exit 1
fi
