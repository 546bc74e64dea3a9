#!/usr/bin/env bash
# Runs the window's tests (ctest label `widgets`) ROUNDS times in a row while other processes keep
# every core busy, as a laptop compiling beside them does: a test that only passes on an idle
# machine (a time-out too tight, an event waited for by the clock) fails here. Prints each round's
# result and the count of rounds that passed; exit status 1 when any failed.
#   scripts/test-under-load.sh [ROUNDS]      (default 10; needs a build with the tests: scripts/test.sh)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/data-dir.sh"
rounds=${1:-10}
[ -d "$root/build/tests/widgets" ] || { echo "test-under-load: build the tests first (bash scripts/test.sh)" >&2; exit 2; }

# One busy loop per core, niced like nothing: the tests get no more than their share.
busy=()
for ((c = 0; c < $(nproc); ++c)); do
  (while :; do :; done) &
  busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT
echo "test-under-load: $(nproc) busy loops beside the widget tests, $rounds rounds"

passed=0
cd "$root/build"
for ((r = 1; r <= rounds; ++r)); do
  start=$(date +%s)
  if ctest -L widgets --output-on-failure >"$root/build/under-load-$r.log" 2>&1; then
    passed=$((passed + 1))
    echo "round $r: passed ($(($(date +%s) - start)) s)"
  else
    echo "round $r: FAILED ($(($(date +%s) - start)) s); see build/under-load-$r.log"
    grep -E "Failed|\*\*\*" "$root/build/under-load-$r.log" | head -5
  fi
done
echo "$passed of $rounds rounds passed under load"
[ "$passed" -eq "$rounds" ]
