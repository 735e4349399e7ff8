#!/usr/bin/env bash
# The loader under large and hostile inputs: generates them, then times
# `polyaxon deploy --check -f <file>` (no cluster: KUBECONFIG names a missing
# file, so only the config is read and checked) and reports wall time, peak
# memory (GNU time's "Maximum resident set size") and the exit code of each.
# Not a test: the targets ("no input may push memory past 100 MB or time past
# 1 s") are read against a release build; bench/RESULTS.md keeps a run.
#
# Usage: bench/loader.sh [path/to/polyaxon ...]
#   default: target/release/polyaxon and target/debug/polyaxon, those present.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
if [ "$#" -gt 0 ]; then
  bins=("$@")
else
  bins=()
  for b in "$here/target/release/polyaxon" "$here/target/debug/polyaxon"; do
    [ -x "$b" ] && bins+=("$b")
  done
fi
[ "${#bins[@]}" -gt 0 ] || { echo "no polyaxon binary: cargo build --release -p polyaxon-cli" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export KUBECONFIG=/nonexistent/kubeconfig NO_COLOR=1

python3 - "$work" <<'EOF'
import sys
w = sys.argv[1] + "/"
def write(name, text):
    with open(w + name, "w") as f:
        f.write(text)
# 100,000 keys nobody knows, at the top: 100,000 errors.
write("keys-100k-unknown.yml", "".join(f"k{i}: {i}\n" for i in range(100_000)))
# 100,000 keys in a valid config: annotations are any strings.
write("keys-100k-annotations.yml", "ingress:\n  annotations:\n" + "".join(f"    example.com/k{i}: v{i}\n" for i in range(100_000)))
# 100,000 labels: each key and value checked as Kubernetes checks labels.
write("labels-100k.yml", "labels:\n" + "".join(f"  example.com/k{i}: v{i}\n" for i in range(100_000)))
# A list of 190,000 items (the value limit is 200,000; the file stays under 4 MiB).
write("list-190k.yml", "allowedHosts:\n" + "".join(f"  - h{i}\n" for i in range(190_000)))
# 20,000 connections of one name: 19,999 duplicates.
write("connections-20k-same-name.yml", "connections:\n" + "".join("  - name: same\n    kind: s3\n" for _ in range(20_000)))
# Nesting at the limit (64) and past it.
write("nested-63.yml", "a: " + "[" * 63 + "1" + "]" * 63 + "\n")
write("nested-5000.yml", "a: " + "[" * 5000 + "1" + "]" * 5000 + "\n")
# The alias bomb ("billion laughs"): 9^10 values if expanded.
t = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
for l in range(1, 10):
    t += f"a{l}: &a{l} [" + ", ".join([f"*a{l-1}"] * 9) + "]\n"
write("alias-bomb.yml", t)
# 1,000 --set pairs (the limit) in one argument, over the 100k annotations.
with open(w + "set-1000.txt", "w") as f:
    f.write(",".join(f"ingress.annotations.example\\.com/s{i}=v{i}" for i in range(1000)))
EOF

measure() { # binary, label, args...
  local bin="$1" label="$2"; shift 2
  local stats="$work/time" start end code
  start="$EPOCHREALTIME"
  set +e
  /usr/bin/time -f '%M' -o "$stats" "$bin" deploy --check "$@" >/dev/null 2>"$work/stderr"
  code=$?
  set -e
  end="$EPOCHREALTIME"
  printf '| %-44s | %8.2f | %7.1f | %4s |\n' "$label" \
    "$(awk -v a="$start" -v b="$end" 'BEGIN{print b-a}')" \
    "$(awk -v k="$(tail -1 "$stats")" 'BEGIN{print k/1024}')" "$code"
}

for bin in "${bins[@]}"; do
  echo
  echo "binary: $bin"
  echo
  echo "| input | wall s | peak RSS MiB | exit |"
  echo "| --- | ---: | ---: | ---: |"
  for input in keys-100k-unknown keys-100k-annotations labels-100k list-190k \
               connections-20k-same-name nested-63 nested-5000 alias-bomb; do
    measure "$bin" "$input" -f "$work/$input.yml"
  done
  measure "$bin" "keys-100k-annotations + 1,000 --set pairs" \
    -f "$work/keys-100k-annotations.yml" --set "$(cat "$work/set-1000.txt")"
  measure "$bin" "/dev/zero" -f /dev/zero
done
