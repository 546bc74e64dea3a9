#!/usr/bin/env bash
# Benchmarks (timed; not part of the test suite). Builds first.
#   scripts/bench.sh            # forward pass of the demo model, 8 x 512 tokens, CPU
#   scripts/bench.sh [bench_forward options]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" -DINVX_BUILD_BENCHMARKS=ON >/dev/null
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--model "$root/resources/models/opt-demo" --batch 8 --seq 512 --repeat 9)
"$root/build/benchmarks/bench_forward" "${args[@]}"
