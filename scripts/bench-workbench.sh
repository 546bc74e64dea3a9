#!/usr/bin/env bash
# The workbench's responsiveness (timed; not part of the tests): redraw time of a plot with
# 1,000,000 points per curve, and the largest GUI event-loop gap while a demo-model search runs.
# Offscreen unless a display is set; for a real X server: xvfb-run -a scripts/bench-workbench.sh
#   scripts/bench-workbench.sh [--seconds 30] [--points 1000000] [--curves 3] [--redraws 40]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/data-dir.sh"
bash "$root/scripts/build.sh" -DINVX_BUILD_BENCHMARKS=ON >/dev/null
"$root/build/benchmarks/bench_workbench" "$@"
