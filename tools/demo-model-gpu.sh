#!/usr/bin/env bash
# The demo model's recipe on the GPU machine, in two steps that each fit one device call:
#   bash tools/demo-model-gpu.sh train OUTDIR [train options]   # tokenizer + model -> resources/models/opt-demo
#   bash tools/demo-model-gpu.sh evaluate OUTDIR                # transformers and invx perplexities, golden fixture
# Needs .gpu-carry (see tools/gpu-verify.sh) and .gpu-data holding wikitext-2/, wikitext-2-raw/ and
# gutenberg/ (or gutenberg.tar.xz) copied from the data directory. Results are packed into
# OUTDIR/results.tar, and the trained weights split into parts under 16 MB (few files travel back).
set -euo pipefail
mode=$1 final=$2; shift 2
export PYTHONUNBUFFERED=1
model=resources/models/opt-demo
out=$(mktemp -d)

if [ "$mode" = train ]; then
  [ -d .gpu-data/gutenberg ] || tar -xJf .gpu-data/gutenberg.tar.xz -C .gpu-data
  python3 tools/train_demo_model.py --data .gpu-data --out $model "$@" 2>&1 | tee "$out/train.log"
  rm -f $model/generation_config.json
  cp $model/*.json $model/merges.txt "$out/"
  split -b 15M $model/model.safetensors "$final/model.safetensors.part-"
elif [ "$mode" = evaluate ]; then
  raw=.gpu-data/wikitext-2-raw/wiki.test.raw
  mkdir -p tests/fixtures
  python3 tools/make_golden_logits.py --model $model --out tests/fixtures/opt-demo-golden.safetensors
  cp tests/fixtures/opt-demo-golden.safetensors "$out/"
  for dt in float32 float16; do
    python3 tools/eval_hf_perplexity.py --model $model --data $raw --device cuda --dtype $dt --json "$out/hf-cuda-$dt.json"
  done
  python3 tools/eval_hf_perplexity.py --model $model --data $raw --device cpu --dtype float32 --json "$out/hf-cpu-float32.json"
  source .gpu-carry/gpu-env.sh
  cmake -S . -B build-gpu -G Ninja -DINVX_BUILD_GUI=OFF -DINVX_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1
  ninja -C build-gpu invx bench_forward > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
  export INVX_DATA=$PWD/.gpu-data
  {
    for dt in float32 float16; do build-gpu/app/invx eval --model $model --device cuda --dtype $dt --json --quiet; done
    for b in 2 3; do build-gpu/app/invx eval --model $model --device cuda --dtype float32 --bits $b --group 128 --json --quiet; done
  } | tee "$out/invx-eval.jsonl"
  build-gpu/app/invx tokenize --tokenizer $model --input $raw | wc -w > "$out/raw-file-token-count.txt"
  build-gpu/benchmarks/bench_forward --model $model --device cuda --batch 8 --seq 512 | tee "$out/bench-cuda.json"
else
  echo "usage: $0 train|evaluate OUTDIR" >&2
  exit 2
fi
tar -cf "$final/results.tar" -C "$out" .
ls -la "$final"
