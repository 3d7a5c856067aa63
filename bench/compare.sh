#!/usr/bin/env bash
# Side-by-side comparison, all on loopback, in one run:
#   request overhead of our client vs raw reqwest vs openapi-generator's client vs the
#   official Python SDK; signing and batch bodies; generation time vs openapi-generator;
#   fleet runs against their quota's lower bound; clean-build cost. Installs its peers under bench/out/ (PyPI: the official SDK,
#   openapi-generator-cli, PyYAML). Results: bench/out/results/*.
#
#   bench/compare.sh [SECTION...]     sections: generation overhead micro fleet build (default: all)
#   BENCH_SECONDS=2 BENCH_ROUNDS=5 bench/compare.sh overhead
#
# The whole run takes about 20 minutes on 2 cores, half of it the clean builds (four crates in BUILD_ROUNDS interleaved
# rounds, default 2). Request overhead is measured in BENCH_ROUNDS interleaved rounds (ours,
# raw, openapi-generator) with the server pinned to CPU 0 and the client to CPU 1; the tables
# report medians over the rounds. Instructions per request are
# counted with callgrind (valgrind; installed with apt-get when missing and running as root).
# The fleet runs go beside the counting when both sections are asked for: a count does not
# depend on time, and a fleet run waits on its quota most of the time (about 1 s of CPU in 60).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${BENCH_SECONDS:-2}
rounds=${BENCH_ROUNDS:-5}
sections=${*:-generation overhead micro fleet build}
want() { [[ " $sections " == *" $1 "* ]]; }
out=bench/out
results=$out/results
mkdir -p "$results"
export CARGO_BUILD_JOBS=2

echo "== peers"
python3 -m venv "$out/venv"
"$out/venv/bin/pip" install --quiet --disable-pip-version-check \
  huaweicloudsdkworkspace==3.1.219 huaweicloudsdkcore==3.1.219 openapi-generator-cli==7.26.0 pyyaml
oag="$out/venv/bin/openapi-generator-cli"
# openapi-generator's Rust client for our document (reqwest + middleware, so it can be signed).
generate_client() {
  rm -rf "$out/openapi-generator-client"
  "$oag" generate -i spec/workspace.yaml -g rust -o "$out/openapi-generator-client" \
    --package-name oag_workspace --additional-properties=supportMiddleware=true,library=reqwest >/dev/null
}
if want overhead || want build; then generate_client; fi
build_fleet() {
  cargo build --locked --release -q -p workspace-simulator -p huaweicloud-workspace-cli
}
run_fleet() {
  echo "== fleet runs: 10,000 rows against the simulator at a fixed quota"
  python3 bench/fleet.py target/release/workspace-simulator target/release/huaweicloud-workspace \
    "$results" > "$results/fleet.md"
  cat "$results/fleet.md"
}

if want generation; then
echo "== generation: whole processes, ours against openapi-generator (JVM start included)"
cargo build --locked --release -q -p workspace-codegen
for ops in 10 100 1000; do
  "$out/venv/bin/python" bench/synthetic_spec.py "$ops" "$out/synthetic-$ops.json" >/dev/null
done
python3 bench/generation_time.py target/release/workspace-codegen "$oag" "$out" \
  spec/workspace.yaml "$out/synthetic-10.json" "$out/synthetic-100.json" "$out/synthetic-1000.json" \
  | tee "$results/generation-processes.md"
echo "== in-process generation stages (divan)"
cargo bench --locked -q -p workspace-codegen --bench generation 2>&1 | tee "$results/generation.txt"
fi

if want overhead; then
echo "== build the harnesses"
cargo build --locked --release -q -p workspace-bench
CARGO_TARGET_DIR="$root/$out/target" cargo build --release -q --manifest-path bench/openapi-generator-driver/Cargo.toml

echo "== request overhead against the loopback server ($rounds rounds, ${seconds}s per point)"
port=18089
taskset -c 0 target/release/loopback-server --port $port >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 1
endpoint=http://127.0.0.1:$port
client="taskset -c 1"
{
  for round in $(seq 1 "$rounds"); do
    $client target/release/overhead --endpoint $endpoint --variant ours --seconds "$seconds"
    $client target/release/overhead --endpoint $endpoint --variant raw --seconds "$seconds"
    $client "$out/target/release/openapi-generator-driver" --endpoint $endpoint --seconds "$seconds"
  done
  $client "$out/venv/bin/python" bench/python_sdk.py --endpoint $endpoint --seconds "$seconds"
} | tee "$results/overhead.jsonl"
echo "== instructions per request (callgrind)"
if ! command -v valgrind >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq valgrind >/dev/null || true
fi
if command -v valgrind >/dev/null; then
  if want fleet; then
    build_fleet
    run_fleet > "$out/fleet.log" 2>&1 &
    fleet=$!
  fi
  bench/instructions.sh $endpoint "$out/target/release/openapi-generator-driver" | tee "$results/instructions.jsonl"
  if [ -n "${fleet:-}" ]; then
    wait "$fleet" || { cat "$out/fleet.log"; exit 1; }
    cat "$out/fleet.log"
  fi
else
  echo "valgrind is not installed: instructions per request skipped"
  rm -f "$results/instructions.jsonl"
fi
kill $server
python3 bench/summarize.py "$results" | tee "$results/overhead.md"
fi

if want micro; then
echo "== signing and batch bodies (divan)"
cargo bench --locked -q -p huaweicloud-workspace --bench signing 2>&1 | tee "$results/signing.txt"
fi

if want fleet && [ -z "${fleet:-}" ]; then
  build_fleet
  run_fleet
fi

if want build; then
echo "== clean builds"
bench/build_cost.sh | tee "$results/build_cost.txt"
fi

echo "== the chart BENCHMARKS.md opens with"
python3 bench/chart.py "$results" > bench/ratios.svg
