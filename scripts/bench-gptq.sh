#!/usr/bin/env bash
# GPTQ's row kernels against the reference column loop (timed; not part of the tests). Builds first.
#   scripts/bench-gptq.sh       # CPU, the demo model's fc1 and fc2 (1536x384, 384x1536), 2 bits, group 128
#   scripts/bench-gptq.sh [bench_gptq options]   (--device cuda --shapes 8192x2048,2048x8192 ...)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" -DINVX_BUILD_BENCHMARKS=ON >/dev/null
"$root/build/benchmarks/bench_gptq" "$@"
