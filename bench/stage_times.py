#!/usr/bin/env python3
"""Per-strategy stage time per trial (seed) of a finished run, from
`alflow status --format json` (every stage's compute seconds, as stored in
its object): train, query (perturb + score + select), evaluate and total.

A stage several strategies share (the load, cycle 0's training and
evaluation) counts in full for each of them: each strategy needs it, as the
official code's trial of that strategy computes it. With the default --jobs,
stages run side by side and share the cores, so each takes longer than it
would alone; run with --jobs 1 (bench/memory.sh mnist-paper-3-jobs1) for
each stage's time with the machine to itself.

    python3 bench/stage_times.py STATUS.json [--official METHOD=SECONDS …]
"""
import json
import sys
from collections import defaultdict

args = sys.argv[1:]
if not args or args[0] in ("-h", "--help"):
    print(__doc__.strip())
    sys.exit(0 if args else 64)
rows = json.load(open(args[0]))
rows = rows.get("stages", rows) if isinstance(rows, dict) else rows
official = {}
if "--official" in args:
    for item in args[args.index("--official") + 1:]:
        name, _, seconds = item.partition("=")
        official[name] = float(seconds)

groups = {"train": "train", "perturb": "query", "score": "query", "select": "query", "evaluate": "evaluate", "load": "load"}
seeds = sorted({row["seed"] for row in rows if row.get("seed") is not None}) or [0]
strategies = []
for row in rows:
    for name in row.get("strategies") or []:
        if name not in strategies:
            strategies.append(name)
total = defaultdict(float)
for row in rows:
    group = groups.get(row["kind"], row["kind"])
    for name in row.get("strategies") or strategies:   # the load stage names none: all need it
        total[(name, group)] += (row.get("seconds") or 0) / len(seeds)

print(f"{len(seeds)} seed(s); seconds per trial")
header = f"{'strategy':18s} {'load':>6s} {'train':>7s} {'query':>7s} {'evaluate':>9s} {'total':>7s}"
print(header + ("  official  ratio" if official else ""))
for name in strategies:
    parts = [total[(name, g)] for g in ("load", "train", "query", "evaluate")]
    line = f"{name:18s} {parts[0]:6.1f} {parts[1]:7.1f} {parts[2]:7.1f} {parts[3]:9.1f} {sum(parts):7.1f}"
    if name in official:
        line += f"  {official[name]:8.1f}  {sum(parts) / official[name]:5.2f}×"
    print(line)
