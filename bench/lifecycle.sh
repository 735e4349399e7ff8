#!/usr/bin/env bash
# Lifecycle benchmark on the local test cluster: wall time and API requests of
# `deploy` and of a no-op `upgrade`, for the agent and the platform examples,
# with the staged parallel apply (default) and object by object
# (--apply-concurrency 1), each with and without waiting for readiness (the
# no-wait runs isolate the apply itself). Each run deploys into a fresh
# namespace and tears it down afterwards.
#
# Usage: bench/lifecycle.sh [BINARY] [RUNS]   (cluster from tests/cluster/up)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/target/release/polyaxon}
runs=${2:-3}
export KUBECONFIG=${KUBECONFIG:-$root/target/testcluster/kubeconfig}
kubectl="$root/target/testcluster/bin/kubectl"

# Seconds (ms resolution) and the "N API requests" line of one command.
measure() {
  local start end out
  start=$(date +%s%N)
  out=$("$@" -v 2>&1) || { echo "$out" >&2; return 1; }
  end=$(date +%s%N)
  local requests writes
  requests=$(grep -o '[0-9]* API requests' <<<"$out" | tail -n1 | cut -d' ' -f1)
  writes=$(grep -o '[0-9]* writes' <<<"$out" | tail -n1 | cut -d' ' -f1)
  printf '%d.%03d %s %s\n' $(( (end - start) / 1000000000 )) $(( (end - start) / 1000000 % 1000 )) "${requests:-?}" "${writes:-?}"
}

printf '| chart | apply | step | wall (s) | API requests | writes |\n| --- | --- | --- | ---: | ---: | ---: |\n'
for chart in agent platform; do
  for mode in staged sequential staged,no-wait sequential,no-wait; do
    extra=()
    [[ $mode == sequential* ]] && extra+=(--apply-concurrency 1)
    [[ $mode == *no-wait ]] && extra+=(--no-wait)
    for (( i = 1; i <= runs; i++ )); do
      ns="bench-$chart-${mode/,/-}-$i-$$"
      "$kubectl" create namespace "$ns" >/dev/null
      # The agent's artifacts store is a claim the user provides.
      [[ $chart == agent ]] && "$kubectl" -n "$ns" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: polyaxon-artifacts}
spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}
EOF
      read -r wall requests writes < <(measure "$bin" deploy -f "$root/examples/$chart.yml" -n "$ns" "${extra[@]}")
      printf '| %s | %s | deploy #%d | %s | %s | %s |\n' "$chart" "$mode" "$i" "$wall" "$requests" "$writes"
      read -r wall requests writes < <(measure "$bin" upgrade -f "$root/examples/$chart.yml" -n "$ns")
      printf '| %s | %s | no-op upgrade #%d | %s | %s | %s |\n' "$chart" "$mode" "$i" "$wall" "$requests" "$writes"
      "$bin" teardown -f "$root/examples/$chart.yml" -n "$ns" --yes --delete-volumes -q
      "$kubectl" delete namespace "$ns" --wait=false >/dev/null
    done
  done
done
