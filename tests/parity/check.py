#!/usr/bin/env python3
"""Chart parity: renders every config of the official references with our
binary at the reference's chart version and compares the two with the shared
`chart_parity.py`.

A BREAKS finding or a missing object fails the check unless an entry of
`docs/chart-differences.md` lists it (see that file for the table format).
Prints one line per render, the findings nobody listed, and a closing line
`parity: N passed, N failed`.

Usage: check.py [--bin target/debug/polyaxon] [--shared ../shared]
                [--only 2.15.1] [--generation 2|1] [--show PATTERN] [--summary FILE]
"""
import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def allowed_entries(path):
    """Rows of the tables in the differences file whose first cell is an id
    like `D12`: (id, object glob, path glob, versions glob, configs glob)."""
    rows = []
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 5 or not re.fullmatch(r"D\d+", cells[0]):
            continue
        ident, obj, field, where = cells[0], cells[1], cells[2], cells[3]
        unq = lambda s: s.strip().strip("`").strip()
        versions, configs = "*", "*"
        for part in unq(where).split(";"):
            part = part.strip()
            if part.startswith("versions:"):
                versions = part.split(":", 1)[1].strip()
            elif part.startswith("configs:"):
                configs = part.split(":", 1)[1].strip()
        rows.append((ident, unq(obj), unq(field), versions, configs))
    return rows


def matches(entry, finding, version, config):
    _, obj, field, versions, configs = entry
    return (fnmatch.fnmatchcase(finding["obj"], obj)
            and fnmatch.fnmatchcase(finding.get("path", ""), field or "")
            and any(fnmatch.fnmatchcase(version, v.strip()) for v in versions.split(","))
            and any(fnmatch.fnmatchcase(config, c.strip()) for c in configs.split(",")))


def release_namespace(config):
    """The config's `namespace`, else `polyaxon` (the Python CLI's default)."""
    import yaml  # the shared chart_parity.py needs it too
    values = yaml.safe_load(config.read_text()) or {}
    return str(values.get("namespace") or "polyaxon")


def version_key(v):
    return tuple(int(x) for x in v.split("."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=str(ROOT / "target/debug/polyaxon"))
    ap.add_argument("--shared", default=os.environ.get("POLYAXON_SHARED_DIR", str(ROOT.parent / "shared")))
    ap.add_argument("--only", help="only this chart version")
    ap.add_argument("--chart", help="only agent or platform")
    ap.add_argument("--config", help="only configs matching this glob")
    ap.add_argument("--generation", default="2", help="major version of the references to check")
    ap.add_argument("--show", action="append", default=[],
                    help="print every finding (also DIFFERS) of renders whose name matches this glob")
    ap.add_argument("--summary", help="write per-version counts as JSON here")
    args = ap.parse_args()

    shared = Path(args.shared)
    renders = shared / "reference/official-renders"
    tool = shared / "tools/chart_parity.py"
    if not renders.is_dir() or not tool.is_file():
        print(f"parity: the references are not at {shared} (set POLYAXON_SHARED_DIR)", file=sys.stderr)
        return 2
    allow = allowed_entries(ROOT / "docs/chart-differences.md")
    used = set()
    passed = failed = 0
    summary = {}
    work = Path(tempfile.mkdtemp(prefix="polyaxon-parity-"))
    dirs = sorted((d for d in renders.iterdir() if d.is_dir() and d.name != "configs"),
                  key=lambda d: (d.name.split("-")[0], version_key(d.name.split("-", 1)[1])))
    for d in dirs:
        chart, version = d.name.split("-", 1)
        if not version.startswith(args.generation + "."):
            continue
        if args.only and version != args.only:
            continue
        if args.chart and chart != args.chart:
            continue
        crds = d / "crds.yaml"
        for ref in sorted(d.iterdir()):
            if ref.name == "crds.yaml" or ref.suffix not in (".yaml", ".err"):
                continue
            config = ref.stem
            if args.config and not fnmatch.fnmatchcase(config, args.config):
                continue
            name = f"{chart}-{version}/{config}"
            cfg = renders / "configs" / f"{config}.yml"
            ours = work / f"{chart}-{version}-{config}.yaml"
            started = time.perf_counter()
            run = subprocess.run(
                [args.bin, "deploy", "--dry-run", "--show-secrets", "--deployment-version", version,
                 "-f", str(cfg)], capture_output=True, text=True)
            elapsed = (time.perf_counter() - started) * 1000
            if ref.suffix == ".err":
                # The official chart fails on this config; ours must render
                # it, or refuse it as invalid (exit 2, before the cluster is
                # touched) where an entry with object `<refused>` says why.
                refusal = [e for e in allow if run.returncode == 2
                           and matches(e, {"obj": "<refused>", "path": ""}, version, config)]
                used.update(e[0] for e in refusal)
                ok = run.returncode == 0 or bool(refusal)
                print(f"{'ok  ' if ok else 'FAIL'} {name}: the official chart fails here; ours "
                      + ("renders it" if run.returncode == 0 else
                         f"refuses it as invalid ({refusal[0][0]})" if refusal else
                         "fails too: " + run.stderr.strip()[:300]))
                passed, failed = passed + ok, failed + (not ok)
                continue
            if run.returncode != 0:
                print(f"FAIL {name}: ours did not render: {run.stderr.strip()[:2000]}")
                failed += 1
                continue
            ours.write_text(run.stdout)
            chart_file = work / f"{chart}-{version}-{config}.chart.yaml"
            chart_file.write_text(ref.read_text() + "\n---\n" + crds.read_text())
            out = work / f"{chart}-{version}-{config}.json"
            # helm installs the objects its templates leave without a
            # namespace into the release's: the config's, else `polyaxon`.
            cmp = subprocess.run([sys.executable, str(tool), str(ours), str(chart_file), "--ns", release_namespace(cfg),
                                  "--json", str(out)], capture_output=True, text=True)
            if cmp.returncode != 0:
                print(f"FAIL {name}: chart_parity.py failed: {cmp.stderr.strip()[:2000]}")
                failed += 1
                continue
            result = json.loads(out.read_text())
            counts = result["counts"]
            unlisted = []
            for f in result["findings"]:
                if f["cls"] not in ("BREAKS", "DIFFERS"):
                    continue
                hit = [e for e in allow if matches(e, f, version, config)]
                if hit:
                    # An entry may also record a deliberate DIFFERS: it is in use.
                    used.add(hit[0][0])
                elif f["cls"] == "BREAKS":
                    # Missing objects are BREAKS findings too.
                    unlisted.append(f)
            s = summary.setdefault(f"{chart}-{version}", {"renders": 0, "matched": 0, "missing": 0, "extra": 0,
                                                         "BREAKS": 0, "DIFFERS": 0, "unlisted": 0,
                                                         "ms": []})
            s["renders"] += 1
            s["matched"] += len(result["matched"])
            s["missing"] += len(result["missing"])
            s["extra"] += len(result["extra"])
            s["BREAKS"] += counts.get("BREAKS", 0)
            s["DIFFERS"] += counts.get("DIFFERS", 0)
            s["unlisted"] += len(unlisted)
            s["ms"].append(round(elapsed, 1))
            ok = not unlisted
            print(f"{'FAIL' if not ok else 'ok  '} {name}: matched {len(result['matched'])}, missing "
                  f"{len(result['missing'])}, extra {len(result['extra'])}; BREAKS {counts.get('BREAKS', 0)} "
                  f"({len(unlisted)} not listed), DIFFERS {counts.get('DIFFERS', 0)}; {elapsed:.0f} ms")
            for f in unlisted:
                print(f"     BREAKS {f['obj']} :: {f['path']} [{f['note']}] ours={str(f['ours'])[:200]} "
                      f"chart={str(f['chart'])[:200]}")
            if any(fnmatch.fnmatchcase(name, p) for p in args.show):
                for f in result["findings"]:
                    if f["cls"] in ("DIFFERS",):
                        print(f"     {f['cls']} {f['obj']} :: {f['path']} [{f['note']}] ours={str(f['ours'])[:200]} "
                              f"chart={str(f['chart'])[:200]}")
            passed, failed = passed + ok, failed + (not ok)
    if args.summary:
        Path(args.summary).write_text(json.dumps(summary, indent=1))
    if not (args.only or args.chart or args.config):
        # Entries of other generations' versions are not this run's to judge.
        checked = {d.name.split("-", 1)[1] for d in dirs if d.name.split("-", 1)[1].startswith(args.generation + ".")}
        stale = [e[0] for e in allow if e[0] not in used
                 and any(fnmatch.fnmatchcase(v, g.strip()) for v in checked for g in e[3].split(","))]
        if stale:
            # An entry that excuses nothing is out of date: say so, it is not an error.
            print("entries of docs/chart-differences.md that matched no finding: " + ", ".join(stale))
    print(f"renders in {work}")
    print(f"parity: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
