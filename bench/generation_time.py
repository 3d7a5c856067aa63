#!/usr/bin/env python3
"""Whole-process generation time, as users run the tools: `workspace-codegen generate` against
`openapi-generator-cli generate` (JVM start included), on each document given, interleaved,
medians over the runs. Prints a Markdown table with the ratio computed in this run.

    generation_time.py CODEGEN_BINARY OPENAPI_GENERATOR_CLI OUT_DIR DOCUMENT...
"""

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


def seconds(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    codegen, oag, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    documents = [Path(d) for d in sys.argv[4:]]
    print("| document | workspace-codegen generate, median s | openapi-generator generate, median s | ours faster by |")
    print("|---|---:|---:|---:|")
    for document in documents:
        ours_out = out / f"generated-{document.stem}.rs"
        theirs_out = out / f"oag-{document.stem}"
        ours_command = [codegen, "generate", "--spec", str(document), "--out", str(ours_out)]
        theirs_command = [oag, "generate", "-i", str(document), "-g", "rust", "-o", str(theirs_out),
                          "--package-name", "generated", "--additional-properties=supportMiddleware=true,library=reqwest"]
        seconds(ours_command)  # warm the page cache, as a maintainer's second run is
        ours, theirs = [], []
        for run in range(max(OURS_RUNS, THEIRS_RUNS)):
            if run < THEIRS_RUNS:
                theirs.append(seconds(theirs_command))
            if run < OURS_RUNS and (run < THEIRS_RUNS or sum(ours) < OURS_SECONDS):
                ours.append(seconds(ours_command))
        o, t = statistics.median(ours), statistics.median(theirs)
        print(f"| {document.name} | {o:.4f} (runs: {len(ours)}, min {min(ours):.4f}) | {t:.2f} (runs: {len(theirs)}) | {t / o:.0f}× |", flush=True)


if __name__ == "__main__":
    main()
