#!/usr/bin/env bash
# Kills a demo search (60 steps, a checkpoint every step, an evaluation every 3 accepted steps,
# snapshots of layer 1) with SIGKILL at KILLS random moments of its run, resumes each, and checks
# that every file opens and every resumed run ends bit-identical to the uninterrupted one
# (timed; not part of the tests). About 15 s a kill on 2 cores.
# With --in-flush, each kill lands inside one of HDF5's flushes instead, tearing the write it
# interrupts (benchmarks/kill-in-flush.c, preloaded).
#   scripts/crash-resume.sh [KILLS] [SEED] [--in-flush]      (default 100 kills, seed 1)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/data-dir.sh"
bash "$root/scripts/build.sh" -DINVX_BUILD_BENCHMARKS=ON >/dev/null
work=$root/out/crash-resume
mkdir -p "$work"
# A short evaluation text (the start of WikiText-2's test split) keeps each evaluation a flush away.
head -c 20000 "$INVX_DATA/wikitext-2-raw/wiki.test.raw" > "$work/eval.txt"
"$root/build/benchmarks/bench_crash_resume" --invx "$root/build/app/invx" --work "$work" --eval-data "$work/eval.txt" \
  --kills "${1:-100}" --seed "${2:-1}" --in-flush "$([ "${3:-}" = --in-flush ] && echo 1 || echo 0)"
