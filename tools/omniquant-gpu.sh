#!/usr/bin/env bash
# OmniQuant of invx against the plain PyTorch reference (tools/omniquant_reference.py) on the GPU.
#   parity: MODEL (demo: the demo model; opt-125m: a random-weight OPT-125m-shaped model), 3 and 2
#           bits, group 128, the same calibration tokens (invx eval --save-calibration), EPOCHS
#           (default 20 at 3 bits and 40 at 2 bits, as the authors' OPT scripts) over SAMPLES
#           calibration sequences (default 128), PRECISION float16 (default: invx's float16 step
#           against the reference's float16 autocast, as the authors train) or float32 (both in
#           float32); WikiText-2 perplexity of both and their block losses.
#   speed:  OPT-1.3B and OPT-13B shapes (random weights, 2 blocks), 2 bits, group 128, SAMPLES x 2048
#           calibration tokens (default 32), EPOCHS (default 1): seconds per block-epoch and peak GPU
#           memory of invx (float16 and float32 steps) and of the reference (float32, and float16
#           autocast as the authors train).
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/).
# Usage (GPU machine, project root): bash tools/omniquant-gpu.sh parity OUTDIR demo|opt-125m [EPOCHS [SAMPLES [PRECISION]]]
#                                    bash tools/omniquant-gpu.sh speed OUTDIR [EPOCHS [SAMPLES]]
set -uo pipefail
usage="usage: omniquant-gpu.sh parity OUTDIR demo|opt-125m [EPOCHS [SAMPLES [PRECISION]]] | speed OUTDIR [EPOCHS [SAMPLES]]"
mode=${1:?$usage}
out=${2:?$usage}
source tools/gpu-build-invx.sh
data=.gpu-data/wikitext-2-raw/wiki.test.raw
invx=build-gpu/app/invx

compare() {  # invx's --json and stderr log against the reference's JSON
  python3 - "$@" <<'PY'
import json, re, sys
a, log, b = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), json.load(open(sys.argv[3]))
ours = {}
for m in re.finditer(r"block (\d+) of \d+, epoch (\d+) of \d+, loss ([0-9.eE+-]+)", log):
    ours.setdefault(int(m.group(1)), {})[int(m.group(2))] = float(m.group(3))
line = f"{sys.argv[4]}: invx {a['ppl']:.3f}"
if "ppl" in b:
    line += f"  torch {b['ppl']:.3f}  difference {100 * (a['ppl'] - b['ppl']) / b['ppl']:+.2f}%"
print(line)
for i, losses in enumerate(b["block_losses"], 1):
    if losses and i in ours:
      e = len(losses)
      print(f"  block {i}: loss epoch 1 invx {ours[i].get(1, float('nan')):.5g} torch {losses[0]:.5g}; "
            f"epoch {e} invx {ours[i].get(e, float('nan')):.5g} torch {losses[-1]:.5g}")
PY
}

peak() {  # runs the command line $1 and prints the peak memory in use on the GPU while it ran
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$out/memory.txt" 2> /dev/null &
  local sampler=$!
  bash -c "$1"
  kill $sampler; wait $sampler 2> /dev/null
  echo "    peak GPU memory in use (nvidia-smi, the whole device): $(sort -n "$out/memory.txt" | tail -1) MiB"
}

if [ "$mode" = parity ]; then
  model=resources/models/opt-demo
  if [ "${3:?$usage}" = opt-125m ]; then
    model=$out/opt-125m-random
    python3 tools/published_step.py make opt-125m "$model" --tokenizer .gpu-data/gpt2 > /dev/null
  fi
  name=$(basename "$model")
  precision=${6:-float16}
  amp=$([ "$precision" = float16 ] && echo --amp || true)
  for bits in 3 2; do
    epochs=${4:-$([ $bits = 2 ] && echo 40 || echo 20)}
    $invx eval --model "$model" --method omniquant --epochs "$epochs" --bits $bits --group 128 --device cuda \
      --base-calibration-samples "${5:-128}" --dtype float32 --omniquant-precision "$precision" \
      --save-calibration "$out/calibration.json" --json > "$out/invx-$name-$bits.json" 2> "$out/invx-$name-$bits.log"
    python3 tools/omniquant_reference.py --model "$model" --calibration "$out/calibration.json" --bits $bits \
      --group 128 --epochs "$epochs" $amp --data $data --json "$out/torch-$name-$bits.json" --quiet > /dev/null
    compare "$out/invx-$name-$bits.json" "$out/invx-$name-$bits.log" "$out/torch-$name-$bits.json" \
      "$name omniquant ${bits}-bit g128, $epochs epochs, ${5:-128} sequences, $precision"
  done
  rm -rf "$out/opt-125m-random" "$out/calibration.json"
else
  epochs=${3:-1}
  samples=${4:-32}
  for shape in opt-1.3b opt-13b; do
    python3 tools/published_step.py make $shape "$out/$shape" --tokenizer .gpu-data/gpt2 --layers 2 > /dev/null
    # invx's progress lines, time-stamped: the time between two epochs' lines is one block-epoch.
    for precision in float16 float32; do
      peak "$invx eval --model $out/$shape --method omniquant --epochs $epochs --bits 2 --group 128 --device cuda \
        --base-calibration-samples $samples --calibration-length 2048 --eval-windows 1 --omniquant-precision $precision \
        --save-calibration $out/calibration.json --json 2>&1 > /dev/null | python3 -u tools/omniquant_timing.py 'invx $precision'"
    done
    for amp in "" --amp; do
      peak "python3 tools/omniquant_reference.py --model $out/$shape --calibration $out/calibration.json --bits 2 \
        --group 128 --epochs $epochs $amp --quiet 2>/dev/null | python3 tools/omniquant_timing.py reference"
    done
    echo "  ($shape shape, 2 blocks, $samples x 2048 calibration tokens, $epochs epoch(s), 2 bits, group 128)"
    rm -rf "${out:?}/$shape" "$out/calibration.json"
  done
fi
