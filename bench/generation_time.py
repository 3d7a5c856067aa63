#!/usr/bin/env python3
"""Whole-process generation time and peak memory, as users run the tools: `workspace-codegen
generate` against `openapi-generator-cli generate` (JVM start included), on each document
given, interleaved, medians over the runs. Peak memory is the largest resident set of each
run's process or any process it waited for (wait4's rusage: for openapi-generator-cli, a
Python launcher, that is its Java child), the largest over the runs. Prints a
Markdown table with the ratios computed in this run.

    generation_time.py CODEGEN_BINARY OPENAPI_GENERATOR_CLI OUT_DIR DOCUMENT...
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OURS_RUNS = 15
THEIRS_RUNS = 3
# Runs of ours stop early (never below THEIRS_RUNS) once they have taken this long: the
# 1,000-operation document takes seconds a run, and its median settles in a few.
OURS_SECONDS = 30.0


def run(command):
    """Wall seconds, and the peak resident set in MB (the process, or its largest child)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed with {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss / 1024


def main():
    codegen, oag, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    documents = [Path(d) for d in sys.argv[4:]]
    print("| document | workspace-codegen generate, median s | openapi-generator generate, median s | ours faster by | peak MB, ours | peak MB, openapi-generator | ours in memory |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for document in documents:
        ours_out = out / f"generated-{document.stem}.rs"
        theirs_out = out / f"oag-{document.stem}"
        ours_command = [codegen, "generate", "--spec", str(document), "--out", str(ours_out)]
        theirs_command = [oag, "generate", "-i", str(document), "-g", "rust", "-o", str(theirs_out),
                          "--package-name", "generated", "--additional-properties=supportMiddleware=true,library=reqwest"]
        run(ours_command)  # warm the page cache, as a maintainer's second run is
        ours, theirs, ours_mb, theirs_mb = [], [], [], []
        for index in range(max(OURS_RUNS, THEIRS_RUNS)):
            if index < THEIRS_RUNS:
                elapsed, peak = run(theirs_command)
                theirs.append(elapsed)
                theirs_mb.append(peak)
            if index < OURS_RUNS and (index < THEIRS_RUNS or sum(ours) < OURS_SECONDS):
                elapsed, peak = run(ours_command)
                ours.append(elapsed)
                ours_mb.append(peak)
        o, t = statistics.median(ours), statistics.median(theirs)
        om, tm = max(ours_mb), max(theirs_mb)
        print(f"| {document.name} | {o:.4f} (runs: {len(ours)}, min {min(ours):.4f}) | {t:.2f} (runs: {len(theirs)}) | {t / o:.1f}× "
              f"| {om:.0f} | {tm:.0f} | {om / tm:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
