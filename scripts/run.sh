#!/usr/bin/env bash
# The main job, from a fresh clone: install, build, then measure WikiText-2 perplexity with invx eval.
# Usage: scripts/run.sh [--model PATH|ID] [other invx eval options]
# Without --model it evaluates the bundled demo model when present. Data sets are looked up under
# $INVX_DATA (default: ../shared/data beside the project).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" -DINVX_BUILD_TESTS=OFF
source "$root/scripts/data-dir.sh"
args=("$@")
given() { [[ " ${args[*]-} " == *" $1 "* || " ${args[*]-} " == *" $1="* ]]; }
given --data || args+=(--data wikitext2)
if ! given --model; then
  demo="$root/resources/models/opt-demo"
  if [ ! -f "$demo/config.json" ]; then
    echo "run.sh: no --model given and no bundled demo model at $demo" >&2
    echo "usage: scripts/run.sh --model PATH|HF_ID [invx eval options]" >&2
    exit 2
  fi
  args=(--model "$demo" "${args[@]}")
fi
"$root/build/app/invx" eval "${args[@]}"
