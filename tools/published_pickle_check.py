"""The published InvarExplore code's ckpt.pkl against invx's: run on the GPU machine (PyTorch, CUDA).

1. Writes a small ckpt.pkl exactly as the published search does (pickle.dump of a dict of lists:
   CUDA float16 tensors for rotations and scales, Python lists for orders): the fixture
   tests/fixtures/published/ckpt.pkl that invx's importer is tested on.
2. Loads a ckpt.pkl that `invx export-invariances` wrote with plain pickle.load, as the published
   code's --load_invars does, checks its types and shapes, compares its values with the experiment
   file it came from (h5py, when installed), and applies it with the published code's own steps
   (rotation matrix, R.T @ fc1, scales, orders) on a random FFN of the right shape.
Usage: python3 tools/published_pickle_check.py --fixture OUT.pkl --ours ckpt.pkl [--experiment FILE.h5]
"""
import argparse
import pickle

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--fixture", required=True)
parser.add_argument("--ours", required=True)
parser.add_argument("--experiment")
args = parser.parse_args()

# 1. The fixture: 2 layers, FFN 8 (the published code keeps these on the GPU in float16).
layers, ffn = 2, 8
rotations = [torch.tensor([0.001 * (l + 1) * (i + 1) for i in range(ffn // 2)], device="cuda", dtype=torch.float16) for l in range(layers)]
scales = [torch.tensor([1 + 0.01 * (l + 1) * (i + 1) for i in range(ffn)], device="cuda", dtype=torch.float16) for l in range(layers)]
orders = [list(range(ffn))[::-1], [1, 0, 3, 2, 5, 4, 7, 6]]
with open(args.fixture, "wb") as f:
    pickle.dump({"rotations": rotations, "scales": scales, "orders": orders}, f)
print(f"fixture: {args.fixture} (torch {torch.__version__}, pickle protocol {pickle.DEFAULT_PROTOCOL})")

# 2. invx's file, read as the published code reads it.
with open(args.ours, "rb") as f:
    invars = pickle.load(f)
print("keys:", sorted(invars))
n = len(next(iter(invars.values())))
for key, value in invars.items():
    assert isinstance(value, list) and len(value) == n, key
for r in invars.get("rotations", []):
    assert isinstance(r, torch.Tensor) and r.dtype == torch.float16 and r.dim() == 1, r
for s in invars.get("scales", []):
    assert isinstance(s, torch.Tensor) and s.dtype == torch.float16 and bool((s > 0).all()), s
width = invars["scales"][0].numel() if "scales" in invars else 2 * invars["rotations"][0].numel()
for o in invars.get("orders", []):
    assert isinstance(o, list) and sorted(o) == list(range(width)), "not a permutation"
print(f"{n} layers, FFN {width}: types and shapes as the published code writes them")

if args.experiment:
    try:
        import h5py
        import numpy as np
        with h5py.File(args.experiment, "r", swmr=True) as h:
            last = int((h["/checkpoints/step"][:] >= 0).sum()) - 1
            perm = h["/checkpoints/permutation"][last]
            sc = h["/checkpoints/scales"][last].astype(np.float16)
            an = h["/checkpoints/angles"][last].astype(np.float16)
        worst = 0.0
        for l in range(n):
            if "orders" in invars: assert list(perm[l]) == invars["orders"][l], f"orders of layer {l}"
            if "scales" in invars: worst = max(worst, float(np.abs(invars["scales"][l].numpy() - sc[l]).max()))
            if "rotations" in invars: worst = max(worst, float(np.abs(invars["rotations"][l].numpy() - an[l]).max()))
        print(f"values equal the experiment's last checkpoint (float16): largest difference {worst}")
    except ImportError:
        print("h5py is not installed: values not compared")

# The published code's own application (awq/utils/simple_utils.py, build_model_and_enc).
def create_rotation_matrix(angles):
    c, s = torch.cos(angles), torch.sin(angles)
    blocks = torch.stack([torch.stack([c, -s], dim=1), torch.stack([s, c], dim=1)], dim=1)
    return torch.block_diag(*blocks)

hidden = 64
for l in range(n):
    w1 = torch.randn(width, hidden, device="cuda", dtype=torch.float16)
    b1 = torch.randn(width, device="cuda", dtype=torch.float16)
    w2 = torch.randn(hidden, width, device="cuda", dtype=torch.float16)
    if "rotations" in invars:
        R = create_rotation_matrix(invars["rotations"][l].cuda())
        w1, b1, w2 = R.T @ w1, R.T @ b1, w2 @ R
    if "scales" in invars:
        s = invars["scales"][l].cuda()
        w1, b1, w2 = w1 / s.view(-1, 1), b1 / s.view(-1), w2 * s.view(1, -1)
    if "orders" in invars:
        o = invars["orders"][l]
        w1, b1, w2 = w1[o, :], b1[o], w2[:, o]
print("applied with the published code's steps on CUDA float16: ok")
