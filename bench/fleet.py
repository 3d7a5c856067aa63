#!/usr/bin/env python3
"""A fleet run of ROWS rows against the simulator at a fixed quota: wall time against the
quota's lower bound (chunks / rate), the client's CPU time and peak memory, and a check of the
simulator's state file (every desktop has exactly its row's user, named by one accepted call).

    bench/fleet.py SIMULATOR CLI OUT_DIR [--rows 10000] [--rate 10 --rate 2] [--job-seconds 1]

SIMULATOR and CLI are the release binaries; prints a Markdown table, one row per rate, and
writes OUT_DIR/fleet.json.
"""

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import time

AK, SK = "SIMULATORACCESSKEY00", "simulator-demo-secret-key"
PROJECT = "0bec5db98280d2d02fd6c00c2de791ce"
BATCH = 100  # desktops per batch-attach: the document's maxItems


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"the simulator did not listen on {port}")


def desktop_id(n):
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def run_point(args, rate):
    """One fleet run at `rate` calls per second (the simulator's quota too); its figures."""
    work = os.path.join(args.out, f"fleet-{rate}")
    os.makedirs(work, exist_ok=True)
    for name in ("journal.jsonl", "outcome.csv", "state.json"):
        path = os.path.join(work, name)
        if os.path.exists(path):
            os.remove(path)
    rows = os.path.join(work, "rows.csv")
    with open(rows, "w") as f:
        f.write("desktop_id,user_name,user_group\n")
        for n in range(1, args.rows + 1):
            f.write(f"{desktop_id(n)},user{n:05d},users\n")

    port = free_port()
    state = os.path.join(work, "state.json")
    simulator = subprocess.Popen(
        [args.simulator, "--port", str(port), "--desktops", str(args.rows),
         "--quota", f"batchAttach={rate}/s", "--job-seconds", str(args.job_seconds),
         "--state-file", state],
        stdout=subprocess.DEVNULL)
    try:
        wait_for(port)
        env = dict(os.environ, HUAWEICLOUD_SDK_AK=AK, HUAWEICLOUD_SDK_SK=SK,
                   HUAWEICLOUD_SDK_PROJECT_ID=PROJECT,
                   HUAWEICLOUD_WORKSPACE_ENDPOINT=f"http://127.0.0.1:{port}")
        env.pop("RUST_LOG", None)
        command = [args.cli, "bulk", "attach", "--from", rows,
                   "--journal", os.path.join(work, "journal.jsonl"),
                   "--report", os.path.join(work, "outcome.csv"),
                   "--rate", f"{rate}/s", "--concurrency", str(max(8, 4 * rate)),
                   "--poll-interval", str(args.poll_seconds), "--output", "json"]
        out_path, err_path = os.path.join(work, "stdout.json"), os.path.join(work, "stderr.txt")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            started = time.monotonic()
            cli = subprocess.Popen(command, env=env, stdout=out, stderr=err)
            # wait4, not wait: the client's own CPU time and peak memory.
            _, status, usage = os.wait4(cli.pid, 0)
            wall = time.monotonic() - started
        cli.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"bulk attach exited {code}: {open(err_path).read()[-2000:]}")
        with open(out_path) as f:
            summary = json.load(f)["summary"]
    finally:
        simulator.terminate()
        simulator.wait()

    with open(state) as f:
        desktops = json.load(f)["desktops"]
    wrong = [n for n in range(1, args.rows + 1)
             if [u["name"] for u in desktops[desktop_id(n)]["users"]] != [f"user{n:05d}"]]
    twice = [d for d, s in desktops.items() if s["accepted_requests"] > 1]
    if wrong or twice:
        sys.exit(f"state: {len(wrong)} desktops without exactly their user, {len(twice)} named twice")

    journal = [json.loads(line) for line in open(os.path.join(work, "journal.jsonl"))]
    sends = [r["at_ms"] for r in journal if r["kind"] == "sending"]
    chunks = math.ceil(args.rows / BATCH)
    bound = chunks / rate
    # No run can end before its last call is sent, (chunks - 1) / rate after the first, and
    # that call's job has run: the floor the client's own costs are measured against.
    floor = (chunks - 1) / rate + args.job_seconds
    return {
        "rows": args.rows, "chunks": chunks, "rate_per_second": rate,
        "job_seconds": args.job_seconds, "wall_seconds": round(wall, 2),
        "lower_bound_seconds": bound, "ratio": round(wall / bound, 3),
        "floor_seconds": round(floor, 2), "over_floor_seconds": round(wall - floor, 2),
        "first_to_last_send_seconds": round((sends[-1] - sends[0]) / 1000, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "summary": summary,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("simulator")
    parser.add_argument("cli")
    parser.add_argument("out")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rate", type=int, action="append",
                        help="quota and rate, calls per second (repeatable; default 10 and 2)")
    parser.add_argument("--job-seconds", type=float, default=1.0)
    parser.add_argument("--poll-seconds", type=int, default=1)
    args = parser.parse_args()

    results = []
    print("| rows | chunks | quota = rate | lower bound (chunks ÷ rate) | wall | wall ÷ bound "
          "| floor (last send, then its job) | wall − floor "
          "| first to last send | client CPU | client peak RSS | calls | throttled |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rate in args.rate or [10, 2]:
        r = run_point(args, rate)
        results.append(r)
        print(f"| {r['rows']:,} | {r['chunks']} | {rate}/s | {r['lower_bound_seconds']:.1f} s "
              f"| {r['wall_seconds']:.2f} s | {r['ratio']:.3f}× | {r['floor_seconds']:.2f} s "
              f"| {r['over_floor_seconds']:.2f} s | {r['first_to_last_send_seconds']:.2f} s "
              f"| {r['cpu_seconds']:.2f} s | {r['peak_rss_mib']} MiB | {r['summary']['calls']} "
              f"| {r['summary']['throttled']} |", flush=True)
    print(f"\nEvery run: every desktop has exactly its row's user and was named by one accepted "
          f"call (the simulator's state file); jobs take {args.job_seconds:g} s, polled every "
          f"{args.poll_seconds} s.")
    with open(os.path.join(args.out, "fleet.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
