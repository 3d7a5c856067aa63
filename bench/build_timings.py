#!/usr/bin/env python3
"""Reads the unit table of a `cargo build --timings` report (cargo-timing.html) and prints
the number of units and crates, the summed unit time and the ten slowest units."""

import json
import sys
from pathlib import Path


def units(report: Path):
    text = report.read_text()
    start = text.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
    end = text.index("];", start) + 1
    return json.loads(text[start:end])


def main():
    label, report = sys.argv[1], Path(sys.argv[2])
    data = units(report)
    crates = {(u["name"], u["version"]) for u in data}
    total = sum(u["duration"] for u in data)
    print(f"{label}: {len(data)} units, {len(crates)} crates, {total:.1f} s summed over units\n")
    print(f"| {label}: slowest units | s |")
    print("|---|---:|")
    for u in sorted(data, key=lambda u: u["duration"], reverse=True)[:10]:
        target = u["target"].strip() or "lib"
        print(f"| {u['name']} {u['version']} ({target}) | {u['duration']:.1f} |")


if __name__ == "__main__":
    main()
