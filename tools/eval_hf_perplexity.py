#!/usr/bin/env python3
"""WikiText-2 perplexity with Hugging Face transformers, by the protocol invx eval uses (SPEC
section 3): rows joined with "\\n\\n", tokenized once with the model's own tokenizer (BOS prepended
when tokenizer_config.json sets add_bos_token, as OPT's does), non-overlapping 2048-token windows,
NLL = mean CE of 2047 predictions x 2048, PPL = exp(sum NLL / (windows x 2048)).

    python3 tools/eval_hf_perplexity.py --model DIR --data wiki.test.raw [--device cuda]
        [--dtype float32|float16] [--json OUT]
"""
import argparse
import json
import math
import os
import sys

import torch
from transformers import AutoTokenizer, OPTForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_corpus import join_rows, read  # noqa: E402


def tokenize(model_dir, text):
    tok = AutoTokenizer.from_pretrained(model_dir)
    ids = tok(text, add_special_tokens=False).input_ids
    with open(os.path.join(model_dir, "tokenizer_config.json")) as f:
        if json.load(f).get("add_bos_token"):
            ids = [tok.bos_token_id] + ids
    return ids


@torch.no_grad()
def perplexity(model, ids, window=2048):
    n = len(ids) // window
    device = next(model.parameters()).device
    nll = 0.0
    for i in range(n):
        x = torch.tensor(ids[i * window:(i + 1) * window], device=device).unsqueeze(0)
        logits = model(input_ids=x).logits[0, :-1].float()
        nll += torch.nn.functional.cross_entropy(logits, x[0, 1:]).item() * window
    return math.exp(nll / (n * window)), n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True, help="raw WikiText file, e.g. wikitext-2-raw/wiki.test.raw")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    ids = tokenize(args.model, join_rows(read(args.data)))
    model = OPTForCausalLM.from_pretrained(args.model, dtype=getattr(torch, args.dtype)).to(args.device).eval()
    ppl, windows = perplexity(model, ids)
    result = {"ppl": ppl, "tokens": len(ids), "windows": windows, "device": args.device, "dtype": args.dtype}
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
