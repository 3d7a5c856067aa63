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
#   openapi-generator-ring - the same crate with rustls on ring, the provider ours uses
#                       (its `rustls` feature brings aws-lc-rs, whose C build is most of
#                       its time): the comparison made fair the other way
# The variants are built in BUILD_ROUNDS interleaved rounds (default 2; a clean build on a
# shared 2-core machine varies by about 10 % from run to run). Prints each variant's median and
# every round's seconds, the ratios of the medians, and each build's units, crates and ten
# slowest units (from the last round).
set -euo pipefail
rounds=${BUILD_ROUNDS:-2}
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
  rm -rf "${work:?}/$name"
  seconds cargo build -j2 --timings --target-dir "$work/$name" "$@"
}

oag="$root/bench/out/openapi-generator-client"
variants="generated pregenerated"
if [ -d "$oag" ]; then
  # Built from a copy outside this workspace, as a user's dependency would be.
  cp -r "$oag" "$work/openapi-generator-client"
  cargo fetch --manifest-path "$work/openapi-generator-client/Cargo.toml" >/dev/null 2>&1
  # A second copy whose one added feature puts rustls on ring, as ours is.
  cp -r "$oag" "$work/openapi-generator-client-ring"
  echo >>"$work/openapi-generator-client-ring/Cargo.toml"
  cat >>"$work/openapi-generator-client-ring/Cargo.toml" <<'TOML'
rustls-ring = ["reqwest/rustls-no-provider", "dep:rustls"]

[dependencies.rustls]
version = "0.23"
optional = true
default-features = false
features = ["ring", "std", "tls12"]
TOML
  cargo fetch --manifest-path "$work/openapi-generator-client-ring/Cargo.toml" >/dev/null 2>&1
  variants="$variants openapi-generator openapi-generator-ring"
fi
declare -A runs
for round in $(seq 1 "$rounds"); do
  runs[generated]+=" $(build generated --locked --manifest-path "$root/Cargo.toml" -p huaweicloud-workspace)"
  runs[pregenerated]+=" $(build pregenerated --locked --manifest-path "$root/Cargo.toml" -p huaweicloud-workspace --no-default-features)"
  if [ -d "$oag" ]; then
    runs[openapi-generator]+=" $(build openapi-generator --manifest-path "$work/openapi-generator-client/Cargo.toml" --no-default-features --features rustls)"
    runs[openapi-generator-ring]+=" $(build openapi-generator-ring --manifest-path "$work/openapi-generator-client-ring/Cargo.toml" --no-default-features --features rustls-ring)"
  fi
done
python3 - "$rounds" "${runs[generated]}" "${runs[pregenerated]}" "${runs[openapi-generator]:-}" "${runs[openapi-generator-ring]:-}" <<'PY'
import statistics
import sys

rounds = sys.argv[1]
labels = [
    "huaweicloud-workspace, default features (generated at build time)",
    "huaweicloud-workspace, --no-default-features (checked-in source)",
    "openapi-generator's crate, rustls",
    "openapi-generator's crate, rustls on ring (as ours)",
]
medians = {}
print(f"| build | median s ({rounds} interleaved rounds) | rounds, s |")
print("|---|---:|---|")
for key, label, arg in zip(["g", "p", "o", "r"], labels, sys.argv[2:]):
    figures = [float(x) for x in arg.split()]
    if figures:
        medians[key] = statistics.median(figures)
        print(f"| {label} | {medians[key]:.1f} | {', '.join(f'{x:.1f}' for x in figures)} |")
g, p = medians["g"], medians["p"]
print(f"\nratio generated/pregenerated {g / p:.2f}x")
if "o" in medians:
    o = medians["o"]
    print(f"ratio generated/openapi-generator {g / o:.2f}x")
    print(f"ratio pregenerated/openapi-generator {p / o:.2f}x")
if "r" in medians:
    r = medians["r"]
    print(f"ratio generated/openapi-generator-ring {g / r:.2f}x")
    print(f"ratio pregenerated/openapi-generator-ring {p / r:.2f}x")
PY
for name in $variants; do
  echo
  python3 "$root/bench/build_timings.py" "$name" "$work/$name/cargo-timings/cargo-timing.html"
done
