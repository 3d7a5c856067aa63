#!/usr/bin/env python3
"""Requests per second of the official Python SDK (huaweicloudsdkworkspace) against the same
loopback server, for the job query and batch-attach, at concurrency 1 (and N threads).

    python3 -m pip install huaweicloudsdkworkspace==3.1.219
    python3 bench/python_sdk.py --endpoint http://127.0.0.1:8089 --seconds 3

Prints one JSON line per operation and concurrency, in the shape of the Rust harness.
"""

import argparse
import json
import statistics
import threading
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkworkspace.v2 import (
    AttachInstancesDesktopInfo,
    BatchAttachInstancesReq,
    BatchAttachInstancesRequest,
    ShowJobRequest,
    WorkspaceClient,
)

PROJECT = "0bec5db98280d2d02fd6c00c2de791ce"
JOB = "3979904c-7beb-4f34-835f-2fa989a5550a"


def client(endpoint):
    credentials = BasicCredentials("BENCHACCESSKEY000001", "bench-secret-key", PROJECT)
    return WorkspaceClient.new_builder().with_credentials(credentials).with_endpoints([endpoint]).build()


def calls(sdk):
    def show_job():
        sdk.show_job(ShowJobRequest(job_id=JOB))

    def batch_attach():
        desktop = AttachInstancesDesktopInfo(
            desktop_id="b41a8cc1-4813-47a0-bf3a-7800fcd5b581", user_name="alice", user_group="users"
        )
        sdk.batch_attach_instances(BatchAttachInstancesRequest(body=BatchAttachInstancesReq(desktops=[desktop])))

    return {"show-job": show_job, "batch-attach": batch_attach}


def measure(endpoint, operation, concurrency, seconds, warmup=0.5):
    start = time.perf_counter() + warmup
    end = start + seconds
    latencies, failures, lock = [], [0], threading.Lock()

    def loop():
        call = calls(client(endpoint))[operation]
        mine, failed = [], 0
        while True:
            began = time.perf_counter()
            if began >= end:
                break
            try:
                call()
                ok = True
            except Exception:  # noqa: BLE001 - any failure counts as one
                ok = False
            if began >= start:
                if ok:
                    mine.append(time.perf_counter() - began)
                else:
                    failed += 1
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "variant": "python-sdk",
        "operation": operation,
        "concurrency": concurrency,
        "requests": len(latencies),
        "failures": failures[0],
        "rps": len(latencies) / seconds,
        "median_us": statistics.median(latencies) * 1e6 if latencies else 0.0,
        "p99_us": latencies[int((len(latencies) - 1) * 0.99)] * 1e6 if latencies else 0.0,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", default="1,64")
    args = parser.parse_args()
    for concurrency in [int(c) for c in args.concurrency.split(",")]:
        for operation in ("show-job", "batch-attach"):
            print(json.dumps(measure(args.endpoint, operation, concurrency, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
