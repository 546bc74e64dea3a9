#!/usr/bin/env bash
# The demo model's search run (issue 4) on the GPU machine: builds invx, the tests and the search
# benchmark against PyTorch's CUDA libtorch, runs the tests, times fast vs reference mode on CUDA,
# then runs the search at 2 bits / group 128 over RTN and records it.
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/ copied from the data directory).
# Usage (on the GPU machine, from the project root): bash tools/demo-search-gpu.sh OUTDIR [STEPS]
set -uo pipefail
out=${1:?usage: demo-search-gpu.sh OUTDIR [STEPS]}
steps=${2:-10000}
mkdir -p "$out"
source .gpu-carry/gpu-env.sh
export INVX_DATA="$PWD/.gpu-data"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"

cmake -S . -B build-gpu -G Ninja -DINVX_BUILD_TESTS=ON -DINVX_BUILD_BENCHMARKS=ON -DCMAKE_BUILD_TYPE=Release \
  > "$out/cmake.log" 2>&1 || { tail -40 "$out/cmake.log"; exit 1; }
ninja -C build-gpu > "$out/build.log" 2>&1 || { grep -E "error|FAILED" "$out/build.log" | head -40; exit 1; }
(cd build-gpu && ctest --output-on-failure) > "$out/ctest.log" 2>&1
tail -20 "$out/ctest.log"

build-gpu/benchmarks/bench_search --device cuda --dtype float16 --samples 32 --steps 50 --warmup 5 | tee "$out/bench-cuda.txt"

build-gpu/app/invx search --model resources/models/opt-demo --out "$out/demo-rtn-2bit.h5" --bits 2 --group 128 \
  --steps "$steps" --device cuda --dtype float16 --json > "$out/demo-rtn-2bit.jsonl" 2> "$out/demo-rtn-2bit.log"
tail -5 "$out/demo-rtn-2bit.log"
tail -1 "$out/demo-rtn-2bit.jsonl"
