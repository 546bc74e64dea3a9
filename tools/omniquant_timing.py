#!/usr/bin/env python3
"""Reads one side of tools/omniquant-gpu.sh's speed run on stdin and prints a line: `invx` (its
progress output: the time between two epochs' lines is one block-epoch; `invx NAME` names the
line) or `reference`
(omniquant_reference.py's JSON line)."""
import json
import sys
import time

if sys.argv[1].startswith("invx"):
    start, line, stamps = time.time(), "", []
    for ch in iter(lambda: sys.stdin.read(1), ""):
        if ch in "\r\n":
            if "epoch" in line and (not stamps or stamps[-1][1] != line):
                stamps.append((time.time() - start, line))
            line = ""
        else:
            line += ch
    gaps = [b[0] - a[0] for a, b in zip(stamps, stamps[1:])]
    print(f"{sys.argv[1]}: {len(stamps)} block-epochs, {sum(gaps) / max(1, len(gaps)):.2f} s a block-epoch after "
          f"the first, {stamps[-1][0] if stamps else 0:.1f} s to the last")
else:
    r = json.loads(sys.stdin.read())
    name = "reference, float16 autocast" if r["amp"] else "reference, float32"
    print(f"{name}: {r['seconds_per_block_epoch']:.2f} s a block-epoch, {r['seconds']:.1f} s in all, "
          f"peak GPU memory {r['peak_gpu_mib']:.0f} MiB")
