#!/usr/bin/env bash
# Where a build of the CLI spends its time: cold and warm, release and
# debug, with the binary's size and the slowest units of each cold build
# (from `cargo build --timings`). Results in docs/build-time.md.
#
#   bench/build-time.sh [OUT_DIR]
#
# Builds the working tree as it is, each time into a new target directory
# under OUT_DIR (default: a temporary one), so nothing the checkout already
# built is reused; the crates.io downloads in ~/.cargo are. "Warm" is the
# rebuild after a one-line change in core/src/lib.rs (reverted afterwards),
# the edit-build loop of someone working on the code. Run it on an idle
# machine: every figure is wall time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
cd "$root"

touched=core/src/lib.rs
cp "$touched" "$out/lib.rs.orig"
restore() { cp "$out/lib.rs.orig" "$root/$touched"; }
trap restore EXIT

# Seconds taken by a command, to two decimals.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$out/last.log" 2>&1 || { cat "$out/last.log" >&2; return 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

# The five slowest units of the newest timing report in a target directory.
slowest() {
  python3 - "$1" <<'EOF'
import glob, json, re, sys
report = sorted(glob.glob(sys.argv[1] + "/cargo-timings/cargo-timing-*.html"))[-1]
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", open(report).read(), re.S).group(1))
units.sort(key=lambda u: -u["duration"])
print("  slowest units: " + ", ".join(
    f"{u['name']} {u.get('target', '').strip() or 'lib'} {u['duration']:.0f} s" for u in units[:5]))
EOF
}

for profile in release debug; do
  target="$out/target-$profile"
  rm -rf "$target"
  flag=()
  [ "$profile" = release ] && flag=(--release)
  export CARGO_TARGET_DIR=$target
  cold=$(timed cargo build "${flag[@]}" -p polyaxon-cli --timings)
  size=$(stat -c %s "$target/$profile/polyaxon")
  echo "// build-time.sh warm rebuild" >>"$touched"
  warm=$(timed cargo build "${flag[@]}" -p polyaxon-cli)
  restore
  echo "$profile: cold ${cold} s, warm (core changed) ${warm} s, binary $((size / 1024 / 1024)) MiB ($size bytes)"
  slowest "$target"
done
echo "timing reports: $out/target-*/cargo-timings/"
