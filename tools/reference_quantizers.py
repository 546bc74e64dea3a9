#!/usr/bin/env python3
"""Plain PyTorch AWQ and GPTQ, written from the papers and their authors' algorithms (not from
invx's C++), to cross-check `invx eval --method awq|gptq`: same model, same calibration tokens
(`invx eval --save-calibration FILE`), same quantizer (SPEC section 2), WikiText-2 perplexity by
the same protocol (tools/eval_hf_perplexity.py). Pre-LN OPT models only.

AWQ runs in the model's dtype throughout, as llm-awq does: `--awq-precision float16` loads the model
in float16, so that the scale and clip searches, the folding and the final rounding all run in
float16 (llm-awq's arithmetic); `float32` (the default) loads it in float32 and rounds the folded
weights to float16 before quantizing them. `--rtn-float32` quantizes the folded float16 weights
with float32 arithmetic instead (a diagnostic: how much the last rounding's precision matters).

    python3 tools/reference_quantizers.py --model DIR --data wiki.test.raw --calibration ids.json
        --method awq|gptq --bits 2 --group 128 [--awq-precision float16|float32] [--rtn-float32]
        [--device cuda] [--json OUT]
"""
import argparse
import json
import os
import sys

import torch
import torch.nn.functional as F
from transformers import OPTForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_corpus import join_rows, read  # noqa: E402
from eval_hf_perplexity import perplexity, tokenize  # noqa: E402


def quantize(w, bits, group):
    """SPEC's asymmetric group quantizer (AWQ's pseudo_quantize_tensor with zero point)."""
    shape = w.shape
    g = w.reshape(-1, group if group > 0 else shape[-1])
    qmax = 2 ** bits - 1
    mx, mn = g.amax(dim=1, keepdim=True), g.amin(dim=1, keepdim=True)
    s = (mx - mn).clamp(min=1e-5) / qmax
    z = (-torch.round(mn / s)).clamp(0, qmax)
    return ((torch.clamp(torch.round(g / s) + z, 0, qmax) - z) * s).reshape(shape)


class Block:
    """One pre-LN OPT decoder block over the HF module's tensors."""

    def __init__(self, layer, heads):
        self.m, self.heads = layer, heads

    def attention(self, x):
        a = self.m.self_attn
        b, t, d = x.shape
        split = lambda y: y.view(b, t, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        o = F.scaled_dot_product_attention(split(a.q_proj(x)), split(a.k_proj(x)), split(a.v_proj(x)), is_causal=True)
        o = o.transpose(1, 2).reshape(b, t, d)
        return a.out_proj(o), o

    def forward(self, h, capture=None):
        x = self.m.self_attn_layer_norm(h)
        a, o = self.attention(x)
        h = h + a
        x2 = self.m.final_layer_norm(h)
        f = torch.relu(self.m.fc1(x2))
        if capture is not None:
            for k, v in (("qkv", x), ("out", o), ("fc1", x2), ("fc2", f)):
                capture.setdefault(k, []).append(v)
        return h + self.m.fc2(f)


def block_inputs(model, ids, chunk):
    dec = model.model.decoder
    out = []
    for i in range(0, ids.shape[0], chunk):
        x = ids[i:i + chunk]
        pos = torch.arange(x.shape[1], device=x.device).unsqueeze(0) + 2  # OPT's learned positions start at 2
        h = dec.embed_tokens(x)
        if dec.project_in is not None:
            h = dec.project_in(h)
        out.append(h + F.embedding(pos, dec.embed_positions.weight))
    return out


@torch.no_grad()
def awq(model, ids, bits, group, chunk=8, grid=20, max_shrink=0.5, clip_tokens=512, rtn_float32=False):
    heads = model.config.num_attention_heads
    hidden = block_inputs(model, ids, chunk)
    for layer in model.model.decoder.layers:
        blk, cap = Block(layer, heads), {}
        hidden = [blk.forward(h, cap) for h in hidden]  # full-precision outputs feed the next block
        feats = {k: torch.cat([v.reshape(-1, v.shape[-1]) for v in vs]) for k, vs in cap.items()}
        qkv_in = torch.cat(cap["qkv"])
        a = layer.self_attn

        def search(x_for_stats, evaluate, reference):
            x_max = x_for_stats.abs().reshape(-1, x_for_stats.shape[-1]).mean(0)
            best, best_err = None, float("inf")
            for r in range(grid):
                s = x_max.pow(r / grid).clamp(min=1e-4)
                s = s / (s.max() * s.min()).sqrt()
                err = (evaluate(s) - reference).float().pow(2).mean().item()
                if err < best_err:
                    best, best_err = s, err
            return best

        def linear_search(lin, x):
            ref = F.linear(x, lin.weight, lin.bias)
            return search(x, lambda s: F.linear(x, quantize(lin.weight * s, bits, group) / s, lin.bias), ref)

        orig = {n: getattr(a, n).weight.clone() for n in ("q_proj", "k_proj", "v_proj")}
        ref = blk.attention(qkv_in)[0]

        def eval_qkv(s):
            for n in orig:
                getattr(a, n).weight.copy_(quantize(orig[n] * s, bits, group) / s)
            out = blk.attention(qkv_in)[0]
            for n in orig:
                getattr(a, n).weight.copy_(orig[n])
            return out

        s1 = search(qkv_in, eval_qkv, ref)
        s2 = linear_search(a.out_proj, feats["out"])
        s3 = linear_search(layer.fc1, feats["fc1"])
        s4 = linear_search(layer.fc2, feats["fc2"])
        # Fold: LayerNorm 1 -> q/k/v, v -> out_proj, LayerNorm 2 -> fc1, fc1 -> fc2.
        for ln, s, fcs in ((layer.self_attn_layer_norm, s1, (a.q_proj, a.k_proj, a.v_proj)),
                           (layer.final_layer_norm, s3, (layer.fc1,))):
            ln.weight.div_(s)
            ln.bias.div_(s)
            for fc in fcs:
                fc.weight.mul_(s.view(1, -1))
        for prev, s, nxt in ((a.v_proj, s2, a.out_proj), (layer.fc1, s4, layer.fc2)):
            prev.weight.div_(s.view(-1, 1))
            prev.bias.div_(s)
            nxt.weight.mul_(s.view(1, -1))
        # Clipping, as the authors' auto_clip_layer: not q and k.
        for lin, x, s in ((a.v_proj, feats["qkv"], s1), (a.out_proj, feats["out"], s2),
                          (layer.fc1, feats["fc1"], s3), (layer.fc2, feats["fc2"], s4)):
            w = lin.weight
            gs = group if group > 0 else w.shape[1]
            xs = (x / s.view(1, -1)).reshape(1, x.shape[0], -1, gs)
            xs = xs[:, 0::max(1, xs.shape[1] // clip_tokens)]
            wg = w.reshape(w.shape[0], 1, -1, gs)
            best_all = []
            batch = 256 if wg.shape[0] % 256 == 0 else 64
            for i in range(0, wg.shape[0], batch):
                wb = wg[i:i + batch]
                org_max = wb.abs().amax(dim=-1, keepdim=True)
                best = org_max.clone()
                min_err = torch.ones_like(org_max) * 1e9
                org_out = (xs * wb).sum(dim=-1)
                for i_s in range(int(max_shrink * grid)):
                    mx = org_max * (1 - i_s / grid)
                    q = quantize(torch.clamp(wb, -mx, mx), bits, group)
                    err = ((xs * q).sum(dim=-1) - org_out).pow(2).mean(dim=1).view(min_err.shape)
                    better = err < min_err
                    min_err[better] = err[better]
                    best[better] = mx[better]
                best_all.append(best)
            bound = torch.cat(best_all).squeeze(1)  # [rows, groups, 1]
            w.copy_(torch.clamp(w.reshape(w.shape[0], -1, gs), -bound, bound).reshape(w.shape))
    for p in model.parameters():  # the folded weights in float16, as the authors' models hold them
        p.copy_(p.half().float())
    for layer in model.model.decoder.layers:
        for lin in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj,
                    layer.self_attn.out_proj, layer.fc1, layer.fc2):
            w = lin.weight.float() if rtn_float32 else lin.weight
            lin.weight.copy_(quantize(w, bits, group))


@torch.no_grad()
def gptq_weight(w, H, bits, group, damp=0.01, block=128):
    """The authors' fasterquant, with SPEC's quantizer parameters."""
    W = w.float().clone()
    H = H.clone()
    cols = W.shape[1]
    dead = torch.diag(H) == 0
    H[dead, dead] = 1
    W[:, dead] = 0
    H[range(cols), range(cols)] += damp * torch.mean(torch.diag(H))
    Hinv = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(H)), upper=True)
    qmax = 2 ** bits - 1
    gs = group if group > 0 else cols
    Q = torch.zeros_like(W)
    for i1 in range(0, cols, block):
        i2 = min(i1 + block, cols)
        W1, Err1, H1 = W[:, i1:i2].clone(), torch.zeros_like(W[:, i1:i2]), Hinv[i1:i2, i1:i2]
        for i in range(i2 - i1):
            if (i1 + i) % gs == 0:
                g = W[:, i1 + i:i1 + i + gs]
                mx, mn = g.amax(1, keepdim=True), g.amin(1, keepdim=True)
                s = (mx - mn).clamp(min=1e-5) / qmax
                z = (-torch.round(mn / s)).clamp(0, qmax)
            w_col = W1[:, i:i + 1]
            q = (torch.clamp(torch.round(w_col / s) + z, 0, qmax) - z) * s
            Q[:, i1 + i:i1 + i + 1] = q
            err = (w_col - q) / H1[i, i]
            W1[:, i:] -= err.matmul(H1[i:i + 1, i:])
            Err1[:, i:i + 1] = err
        W[:, i2:] -= Err1.matmul(Hinv[i1:i2, i2:])
    return Q.to(w.dtype)


@torch.no_grad()
def gptq(model, ids, bits, group, chunk=8):
    heads = model.config.num_attention_heads
    hidden = block_inputs(model, ids, chunk)
    for layer in model.model.decoder.layers:
        blk, cap = Block(layer, heads), {}
        for h in hidden:
            blk.forward(h, cap)
        a = layer.self_attn
        for key, lins in (("qkv", (a.q_proj, a.k_proj, a.v_proj)), ("out", (a.out_proj,)),
                          ("fc1", (layer.fc1,)), ("fc2", (layer.fc2,))):
            x = torch.cat([v.reshape(-1, v.shape[-1]) for v in cap[key]]).float()
            H = 2.0 / x.shape[0] * x.t().matmul(x)
            for lin in lins:
                lin.weight.copy_(gptq_weight(lin.weight, H, bits, group))
        hidden = [blk.forward(h) for h in hidden]  # quantized outputs feed the next block


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--calibration", required=True, help="JSON from invx eval --save-calibration")
    ap.add_argument("--method", required=True, choices=["awq", "gptq"])
    ap.add_argument("--bits", type=int, default=2)
    ap.add_argument("--group", type=int, default=128)
    ap.add_argument("--awq-precision", default="float32", choices=["float16", "float32"])
    ap.add_argument("--rtn-float32", action="store_true")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    dtype = torch.float16 if a.method == "awq" and a.awq_precision == "float16" else torch.float32
    cal = json.load(open(a.calibration))
    ids = torch.tensor(cal["ids"], device=a.device).view(cal["samples"], cal["length"])
    model = OPTForCausalLM.from_pretrained(a.model, dtype=dtype).to(a.device).eval()
    if a.method == "awq":
        awq(model, ids, a.bits, a.group, rtn_float32=a.rtn_float32)
    else:
        gptq(model, ids, a.bits, a.group)
    ppl, windows = perplexity(model, tokenize(a.model, join_rows(read(a.data))))
    result = {"method": a.method, "bits": a.bits, "group": a.group, "ppl": ppl, "windows": windows,
              "dtype": str(dtype).replace("torch.", "")}
    if a.method == "awq":
        result["rtn"] = "float32" if a.rtn_float32 or dtype == torch.float32 else "float16"
    print(json.dumps(result))
    if a.json:
        json.dump(result, open(a.json, "w"))


if __name__ == "__main__":
    main()
