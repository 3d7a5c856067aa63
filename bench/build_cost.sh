#!/usr/bin/env bash
# Clean builds, same machine, same run, each in a fresh target directory (-j2, dev profile):
#   generated    - huaweicloud-workspace as users get it by default: build.rs runs the generator
#   pregenerated - the same code from the checked-in source (--no-default-features): no
#                  generator in the build graph
#   openapi-gen  - the crate openapi-generator makes from the same document (when
#                  bench/out/openapi-generator-client exists; bench/compare.sh makes it)
# Prints seconds per variant and ratios to `pregenerated`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo fetch --locked --manifest-path "$root/Cargo.toml" >/dev/null

seconds() { # command...
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

generated=$(seconds cargo build -j2 --locked --manifest-path "$root/Cargo.toml" --target-dir "$work/generated" -p huaweicloud-workspace)
pregenerated=$(seconds cargo build -j2 --locked --manifest-path "$root/Cargo.toml" --target-dir "$work/pregenerated" -p huaweicloud-workspace --no-default-features)
echo "generated ${generated} s"
echo "pregenerated ${pregenerated} s"
oag="$root/bench/out/openapi-generator-client"
if [ -d "$oag" ]; then
  # Built from a copy outside this workspace, as a user's dependency would be.
  cp -r "$oag" "$work/openapi-generator-client"
  openapi=$(seconds cargo build -j2 --manifest-path "$work/openapi-generator-client/Cargo.toml" --target-dir "$work/openapi" --no-default-features --features rustls)
  echo "openapi-generator ${openapi} s"
fi
python3 - "$generated" "$pregenerated" "${openapi:-}" <<'PY'
import sys
g, p = float(sys.argv[1]), float(sys.argv[2])
print(f"ratio generated/pregenerated {g / p:.2f}x")
if sys.argv[3]:
    print(f"ratio openapi-generator/pregenerated {float(sys.argv[3]) / p:.2f}x")
PY
