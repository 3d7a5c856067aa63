#!/usr/bin/env bash
# Instructions each client spends per request, counted by callgrind: the client's own work,
# free of the scheduling noise that wall-clock figures carry on a shared 2-core machine.
# Each point runs twice, with FEW and MANY requests; (Ir(MANY) - Ir(FEW)) / (MANY - FEW)
# removes start-up (runtime, TLS configuration, client construction). Prints JSON lines.
#
#   bench/instructions.sh ENDPOINT OPENAPI_GENERATOR_DRIVER
#
# Needs valgrind, the release harnesses and a loopback server (bench/compare.sh does all).
set -euo pipefail
endpoint=$1
driver=$2
few=${INSTRUCTIONS_FEW:-500}
many=${INSTRUCTIONS_MANY:-2500}

instructions() { # command...
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

for operation in show-job batch-attach; do
  for concurrency in 1 64; do
    for variant in ours raw openapi-generator; do
      if [ "$variant" = openapi-generator ]; then
        command=("$driver" --endpoint "$endpoint")
      else
        command=(target/release/overhead --endpoint "$endpoint" --variant "$variant")
      fi
      command+=(--operation "$operation" --concurrency "$concurrency")
      a=$(instructions "${command[@]}" --requests "$few")
      b=$(instructions "${command[@]}" --requests "$many")
      python3 -c "import json; print(json.dumps({'variant': '$variant', 'operation': '$operation', 'concurrency': $concurrency, 'instructions_per_request': ($b - $a) / ($many - $few)}))"
    done
  done
done
