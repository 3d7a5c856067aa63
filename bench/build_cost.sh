#!/usr/bin/env bash
# Clean builds, same machine, same run, each in a fresh target directory (-j2, dev profile,
# --timings), as a dependent builds the crate:
#   generated         - huaweicloud-workspace as users get it by default: build.rs runs the
#                       generator on the packaged document
#   pregenerated      - the same code from the checked-in source (--no-default-features): no
#                       generator in the build graph
#   openapi-generator - the crate openapi-generator makes from the same document (when
#                       bench/out/openapi-generator-client exists; bench/compare.sh makes it),
#                       with rustls instead of its default native-tls, as ours uses
# Prints seconds per variant, ratios, and each build's units, crates and ten slowest units.
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

build() { # name, cargo arguments...
  local name=$1
  shift
  seconds cargo build -j2 --timings --target-dir "$work/$name" "$@"
}

generated=$(build generated --locked --manifest-path "$root/Cargo.toml" -p huaweicloud-workspace)
pregenerated=$(build pregenerated --locked --manifest-path "$root/Cargo.toml" -p huaweicloud-workspace --no-default-features)
variants="generated pregenerated"
oag="$root/bench/out/openapi-generator-client"
if [ -d "$oag" ]; then
  # Built from a copy outside this workspace, as a user's dependency would be.
  cp -r "$oag" "$work/openapi-generator-client"
  cargo fetch --manifest-path "$work/openapi-generator-client/Cargo.toml" >/dev/null 2>&1
  openapi=$(build openapi-generator --manifest-path "$work/openapi-generator-client/Cargo.toml" --no-default-features --features rustls)
  variants="$variants openapi-generator"
fi
echo "| build | seconds |"
echo "|---|---:|"
echo "| huaweicloud-workspace, default features (generated at build time) | ${generated} |"
echo "| huaweicloud-workspace, --no-default-features (checked-in source) | ${pregenerated} |"
[ -n "${openapi:-}" ] && echo "| openapi-generator's crate, rustls | ${openapi} |"
python3 - "$generated" "$pregenerated" "${openapi:-}" <<'PY'
import sys
g, p = float(sys.argv[1]), float(sys.argv[2])
print(f"\nratio generated/pregenerated {g / p:.2f}x")
if sys.argv[3]:
    o = float(sys.argv[3])
    print(f"ratio generated/openapi-generator {g / o:.2f}x")
    print(f"ratio pregenerated/openapi-generator {p / o:.2f}x")
PY
for name in $variants; do
  echo
  python3 "$root/bench/build_timings.py" "$name" "$work/$name/cargo-timings/cargo-timing.html"
done
