#!/usr/bin/env bash
# Clean build of huaweicloud-workspace two ways, same machine, same run:
#   generated  - as users get it: build.rs runs workspace-codegen (progenitor in the build graph)
#   included   - the same code, generated once beforehand and include!d (no generator in the graph)
# Prints wall-clock seconds and the ratio. Usage: bench/build_cost.sh [profile: dev|release]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=${1:-dev}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

flag=""; [ "$profile" = release ] && flag="--release"
cargo fetch --locked --manifest-path "$root/Cargo.toml" >/dev/null

# Variant "included": a copy of the crate without build.rs and without the build-dependency,
# whose lib.rs includes the source generated now.
cp -r "$root/generated-client" "$work/included"
rm -f "$work/included/build.rs" "$work/included/spec/workspace.yaml"
cargo run -q --locked -p workspace-codegen --manifest-path "$root/Cargo.toml" -- \
  generate --spec "$root/spec/workspace.yaml" --out "$work/included/src/workspace.rs"
sed -i 's|include!(concat!(env!("OUT_DIR"), "/workspace.rs"));|include!("workspace.rs");|' "$work/included/src/lib.rs"
python3 - "$work/included/Cargo.toml" "$root/Cargo.toml" <<'PY'
import re, sys, tomllib
crate, ws = sys.argv[1], tomllib.load(open(sys.argv[2], "rb"))
text = open(crate).read()
text = re.sub(r"\n\[build-dependencies\][^\[]*", "\n", text)
# Inline the workspace's shared settings so the copy builds outside the workspace.
pkg = ws["workspace"]["package"]
for key, value in pkg.items():
    text = text.replace(f"{key}.workspace = true", f'{key} = "{value}"')
deps = ws["workspace"]["dependencies"]
def spec(v):
    if isinstance(v, str): return f'"{v}"'
    return "{ " + ", ".join(f"{k} = " + (str(x).lower() if isinstance(x, bool) else (f'"{x}"' if isinstance(x, str) else "[" + ", ".join(f'"{i}"' for i in x) + "]")) for k, x in v.items()) + " }"
text = re.sub(r"^([\w-]+)\.workspace = true$", lambda m: f"{m.group(1)} = {spec(deps[m.group(1)])}", text, flags=re.M)
open(crate, "w").write(text + "\n[workspace]\n")
PY
cp "$root/Cargo.lock" "$work/included/Cargo.lock"

time_build() { # dir target-dir
  local start end
  start=$(date +%s.%N)
  cargo build -q -j2 $flag --manifest-path "$1/Cargo.toml" --target-dir "$2" -p huaweicloud-workspace >/dev/null
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}
generated=$(time_build "$root/generated-client" "$work/target-generated")
included=$(time_build "$work/included" "$work/target-included")
python3 - "$generated" "$included" "$profile" <<'PY'
import sys
g, i, profile = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print(f"profile {profile}: build-time generation {g:.1f} s, pre-generated {i:.1f} s, ratio {g / i:.2f}x, generation adds {g - i:.1f} s")
PY
