#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, then open the workbench on the bundled demo
# model, ready to start a search. Where there is no display, it runs a short demo search headless
# instead and writes the experiment file and its figures, saying where.
#   scripts/run.sh [experiment files to open]
#   scripts/run.sh eval [invx eval options]   # WikiText-2 perplexity (default: the demo model)
# Data sets are looked up under $INVX_DATA (default: ../shared/data beside the project).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" -DINVX_BUILD_TESTS=OFF
source "$root/scripts/data-dir.sh"
invx="$root/build/app/invx"
workbench="$root/build/app/workbench/invx-workbench"
demo="$root/resources/models/opt-demo"

if [ "${1:-}" = "eval" ]; then
  shift
  args=("$@")
  given() { [[ " ${args[*]-} " == *" $1 "* || " ${args[*]-} " == *" $1="* ]]; }
  given --data || args+=(--data wikitext2)
  given --model || args=(--model "$demo" "${args[@]}")
  exec "$invx" eval "${args[@]}"
fi

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$workbench" "$@"
fi

# No display: a short search on the demo model (the workbench's demo preset, 200 steps), then its
# figures through the workbench's exporter.
out="$root/out/demo-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "run.sh: no display (DISPLAY is not set), so no window: running a 200-step demo search headless" >&2
"$invx" search --model "$demo" --preset demo --steps 200 --out "$out/demo-search.h5"
"$workbench" --export "$out/demo-search.h5" --out "$out/figures" >/dev/null
echo "run.sh: experiment file: $out/demo-search.h5" >&2
echo "run.sh: figures (PDF, SVG, PNG, CSV) and the runs table: $out/figures" >&2
echo "run.sh: open it in the workbench on a machine with a display: build/app/workbench/invx-workbench $out/demo-search.h5" >&2
