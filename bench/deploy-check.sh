#!/usr/bin/env bash
# Benchmark of `polyaxon deploy --check` on Polyaxon's largest reference config,
# next to the Python CLI's reader on the same file. Not a test: it prints
# wall time and peak memory (GNU time's "Maximum resident set size").
#
# Usage: bench/deploy-check.sh [path/to/polyaxon] [runs]
#   default binary: target/release/polyaxon (build it with
#   `cargo build --release -p polyaxon-cli`); default runs: 20.
# The Python side runs when `python -c "import polyaxon"` works in $PYTHON
# (default python3); install it with `pip install polyaxon`. Set PYTHON_1X to
# a Python with `pip install polyaxon==1.14.0 six` to time the 1.x reader too.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$here/target/release/polyaxon}"
runs="${2:-20}"
python="${PYTHON:-python3}"
shared="${POLYAXON_SHARED_DIR:-}"
for candidate in "$shared" "$here/../shared" /work/shared; do
  if [ -n "$candidate" ] && [ -d "$candidate/reference/polyaxon-configs" ]; then
    shared="$candidate"; break
  fi
done
config="$shared/reference/polyaxon-configs/polyaxon-1.14-all_platform_values.yml"
pin="$(mktemp --suffix=.yml)"
echo "deploymentVersion: 1.14.0" > "$pin"
trap 'rm -f "$pin"' EXIT

# No cluster: KUBECONFIG names a missing file, so only the config is checked.
export KUBECONFIG=/nonexistent/kubeconfig NO_COLOR=1

measure() { # label, command...
  local label="$1"; shift
  local best_wall=999999 peak=0 stats
  stats="$(mktemp)"
  for _ in $(seq "$runs"); do
    # Exit codes are ignored: an invalid config exits 2 by design.
    /usr/bin/time -f '%e %M' -o "$stats" "$@" >/dev/null 2>&1 || true
    read -r wall rss < <(tail -1 "$stats")
    best_wall="$(awk -v a="$wall" -v b="$best_wall" 'BEGIN{print (a<b)?a:b}')"
    peak="$(awk -v a="$rss" -v b="$peak" 'BEGIN{print (a>b)?a:b}')"
  done
  rm -f "$stats"
  printf '%-58s best wall %6.3f s   peak RSS %7d KiB\n' "$label" "$best_wall" "$peak"
}

echo "file: $config ($runs runs each)"
measure "polyaxon deploy --check (unpinned: 2.x rules, rejected)" \
  "$bin" deploy --check -f "$config"
measure "polyaxon deploy --check (pinned 1.14.0: valid)" \
  "$bin" deploy --check -f "$config" -f "$pin"
if "$python" -c "import polyaxon" 2>/dev/null; then
  measure "python polyaxon._deploy.reader.read (2.x reader)" \
    "$python" -c "from polyaxon._deploy.reader import read; read(['$config'])"
else
  echo "python: polyaxon is not installed for $python; skipped"
fi
if [ -n "${PYTHON_1X:-}" ]; then
  measure "python polyaxon.deploy.reader.read (1.14 reader)" \
    "$PYTHON_1X" -c "from polyaxon.deploy.reader import read; read(['$config'])"
fi
