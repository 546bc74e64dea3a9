#!/usr/bin/env bash
# The demo model's tables for AWQ/GPTQ + InvarExplore (docs/base-methods.md, README): searches at 2
# and 3 bits, group 128, on CUDA float16, calibration from wikipedia (32 x 512 for the search,
# 128 x 512 for the base method). The runs of a table go in parallel (the demo model leaves the GPU
# mostly idle, so their step times are not benchmarks). Each run's log, experiment file and summary
# (tools/search_curve.py) land in OUTDIR/NAME.{jsonl,h5,txt}; the lines printed here are the figures.
#   bash tools/base-tables-gpu.sh OUTDIR awq     # AWQ + search at 2 and 3 bits, and the P/S/R ablation at 2 bits
#   bash tools/base-tables-gpu.sh OUTDIR gptq    # GPTQ + search at 2 and 3 bits
#   bash tools/base-tables-gpu.sh OUTDIR plain   # FP16, RTN, AWQ, GPTQ alone (invx eval)
#   bash tools/base-tables-gpu.sh OUTDIR c128    # AWQ/GPTQ + search at 2 bits with 128 x 512 search calibration
#   bash tools/base-tables-gpu.sh OUTDIR sf02    # AWQ/GPTQ + search at 2 and 3 bits with --swap-frac 0.02
#   bash tools/base-tables-gpu.sh OUTDIR gptq10k # GPTQ + search at 2 and 3 bits, 10,000 steps, --swap-frac 0.02
#   bash tools/base-tables-gpu.sh OUTDIR ablation-sf02  # the P/S/R ablation over AWQ at 2 bits, --swap-frac 0.02
#   bash tools/base-tables-gpu.sh OUTDIR omniquant      # OmniQuant + search at 2 and 3 bits (40 / 20 epochs), --swap-frac 0.02
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/). INVX_MODEL=DIR runs a table on
# another OPT checkpoint (e.g. facebook/opt-1.3b saved with save_pretrained) instead of the demo.
set -uo pipefail
out=${1:?usage: base-tables-gpu.sh OUTDIR awq|gptq|plain|c128|sf02|gptq10k|ablation-sf02|omniquant}
which=${2:?usage: base-tables-gpu.sh OUTDIR awq|gptq|plain|c128|sf02|gptq10k|ablation-sf02|omniquant}
source tools/gpu-build-invx.sh
model=${INVX_MODEL:-resources/models/opt-demo}  # or any OPT checkpoint directory on the device machine
# The documented AWQ figures ran before --awq-precision and --targets existed: float32 arithmetic and
# the unmodified model's targets. AWQ_SETTINGS="" runs today's defaults instead.
awq=${AWQ_SETTINGS---awq-precision float32 --targets original}

run() {  # NAME STEPS [invx search options]
  local name=$1 steps=$2; shift 2
  local log=$out/$name.jsonl  # in OUTDIR, so that a run cut short still leaves its log and experiment
  rm -f "$out/$name.h5"
  build-gpu/app/invx search --model $model --out "$out/$name.h5" --group 128 --steps "$steps" \
    --device cuda --dtype float16 --threads 2 --json --quiet "$@" > "$log" 2> "$out/$name.err" || { echo "== $name failed"; tail -3 "$out/$name.err"; return 1; }
  python3 tools/search_curve.py "$log" > "$out/$name.txt"
  echo "== $name ($*)"; grep -E "^WikiText|^after|^calibration" "$out/$name.txt"
}

case "$which" in
  awq)
    run awq-2bit 10000 --base awq $awq --bits 2 &
    run awq-3bit 10000 --base awq $awq --bits 3 &
    for inv in P S R; do run awq-2bit-$inv 10000 --base awq $awq --bits 2 --invariances $inv & done ;;
  gptq)
    run gptq-2bit 2000 --base gptq --bits 2 &
    run gptq-3bit 2000 --base gptq --bits 3 & ;;
  c128)
    run awq-2bit-c128 10000 --base awq $awq --bits 2 --calibration-samples 128 &
    run gptq-2bit-c128 2000 --base gptq --bits 2 --calibration-samples 128 & ;;
  sf02)  # the step size the RTN sweep (docs/search.md) found best for this 3-layer model
    run gptq-2bit-sf02 2000 --base gptq --bits 2 --swap-frac 0.02 &
    run gptq-3bit-sf02 2000 --base gptq --bits 3 --swap-frac 0.02 &
    run awq-2bit-sf02 10000 --base awq $awq --bits 2 --swap-frac 0.02 &
    run awq-3bit-sf02 10000 --base awq $awq --bits 3 --swap-frac 0.02 & ;;
  gptq10k)  # affordable since GPTQ's CUDA row kernel (tools/gptq-kernel-gpu.sh)
    for bits in 2 3; do run gptq-${bits}bit-sf02-10k 10000 --base gptq --bits $bits --swap-frac 0.02 & done ;;
  omniquant)  # the authors' OPT scripts: 40 epochs at 2 bits, 20 at 3; step 0's evaluation is OmniQuant alone
    run omniquant-2bit-sf02 10000 --base omniquant --epochs 40 --bits 2 --swap-frac 0.02 &
    run omniquant-3bit-sf02 10000 --base omniquant --epochs 20 --bits 3 --swap-frac 0.02 & ;;
  ablation-sf02)
    for inv in P S R; do run awq-2bit-sf02-$inv 10000 --base awq $awq --bits 2 --swap-frac 0.02 --invariances $inv & done ;;
  plain)
    show() { python3 -c "import json,sys; r=json.load(sys.stdin); print(f\"{r['method']} {r.get('bits', 16)}-bit: WikiText-2 PPL {r['ppl']:.2f}\")"; }
    build-gpu/app/invx eval --model $model --device cuda --dtype float16 --json --quiet | show
    for bits in 3 2; do
      for method in rtn awq gptq; do
        build-gpu/app/invx eval --model $model --method $method --bits $bits --group 128 --device cuda --dtype float16 \
          --threads 2 --json --quiet | show
      done
    done ;;
  *) echo "base-tables-gpu.sh: unknown table '$which' (awq, gptq, plain, c128, sf02, gptq10k, ablation-sf02 or omniquant)"; exit 2 ;;
esac
wait
