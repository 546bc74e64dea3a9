#!/usr/bin/env bash
# The demo model's search run (issue 4) on the GPU machine: builds invx, the tests and the search
# benchmark against PyTorch's CUDA libtorch, runs the tests, times fast vs reference mode on CUDA,
# then runs the search at 2 bits / group 128 over RTN and records it.
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/ copied from the data directory).
# Usage (on the GPU machine, from the project root): bash tools/demo-search-gpu.sh OUTDIR [STEPS]
set -uo pipefail
out=${1:?usage: demo-search-gpu.sh OUTDIR [STEPS]}
steps=${2:-10000}
source tools/gpu-build-all.sh

build-gpu/benchmarks/bench_search --device cuda --dtype float16 --samples 32 --steps 50 --warmup 5 | tee "$out/bench-cuda.txt"

build-gpu/app/invx search --model resources/models/opt-demo --out "$out/demo-rtn-2bit.h5" --bits 2 --group 128 \
  --steps "$steps" --device cuda --dtype float16 --json > "$out/demo-rtn-2bit.jsonl" 2> "$out/demo-rtn-2bit.log"
tail -5 "$out/demo-rtn-2bit.log"
tail -1 "$out/demo-rtn-2bit.jsonl"
