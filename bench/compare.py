#!/usr/bin/env python3
"""Runs alflow-bench and torch_reference.py in alternating rounds and prints
alflow's time, PyTorch's time for the same work, and the ratio.

Rounds alternate (alflow, PyTorch, alflow, PyTorch, …) so that slow phases of
a shared machine hit both alike; each figure is the median over rounds of the
per-round medians. Usage: compare.py [--rounds N] [--repeats N] [--data DIR]
[--only NAME,…] [--json FILE]
"""
import argparse, json, os, platform, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_lines(command):
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"bench: {' '.join(command)} failed with exit code {result.returncode}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--data", default=os.path.join(ROOT, ".build", "bench-data"))
    parser.add_argument("--only", default="")
    parser.add_argument("--json", default="")
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args()

    alflow_cmd = [os.path.join(ROOT, ".build", "release", "alflow-bench"), "--data", args.data, "--repeats", str(args.repeats)]
    torch_cmd = [sys.executable, os.path.join(HERE, "torch_reference.py"), "--data", args.data, "--repeats", str(args.repeats)]
    if args.only:
        alflow_cmd += ["--only", args.only]
        torch_cmd += ["--only", args.only]

    ours, theirs, details, references = {}, {}, {}, {}
    for round_index in range(args.rounds):
        print(f"round {round_index + 1}/{args.rounds} …", file=sys.stderr, flush=True)
        for item in run_lines(alflow_cmd):
            ours.setdefault(item["name"], []).append(item)
            details[item["name"]] = item
        if not args.no_torch:
            for item in run_lines(torch_cmd):
                theirs.setdefault(item["name"], []).append(item)
    # Pipeline overhead: alflow against Snakemake (one set of repeats is enough; it is not compute-bound).
    if not args.only or "noop-rerun-334" in args.only:
        for item in run_lines([sys.executable, os.path.join(HERE, "pipeline_bench.py"), "--repeats", str(args.repeats)]):
            ours.setdefault(item["name"], []).append(item)
            details[item["name"]] = item
            if item.get("reference_seconds") is not None:
                theirs.setdefault(item["name"], []).append({"seconds": item["reference_seconds"]})
            references[item["name"]] = item.get("reference_detail", "")

    def median(items):
        return statistics.median(i["seconds"] for i in items) if items else None

    peak = median(ours.get("sgemm-peak", []))
    peak_rate = details["sgemm-peak"]["flops"] / peak / 1e9 if peak else None
    # Issue 14's measure: the rate per core (alflow's loops use every core)
    # against one thread's sgemm rate on the same product.
    core = median(ours.get("sgemm-core", []))
    core_rate = details["sgemm-core"]["flops"] / core / 1e9 if core else None
    workers = os.cpu_count() or 1
    rows = []
    # PyTorch-only variants are compared with alflow's run of the same work.
    aliases = {"ns-score-59k-batch1024": "ns-score-59k"}
    for alias, base in aliases.items():
        if alias in theirs and base in ours:
            ours[alias] = ours[base]
            details[alias] = dict(details[base], detail=theirs[alias][0]["detail"])
    for name, items in ours.items():
        a = median(items)
        t = median(theirs.get(name, []))
        flops = details[name].get("flops")
        rate = flops / a / 1e9 if flops else None
        rows.append({
            "name": name, "alflow_s": a, "torch_s": t, "ratio": (a / t) if t else None,
            "gflops": rate, "of_peak": (rate / peak_rate) if rate and peak_rate and not name.startswith("sgemm-") else None,
            "per_core": (rate / workers / core_rate) if rate and core_rate and not name.startswith("sgemm-") else None,
            "detail": details[name]["detail"] + (f"; vs {references[name]}" if name in references else ""),
        })

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores; torch {torch_version()}; "
          f"{args.rounds} alternating rounds × {args.repeats} runs, medians")
    header = f"{'benchmark':<24} {'alflow':>10} {'reference':>10} {'ratio':>7} {'GFLOP/s':>8} {'% sgemm':>8} {'% core':>7}  what (reference: PyTorch unless named)"
    print(header)
    print("-" * len(header))
    for r in rows:
        fmt = lambda v, f: (f.format(v) if v is not None else "—")
        print(f"{r['name']:<24} {fmt(r['alflow_s'], '{:.4f} s'):>10} {fmt(r['torch_s'], '{:.4f} s'):>10} "
              f"{fmt(r['ratio'], '{:.2f}×'):>7} {fmt(r['gflops'], '{:.0f}'):>8} {fmt(r['of_peak'] and 100 * r['of_peak'], '{:.0f} %'):>8} "
              f"{fmt(r['per_core'] and 100 * r['per_core'], '{:.0f} %'):>7}  {r['detail']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "cpu": cpu_model(), "rounds": args.rounds}, f, indent=2)


def torch_version():
    try:
        import torch
        return torch.__version__
    except ImportError:
        return "not installed"


if __name__ == "__main__":
    main()
