#!/usr/bin/env python3
"""Where a deploy's wall time goes, phase by phase, from the API server's
audit log: runs `polyaxon deploy` once into a fresh namespace and prints,
for each phase, its requests, when it started and ended (ms after the
command started) and the time the API server spent on its requests.

The phases are told apart by the requests themselves (the order a deploy
sends them in: names check, namespace, release lock, records, generated
values, preflight, plan, record, cluster lock, apply, CRD wait, register,
wait, record, unlock). The rest of the wall time (before the first request
and between phases) is the client's own: start-up, rendering, waiting.

Usage: bench/deploy_phases.py --polyaxon BIN --kubectl BIN --kubeconfig FILE
       --audit-log FILE --config FILE [--chart agent|platform]
"""

import argparse
import datetime
import json
import os
import pathlib
import subprocess
import time

ORDER = ["names check", "namespace", "release lock", "records", "generated values",
         "preflight", "plan", "cluster lock", "apply", "CRD wait", "register", "wait"]


def stamp(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def phase_of(event, state):
    """The phase of one request, given what came before it (`state`)."""
    uri, verb = event["requestURI"], event["verb"]
    path = uri.split("?")[0]
    if "/leases" in path:
        if "/namespaces/default/" in path:
            return "cluster lock"
        return "release lock"
    if "/namespaces/" in path and "/secrets" in path and (
            "polyaxon.dev%2Frelease" in uri or "polyaxon.release." in path or verb == "create"):
        return "records"
    if "owner%3Dhelm" in uri:
        return "records"
    if path.startswith("/api/v1/namespaces/") and path.count("/") == 4:
        state["namespace"] = True
        return "namespace"
    if not state.get("namespace"):
        return "names check"
    if "dryRun=All" in uri:
        state["plan"] = True
        return "plan"
    if "fieldManager=polyaxon-releases" in uri:
        return "register"
    if verb == "patch" and "fieldManager=polyaxon" in uri:
        state["applied"] = True
        return "apply"
    if "customresourcedefinitions" in uri and ("fieldSelector" in uri or verb == "watch"):
        return "CRD wait"
    if state.get("applied"):
        if "/deployments" in path or "/statefulsets" in path or "/jobs" in path:
            return "wait"
        return "register"
    if state.get("plan"):
        return "plan"
    if any(k in path for k in ("/persistentvolumeclaims", "/storageclasses", "/nodes",
                               "/resourcequotas")):
        state["preflight"] = True
        return "preflight"
    if "/secrets/" in path and not state.get("preflight"):
        return "generated values"
    return "preflight" if state.get("preflight") else "plan"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--polyaxon", required=True)
    parser.add_argument("--kubectl", required=True)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--audit-log", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--chart", default="agent")
    args = parser.parse_args()
    audit = pathlib.Path(args.audit_log)
    ns = f"phases-{os.getpid()}-{int(time.time())}"
    kube = [args.kubectl, "--kubeconfig", args.kubeconfig]
    subprocess.run(kube + ["create", "namespace", ns], check=True, stdout=subprocess.DEVNULL)
    if args.chart == "agent":
        subprocess.run(kube + ["-n", ns, "apply", "-f", "-"], check=True, text=True,
                       stdout=subprocess.DEVNULL, input=(
                           "apiVersion: v1\nkind: PersistentVolumeClaim\n"
                           "metadata: {name: polyaxon-artifacts}\n"
                           "spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}\n"))
    offset = audit.stat().st_size
    env = dict(os.environ, KUBECONFIG=args.kubeconfig, NO_COLOR="1")
    started = time.time()
    subprocess.run([args.polyaxon, "-n", ns, "deploy", "-f", args.config], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ended = time.time()
    time.sleep(1.0)
    events = []
    with audit.open("rb") as f:
        f.seek(offset)
        for line in f:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("stage") == "ResponseComplete" and \
                    event.get("userAgent", "").startswith("polyaxon"):
                events.append(event)
    events.sort(key=lambda e: e["requestReceivedTimestamp"])
    state, phases = {}, {}
    for event in events:
        name = phase_of(event, state)
        begin = stamp(event["requestReceivedTimestamp"]) - started
        end = stamp(event["stageTimestamp"]) - started
        p = phases.setdefault(name, {"requests": 0, "begin": begin, "end": end, "server": 0.0})
        p["requests"] += 1
        p["begin"], p["end"] = min(p["begin"], begin), max(p["end"], end)
        p["server"] += end - begin
    wall = ended - started
    print(f"deploy of {args.chart} into {ns}: {wall * 1000:.0f} ms wall, {len(events)} requests")
    print(f"{'phase':18} {'requests':>8} {'from ms':>8} {'to ms':>8} {'span ms':>8} {'server ms':>10}")
    for name in ORDER + sorted(set(phases) - set(ORDER)):
        if name in phases:
            p = phases[name]
            print(f"{name:18} {p['requests']:>8} {p['begin'] * 1000:>8.0f} {p['end'] * 1000:>8.0f} "
                  f"{(p['end'] - p['begin']) * 1000:>8.0f} {p['server'] * 1000:>10.0f}")
    subprocess.run([args.polyaxon, "-n", ns, "teardown", "-f", args.config, "--no-hooks", "--yes"],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(kube + ["delete", "namespace", ns, "--wait=false"], stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
