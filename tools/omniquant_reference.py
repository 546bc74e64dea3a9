#!/usr/bin/env python3
"""OmniQuant (Shao et al., ICLR 2024), weight-only, for pre-LN OPT models, in plain PyTorch: written
from the paper and the authors' code (OpenGVLab/OmniQuant: quantize/omniquant.py,
quantize/quantizer.py, models/transformation.py, quantize/utils.py), not from invx's C++, to
cross-check `invx eval --method omniquant` on the same model and calibration tokens
(`invx eval --save-calibration FILE`) and to time it beside invx on the GPU.

What it follows, block by block:
- the inputs of block i are the quantized model's outputs of block i-1; the targets are the
  full-precision block's outputs on the full-precision inputs; loss = MSE; AdamW, weight decay 0,
  one sequence per step, the calibration sequences in order, `epochs` passes per block;
- LWC: per (row, group) of every linear layer two logits u, l (start 4.0); the group is clipped to
  [sigmoid(l) min, sigmoid(u) max]; scale = range / qmax clamped to [1e-5, 1e4], zero point
  round(-min / scale) (no gradient), a straight-through round;
- LET: scales between LayerNorm 1 and q/k/v, between v and out_proj, between LayerNorm 2 and fc1
  (SmoothQuant's act_max^a / w_max^(1-a), from the full-precision model's inputs of q_proj, out_proj
  and fc1 over the calibration set, w_max over the columns of q_proj, out_proj and fc1), and a q-k
  scale starting at 1; no shifts (weight-only); before every use each scale is kept at |s| >= 1e-2
  (straight-through); the v -> out_proj scale divides v's ROWS and bias and multiplies out_proj's
  columns in training as in the fold (the authors' training code divides v's columns for OPT; their
  fold divides rows; we do not copy that mismatch).
The model's weights are rounded to float16 first (the authors' models are float16); arithmetic is
float32, or float16 autocast with a gradient scaler with `--amp` (the authors' default).

    python3 tools/omniquant_reference.py --model DIR --calibration ids.json --bits 2 --group 128
        [--epochs 20] [--let-lr 5e-3] [--lwc-lr 1e-2] [--alpha 0.5] [--no-lwc] [--no-let] [--amp]
        [--data wiki.test.raw] [--device cuda] [--json OUT]
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from transformers import OPTForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_quantizers import block_inputs  # noqa: E402


def round_ste(x):
    return (x.round() - x).detach() + x


def keep_away_from_zero(s, threshold=1e-2):
    """The authors' truncate_number: |s| < threshold becomes sign(s) threshold, gradient one."""
    clipped = torch.where(s.abs() < threshold, torch.sign(s) * threshold, s)
    return (clipped - s).detach() + s


def lwc_quantize(w, up, low, bits, group):
    """The authors' UniformAffineQuantizer with lwc=True, asymmetric, per group of `group` columns."""
    rows, cols = w.shape
    g = w.reshape(-1, group if group > 0 else cols)
    qmax = 2 ** bits - 1
    xmax, xmin = g.amax(dim=1, keepdim=True), g.amin(dim=1, keepdim=True)
    if up is not None:
        xmax = torch.sigmoid(up) * xmax
        xmin = torch.sigmoid(low) * xmin
    scale = ((xmax - xmin) / qmax).clamp(min=1e-5, max=1e4)
    zero = (-xmin / scale).clamp(min=-1e4, max=1e4).round().detach()
    q = (round_ste(g / scale) + zero).clamp(0, qmax)
    return ((q - zero) * scale).reshape(rows, cols)


LINEARS = ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2")


def linear_of(layer, name):
    return getattr(layer.self_attn, name) if name.endswith("proj") else getattr(layer, name)


def folded(layer, let):
    """The block's LayerNorms, weights and biases with LET folded in (differentiable in `let`)."""
    a = layer.self_attn
    t = {"ln1_w": layer.self_attn_layer_norm.weight, "ln1_b": layer.self_attn_layer_norm.bias,
         "ln2_w": layer.final_layer_norm.weight, "ln2_b": layer.final_layer_norm.bias}
    for n in LINEARS:
        lin = linear_of(layer, n)
        t[n + "_w"], t[n + "_b"] = lin.weight, lin.bias
    if let is None:
        return t
    s1, s2, s3, sqk = (keep_away_from_zero(let[k]) for k in ("qkv", "out", "fc1", "qk"))
    t["ln1_w"], t["ln1_b"] = t["ln1_w"] / s1, t["ln1_b"] / s1
    for n in ("q_proj", "k_proj", "v_proj"):
        t[n + "_w"] = t[n + "_w"] * s1.view(1, -1)
    t["ln2_w"], t["ln2_b"] = t["ln2_w"] / s3, t["ln2_b"] / s3
    t["fc1_w"] = t["fc1_w"] * s3.view(1, -1)
    t["v_proj_w"], t["v_proj_b"] = t["v_proj_w"] / s2.view(-1, 1), t["v_proj_b"] / s2
    t["out_proj_w"] = t["out_proj_w"] * s2.view(1, -1)
    t["q_proj_w"], t["q_proj_b"] = t["q_proj_w"] / sqk.view(-1, 1), t["q_proj_b"] / sqk
    t["k_proj_w"], t["k_proj_b"] = t["k_proj_w"] * sqk.view(-1, 1), t["k_proj_b"] * sqk
    return t


def block_forward(t, h, heads, eps):
    b, n, d = h.shape
    x = F.layer_norm(h, (d,), t["ln1_w"], t["ln1_b"], eps)
    split = lambda y: y.view(b, n, heads, d // heads).transpose(1, 2)  # noqa: E731
    q = F.linear(x, t["q_proj_w"], t["q_proj_b"]) * (d // heads) ** -0.5
    o = F.scaled_dot_product_attention(split(q), split(F.linear(x, t["k_proj_w"], t["k_proj_b"])),
                                       split(F.linear(x, t["v_proj_w"], t["v_proj_b"])), is_causal=True,
                                       scale=1.0)
    h = h + F.linear(o.transpose(1, 2).reshape(b, n, d), t["out_proj_w"], t["out_proj_b"])
    x2 = F.layer_norm(h, (d,), t["ln2_w"], t["ln2_b"], eps)
    return h + F.linear(torch.relu(F.linear(x2, t["fc1_w"], t["fc1_b"])), t["fc2_w"], t["fc2_b"])


def quantized(t, lwc, bits, group):
    q = dict(t)
    for n in LINEARS:
        up, low = (lwc[n] if lwc is not None else (None, None))
        q[n + "_w"] = lwc_quantize(t[n + "_w"], up, low, bits, group)
    return q


@torch.no_grad()
def activation_maxima(layer, inputs, heads, eps):
    """max |input| per channel of q_proj, out_proj and fc1 over the calibration set."""
    t = folded(layer, None)
    m = {}

    def keep(k, v):
        v = v.reshape(-1, v.shape[-1]).abs().amax(0).float()
        m[k] = v if k not in m else torch.maximum(m[k], v)

    for h in inputs:
        b, n, d = h.shape
        x = F.layer_norm(h, (d,), t["ln1_w"], t["ln1_b"], eps)
        keep("qkv", x)
        split = lambda y: y.view(b, n, heads, d // heads).transpose(1, 2)  # noqa: E731
        o = F.scaled_dot_product_attention(split(F.linear(x, t["q_proj_w"], t["q_proj_b"])),
                                           split(F.linear(x, t["k_proj_w"], t["k_proj_b"])),
                                           split(F.linear(x, t["v_proj_w"], t["v_proj_b"])), is_causal=True)
        o = o.transpose(1, 2).reshape(b, n, d)
        keep("out", o)
        h2 = h + F.linear(o, t["out_proj_w"], t["out_proj_b"])
        keep("fc1", F.layer_norm(h2, (d,), t["ln2_w"], t["ln2_b"], eps))
    return m


def omniquant(model, ids, bits, group, epochs, let_lr, lwc_lr, alpha, use_lwc, use_let, amp, log):
    cfg = model.config
    heads, eps = cfg.num_attention_heads, 1e-5
    with torch.no_grad():
        fp_in = block_inputs(model, ids, 1)
    q_in = [h.clone() for h in fp_in]
    losses, seconds = [], []
    for i, layer in enumerate(model.model.decoder.layers):
        stats = activation_maxima(layer, fp_in, heads, eps) if use_let else None
        with torch.no_grad():
            t0 = folded(layer, None)
            fp_out = [block_forward(t0, h, heads, eps) for h in fp_in]
        let, lwc, groups = None, None, []
        if use_let:
            let = {}
            for k, n in (("qkv", "q_proj"), ("out", "out_proj"), ("fc1", "fc1")):
                w = linear_of(layer, n).weight.abs().amax(0).clamp(min=1e-5)
                s = (stats[k].clamp(min=1e-5).pow(alpha) / w.pow(1 - alpha)).clamp(min=1e-5)
                let[k] = torch.nn.Parameter(s.to(w.dtype))
            let["qk"] = torch.nn.Parameter(torch.ones_like(let["qkv"]))
            groups.append({"params": list(let.values()), "lr": let_lr})
        if use_lwc:
            lwc = {}
            for n in LINEARS:
                w = linear_of(layer, n).weight
                count = w.numel() // (group if group > 0 else w.shape[1])
                lwc[n] = tuple(torch.nn.Parameter(torch.full((count, 1), 4.0, device=w.device)) for _ in range(2))
            groups.append({"params": [p for pair in lwc.values() for p in pair], "lr": lwc_lr})
        block_losses = []
        if groups and epochs > 0:
            opt = torch.optim.AdamW(groups, weight_decay=0)
            scaler = torch.amp.GradScaler("cuda", enabled=amp)
            for epoch in range(epochs):
                if ids.is_cuda:
                    torch.cuda.synchronize()
                start = time.time()
                total = 0.0
                for j in range(len(q_in)):
                    with torch.autocast("cuda", dtype=torch.float16, enabled=amp):
                        out = block_forward(quantized(folded(layer, let), lwc, bits, group), q_in[j], heads, eps)
                        loss = F.mse_loss(out.float(), fp_out[j].float())
                    opt.zero_grad()
                    scaler.scale(loss).backward()
                    scaler.step(opt)
                    scaler.update()
                    total += loss.item()
                if ids.is_cuda:
                    torch.cuda.synchronize()
                seconds.append(time.time() - start)
                block_losses.append(total / len(q_in))
                log(f"block {i + 1}/{len(model.model.decoder.layers)} epoch {epoch + 1}/{epochs}: "
                    f"loss {block_losses[-1]:.6g} ({seconds[-1]:.2f} s)")
        losses.append(block_losses)
        with torch.no_grad():  # fold, clip and quantize in place: what was trained is what is kept
            t = quantized(folded(layer, let), lwc, bits, group)
            layer.self_attn_layer_norm.weight.copy_(t["ln1_w"])
            layer.self_attn_layer_norm.bias.copy_(t["ln1_b"])
            layer.final_layer_norm.weight.copy_(t["ln2_w"])
            layer.final_layer_norm.bias.copy_(t["ln2_b"])
            for n in LINEARS:
                linear_of(layer, n).weight.copy_(t[n + "_w"])
                linear_of(layer, n).bias.copy_(t[n + "_b"])
            t = folded(layer, None)
            q_in = [block_forward(t, h, heads, eps) for h in q_in]
            fp_in = fp_out
    return losses, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--calibration", required=True, help="JSON from invx eval --save-calibration")
    ap.add_argument("--data", default=None, help="WikiText-2 test text: measure perplexity after")
    ap.add_argument("--bits", type=int, default=2)
    ap.add_argument("--group", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--let-lr", type=float, default=5e-3)
    ap.add_argument("--lwc-lr", type=float, default=1e-2)
    ap.add_argument("--alpha", type=float, default=0.5)
    ap.add_argument("--no-lwc", action="store_true")
    ap.add_argument("--no-let", action="store_true")
    ap.add_argument("--amp", action="store_true", help="float16 autocast and a gradient scaler, as the authors train")
    ap.add_argument("--samples", type=int, default=0, help="use the first N calibration sequences (0: all)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--json", default=None)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    cal = json.load(open(a.calibration))
    ids = torch.tensor(cal["ids"], device=a.device).view(cal["samples"], cal["length"])
    if a.samples:
        ids = ids[:a.samples]
    model = OPTForCausalLM.from_pretrained(a.model, dtype=torch.float32).to(a.device).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.requires_grad_(False)  # only LET's scales and LWC's logits are trained
            p.copy_(p.half().float())
    if a.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    start = time.time()
    log = (lambda m: None) if a.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    losses, seconds = omniquant(model, ids, a.bits, a.group, a.epochs, a.let_lr, a.lwc_lr, a.alpha,
                                not a.no_lwc, not a.no_let, a.amp, log)
    result = {"method": "omniquant-reference", "bits": a.bits, "group": a.group, "epochs": a.epochs,
              "samples": int(ids.shape[0]), "length": int(ids.shape[1]), "amp": a.amp,
              "seconds": round(time.time() - start, 2), "block_losses": losses,
              "seconds_per_block_epoch": round(sum(seconds) / max(1, len(seconds)), 4)}
    if a.device.startswith("cuda"):
        result["peak_gpu_mib"] = round(torch.cuda.max_memory_allocated() / 2 ** 20, 1)
    if a.data:
        from demo_corpus import join_rows, read
        from eval_hf_perplexity import perplexity, tokenize
        result["ppl"], result["windows"] = perplexity(model, tokenize(a.model, join_rows(read(a.data))))
        if not math.isfinite(result["ppl"]):
            print("omniquant_reference: perplexity is not finite", file=sys.stderr)
    print(json.dumps({k: v for k, v in result.items() if k != "block_losses"}))
    if a.json:
        json.dump(result, open(a.json, "w"))


if __name__ == "__main__":
    main()
