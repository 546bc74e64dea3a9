#!/usr/bin/env bash
# The demo model's tables for AWQ/GPTQ + InvarExplore (docs/search.md, README): searches at 2 and
# 3 bits, group 128, on CUDA float16, calibration from wikipedia (32 x 512 for the search, 128 x 512
# for the base method). Each run's summary (tools/search_curve.py) lands in OUTDIR/NAME.txt.
#   bash tools/base-tables-gpu.sh OUTDIR awq     # AWQ + search at 2 and 3 bits, and the P/S/R ablation at 2 bits
#   bash tools/base-tables-gpu.sh OUTDIR gptq    # GPTQ + search at 2 and 3 bits
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/).
set -uo pipefail
out=${1:?usage: base-tables-gpu.sh OUTDIR awq|gptq}
which=${2:?usage: base-tables-gpu.sh OUTDIR awq|gptq}
source tools/gpu-build-invx.sh

run() {  # NAME STEPS [invx search options]
  local name=$1 steps=$2; shift 2
  local log=/tmp/$name.jsonl
  rm -f /tmp/$name.h5
  build-gpu/app/invx search --model resources/models/opt-demo --out /tmp/$name.h5 --group 128 --steps "$steps" \
    --device cuda --dtype float16 --json "$@" > "$log" 2> /tmp/$name.err || { tail -3 /tmp/$name.err; return 1; }
  python3 tools/search_curve.py "$log" > "$out/$name.txt"
  echo "== $name ($*)"; grep -E "^WikiText|^after|^calibration" "$out/$name.txt"
}

if [ "$which" = awq ]; then
  run awq-2bit 10000 --base awq --bits 2
  run awq-3bit 10000 --base awq --bits 3
  for inv in P S R; do run awq-2bit-$inv 10000 --base awq --bits 2 --invariances $inv; done
else
  run gptq-2bit 2000 --base gptq --bits 2
  run gptq-3bit 2000 --base gptq --bits 3
fi
