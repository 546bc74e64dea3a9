#!/usr/bin/env bash
# AWQ and GPTQ of invx against our plain PyTorch implementations (tools/reference_quantizers.py) on
# the demo model: the same calibration tokens (128 x 512 from wikipedia), WikiText-2 perplexity at
# 3 and 2 bits, group 128, float32 on CUDA. Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/,
# wikipedia/). Usage (GPU machine, project root): bash tools/base-methods-gpu.sh OUTDIR
set -uo pipefail
out=${1:?usage: base-methods-gpu.sh OUTDIR}
source tools/gpu-build-invx.sh
model=resources/models/opt-demo
data=.gpu-data/wikitext-2-raw/wiki.test.raw
for bits in 3 2; do
  for method in awq gptq; do
    precision=; [ $method = awq ] && precision="--awq-precision float32"  # the float32 mirror; float16: awq-precision-gpu.sh
    build-gpu/app/invx eval --model $model --method $method --bits $bits --group 128 --device cuda --dtype float32 $precision \
      --save-calibration "$out/calibration.json" --json --quiet > "$out/invx-$method-$bits.json"
    python3 tools/reference_quantizers.py --model $model --data $data --calibration "$out/calibration.json" \
      --method $method --bits $bits --group 128 --json "$out/torch-$method-$bits.json" > /dev/null
    python3 - "$out/invx-$method-$bits.json" "$out/torch-$method-$bits.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(f"{a['method']} {a['bits']}-bit g{a['group']}: invx {a['ppl']:.3f}  torch {b['ppl']:.3f}  "
      f"difference {100 * (a['ppl'] - b['ppl']) / b['ppl']:+.2f}%")
PY
  done
done
rm -f "$out/calibration.json"
