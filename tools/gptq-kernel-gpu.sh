#!/usr/bin/env bash
# GPTQ's CUDA row kernel on the GPU machine: builds everything (tests, benchmarks) against PyTorch's
# CUDA libtorch, runs the test suite there (tst_base_quantizers compares the kernel with the column
# loop bit for bit on CUDA too), times the kernel against the column loop on OPT's FFN shapes, and
# times a GPTQ + search step alone on the demo model (2 bits, group 128, float16, no evaluation).
# Carry .gpu-carry and .gpu-data. Usage (on the GPU machine, project root): bash tools/gptq-kernel-gpu.sh OUTDIR
set -uo pipefail
out=${1:?usage: gptq-kernel-gpu.sh OUTDIR}
source tools/gpu-build-all.sh
build-gpu/tests/core/tst_base_quantizers > "$out/tst_base_quantizers.txt" 2>&1
grep -E "RowKernels|Totals" "$out/tst_base_quantizers.txt"

# Demo model, OPT-1.3B and OPT-13B: fc1 (FFN x hidden) and fc2 (hidden x FFN).
build-gpu/benchmarks/bench_gptq --device cuda --repeat 3 --skip-loop-above 20480 \
  --shapes 1536x384,384x1536,8192x2048,2048x8192,20480x5120,5120x20480 | tee "$out/bench-gptq-cuda.txt"

build-gpu/app/invx search --model resources/models/opt-demo --out /tmp/gptq-step.h5 --base gptq --bits 2 --group 128 \
  --steps 500 --eval-data none --device cuda --dtype float16 --threads 2 --json --quiet > "$out/gptq-step.jsonl" 2> "$out/gptq-step.err"
python3 - "$out/gptq-step.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = next(r for r in rows if r["type"] == "summary")
print(f"GPTQ + search alone: {s['steps']} steps in {s['seconds']:.1f} s, {1e3 * s['seconds'] / s['steps']:.1f} ms/step")
PY
