#!/usr/bin/env python3
"""Turns bench/out/results/overhead.jsonl (and instructions.jsonl, when counted) into the
Markdown tables of BENCHMARKS.md, with ratios computed inside the same run."""

import json
import statistics
import sys
from pathlib import Path


def main():
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/results")
    rows = [json.loads(line) for line in (results / "overhead.jsonl").read_text().splitlines() if line.startswith("{")]
    # Several rounds per client: keep the median of each figure over the rounds.
    groups = {}
    for r in rows:
        groups.setdefault((r["variant"], r["operation"], r["concurrency"]), []).append(r)
    by = {
        key: {
            "median_us": statistics.median(r["median_us"] for r in runs),
            "p99_us": statistics.median(r["p99_us"] for r in runs),
            "rps": statistics.median(r["rps"] for r in runs),
            "cpu_us": statistics.median(r["cpu_us_per_request"] for r in runs) if all("cpu_us_per_request" in r for r in runs) else None,
            "failures": sum(r["failures"] for r in runs),
            "rounds": len(runs),
        }
        for key, runs in groups.items()
    }
    for operation in ("show-job", "batch-attach"):
        for concurrency in sorted({r["concurrency"] for r in rows}):
            raw = by.get(("raw", operation, concurrency))
            print(f"\n{operation}, concurrency {concurrency}\n")
            print("| client | rounds | median µs | p99 µs | requests/s | client CPU µs/request | median vs raw | req/s vs ours | failures |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            ours = by.get(("ours", operation, concurrency))
            for variant in ("ours", "raw", "openapi-generator", "python-sdk"):
                r = by.get((variant, operation, concurrency))
                if not r:
                    continue
                vs_raw = f"{r['median_us'] / raw['median_us']:.2f}×" if raw else "-"
                vs_ours = f"{r['rps'] / ours['rps']:.3f}×" if ours else "-"
                cpu = f"{r['cpu_us']:.1f}" if r["cpu_us"] is not None else "-"
                print(f"| {variant} | {r['rounds']} | {r['median_us']:.0f} | {r['p99_us']:.0f} | {r['rps']:.0f} | {cpu} | {vs_raw} | {vs_ours} | {r['failures']} |")

    instructions = results / "instructions.jsonl"
    if instructions.exists():
        counts = {}
        for line in instructions.read_text().splitlines():
            r = json.loads(line)
            counts[(r["variant"], r["operation"], r["concurrency"])] = r["instructions_per_request"]
        print("\nInstructions per request (callgrind, client process)\n")
        print("| operation | concurrency | ours | raw | openapi-generator | ours vs raw | ours vs openapi-generator |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for operation in ("show-job", "batch-attach"):
            for concurrency in sorted({c for (_, o, c) in counts if o == operation}):
                ours, raw, oag = (counts.get((v, operation, concurrency)) for v in ("ours", "raw", "openapi-generator"))
                if None in (ours, raw, oag):
                    continue
                print(f"| {operation} | {concurrency} | {ours:,.0f} | {raw:,.0f} | {oag:,.0f} | {ours / raw:.3f}× | {ours / oag:.3f}× |")


if __name__ == "__main__":
    main()
