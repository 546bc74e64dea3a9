#!/usr/bin/env bash
# The search step's speed against the published step, on random-weight checkpoints of OPT's shapes
# (docs/performance.md). On the GPU machine, carrying .gpu-carry and .gpu-data (gpt2/, wikipedia/,
# wikitext-2-raw/):
#   bash tools/step-benchmark-gpu.sh OUTDIR [SHAPE...]     (default: opt-125m opt-1.3b opt-13b)
# For each shape: tools/published_step.py makes the checkpoint (kept in /tmp/invx-shapes while the
# machine stays warm) and times the published step and evaluation; bench_step times ours, with a
# Kineto profile of 5 steps, and once more with INVX_FUSED_KERNELS=0 (the step as it was before the
# fused kernels, on the same seed); nvidia-smi, read every 100 ms, gives each run's peak GPU memory.
# tst_cuda and tst_fused_kernels check the kernels first (SKIP_TESTS=1 leaves them out). For
# opt-125m, bench_search also checks that the fast and reference modes take the same decisions in
# float32 on CUDA. Logs, JSON and profile summaries come back in OUTDIR/results.tar.gz; the tables
# of docs/performance.md (tools/published_step.py report) are printed last. The three shapes take
# about 6 minutes with the build on a fresh machine.
set -uo pipefail
final=${1:?usage: step-benchmark-gpu.sh OUTDIR [SHAPE...]}
shift
shapes=("$@")
[ ${#shapes[@]} -gt 0 ] || shapes=(opt-125m opt-1.3b opt-13b)
out=/tmp/step-bench-work
mkdir -p "$out"
pack() { tar -czf "$final/results.tar.gz" -C "$out" --exclude='trace-*.json' .; }
trap pack EXIT
source .gpu-carry/gpu-env.sh
export INVX_DATA="$PWD/.gpu-data" PYTHONUNBUFFERED=1
ckpt=/tmp/invx-shapes

(if [ ! -f build-bench/build.ninja ]; then
   cmake -S . -B build-bench -G Ninja -DINVX_BUILD_GUI=OFF -DINVX_BUILD_TESTS=ON -DINVX_BUILD_BENCHMARKS=ON \
     -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1
 fi
 ninja -C build-bench bench_step bench_search tst_cuda tst_fused_kernels > "$out/build.log" 2>&1) &
build=$!
for s in "${shapes[@]}"; do
  [ -f $ckpt/$s/model.safetensors ] ||
    python3 tools/published_step.py make $s $ckpt/$s --tokenizer .gpu-data/gpt2 >> "$out/make.log" 2>&1 ||
    { tail -20 "$out/make.log"; exit 1; }
done
wait $build || { grep -E "error|FAILED" "$out/build.log" | head -30; exit 1; }
if [ -z "${SKIP_TESTS:-}" ]; then
  echo "== the kernels against their CPU twins and the tensor operations"
  for t in tst_cuda tst_fused_kernels; do
    build-bench/tests/core/$t > "$out/$t.log" 2>&1; grep -E "^(FAIL|Totals)" -A2 "$out/$t.log"
  done
fi

# NAME COMMAND...: runs it while nvidia-smi samples the memory in use; NAME.gpu holds the reading
# before it started and the highest one while it ran (MiB).
with_gpu_peak() {
  local name=$1; shift
  local idle; idle=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$out/$name.smi" &
  local smi=$!
  "$@"
  local rc=$?
  kill $smi; wait $smi 2>/dev/null
  echo "$idle $(sort -n "$out/$name.smi" | tail -1)" > "$out/$name.gpu"
  return $rc
}

for s in "${shapes[@]}"; do
  echo "== $s: published step"
  with_gpu_peak published-$s python3 tools/published_step.py step $ckpt/$s > "$out/published-$s.json" 2> "$out/published-$s.err" ||
    tail -5 "$out/published-$s.err"
  tail -1 "$out/published-$s.json"
  echo "== $s: invx without the fused kernels (INVX_FUSED_KERNELS=0)"
  INVX_FUSED_KERNELS=0 build-bench/benchmarks/bench_step --model $ckpt/$s --label $s --eval none > "$out/unfused-$s.log" 2>&1 ||
    tail -5 "$out/unfused-$s.log"
  grep '^bench_step:' "$out/unfused-$s.log"
  echo "== $s: invx"
  with_gpu_peak invx-$s build-bench/benchmarks/bench_step --model $ckpt/$s --label $s --profile-steps 5 \
    --profile "$out/trace-$s.json" > "$out/invx-$s.log" 2>&1 || tail -5 "$out/invx-$s.log"
  grep '^bench_step:' "$out/invx-$s.log"
  [ -f "$out/trace-$s.json" ] && python3 tools/published_step.py profile-top "$out/trace-$s.json" > "$out/top-$s.json"
  if [ $s = opt-125m ]; then
    echo "== $s: fast and reference modes, float32 on CUDA"
    build-bench/benchmarks/bench_search --model $ckpt/$s --device cuda --dtype float32 --samples 32 --steps 20 \
      > "$out/decisions-$s.log" 2>&1
    tail -8 "$out/decisions-$s.log"
  fi
done
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,power.draw,temperature.gpu --format=csv > "$out/gpu.txt"
python3 tools/published_step.py report "$out" | tee "$out/report.md"
