#!/bin/sh
# What the external-model protocol costs per stage: the same small workflow
# (bundled digits, models/tiny_mlp.py, 3 strategies × 2 seeds × 4 cycles) with
# `worker: persistent` (one worker per job slot for the run) and with
# `worker: per_stage` (a fresh Python + PyTorch process for every stage),
# each into a fresh store, alternating, `--jobs 1` so that every stage's cost
# is on the wall clock. Prints wall times and the per-stage difference.
#
#   bench/external_overhead.sh [rounds]        (default 3)
set -eu
cd "$(dirname "$0")/.."
rounds=${1:-3}
swift build -c release --product alflow >/dev/null
bin=.build/release/alflow
out=bench/results/external
rm -rf "$out"; mkdir -p "$out"
cat > "$out/w.yaml" <<YAML
name: external-overhead
seeds: [0, 1]
dataset: {builtin: digits, test_fraction: 0.3}
model:
  external:
    command: [python3, $(pwd)/models/tiny_mlp.py]
    sources: [$(pwd)/models/tiny_mlp.py, $(pwd)/python/alflow_model/]
    device: cpu
train: {epochs: 5, batch_size: 16, learning_rate: 0.01}
loop: {initial: 40, query: 20, cycles: 4, candidates: 300}
strategies: {random: {}, entropy: {}, noise_stability: {samples: 5}}
YAML
export PYTHONPATH="$(pwd)/python"
for round in $(seq "$rounds"); do
    for mode in persistent per_stage; do
        store="$out/store-$mode-$round"
        start=$(date +%s.%N)
        "$bin" run "$out/w.yaml" --store "$store" --jobs 1 --quiet --set model.external.worker=$mode > "$out/$mode-$round.txt"
        end=$(date +%s.%N)
        echo "$mode $(awk "BEGIN {print $end - $start}") $(grep -o '[0-9]* stages' "$out/$mode-$round.txt" | head -1)" >> "$out/times.txt"
    done
done
python3 - "$out/times.txt" "$out/store-persistent-1" <<'PY'
import statistics, sys, glob, h5py
rows = [line.split() for line in open(sys.argv[1])]
wall = {m: statistics.median(float(r[1]) for r in rows if r[0] == m) for m in ("persistent", "per_stage")}
stages = int(rows[0][2])
model_stages = 0
for path in glob.glob(sys.argv[2] + "/objects/*/*.h5"):
    with h5py.File(path, "r") as f:
        kind = f.attrs["kind"]
        kind = kind.decode() if isinstance(kind, bytes) else str(kind)
        model_stages += kind in ("train", "perturb", "score", "evaluate")
print(f"{stages} stages, {model_stages} of them run the model; medians over {len(rows)//2} rounds, --jobs 1")
for mode in ("persistent", "per_stage"):
    print(f"  worker: {mode:<10} {wall[mode]:7.2f} s wall  ({wall[mode]/model_stages*1000:6.0f} ms per model stage)")
print(f"  a fresh worker per stage costs {(wall['per_stage'] - wall['persistent'])/model_stages*1000:.0f} ms more per model stage "
      f"({wall['per_stage']/wall['persistent']:.1f}x the persistent run's wall time)")
PY
