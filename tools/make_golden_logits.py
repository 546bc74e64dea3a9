#!/usr/bin/env python3
"""Writes the golden fixture for the demo model: the logits that transformers' OPTForCausalLM
computes, in float32 on the CPU, for a fixed sentence tokenized with the model's tokenizer (BOS
first). tests/core/tst_demo_model.cpp checks that invx reproduces them.

    python3 tools/make_golden_logits.py --model resources/models/opt-demo \\
        --out tests/fixtures/opt-demo-golden.safetensors
"""
import argparse

import torch
from safetensors.torch import save_file
from transformers import AutoTokenizer, OPTForCausalLM

SENTENCE = " The tower is 324 metres ( 1 @,@ 063 ft ) tall , about the same height as an 81 @-@ storey building ."


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    tok = AutoTokenizer.from_pretrained(args.model)
    ids = [tok.bos_token_id] + tok(SENTENCE, add_special_tokens=False).input_ids
    model = OPTForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    x = torch.tensor([ids])
    with torch.no_grad():
        logits = model(input_ids=x).logits.float()
    save_file({"ids": x.to(torch.int64), "logits": logits.contiguous()}, args.out,
              metadata={"sentence": SENTENCE, "source": "transformers OPTForCausalLM, float32, CPU"})
    print(f"wrote {args.out}: {len(ids)} tokens, logits {tuple(logits.shape)}")


if __name__ == "__main__":
    main()
