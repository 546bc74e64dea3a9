#!/usr/bin/env bash
# AWQ in float16 as its authors' code (llm-awq) runs it, against our plain PyTorch mirror of that
# code (tools/reference_quantizers.py --awq-precision float16: the model, the searches, the folds and
# the final rounding all in float16), on the demo model with the same 128 x 512 calibration tokens;
# WikiText-2 perplexity at 3 and 2 bits, group 128, one GPU, float16 evaluation. Also measured:
# invx --awq-precision float32 (what invx did before), and the mirror with its last rounding in
# float32 (how much that rounding alone moves perplexity).
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/).
# Usage (GPU machine, project root): bash tools/awq-precision-gpu.sh OUTDIR
set -uo pipefail
out=${1:?usage: awq-precision-gpu.sh OUTDIR}
source tools/gpu-build-invx.sh
model=resources/models/opt-demo
data=.gpu-data/wikitext-2-raw/wiki.test.raw
invx=build-gpu/app/invx
start=$(date +%s)
timed() { local file=$1 t0; shift; t0=$(date +%s.%N); "$@"; python3 -c "print(f'{$(date +%s.%N) - $t0:.1f} s')" > "$file"; }
for bits in 3 2; do
  # The calibration tokens first, then everything for this bit width in parallel.
  timed "$out/time-invx-float16-$bits.txt" $invx eval --model $model --method awq --bits $bits --group 128 --device cuda --dtype float16 \
    --awq-precision float16 --save-calibration "$out/calibration.json" --json --quiet > "$out/invx-float16-$bits.json"
  $invx eval --model $model --method awq --bits $bits --group 128 --device cuda --dtype float16 \
    --awq-precision float32 --json --quiet > "$out/invx-float32-$bits.json" &
  timed "$out/time-torch-float16-$bits.txt" python3 tools/reference_quantizers.py --model $model --data $data --calibration "$out/calibration.json" \
    --method awq --awq-precision float16 --bits $bits --group 128 --json "$out/torch-float16-$bits.json" > /dev/null &
  python3 tools/reference_quantizers.py --model $model --data $data --calibration "$out/calibration.json" \
    --method awq --awq-precision float16 --rtn-float32 --bits $bits --group 128 \
    --json "$out/torch-float16-rtn32-$bits.json" > /dev/null &
  wait
done
echo "wall: $(( $(date +%s) - start )) s"
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
load = lambda name: json.load(open(os.path.join(out, name)))
print("| bits | llm-awq arithmetic (PyTorch, float16) | invx --awq-precision float16 | difference "
      "| invx --awq-precision float32 | PyTorch float16, last rounding in float32 |")
print("| --- | --- | --- | --- | --- | --- |")
for bits in (3, 2):
    ref, f16, f32, r32 = (load(f"{k}-{bits}.json")["ppl"] for k in ("torch-float16", "invx-float16", "invx-float32", "torch-float16-rtn32"))
    print(f"| {bits} | {ref:.2f} | {f16:.2f} | {100 * (f16 - ref) / ref:+.2f}% | {f32:.2f} | {r32:.2f} |")
PY
for f in "$out"/time-*.txt; do echo "$(basename "$f" .txt): $(cat "$f")"; done
# Everything in one archive (the GPU machine returns few files).
(cd "$out" && tar -czf awq-precision.tar.gz --remove-files ./*.json ./*.txt ./*.log 2>/dev/null)
