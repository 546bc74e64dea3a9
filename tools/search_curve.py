#!/usr/bin/env python3
"""Summarises an `invx search --json` log: acceptance rate per step range, calibration loss and
WikiText-2 perplexity before and after, and every evaluation. Standard library only.

Usage: python3 tools/search_curve.py RUN.jsonl [--buckets 0,50,100,200,500,1000,2000,5000,10000]
"""
import argparse
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--buckets", default="0,50,100,200,500,1000,2000,5000,10000")
    a = ap.parse_args()
    rows = [json.loads(line) for line in open(a.log) if line.strip()]
    steps = [r for r in rows if r["type"] == "step"]
    evals = [r for r in rows if r["type"] == "evaluation"]
    base = next(r for r in rows if r["type"] == "base")
    # The last summary: a log of a run and its --resume, concatenated, ends with the resumed one.
    summary = next((r for r in reversed(rows) if r["type"] == "summary"), None)
    edges = [int(x) for x in a.buckets.split(",")]
    edges = [e for e in edges if e < len(steps)] + [len(steps)]

    print("| steps | accepted | acceptance rate |")
    print("| --- | --- | --- |")
    for lo, hi in zip(edges, edges[1:]):
        chunk = steps[lo:hi]
        accepted = sum(r["accepted"] for r in chunk)
        print(f"| {lo + 1}-{hi} | {accepted} | {100.0 * accepted / len(chunk):.1f}% |")
    print()
    print(f"calibration CE: full precision {base['full_precision_ce']:.4f}, base ({base['method']}) {base['ce0']:.4f}")
    if summary:
        print(f"after {summary['steps']} steps: CE {summary['final_ce']:.4f}, MSE {base['mse0']:.4f} -> "
              f"{summary['final_mse']:.4f}, loss 1 + alpha -> {summary['best_loss']:.4f}, "
              f"{summary['accepted_steps']} accepted, {summary['seconds']:.1f} s")
    if evals:
        print(f"WikiText-2 perplexity: {evals[0]['perplexity']:.2f} (step {evals[0]['step']}) -> "
              f"{evals[-1]['perplexity']:.2f} (step {evals[-1]['step']}); best "
              f"{min(e['perplexity'] for e in evals):.2f}; {len(evals)} evaluations, "
              f"{sum(e['eval_s'] for e in evals):.1f} s of evaluation")
        print("evaluations (step: perplexity):", ", ".join(f"{e['step']}: {e['perplexity']:.2f}" for e in evals))


if __name__ == "__main__":
    main()
