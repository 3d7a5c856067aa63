#!/usr/bin/env python3
"""Draws the one chart BENCHMARKS.md opens with, from the results of one run of
bench/compare.sh: every side-by-side comparison as "ours is N× as good as the peer"
(above 1: ours ahead; below 1: behind), on a logarithmic axis, one bar each.

    bench/chart.py bench/out/results > bench/out/results/ratios.svg

Reads overhead.jsonl, generation-processes.md, build_cost.txt and fleet.json, whichever the
run wrote, and prints the figures it drew on stderr.
"""

import json
import math
import re
import statistics
import sys
from pathlib import Path


def overhead(results):
    path = results / "overhead.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(l) for l in path.read_text().splitlines() if l.startswith("{")]
    groups = {}
    for r in rows:
        groups.setdefault((r["variant"], r["operation"], r["concurrency"]), []).append(r)

    def median(key, figure):
        runs = groups.get(key)
        if not runs or any(figure not in r for r in runs):
            return None
        return statistics.median(r[figure] for r in runs)

    bars = []
    for operation in ("show-job", "batch-attach"):
        for concurrency in sorted({r["concurrency"] for r in rows}):
            ours = ("ours", operation, concurrency)
            raw = ("raw", operation, concurrency)
            oag = ("openapi-generator", operation, concurrency)
            where = f"{operation}, c={concurrency}"
            pairs = [
                (f"median latency vs raw reqwest ({where})", median(raw, "median_us"), median(ours, "median_us")),
                (f"requests/s vs openapi-generator ({where})", median(ours, "rps"), median(oag, "rps")),
                (f"CPU per request vs openapi-generator ({where})", median(oag, "cpu_us_per_request"), median(ours, "cpu_us_per_request")),
            ]
            for label, good, bad in pairs:
                if good and bad:
                    bars.append((label, good / bad))
    return bars


def generation(results):
    path = results / "generation-processes.md"
    if not path.exists():
        return []
    bars = []
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 4 and cells[3].endswith("×"):
            try:
                bars.append((f"generation time vs openapi-generator ({cells[0]})", float(cells[3].rstrip("×"))))
            except ValueError:
                pass
        if len(cells) >= 7 and cells[6].endswith("×") and cells[0].startswith("synthetic-1000"):
            try:
                bars.append((f"generation memory vs openapi-generator ({cells[0]})", 1 / float(cells[6].rstrip("×"))))
            except (ValueError, ZeroDivisionError):
                pass
    return bars


def build(results):
    path = results / "build_cost.txt"
    if not path.exists():
        return []
    text = path.read_text()
    bars = []
    found = re.search(r"ratio generated/openapi-generator ([0-9.]+)x", text)
    if found:
        bars.append(("dependent's clean build vs openapi-generator's crate", 1 / float(found.group(1))))
    found = re.search(r"ratio generated/openapi-generator-ring ([0-9.]+)x", text)
    if found:
        bars.append(("dependent's clean build vs openapi-generator's crate on ring", 1 / float(found.group(1))))
    found = re.search(r"ratio generated/pregenerated ([0-9.]+)x", text)
    if found:
        bars.append(("dependent's clean build vs ours without generation", 1 / float(found.group(1))))
    return bars


def fleet(results):
    path = results / "fleet.json"
    if not path.exists():
        return []
    return [
        (f"fleet run vs the quota's bound ({r['rows']:,} rows at {r['rate_per_second']}/s)", 1 / r["ratio"])
        for r in json.loads(path.read_text())
    ]


def svg(bars):
    width, label_width, row, top = 980, 520, 22, 40
    plot = width - label_width - 80
    low, high = math.log10(0.25), math.log10(max([4.0] + [b for _, b in bars]) * 1.2)

    def x(value):
        value = min(max(value, 10 ** low), 10 ** high)
        return label_width + (math.log10(value) - low) / (high - low) * plot

    height = top + row * len(bars) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="20" font-size="14" font-weight="bold">Ours against each peer, one run of '
        f'bench/compare.sh (above 1×: ours ahead; log scale)</text>',
    ]
    for tick in (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        if 10 ** low <= tick <= 10 ** high:
            tx = x(tick)
            out.append(f'<line x1="{tx:.1f}" y1="{top - 6}" x2="{tx:.1f}" y2="{top + row * len(bars)}" '
                       f'stroke="{"#333" if tick == 1 else "#ddd"}" stroke-width="{2 if tick == 1 else 1}"/>')
            out.append(f'<text x="{tx:.1f}" y="{top + row * len(bars) + 16}" text-anchor="middle">{tick:g}×</text>')
    for index, (label, ratio) in enumerate(bars):
        y = top + index * row
        start, end = sorted((x(1), x(ratio)))
        colour = "#2e7d32" if ratio >= 1 else "#c62828"
        out.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{start:.1f}" y="{y + 4}" width="{max(end - start, 1):.1f}" height="{row - 8}" fill="{colour}"/>')
        out.append(f'<text x="{max(x(1), x(ratio)) + 4:.1f}" y="{y + 15}">{ratio:.2f}×</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main():
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/results")
    bars = overhead(results) + generation(results) + build(results) + fleet(results)
    if not bars:
        sys.exit(f"no results under {results}")
    for label, ratio in bars:
        print(f"{ratio:8.3f}×  {label}", file=sys.stderr)
    sys.stdout.write(svg(bars))


if __name__ == "__main__":
    main()
