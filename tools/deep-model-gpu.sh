#!/usr/bin/env bash
# AWQ and GPTQ + InvarExplore on a deeper model than the 3-layer demo, in one device call each:
# trains a 12-layer model (OPT-125m's depth; hidden 384, FFN 1536) with the demo model's recipe
# (tools/train_demo_model.py: same tokenizer, data and seed, --layers 12, 2,000 steps, about 3
# minutes; GPU training is not bit-reproducible, so each call's model differs a little and each
# call measures its own baselines), then runs one table on it. Every setting is fixed here, none
# chosen on the test set.
#   bash tools/deep-model-gpu.sh OUTDIR tables [STEPS [SEARCH OPTIONS]]
#       FP16, RTN, AWQ and GPTQ alone; searches with the paper's settings over GPTQ at 2 and 3 bits
#       (seeds 0, 1, 2) and AWQ (seed 0), STEPS steps (default 2000); the GPTQ seed-0 runs resumed
#       to twice as many steps if the call has time left.
#   bash tools/deep-model-gpu.sh OUTDIR disjoint [STEPS [SEARCH OPTIONS]]
#       GPTQ calibrated on c4 (as GPTQ's own code does), searched with the search's batch drawn
#       from c4 too (the first 32 of GPTQ's blocks, invx's default) or from wikipedia (disjoint
#       from GPTQ's, as in the paper, whose search calibrates on the Pile), at 2 and 3 bits; each
#       search twice, evaluated on WikiText-2 valid (to choose by) and on WikiText-2 test.
#   bash tools/deep-model-gpu.sh OUTDIR perrow [STEPS [SEARCH OPTIONS]]
#       GPTQ with one group per row (--group -1) and searches over it at 2 and 3 bits, seeds 0, 1,
#       2: whether the gain needs a base far from full precision (in the paper GPTQ at 2 bits,
#       group 128, has 4 times OPT-13B's full-precision perplexity; 1.5 times here).
# Carry .gpu-carry and .gpu-data holding wikitext-2-raw/, wikipedia/, c4/, wikitext-2.tar.xz and
# gutenberg.tar.xz (docs/base-methods.md). The model (50 MB) stays on the device machine; the
# training log and every run's log and summary come back in OUTDIR/results.tar.gz, and the
# figures are printed.
set -uo pipefail
final=${1:?usage: deep-model-gpu.sh OUTDIR tables|disjoint|perrow [STEPS]}
which=${2:?usage: deep-model-gpu.sh OUTDIR tables|disjoint|perrow [STEPS]}
steps=${3:-2000}
shift $(($# < 3 ? $# : 3))
extra=("$@")  # more search options for every search of the table (e.g. --swap-frac 0.02)
export PYTHONUNBUFFERED=1
out=$final/work
mkdir -p "$out"
pack() { tar -czf "$final/results.tar.gz" -C "$out" --exclude='*.h5' .; }
trap pack EXIT
for t in wikitext-2 gutenberg; do [ -d .gpu-data/$t ] || tar -xJf .gpu-data/$t.tar.xz -C .gpu-data; done
model=build-deep/opt-deep-12
mkdir -p $model

# Training (GPU) and the build (CPU) at the same time.
python3 tools/train_demo_model.py --data .gpu-data --out $model --layers 12 --steps 2000 --max-minutes 3.5 \
  > "$out/train.log" 2>&1 &
train=$!
source tools/gpu-build-invx.sh
wait $train || { tail -20 "$out/train.log"; exit 1; }
grep -E '^\{' "$out/train.log" | tail -1
cp $model/training.json $model/config.json "$out/"

invx=build-gpu/app/invx
common=(--model $model --device cuda --dtype float16 --threads 2 --json --quiet)
case "$which" in tables|disjoint|perrow) ;; *) echo "deep-model-gpu.sh: unknown table '$which' (tables, disjoint or perrow)"; exit 2 ;; esac
echo "== FP16: $($invx eval "${common[@]}" 2>&1 | tail -1)"
for bits in 2 3; do echo "== RTN $bits-bit: $($invx eval "${common[@]}" --bits $bits --group 128 2>&1 | tail -1)"; done

quantize() {  # NAME METHOD BITS [options]
  local name=$1 method=$2 bits=$3; shift 3
  $invx quantize "${common[@]}" --method $method --bits $bits --out "$out/$name.h5" "$@" > "$out/$name.jsonl" 2> "$out/$name.err" ||
    { echo "== quantize $name failed"; tail -3 "$out/$name.err"; return 1; }
  python3 -c "import json; r=json.loads(open('$out/$name.jsonl').read().splitlines()[-1]); print('== $name alone: CE', r['ce0'], 'perplexity', r['last_evaluation']['perplexity'])"
}
report() {  # NAME
  python3 tools/search_curve.py "$out/$1.jsonl" > "$out/$1.txt"
  echo "== $1"; grep -E "^WikiText|^after|^calibration" "$out/$1.txt"
}
search() {  # NAME BASE [options]
  local name=$1 base=$2; shift 2
  $invx search "${common[@]}" --base-from "$out/$base.h5" --steps $steps --out "$out/$name.h5" "${extra[@]}" "$@" \
    > "$out/$name.jsonl" 2> "$out/$name.err" || { echo "== $name failed"; tail -3 "$out/$name.err"; return 1; }
  report $name
}
case "$which" in
tables)
  for m in gptq awq; do for bits in 2 3; do quantize $m-${bits}bit $m $bits --group 128 & done; done
  wait
  for bits in 2 3; do
    for seed in 0 1 2; do search gptq-${bits}bit-seed$seed gptq-${bits}bit --seed $seed & done
    search awq-${bits}bit-seed0 awq-${bits}bit --seed 0 &
  done
  wait
  # A device call ends at 600 s: resume only with time left, and pack the results before the end.
  left=$((560 - SECONDS))
  [ $left -gt 60 ] || { echo "== no time left to resume (${SECONDS} s used)"; exit 0; }
  for bits in 2 3; do
    name=gptq-${bits}bit-seed0
    cp "$out/$name.jsonl" "$out/$name-first.jsonl"
    { timeout -s INT $left $invx search --resume "$out/$name.h5" --steps $((2 * steps)) --json --quiet > "$out/$name.jsonl" 2> "$out/$name-resume.err" &&
      cat "$out/$name-first.jsonl" "$out/$name.jsonl" > "$out/$name-long.jsonl" && report $name-long; } &
  done
  wait ;;
disjoint)
  valid=.gpu-data/wikitext-2/wiki.valid.tokens
  for bits in 2 3; do quantize gptq-c4-${bits}bit gptq $bits --group 128 --calibration c4 & done
  wait
  for bits in 2 3; do
    for corpus in c4 wikipedia; do
      search gptq-c4-${bits}bit-search-$corpus-valid gptq-c4-${bits}bit --calibration $corpus --eval-data $valid &
      search gptq-c4-${bits}bit-search-$corpus-test gptq-c4-${bits}bit --calibration $corpus &
    done
  done
  wait ;;
perrow)
  for bits in 2 3; do
    echo "== RTN $bits-bit per row: $($invx eval "${common[@]}" --bits $bits --group -1 2>&1 | tail -1)"
    quantize gptq-${bits}bit-row gptq $bits --group -1 &
  done
  wait
  for bits in 2 3; do
    for seed in 0 1 2; do search gptq-${bits}bit-row-seed$seed gptq-${bits}bit-row --seed $seed & done
  done
  wait ;;
esac
