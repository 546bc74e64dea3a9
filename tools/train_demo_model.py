#!/usr/bin/env python3
"""Trains the bundled demo model (resources/models/opt-demo) from scratch, in one command.

1. A byte-level BPE tokenizer (8,192 tokens, OPT's special tokens <s> <pad> </s> <unk> = 0..3)
   trained with Hugging Face tokenizers on WikiText-2 train plus 30 public-domain books
   (Project Gutenberg header and footer stripped).
2. An OPT model (transformers' OPTForCausalLM: pre-LN, ReLU FFN, learned positions, tied
   embeddings), hidden 384, FFN 1536, 3 layers, 6 heads, context 2048, trained on 2048-token
   windows of the same text, validated on WikiText-2 valid; the best validation checkpoint is kept
   and saved in float16 with save_pretrained.

WikiText text is prepared as the perplexity protocol prepares its test split (rows joined with
"\\n\\n"), so that the model has seen the layout it is evaluated on.

Usage (GPU machine, PyTorch + transformers + tokenizers):
    python3 tools/train_demo_model.py --data DATA_DIR --out resources/models/opt-demo [--steps 5000]
DATA_DIR is laid out like the project's data directory: wikitext-2/wiki.{train,valid}.tokens and
gutenberg/*.txt. Seeded (--seed 0); about 3 minutes on one H200 (longer schedules overfit: a 12,000-step run was best at step 4,000).
"""
import argparse
import copy
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
from tokenizers import ByteLevelBPETokenizer
from transformers import OPTConfig, OPTForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_corpus import books, join_rows, read  # noqa: E402

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
BOS = 2  # OPT prepends </s>


def train_tokenizer(texts, vocab_size, out_dir):
    tok = ByteLevelBPETokenizer(add_prefix_space=False)
    tok.train_from_iterator(texts, vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIALS,
                            show_progress=False)
    tok.save_model(out_dir)  # vocab.json, merges.txt
    added = {str(i): {"content": t, "lstrip": False, "normalized": True, "rstrip": False,
                      "single_word": False, "special": True} for i, t in enumerate(SPECIALS)}
    config = {"add_bos_token": True, "add_prefix_space": False, "added_tokens_decoder": added,
              "bos_token": "</s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
              "errors": "replace", "model_max_length": 2048, "tokenizer_class": "GPT2Tokenizer",
              "clean_up_tokenization_spaces": False}
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out_dir, "special_tokens_map.json"), "w") as f:
        json.dump({"bos_token": "</s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"},
                  f, indent=2)
    return tok


def encode(tok, text):
    return [BOS] + tok.encode(text).ids


@torch.no_grad()
def perplexity(model, ids, window=2048, batch=8):
    """SPEC section 3: non-overlapping windows, NLL = mean CE of 2047 predictions x 2048."""
    n = len(ids) // window
    x = torch.tensor(ids[:n * window], device="cuda").view(n, window)
    nll = 0.0
    for i in range(0, n, batch):
        xb = x[i:i + batch]
        with torch.autocast("cuda", dtype=torch.bfloat16):
            logits = model(input_ids=xb).logits
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].float().reshape(-1, logits.size(-1)),
                                                 xb[:, 1:].reshape(-1), reduction="none")
        nll += (loss.view(xb.size(0), -1).mean(1) * window).sum().item()
    return math.exp(nll / (n * window))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--ffn", type=int, default=1536)
    ap.add_argument("--layers", type=int, default=3)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=32, help="sequences of 2048 tokens per step")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--wiki-weight", type=float, default=2.0, help="oversampling of WikiText-2 train")
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-minutes", type=float, default=0, help="stop early (keeping the best checkpoint) after this long; 0 = never")
    args = ap.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()

    wiki_train = join_rows(read(os.path.join(args.data, "wikitext-2", "wiki.train.tokens")))
    wiki_valid = join_rows(read(os.path.join(args.data, "wikitext-2", "wiki.valid.tokens")))
    book_texts = books(args.data)
    tok = train_tokenizer([wiki_train] + [t for _, t in book_texts], args.vocab, args.out)
    wiki_ids = np.array(encode(tok, wiki_train), dtype=np.int64)
    book_ids = np.array([i for enc in tok.encode_batch([t for _, t in book_texts]) for i in [BOS] + enc.ids],
                        dtype=np.int64)
    valid_ids = encode(tok, wiki_valid)
    print(f"tokenizer: {tok.get_vocab_size()} tokens; train tokens: wiki {len(wiki_ids):,}, books "
          f"{len(book_ids):,}; valid {len(valid_ids):,} ({time.time() - t0:.0f} s)", flush=True)

    config = OPTConfig(vocab_size=args.vocab, hidden_size=args.hidden, num_hidden_layers=args.layers,
                       ffn_dim=args.ffn, num_attention_heads=args.heads, max_position_embeddings=2048,
                       do_layer_norm_before=True, word_embed_proj_dim=args.hidden,
                       activation_function="relu", dropout=args.dropout, attention_dropout=0.0,
                       enable_bias=True, tie_word_embeddings=True, pad_token_id=1, bos_token_id=2,
                       eos_token_id=2)
    model = OPTForCausalLM(config).cuda()
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params:,} parameters", flush=True)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), fused=True)

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, args.steps - args.warmup)
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))

    streams = [wiki_ids, book_ids]
    weights = np.array([args.wiki_weight * len(wiki_ids), len(book_ids)], dtype=np.float64)
    weights /= weights.sum()
    rng = np.random.default_rng(args.seed)
    L = 2048

    def batch():
        which = rng.choice(2, size=args.batch, p=weights)
        rows = []
        for w in which:
            s = streams[w]
            start = rng.integers(0, len(s) - L)
            rows.append(s[start:start + L])
        return torch.from_numpy(np.stack(rows)).cuda(non_blocking=True)

    best, best_step, history = float("inf"), -1, []
    model.train()
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        xb = batch()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=xb, labels=xb).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        out_of_time = args.max_minutes > 0 and time.time() - t0 > args.max_minutes * 60
        if (step + 1) % args.eval_every == 0 or step + 1 == args.steps or out_of_time:
            model.eval()
            ppl = perplexity(model, valid_ids)
            model.train()
            history.append({"step": step + 1, "train_loss": loss.item(), "valid_ppl": ppl})
            print(f"step {step + 1}: train loss {loss.item():.3f}, valid ppl {ppl:.2f} "
                  f"({time.time() - t0:.0f} s)", flush=True)
            if ppl < best:
                best, best_step = ppl, step + 1
                # float16 model.safetensors + config.json; training goes on in float32
                copy.deepcopy(model).half().save_pretrained(args.out)
        if out_of_time:
            print(f"stopping at step {step + 1}: --max-minutes reached", flush=True)
            break

    summary = {"parameters": params, "steps_run": step + 1, "best_step": best_step, "valid_ppl_bf16_autocast": best,
               "train_tokens": {"wikitext2_train": int(len(wiki_ids)), "gutenberg": int(len(book_ids))},
               "valid_tokens": len(valid_ids), "seconds": round(time.time() - t0), "history": history,
               "args": vars(args), "torch": torch.__version__}
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "history"}), flush=True)


if __name__ == "__main__":
    main()
