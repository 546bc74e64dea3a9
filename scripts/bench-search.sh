#!/usr/bin/env bash
# Search steps per second, fast vs reference mode, on the demo model (timed; not part of the tests).
#   scripts/bench-search.sh            # CPU, 8 x 512 calibration tokens from wikipedia
#   scripts/bench-search.sh [bench_search options]   (--device cuda --samples 32 --steps 50 ...)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/data-dir.sh"
bash "$root/scripts/build.sh" -DINVX_BUILD_BENCHMARKS=ON >/dev/null
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--samples 8 --length 512 --steps 12 --warmup 3)
"$root/build/benchmarks/bench_search" "${args[@]}"
