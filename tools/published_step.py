#!/usr/bin/env python3
"""The published InvarExplore step and evaluation, in transformers eager, as the yardstick of
docs/performance.md; and the random-weight OPT checkpoints both sides are timed on.

  python3 tools/published_step.py make SHAPE DIR --tokenizer GPT2_DIR
      a checkpoint of OPT's SHAPE (opt-125m, opt-1.3b, opt-13b): config.json, model.safetensors in
      float16 (transformers' own initialisation, seed 0) and the GPT-2 tokenizer files.
  python3 tools/published_step.py step DIR [--steps 20 --warmup 3 --eval-tokens 287644]
      times the published step on it and one perplexity pass; prints one JSON line.
  python3 tools/published_step.py profile-top TRACE.json [--top 15]
      the kernels that take the most GPU time in a Kineto trace (bench_step --profile), as JSON.
  python3 tools/published_step.py report DIR
      the table of docs/performance.md from what tools/step-benchmark-gpu.sh left in DIR.

The step is Algorithm 1 as the published code runs it (SPEC.md section 2): a uniformly chosen
layer; round(ffn * swap_frac) / 2 pairs; its fc1/fc2 rebuilt from the full-precision weights with a
dense block-diagonal rotation matrix, a row scale and a gather; RTN quantization of both (group
128); a whole forward of the quantized model with hooks on the matched layers' outputs; loss
CE / CE0 + alpha * MSE / MSE0 (the cross-entropy is transformers' own, from `labels`); accept or
put the old weights back. The full-precision targets are computed once, which is kinder to the
published loop than it is to itself. The evaluation is GPTQ's loop: 2048-token windows one at a
time, transformers' loss for each.
"""
import argparse
import json
import math
import os
import resource
import shutil
import statistics
import sys
import time

try:
    import torch
except ImportError:  # profile-top needs no torch
    torch = None

SHAPES = {
    "opt-125m": dict(hidden_size=768, ffn_dim=3072, num_hidden_layers=12, num_attention_heads=12),
    "opt-1.3b": dict(hidden_size=2048, ffn_dim=8192, num_hidden_layers=24, num_attention_heads=32),
    "opt-13b": dict(hidden_size=5120, ffn_dim=20480, num_hidden_layers=40, num_attention_heads=40),
}


def make(args):
    from safetensors.torch import save_file
    from transformers import OPTConfig, OPTForCausalLM

    shape = dict(SHAPES[args.shape])
    if getattr(args, "layers", 0):
        shape["num_hidden_layers"] = args.layers
    config = OPTConfig(vocab_size=50272, max_position_embeddings=2048, word_embed_proj_dim=shape["hidden_size"],
                       do_layer_norm_before=True, enable_bias=True, activation_function="relu",
                       tie_word_embeddings=True, **shape)
    torch.manual_seed(0)
    start = time.time()
    with torch.device("cuda"):
        model = OPTForCausalLM(config).to(torch.float16)
    os.makedirs(args.dir, exist_ok=True)
    config.torch_dtype = "float16"
    config.save_pretrained(args.dir)
    # The head is tied to the embedding; safetensors refuses shared storage, and OPT checkpoints
    # leave it out.
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    del model
    torch.cuda.empty_cache()
    save_file(tensors, os.path.join(args.dir, "model.safetensors"), metadata={"format": "pt"})
    for name in os.listdir(args.tokenizer):
        shutil.copy(os.path.join(args.tokenizer, name), args.dir)
    params = sum(t.numel() for t in tensors.values())
    print(json.dumps({"made": args.shape, "parameters": params, "seconds": round(time.time() - start, 1)}))


def rtn(w, bits=2, group=128):
    """SPEC's group quantizer (AWQ's pseudo_quantize_tensor), in the weight's dtype."""
    shape = w.shape
    w = w.reshape(-1, group)
    qmax = 2 ** bits - 1
    mx, mn = w.amax(dim=1, keepdim=True), w.amin(dim=1, keepdim=True)
    scale = (mx - mn).clamp(min=1e-5) / qmax
    zero = (-torch.round(mn / scale)).clamp(0, qmax)
    q = (torch.round(w / scale) + zero).clamp(0, qmax)
    return ((q - zero) * scale).reshape(shape)


def step_benchmark(args):
    from transformers import OPTForCausalLM

    torch.manual_seed(0)
    dev = "cuda"
    t0 = time.time()
    try:
        model = OPTForCausalLM.from_pretrained(args.dir, dtype=torch.float16)
    except TypeError:
        model = OPTForCausalLM.from_pretrained(args.dir, torch_dtype=torch.float16)
    model = model.to(dev).eval()
    torch.cuda.synchronize()
    load_s = time.time() - t0
    config = model.config
    layers = model.model.decoder.layers
    L, ffn = len(layers), config.ffn_dim
    n = min(10, L)
    matched = sorted({L - 1 - math.ceil(i * L / n) for i in range(n)})
    ids = torch.randint(0, config.vocab_size, (32, 512), device=dev)

    # Full-precision weights of every FFN, and every matched layer's output target.
    full = [(l.fc1.weight.detach().clone(), l.fc1.bias.detach().clone(), l.fc2.weight.detach().clone()) for l in layers]
    captured = {}

    def hook(index):
        def f(module, inputs, output):
            captured[index] = output[0] if isinstance(output, tuple) else output
        return f

    for i in matched:
        layers[i].register_forward_hook(hook(i))

    def losses():
        captured.clear()
        out = model(ids, labels=ids)
        return out.loss, {i: captured[i] for i in matched}

    with torch.no_grad():
        _, fp = losses()
        targets = {i: t.clone() for i, t in fp.items()}
        for l, (w1, b1, w2) in zip(layers, full):
            l.fc1.weight.copy_(rtn(w1))
            l.fc2.weight.copy_(rtn(w2))

        def loss_terms():
            ce, hidden = losses()
            mse = torch.stack([((hidden[i].float() - targets[i].float()).clamp(-100, 100) ** 2).mean() for i in matched]).mean()
            return ce.float(), mse

        ce0, mse0 = loss_terms()
        alpha, best = 0.1, 1.1
        angles = [torch.zeros(ffn // 2, device=dev) for _ in layers]
        scales = [torch.ones(ffn, device=dev) for _ in layers]
        perms = [torch.arange(ffn, device=dev) for _ in layers]
        pairs = round(ffn * 0.1) // 2
        rows = torch.arange(ffn, device=dev)

        def rebuild(layer, phi, s, perm):
            w1, b1, w2 = full[layer]
            c, si = torch.cos(phi), torch.sin(phi)
            R = torch.zeros(ffn, ffn, device=dev, dtype=w1.dtype)  # dense block-diagonal, as published
            R[rows[0::2], rows[0::2]] = c.to(w1.dtype)
            R[rows[0::2], rows[1::2]] = -si.to(w1.dtype)
            R[rows[1::2], rows[0::2]] = si.to(w1.dtype)
            R[rows[1::2], rows[1::2]] = c.to(w1.dtype)
            nw1 = (R.t() @ w1) / s[:, None].to(w1.dtype)
            nb1 = (R.t() @ b1) / s.to(b1.dtype)
            nw2 = (w2 @ R) * s[None, :].to(w2.dtype)
            return rtn(nw1[perm]), nb1[perm], rtn(nw2[:, perm])

        times, transform, forward, accepted = [], [], [], 0
        for k in range(args.warmup + args.steps):
            torch.cuda.synchronize()
            t0 = time.time()
            layer = int(torch.randint(0, L, (1,)).item())
            chosen = torch.randperm(ffn // 2, device=dev)[:pairs]
            neurons = torch.stack([2 * chosen, 2 * chosen + 1], 1).flatten()[torch.randperm(2 * pairs, device=dev)]
            phi, s, perm = angles[layer].clone(), scales[layer].clone(), perms[layer].clone()
            phi[chosen] += torch.randn(pairs, device=dev) * 1e-5
            s[neurons] += torch.randn(2 * pairs, device=dev) * 1e-2
            perm[neurons] = perm[neurons.roll(1)]
            nw1, nb1, nw2 = rebuild(layer, phi, s, perm)
            l = layers[layer]
            old = (l.fc1.weight.clone(), l.fc1.bias.clone(), l.fc2.weight.clone())
            l.fc1.weight.copy_(nw1), l.fc1.bias.copy_(nb1), l.fc2.weight.copy_(nw2)
            torch.cuda.synchronize()
            t1 = time.time()
            ce, mse = loss_terms()
            loss = (ce / ce0 + alpha * mse / mse0).item()
            t2 = time.time()
            if loss < best:
                best, accepted = loss, accepted + (k >= args.warmup)
                angles[layer], scales[layer], perms[layer] = phi, s, perm
            else:
                l.fc1.weight.copy_(old[0]), l.fc1.bias.copy_(old[1]), l.fc2.weight.copy_(old[2])
            torch.cuda.synchronize()
            if k >= args.warmup:
                times.append(time.time() - t0), transform.append(t1 - t0), forward.append(t2 - t1)

        # One perplexity pass of WikiText-2 test's size, GPTQ's loop.
        text = torch.randint(0, config.vocab_size, (args.eval_tokens,), device=dev)
        text[0] = 2
        torch.cuda.synchronize()
        t0 = time.time()
        nll, windows = 0.0, args.eval_tokens // 2048
        for w in range(windows):
            window = text[w * 2048:(w + 1) * 2048][None]
            nll += model(window, labels=window).loss.float().item() * 2048
        torch.cuda.synchronize()
        eval_s = time.time() - t0

    print(json.dumps({
        "label": os.path.basename(os.path.normpath(args.dir)), "torch": torch.__version__,
        "load_s": load_s, "step_ms": 1e3 * statistics.median(times), "transform_ms": 1e3 * statistics.median(transform),
        "forward_ms": 1e3 * statistics.median(forward), "steps_timed": args.steps, "accepted": accepted,
        "eval_s": eval_s, "eval_windows": windows, "eval_ppl": math.exp(nll / (windows * 2048)),
        "peak_gpu_allocated_bytes": torch.cuda.max_memory_allocated(), "peak_gpu_reserved_bytes": torch.cuda.max_memory_reserved(),
        "peak_host_bytes": 1024 * resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def profile_top(args):
    """GPU kernels by total time in a Chrome trace from Kineto, with their share of the GPU time."""
    with open(args.trace) as f:
        trace = json.load(f)
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    by_name, calls = {}, {}
    for e in events:
        if e.get("cat") in ("kernel", "Kernel", "gpu_memcpy", "gpu_memset") and "dur" in e:
            by_name[e["name"]] = by_name.get(e["name"], 0.0) + float(e["dur"])
            calls[e["name"]] = calls.get(e["name"], 0) + 1
    total = sum(by_name.values())
    top = sorted(by_name.items(), key=lambda kv: -kv[1])[:args.top]
    print(json.dumps({"gpu_us": total, "kernels": len(by_name),
                      "top": [{"name": n[:120], "us": round(us, 1), "calls": calls[n], "share": round(us / total, 4)}
                              for n, us in top]}))


def last_json(path):
    """The last line of a file that is a JSON object, or None."""
    if not os.path.exists(path):
        return None
    for line in reversed(open(path).read().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def gpu_peak_gib(path):
    """Peak GPU memory of one run from step-benchmark-gpu.sh's sampling: the highest reading of
    nvidia-smi while it ran, less the reading before it started."""
    if not os.path.exists(path):
        return float("nan")
    idle, peak = (float(x) for x in open(path).read().split())
    return (peak - idle) / 1024


def report(args):
    rows = []
    for shape in SHAPES:
        ours, theirs = last_json(os.path.join(args.dir, f"invx-{shape}.log")), last_json(os.path.join(args.dir, f"published-{shape}.json"))
        if not ours or not theirs:
            continue
        rows.append((shape, ours, theirs))
    gib = 1024 ** 3
    print("| shape | invx step, expected (median) | fixed + per layer after the changed one | without the fused kernels, expected (median) | accepted steps, best loss: without / with |")
    print("| --- | --- | --- | --- | --- |")
    for shape, ours, _ in rows:
        before = last_json(os.path.join(args.dir, f"unfused-{shape}.log"))
        b = (f"{before['step_expected_ms']:.1f} ({before['step_ms']:.1f}) ms",
             f"{before['accepted']} / {ours['accepted']}, {before['best_loss']:.9f} / {ours['best_loss']:.9f}") if before else ("-", "-")
        print(f"| {shape} | {ours['step_expected_ms']:.1f} ({ours['step_ms']:.1f}) ms | {ours['step_fixed_ms']:.1f} + {ours['step_per_layer_ms']:.2f} ms | {b[0]} | {b[1]} |")
    print()
    print("| shape | published step | invx step | ratio | published eval | invx eval | ratio | GPU memory (published / invx) | host peak (published / invx) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for shape, ours, theirs in rows:
        print(f"| {shape} | {theirs['step_ms']:.1f} ms | {ours['step_expected_ms']:.1f} ms | {theirs['step_ms'] / ours['step_expected_ms']:.2f}x "
              f"| {theirs['eval_s']:.2f} s | {ours['eval_s']:.2f} s | {theirs['eval_s'] / ours['eval_s']:.2f}x "
              f"| {gpu_peak_gib(os.path.join(args.dir, f'published-{shape}.gpu')):.1f} / {gpu_peak_gib(os.path.join(args.dir, f'invx-{shape}.gpu')):.1f} GiB "
              f"| {theirs['peak_host_bytes'] / gib:.1f} / {ours['peak_host_bytes'] / gib:.1f} GiB |")
    print()
    print("| shape | published: rebuild / forward + losses | invx: rebuild / whole forward + losses | invx load | invx setup |")
    print("| --- | --- | --- | --- | --- |")
    for shape, ours, theirs in rows:
        print(f"| {shape} | {theirs['transform_ms']:.1f} / {theirs['forward_ms']:.1f} ms | {ours['rebuild_ms']:.1f} / {ours['full_forward_ms']:.1f} ms "
              f"| {ours['load_s']:.1f} s | {ours['engine_setup_s']:.1f} s |")
    for shape, _, _ in rows:
        top = last_json(os.path.join(args.dir, f"top-{shape}.json"))
        if not top:
            continue
        print(f"\n{shape}: {top['gpu_us'] / 1e3:.1f} ms of GPU time in the profiled steps, {top['kernels']} kernels")
        print("| kernel | share | calls | ms |")
        print("| --- | --- | --- | --- |")
        for k in top["top"]:
            print(f"| `{k['name'][:90]}` | {100 * k['share']:.1f}% | {k['calls']} | {k['us'] / 1e3:.2f} |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make")
    m.add_argument("shape", choices=sorted(SHAPES))
    m.add_argument("dir")
    m.add_argument("--tokenizer", required=True)
    m.add_argument("--layers", type=int, default=0, help="fewer decoder blocks than the shape's (0: all)")
    s = sub.add_parser("step")
    s.add_argument("dir")
    s.add_argument("--steps", type=int, default=20)
    s.add_argument("--warmup", type=int, default=3)
    s.add_argument("--eval-tokens", type=int, default=287644)
    t = sub.add_parser("profile-top")
    t.add_argument("trace")
    t.add_argument("--top", type=int, default=15)
    r = sub.add_parser("report")
    r.add_argument("dir")
    args = p.parse_args()
    {"make": make, "step": step_benchmark, "profile-top": profile_top, "report": report}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
