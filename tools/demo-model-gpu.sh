#!/usr/bin/env bash
# On the GPU machine: train the demo model, evaluate it with transformers and with invx (CUDA),
# write the golden fixture, and leave everything under OUTDIR (the model split in <16 MB parts).
# Needs .gpu-carry (see tools/gpu-verify.sh) and .gpu-data holding wikitext-2/, wikitext-2-raw/ and
# gutenberg/ (gutenberg may come as gutenberg.tar.xz).
# Usage: bash tools/demo-model-gpu.sh OUTDIR [train options]
set -euo pipefail
final=$1; shift
out=$(mktemp -d)  # results are packed into $final/results.tar at the end (few files travel back)
export PYTHONUNBUFFERED=1
[ -d .gpu-data/gutenberg ] || tar -xJf .gpu-data/gutenberg.tar.xz -C .gpu-data
model=resources/models/opt-demo
python3 tools/train_demo_model.py --data .gpu-data --out $model "$@" 2>&1 | tee "$out/train.log"
rm -f $model/generation_config.json
mkdir -p tests/fixtures
python3 tools/make_golden_logits.py --model $model --out tests/fixtures/opt-demo-golden.safetensors
raw=.gpu-data/wikitext-2-raw/wiki.test.raw
for dt in float32 float16; do
  python3 tools/eval_hf_perplexity.py --model $model --data $raw --device cuda --dtype $dt --json "$out/hf-$dt.json"
done
python3 tools/eval_hf_perplexity.py --model $model --data $raw --device cpu --dtype float32 --json "$out/hf-cpu-float32.json"

source .gpu-carry/gpu-env.sh
cmake -S . -B build-gpu -G Ninja -DINVX_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release > "$out/cmake.log" 2>&1
ninja -C build-gpu invx bench_forward > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
export INVX_DATA=$PWD/.gpu-data
{
  for dt in float32 float16; do build-gpu/app/invx eval --model $model --device cuda --dtype $dt --json --quiet; done
  build-gpu/app/invx eval --model $model --device cuda --dtype float32 --bits 2 --group 128 --json --quiet
  build-gpu/app/invx eval --model $model --device cuda --dtype float32 --bits 3 --group 128 --json --quiet
} | tee "$out/invx-eval.jsonl"
build-gpu/benchmarks/bench_forward --model $model --device cuda --batch 8 --seq 512 | tee "$out/bench-cuda.json"
build-gpu/app/invx tokenize --tokenizer $model --input $raw | wc -w | tee "$out/raw-token-count.txt"
cp $model/*.json $model/merges.txt tests/fixtures/opt-demo-golden.safetensors "$out/"
tar -cf "$final/results.tar" -C "$out" .
split -b 15M $model/model.safetensors "$final/model.safetensors.part-"
ls -la "$final"
