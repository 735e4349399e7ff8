#!/usr/bin/env python3
"""Side-by-side benchmark: polyaxon against helm (deploy, upgrade, no-op
upgrade, teardown, scale) on the local test cluster, each pair interleaved
and repeated, with ratios (ours / theirs) of the medians.

Run it through `bench/side-by-side`, which builds the release binary, starts
the cluster kit and builds helm first. The port-forward half (against
`kubectl port-forward`) is `tests/bench/port-forward`, run by the same script.

What is measured, per command:
- wall time to ready: helm with `--wait` (every Deployment Available, as
  ours waits by default); uninstall with `--wait` (as ours waits for the
  deletions);
- API requests and writes: from the API server's audit log, by User-Agent
  (the kit's cluster logs every request of a non-system user at Metadata
  level); writes are create, update, patch and delete;
- bytes sent and received: through a counting TCP relay between the client
  and the API server (TLS passes through it untouched);
- peak memory of the client process (/usr/bin/time -v).

The floor is the cluster's own: bare Deployments with the same names and
replicas as the release's, applied and waited for with kubectl.
"""

import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHARTS = pathlib.Path(os.environ.get("POLYAXON_SHARED_DIR", ROOT.parent / "shared")) / "reference" / "charts"
VERSION = "2.15.1"
WRITE_VERBS = {"create", "update", "patch", "delete", "deletecollection"}


class Relay:
    """A TCP relay on loopback that counts the bytes each way."""

    def __init__(self, host, port):
        self.upstream = (host, port)
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(256)
        self.port = self.server.getsockname()[1]
        self.lock = threading.Lock()
        self.sent = self.received = self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.server.accept()
            try:
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._pipe, args=(client, upstream, "sent"), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, "received"), daemon=True).start()

    def _pipe(self, source, sink, counter):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
                with self.lock:
                    setattr(self, counter, getattr(self, counter) + len(data))
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def take(self):
        """The counts since the last take, and zero them."""
        with self.lock:
            counts = (self.sent, self.received, self.connections)
            self.sent = self.received = self.connections = 0
        return counts


class Audit:
    """Reads the audit log of the kit's API server from where it was."""

    def __init__(self, path):
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def mark(self):
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def requests(self, agent_prefix):
        """(requests, writes, creates) of clients whose User-Agent starts
        with `agent_prefix`, logged since the mark."""
        if not self.path.exists():
            return None
        # The API server writes an event when the response is complete;
        # give the last ones a moment to reach the file.
        time.sleep(0.3)
        requests = writes = creates = 0
        with self.path.open("rb") as f:
            f.seek(self.offset)
            for line in f:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if event.get("stage") != "ResponseComplete":
                    continue
                if not event.get("userAgent", "").lower().startswith(agent_prefix):
                    continue
                requests += 1
                verb = event.get("verb", "")
                if verb in WRITE_VERBS and "dryRun" not in event.get("requestURI", ""):
                    writes += 1
                    creates += verb == "create"
        self.mark()
        return requests, writes, creates


class Bench:
    def __init__(self, args):
        self.args = args
        self.kubeconfig = pathlib.Path(args.kubeconfig)
        self.kubectl = args.kubectl
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="side-by-side-"))
        config = yaml.safe_load(self.kubeconfig.read_text())
        server = config["clusters"][0]["cluster"]["server"]
        host, port = server.split("//", 1)[1].rsplit(":", 1)
        self.relay = Relay(host.strip("[]"), int(port))
        for cluster in config["clusters"]:
            cluster["cluster"]["server"] = f"https://{host}:{self.relay.port}"
        self.relayed = self.work / "kubeconfig"
        self.relayed.write_text(yaml.safe_dump(config))
        self.audit = Audit(pathlib.Path(args.audit_log))
        self.rows = []  # (section, measure, tool, value)

    def kube(self, *args, input=None):
        """kubectl straight to the API server (not counted)."""
        subprocess.run([self.kubectl, "--kubeconfig", str(self.kubeconfig), *args],
                       check=True, input=input, text=True, stdout=subprocess.DEVNULL)

    def run(self, tool, argv):
        """Runs one command through the relay; returns its figures."""
        self.relay.take()
        self.audit.mark()
        env = dict(os.environ, KUBECONFIG=str(self.relayed), HELM_DRIVER="secret",
                   POLYAXON_HOME=str(self.work / "home"), NO_COLOR="1")
        started = time.monotonic()
        done = subprocess.run(["/usr/bin/time", "-v", *argv], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wall = time.monotonic() - started
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"{' '.join(argv)} failed")
        rss = next((int(l.split(":")[1]) for l in done.stderr.splitlines()
                    if "Maximum resident set size" in l), 0)
        sent, received, connections = self.relay.take()
        counted = self.audit.requests("helm" if tool == "helm" else "polyaxon")
        requests, writes, creates = counted if counted else (None, None, None)
        return {"wall s": wall, "requests": requests, "writes": writes,
                "creates": creates, "sent KiB": sent / 1024,
                "received KiB": received / 1024, "peak RSS MiB": rss / 1024}

    def record(self, section, tool, figures):
        for measure, value in figures.items():
            if value is not None:
                self.rows.append((section, measure, tool, value))

    def namespace(self, name, chart, extra_namespaces=()):
        for ns in (name, *extra_namespaces):
            self.kube("create", "namespace", ns)
        if chart == "agent":
            # The agent's artifacts store is a claim the user provides.
            self.kube("-n", name, "apply", "-f", "-", input=(
                "apiVersion: v1\nkind: PersistentVolumeClaim\n"
                "metadata: {name: polyaxon-artifacts}\n"
                "spec: {accessModes: [ReadWriteMany], resources: {requests: {storage: 1Gi}}}\n"))

    def drop_namespaces(self, *names):
        for ns in names:
            self.kube("delete", "namespace", ns, "--wait=false")

    def config(self, chart, changed=False, connections=0, extra_namespaces=()):
        base = yaml.safe_load((ROOT / "examples" / f"{chart}.yml").read_text())
        base["deploymentVersion"] = VERSION
        base.pop("namespace", None)
        if changed:
            # One changed value that rolls one Deployment.
            base["logLevel"] = "DEBUG"
        if connections:
            base["connections"] = [
                {"name": f"bucket-{i}", "kind": "s3", "schema": {"bucket": f"s3://bucket-{i}"}}
                for i in range(connections)]
        if extra_namespaces:
            base.setdefault("agent", {})["additionalNamespaces"] = list(extra_namespaces)
        name = f"{chart}-{int(changed)}-{connections}-{len(extra_namespaces)}.yml"
        path = self.work / name
        path.write_text(yaml.safe_dump(base, sort_keys=False))
        return path, base.get("releaseName", chart)

    def commands(self, tool, chart, release, ns, config):
        package = str(CHARTS / f"{'polyaxon' if chart == 'platform' else chart}-{VERSION}.tgz")
        ours = [self.args.polyaxon, "-n", ns]
        if tool == "helm":
            helm = [self.args.helm, "--namespace", ns]
            return {
                "install": helm + ["install", release, package, "-f", str(config), "--wait", "--timeout", "10m"],
                "upgrade": helm + ["upgrade", release, package, "-f", str(config), "--wait", "--timeout", "10m"],
                "uninstall": helm + ["uninstall", release, "--wait", "--timeout", "10m"],
            }
        return {
            "install": ours + ["deploy", "-f", str(config)],
            "upgrade": ours + ["upgrade", "-f", str(config)],
            "uninstall": ours + ["teardown", "-f", str(config), "--no-hooks", "--yes"],
        }

    def lifecycle(self, chart, run):
        tools = ["helm", "polyaxon"] if run % 2 == 0 else ["polyaxon", "helm"]
        for tool in tools:
            ns = f"sbs-{chart}-{tool}-{run}-{os.getpid()}"
            self.namespace(ns, chart)
            config, release = self.config(chart)
            changed, _ = self.config(chart, changed=True)
            steps = [
                ("deploy", self.commands(tool, chart, release, ns, config)["install"]),
                ("upgrade, one value", self.commands(tool, chart, release, ns, changed)["upgrade"]),
                ("upgrade, no change", self.commands(tool, chart, release, ns, changed)["upgrade"]),
                ("teardown", self.commands(tool, chart, release, ns, changed)["uninstall"]),
            ]
            for step, argv in steps:
                figures = self.run(tool, argv)
                self.record(f"{chart} {step}", tool, figures)
                print(f"  run {run} {chart:8} {tool:8} {step:20} {figures['wall s']:.2f} s, "
                      f"{figures['requests']} requests, {figures['writes']} writes", flush=True)
                if step == "deploy" and tool == "polyaxon":
                    self.floor(chart, ns, run)
            self.drop_namespaces(ns)

    def floor(self, chart, ns, run):
        """Bare Deployments of the release's names and replicas, to Available."""
        out = subprocess.run([self.kubectl, "--kubeconfig", str(self.kubeconfig), "-n", ns, "get",
                              "deployments", "-o", "json"], check=True, text=True,
                             stdout=subprocess.PIPE).stdout
        deployments = json.loads(out)["items"]
        floor_ns = f"sbs-floor-{chart}-{run}-{os.getpid()}"
        self.kube("create", "namespace", floor_ns)
        docs = []
        for d in deployments:
            name = d["metadata"]["name"]
            labels = {"bench": name}
            docs.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                         "spec": {"replicas": d["spec"].get("replicas", 1),
                                  "selector": {"matchLabels": labels},
                                  "template": {"metadata": {"labels": labels}, "spec": {
                                      "containers": [{"name": "c", "image": "busybox"}]}}}})
        manifest = self.work / f"floor-{chart}.yml"
        manifest.write_text(yaml.safe_dump_all(docs))
        started = time.monotonic()
        self.kube("-n", floor_ns, "apply", "--server-side", "-f", str(manifest))
        self.kube("-n", floor_ns, "wait", "--for=condition=Available", "deployments", "--all",
                  "--timeout=10m")
        self.rows.append((f"{chart} deploy", "wall s", "floor", time.monotonic() - started))
        self.drop_namespaces(floor_ns)

    def scale(self, run):
        """Deploys of growing size: platform with extra connections, agent
        with additional namespaces."""
        cases = [("platform", {"connections": n}) for n in (0, 10)] + \
                [("agent", {"extra_namespaces": n}) for n in (0, 5)]
        for chart, size in cases:
            for tool in (["helm", "polyaxon"] if run % 2 == 0 else ["polyaxon", "helm"]):
                size_tag = "-".join(str(v) for v in size.values())
                ns = f"sbs-scale-{chart}-{size_tag}-{tool}-{run}-{os.getpid()}"
                extra = [f"{ns}-x{i}" for i in range(size.get("extra_namespaces", 0))]
                self.namespace(ns, chart, extra)
                config, release = self.config(chart, connections=size.get("connections", 0),
                                              extra_namespaces=extra)
                commands = self.commands(tool, chart, release, ns, config)
                label = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in size.items())
                figures = self.run(tool, commands["install"])
                self.record(f"scale: {chart} deploy, {label}", tool, figures)
                print(f"  run {run} scale {chart:8} {label:22} {tool:8} {figures['wall s']:.2f} s, "
                      f"{figures['requests']} requests, {figures['creates']} creates", flush=True)
                self.run(tool, commands["uninstall"])
                self.drop_namespaces(ns, *extra)

    def report(self):
        sections = []
        for section, _, _, _ in self.rows:
            if section not in sections:
                sections.append(section)
        print()
        print(f"{'step':44} {'measure':14} {'polyaxon min/med/max':>24} "
              f"{'helm min/med/max':>24} {'ratio':>7}")
        for section in sections:
            measures = []
            for s, m, _, _ in self.rows:
                if s == section and m not in measures:
                    measures.append(m)
            for measure in measures:
                values = {tool: [v for s, m, t, v in self.rows if s == section and m == measure and t == tool]
                          for tool in ("polyaxon", "helm", "floor")}
                cells = []
                for tool in ("polyaxon", "helm"):
                    v = values[tool]
                    cells.append(f"{min(v):.2f}/{statistics.median(v):.2f}/{max(v):.2f}" if v else "-")
                ours, theirs = values["polyaxon"], values["helm"]
                ratio = (statistics.median(ours) / statistics.median(theirs)
                         if ours and theirs and statistics.median(theirs) else float("nan"))
                print(f"{section:44} {measure:14} {cells[0]:>24} {cells[1]:>24} {ratio:>7.2f}")
                if values["floor"]:
                    floor = statistics.median(values["floor"])
                    print(f"{section:44} {'floor wall s':14} {'':>24} "
                          f"{f'{floor:.2f} (ours/floor {statistics.median(ours) / floor:.2f})':>24}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--polyaxon", required=True)
    parser.add_argument("--helm", required=True)
    parser.add_argument("--kubectl", required=True)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--audit-log", required=True)
    parser.add_argument("--only", choices=["lifecycle", "scale"], default=None)
    parser.add_argument("--charts", default="agent,platform",
                        help="charts of the lifecycle part, comma-separated")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        for run in range(args.runs):
            if args.only in (None, "lifecycle"):
                for chart in args.charts.split(","):
                    bench.lifecycle(chart, run)
            if args.only in (None, "scale"):
                bench.scale(run)
    finally:
        bench.report()
        shutil.rmtree(bench.work, ignore_errors=True)


if __name__ == "__main__":
    main()
