#!/usr/bin/env python3
"""Checks `invx eval --tasks` against transformers: every request's log-likelihood and every task's
accuracy, recomputed in Python with our own implementation of lm-evaluation-harness's rules.

Reads the requests invx scored (`invx eval --tasks ... --save-requests FILE`: task, item, choice,
gold, context, continuation, norm_length, loglikelihood per line), tokenizes each as the harness's
`_encode_pair` does with the model's Hugging Face tokenizer (trailing whitespace of the context moves
to the continuation; the continuation's tokens are those of tokenize(context + continuation) after
tokenize(context); no special tokens), keeps the last max_positions + 1 tokens, runs
OPTForCausalLM in float32 one request at a time, and sums the continuation's log-probabilities.
Then acc (argmax of log-likelihood, ties to the first) and acc_norm (of log-likelihood / norm_length)
per task from the Python log-likelihoods, against invx's.

    python3 tools/task_parity.py --model DIR --requests FILE [--invx-json FILE] [--device cuda]
Exit status 0 when every |difference| <= --tolerance (1e-4) and every accuracy is equal.
"""
import argparse
import json
import sys
from collections import defaultdict

import torch
from transformers import AutoTokenizer, OPTForCausalLM


def encode_pair(tokenizer, context, continuation):
    n = len(context) - len(context.rstrip())
    if n:
        continuation = context[-n:] + continuation
        context = context[:-n]
    whole = tokenizer(context + continuation, add_special_tokens=False)["input_ids"]
    ctx = tokenizer(context, add_special_tokens=False)["input_ids"]
    return ctx, whole[len(ctx):]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--requests", required=True)
    p.add_argument("--invx-json", help="invx eval --tasks --json output, to compare its accuracies too")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--tolerance", type=float, default=1e-4)
    args = p.parse_args()

    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = OPTForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32).to(args.device).eval()
    max_len = model.config.max_position_embeddings
    rows = [json.loads(line) for line in open(args.requests)]

    worst, worst_row = 0.0, None
    per_task = defaultdict(lambda: defaultdict(dict))  # task -> item -> choice -> (ll_py, ll_invx, norm, gold)
    with torch.no_grad():
        for r in rows:
            ctx, cont = encode_pair(tokenizer, r["context"], r["continuation"])
            tokens = (ctx + cont)[-(max_len + 1):]
            inp = torch.tensor([tokens[:-1]], device=args.device)
            logp = torch.log_softmax(model(inp).logits[0].float(), -1)
            k = len(cont)
            targets = torch.tensor(tokens[-k:], device=args.device)
            ll = float(logp[-k:].gather(-1, targets[:, None]).double().sum())
            diff = abs(ll - r["loglikelihood"])
            if diff > worst:
                worst, worst_row = diff, r
            per_task[r["task"]][r["item"]][r["choice"]] = (ll, r["loglikelihood"], r["norm_length"], r["gold"])

    invx_acc = {}
    if args.invx_json:
        for t in json.load(open(args.invx_json))["tasks"]:
            invx_acc[t["task"]] = (t["acc"], t["acc_norm"])

    ok = worst <= args.tolerance
    print(f"{len(rows)} requests; largest |log-likelihood difference| {worst:.3g}"
          + (f" (task {worst_row['task']}, item {worst_row['item']}, choice {worst_row['choice']})" if worst_row else ""))
    print(f"{'task':14} {'items':>6} {'acc py':>8} {'acc invx':>9} {'norm py':>8} {'norm invx':>10}")
    for task, items in per_task.items():
        acc = [0, 0, 0, 0]  # python acc, invx acc, python norm, invx norm (counts)
        for item in items.values():
            choices = [item[c] for c in sorted(item)]
            gold = choices[0][3]
            for which in (0, 1):
                lls = [c[which] for c in choices]
                best = max(range(len(lls)), key=lambda i: (lls[i], -i))
                norm = [c[which] / c[2] for c in choices]
                best_norm = max(range(len(norm)), key=lambda i: (norm[i], -i))
                acc[which] += best == gold
                acc[2 + which] += best_norm == gold
        n = len(items)
        a = [x / n for x in acc]
        line = f"{task:14} {n:6d} {a[0]:8.4f} {a[1]:9.4f} {a[2]:8.4f} {a[3]:10.4f}"
        if task in invx_acc:
            reported = invx_acc[task]
            line += f"   invx reported {reported[0]:.4f} / {reported[1]:.4f}"
            ok = ok and abs(reported[0] - a[0]) < 1e-12 and abs(reported[1] - a[2]) < 1e-12
        ok = ok and acc[0] == acc[1] and acc[2] == acc[3]
        print(line)
    print("parity:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
