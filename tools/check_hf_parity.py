#!/usr/bin/env python3
"""Checks invx's OPT forward against Hugging Face transformers' OPTForCausalLM.

Builds two small random OPT models with transformers (a pre-LN one, and a post-LN one with
opt-350m's project_in/project_out), saves each with save_pretrained (safetensors) and a twin
directory with torch.save(state_dict) as pytorch_model.bin, runs `invx logits` on all of them
and compares logits and layer outputs in float32.

Run on a machine with PyTorch and transformers, after building invx:
    python3 tools/check_hf_parity.py --invx build/app/invx [--device cuda] [--out DIR]
Exit status 0 when every max |logit difference| is below --tolerance (default 1e-4).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch
from safetensors.torch import load_file
from transformers import OPTConfig, OPTForCausalLM

CASES = {
    "pre-ln": dict(vocab_size=1000, hidden_size=256, num_hidden_layers=4, ffn_dim=1024,
                   num_attention_heads=4, max_position_embeddings=512, do_layer_norm_before=True,
                   word_embed_proj_dim=256),
    "post-ln-proj": dict(vocab_size=1000, hidden_size=256, num_hidden_layers=4, ffn_dim=1024,
                         num_attention_heads=4, max_position_embeddings=512,
                         do_layer_norm_before=False, word_embed_proj_dim=128),
}


def make_model(kwargs, seed):
    torch.manual_seed(seed)
    config = OPTConfig(**kwargs, activation_function="relu", dropout=0.0, attention_dropout=0.0)
    model = OPTForCausalLM(config).eval()
    # The default init (std 0.02, LayerNorms at 1/0) makes nearly constant logits; widen every
    # tensor so that the comparison means something.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "layer_norm" in name and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.05 * torch.randn_like(p))
            elif "embed_tokens" in name:
                p.copy_(0.5 * torch.randn_like(p))
            else:
                p.copy_(0.15 * torch.randn_like(p))
    return model


def run_invx(invx, model_dir, ids_path, out_path, device, layers):
    cmd = [invx, "logits", "--model", model_dir, "--ids", ids_path, "--out", out_path,
           "--device", device, "--dtype", "float32", "--layers", ",".join(map(str, layers))]
    subprocess.run(cmd, check=True)
    return load_file(out_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--invx", default="build/app/invx")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--out", default=None, help="write the figures as JSON here")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="invx-parity-")
    results = {}
    ok = True
    for i, (case, kwargs) in enumerate(CASES.items()):
        model = make_model(kwargs, seed=100 + i)
        st_dir = os.path.join(work, case)
        bin_dir = os.path.join(work, case + "-bin")
        model.save_pretrained(st_dir)  # model.safetensors + config.json
        os.makedirs(bin_dir)
        shutil.copy(os.path.join(st_dir, "config.json"), bin_dir)
        torch.save(model.state_dict(), os.path.join(bin_dir, "pytorch_model.bin"))

        g = torch.Generator().manual_seed(7)
        ids = torch.randint(0, kwargs["vocab_size"], (2, 200), generator=g)
        ids_path = os.path.join(work, case + "-ids.txt")
        with open(ids_path, "w") as f:
            for row in ids.tolist():
                f.write(" ".join(map(str, row)) + "\n")

        n = kwargs["num_hidden_layers"]
        layers = [0, n - 2]  # hidden_states[l + 1] is block l's output for l < n - 1

        figures = {}
        for device in sorted({"cpu", args.device}):
            # transformers runs on the same device as invx: like is compared with like.
            with torch.no_grad():
                ref = model.to(device)(input_ids=ids.to(device), output_hidden_states=True)
            ref_logits = ref.logits.float().cpu()
            out = run_invx(args.invx, st_dir, ids_path, os.path.join(work, f"{case}-{device}.safetensors"),
                           device, layers)
            figures[f"{device}_max_abs_logit_diff"] = (out["logits"] - ref_logits).abs().max().item()
            for l in layers:
                figures[f"{device}_max_abs_hidden{l}_diff"] = (
                    out[f"hidden.{l}"] - ref.hidden_states[l + 1].float().cpu()).abs().max().item()
            ok &= figures[f"{device}_max_abs_logit_diff"] < args.tolerance
            if device == args.device:
                device_out = out
        out_bin = run_invx(args.invx, bin_dir, ids_path, os.path.join(work, f"{case}-bin.safetensors"),
                           args.device, layers)
        figures["bin_vs_safetensors_max_abs_diff"] = (out_bin["logits"] - device_out["logits"]).abs().max().item()
        ok &= figures["bin_vs_safetensors_max_abs_diff"] == 0.0
        figures["logit_std"] = ref_logits.std().item()
        model.to("cpu")
        results[case] = figures
        print(case, json.dumps(figures, indent=1), flush=True)

    import transformers
    summary = {"torch": torch.__version__, "transformers": transformers.__version__,
               "tolerance": args.tolerance, "passed": bool(ok), "cases": results}
    if args.out:
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=1)
    print("PASS" if ok else "FAIL", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
