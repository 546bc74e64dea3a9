#!/usr/bin/env bash
# Builds the core, CLI and tests against PyTorch's CUDA libtorch on the GPU machine, runs the test
# suite there, and checks the forward against transformers (tools/check_hf_parity.py).
# Prerequisites (see docs/development.md): .gpu-carry from ../shared/tools/gpu-carry-prepare.sh and
# .gpu-data holding copies of gpt2/ and wikitext-2-raw/ from the data directory, both carried.
# Usage (on the GPU machine, from the project root): bash tools/gpu-verify.sh [OUTDIR]
set -uo pipefail
out=${1:-${OUT:-/tmp/invx-gpu}}
mkdir -p "$out"
source .gpu-carry/gpu-env.sh
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$out/gpu.txt"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__)' | tee -a "$out/gpu.txt"

cmake -S . -B build-gpu -G Ninja -DINVX_BUILD_GUI=OFF -DINVX_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1 \
  || { tail -40 "$out/cmake.log"; exit 1; }
ninja -C build-gpu > "$out/build.log" 2>&1 || { grep -E "error|FAILED" "$out/build.log" | head -40; exit 1; }

status=0
(cd build-gpu && INVX_DATA="$PWD/../.gpu-data" ctest --output-on-failure) > "$out/ctest.log" 2>&1 || status=1
tail -15 "$out/ctest.log"
grep -E "PASS|SKIP|FAIL" build-gpu/Testing/Temporary/LastTest.log 2>/dev/null | grep -i cuda | head -20
python3 tools/check_hf_parity.py --invx build-gpu/app/invx --device cuda --out "$out/parity.json" \
  > "$out/parity.log" 2>&1 || status=1
cat "$out/parity.log"
exit $status
