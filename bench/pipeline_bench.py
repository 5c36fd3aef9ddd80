#!/usr/bin/env python3
"""Pipeline overhead: a fully cached rerun of the quick start's 334-stage DAG
with alflow, and Snakemake's no-op run on an equivalent DAG (one job per stage,
the same dependencies, each job touching its output file).

Prints JSON lines like alflow-bench (name, seconds, detail, reference,
reference_seconds). Usage: pipeline_bench.py [--repeats N] [--workdir DIR]
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ALFLOW = os.path.join(ROOT, ".build", "release", "alflow")
WORKFLOW = os.path.join(ROOT, "workflows", "quickstart.yaml")


def timed(command, cwd=None):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"pipeline_bench: {' '.join(command)} failed")
    return elapsed, result.stdout


def edges(store):
    """The plan's dependencies, read from `alflow dag --format dot`."""
    _, dot = timed([ALFLOW, "dag", WORKFLOW, "--store", store, "--format", "dot"])
    nodes = re.findall(r'^  "([^"]+)" \[label', dot, re.M)
    deps = {node: [] for node in nodes}
    for source, target in re.findall(r'^  "([^"]+)" -> "([^"]+)";', dot, re.M):
        deps[target].append(source)
    return deps


def snakemake_noop(deps, workdir, repeats):
    if shutil.which("snakemake") is None:
        return None, "Snakemake not installed (pip install snakemake)"
    folder = os.path.join(workdir, "snakemake")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    targets = [node for node in deps if node.startswith("evaluate/")]
    with open(os.path.join(folder, "Snakefile"), "w") as f:
        f.write(f"DEPS = {json.dumps(deps)}\n")
        f.write(f"TARGETS = {json.dumps(targets)}\n")
        f.write('rule all:\n    input: [f"out/{t}.done" for t in TARGETS]\n\n')
        f.write('rule stage:\n    input: lambda w: [f"out/{d}.done" for d in DEPS[w.id]]\n'
                '    output: "out/{id}.done"\n    wildcard_constraints: id=".+"\n    shell: "touch {output}"\n')
    timed(["snakemake", "--cores", "1", "--quiet", "all"], cwd=folder)
    times = [timed(["snakemake", "--cores", "1", "--quiet", "all"], cwd=folder)[0] for _ in range(repeats)]
    version = subprocess.run(["snakemake", "--version"], capture_output=True, text=True).stdout.strip()
    return statistics.median(times), f"Snakemake {version}, no-op on the same {len(deps)}-job DAG"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", default=os.path.join(ROOT, "bench", "results"))
    args = parser.parse_args()
    store = os.path.join(args.workdir, "pipeline-store")
    os.makedirs(args.workdir, exist_ok=True)
    timed([ALFLOW, "run", WORKFLOW, "--store", store, "--quiet"])          # compute once
    runs = [timed([ALFLOW, "run", WORKFLOW, "--store", store, "--quiet"]) for _ in range(args.repeats)]
    for _, output in runs:
        if " 0 computed" not in output:
            raise SystemExit("pipeline_bench: the rerun computed something: " + output)
    alflow = statistics.median(t for t, _ in runs)
    deps = edges(store)
    reference, detail = snakemake_noop(deps, args.workdir, args.repeats)
    print(json.dumps({"name": "noop-rerun-334", "seconds": alflow, "flops": None,
                      "detail": f"fully cached rerun of the quick start ({len(deps)} stages), report included",
                      "reference": "Snakemake", "reference_seconds": reference, "reference_detail": detail}, sort_keys=True))


if __name__ == "__main__":
    main()
