#!/usr/bin/env bash
# The reasoning tasks on the GPU machine (docs/protocols.md, README): the demo model's six 5-shot
# accuracies (full precision, RTN/AWQ/GPTQ at 2 and 3 bits, group 128; CUDA float16), timed, and
# the parity of invx's log-likelihoods with transformers (tools/task_parity.py) on the demo model
# and on a random model of OPT-125m's shape, both in float32.
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/, tasks/ copied from the data
# directory). Usage (on the GPU machine, from the project root):
#   bash tools/tasks-gpu.sh OUTDIR evals [NAME...]  # the demo model's table (names: fp16, rtn-2bit, ..., gptq-3bit)
#   bash tools/tasks-gpu.sh OUTDIR parity    # invx against transformers, request by request
set -uo pipefail
out=${1:?usage: tasks-gpu.sh OUTDIR evals|parity}
which=${2:?usage: tasks-gpu.sh OUTDIR evals|parity}
only="${*:3}"
source tools/gpu-build-invx.sh
demo=resources/models/opt-demo

evaluate() {  # NAME [invx eval options]
  local name=$1; shift
  local start=$(date +%s.%N)
  [ -n "$only" ] && [[ " $only " != *" $name "* ]] && return 0
  build-gpu/app/invx eval --tasks all --device cuda --dtype float16 --json --quiet "$@" > "$out/tasks-$name.json" 2> /tmp/tasks-$name.err \
    || { echo "== $name failed"; tail -3 /tmp/tasks-$name.err; return 1; }
  python3 - "$out/tasks-$name.json" "$name" "$start" <<'PY'
import json, sys, time
j = json.load(open(sys.argv[1]))
cells = " ".join(f"{t['task']} {100 * t['acc']:.2f}" for t in j["tasks"])
print(f"== {sys.argv[2]}: {cells} | average {100 * j['average_acc']:.2f} | {time.time() - float(sys.argv[3]):.1f} s")
PY
}

case $which in
  evals)
    evaluate fp16 --model $demo
    for bits in 2 3; do
      evaluate rtn-${bits}bit --model $demo --bits $bits --group 128
      evaluate awq-${bits}bit --model $demo --method awq --bits $bits --group 128
      evaluate gptq-${bits}bit --model $demo --method gptq --bits $bits --group 128
    done
    ;;
  parity)
    build-gpu/app/invx eval --model $demo --tasks all --limit 200 --device cuda --dtype float32 --json --quiet \
      --save-requests "$out/parity-demo.jsonl" > "$out/parity-demo.json"
    python3 tools/task_parity.py --model $demo --requests "$out/parity-demo.jsonl" --invx-json "$out/parity-demo.json" | tee "$out/parity-demo.txt"
    # A random model of OPT-125m's shape with the GPT-2 tokenizer (OPT's), built with transformers.
    python3 - "$out/opt-125m-random" <<'PY'
import shutil, sys, torch
from transformers import OPTConfig, OPTForCausalLM
torch.manual_seed(0)
model = OPTForCausalLM(OPTConfig()).eval()  # OPT-125m: 12 layers, hidden 768, FFN 3072, vocabulary 50272
with torch.no_grad():
    for name, p in model.named_parameters():  # wider than the default init, so that choices differ
        if "embed_tokens" in name: p.copy_(0.1 * torch.randn_like(p))
        elif "layer_norm" not in name and not name.endswith("bias"): p.copy_(0.05 * torch.randn_like(p))
model.save_pretrained(sys.argv[1])
for f in ("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json"): shutil.copy(f".gpu-data/gpt2/{f}", sys.argv[1])
PY
    build-gpu/app/invx eval --model "$out/opt-125m-random" --tasks all --limit 50 --device cuda --dtype float32 --json --quiet \
      --save-requests "$out/parity-125m.jsonl" > "$out/parity-125m.json"
    python3 tools/task_parity.py --model "$out/opt-125m-random" --requests "$out/parity-125m.jsonl" --invx-json "$out/parity-125m.json" | tee "$out/parity-125m.txt"
    rm -rf "$out/opt-125m-random"
    ;;
  *) echo "unknown part '$which' (evals, parity)"; exit 2 ;;
esac
