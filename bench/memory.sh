#!/usr/bin/env bash
# Peak resident memory and wall time of whole workflow runs, each into a
# fresh store, measured with GNU time (`/usr/bin/time -v`) under a lock so
# that measurements on a shared machine never overlap.
#
#   bench/memory.sh [--alflow PATH] [--out DIR] [--store-root DIR] [CASE…]
#
# CASE is one of: quickstart, mnist-paper-3, mnist-paper-1, mnist-paper-3-1g,
# mnist-paper-3-jobs1 (one stage at a time: each stage's time alone, for
# bench/stage_times.py), mnist-scale, pool-1m, pool-1m-jobs1 (one stage at a
# time, so Noise Stability has the cores to itself) (default: all but
# mnist-paper-1 and the -jobs1 cases). Each case writes
# DIR/CASE.time (time's report), DIR/CASE.log (alflow's output),
# DIR/CASE.results.csv and DIR/CASE.digests (kind, key and payload digest of
# every object, sorted: byte-identical runs have identical files),
# DIR/CASE.status.json (every stage's compute seconds), and a line to
# DIR/summary.tsv: case, peak RSS (MiB), wall seconds, load average, and a
# note (--memory cases: whether stages were held back and how often that was
# said; pool-1m: Noise Stability's GFLOP/s against alflow-bench's sgemm-peak
# row measured right after it, which needs `swift build -c release --product alflow-bench`).
# MNIST is fetched by name; set ALFLOW_DATA_MIRROR to a folder holding it
# when offline. Needs /usr/bin/time (Debian: apt-get install time) and
# python3-h5py (the digests are read from the objects' HDF5 attributes).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
alflow="$here/.build/release/alflow"
out="$here/bench/results/memory"
store_root="/tmp/alflow-memory-bench"
cases=()
while [ $# -gt 0 ]; do
    case "$1" in
        --alflow) alflow="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --store-root) store_root="$2"; shift 2 ;;
        *) cases+=("$1"); shift ;;
    esac
done
[ ${#cases[@]} -gt 0 ] || cases=(quickstart mnist-scale mnist-paper-3 mnist-paper-3-1g pool-1m)
[ -x /usr/bin/time ] || { echo "bench/memory.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$out" "$store_root"

run_case() {
    # run_case NAME "RUN OPTIONS" WORKFLOW [--set …]
    local name="$1" options="$2"; shift 2
    local store="$store_root/$name"
    rm -rf "$store"
    local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
    # shellcheck disable=SC2068,SC2086
    flock /tmp/alflow-measure.lock /usr/bin/time -v -o "$out/$name.time" \
        "$alflow" run --quiet --store "$store" $options $@ >"$out/$name.log" 2>&1 || { echo "$name: failed (see $out/$name.log)" >&2; return 1; }
    local peak wall note=""
    peak=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$out/$name.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/$name.time" |
        awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    find "$store/reports" -name results.csv -exec cat {} + >"$out/$name.results.csv" 2>/dev/null || true
    "$here/bench/object-digests.sh" "$store" >"$out/$name.digests"
    # Per-stage compute seconds (kind, strategy, seed, cycle), for per-strategy sums.
    # shellcheck disable=SC2068
    "$alflow" status --store "$store" --format json $@ >"$out/$name.status.json" 2>/dev/null || true
    case "$options" in
        *--memory*) if grep -q "running fewer stages" "$out/$name.log"; then
                note="held stages back, said $(grep -c "running fewer stages" "$out/$name.log")×"
            else note="no stage held back"; fi ;;
    esac
    if [ "${name%-jobs1}" = pool-1m ]; then note="$(noise_stability_rate "$out/$name.status.json")"; fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$peak" "$wall" "$load" "$note" | tee -a "$out/summary.tsv"
}

# pool-1m: the Noise Stability perturb stages' throughput (31 passes of MLP
# 784-256-10 over every unlabelled row, multiply-adds counted as in
# alflow-bench) against alflow-bench's sgemm-peak row measured right after.
noise_stability_rate() {
    local peak_json
    peak_json="$(flock /tmp/alflow-measure.lock "$here/.build/release/alflow-bench" --only sgemm-peak --repeats 5 2>/dev/null | grep '^{' || true)"
    python3 - "$1" "$peak_json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
rows = rows.get("stages", rows) if isinstance(rows, dict) else rows
pool, initial, query = 1_000_000, 1000, 1000
flops = seconds = 0.0
stages = []
for row in rows:
    if "perturb" in str(row.get("kind", "")) and row.get("seconds"):
        candidates = pool - initial - query * int(row.get("cycle") or 0)
        stage_flops = 31 * 2 * candidates * (784 * 256 + 256 * 10)
        stages.append((row.get("cycle"), stage_flops / row["seconds"] / 1e9, row["seconds"]))
        flops += stage_flops
        seconds += row["seconds"]
rate = flops / seconds / 1e9 if seconds else 0
peak_rate = None
if sys.argv[2]:
    peak = json.loads(sys.argv[2])
    peak_rate = peak["flops"] / peak["seconds"] / 1e9
share = lambda r: f" ({100 * r / peak_rate:.0f} %)" if peak_rate else ""
# Per stage too: the first cycle's perturbation shares the cores with margin's stages.
text = f"NS perturb {rate:.0f} GFLOP/s{share(rate)} over {seconds:.1f} s; by cycle: " + ", ".join(
    f"{c}: {r:.0f} GFLOP/s{share(r)} in {s:.1f} s" for c, r, s in stages)
if peak_rate:
    text += f"; sgemm-peak {peak_rate:.0f} GFLOP/s right after"
print(text)
PY
}

for c in "${cases[@]}"; do
    case "$c" in
        quickstart) run_case quickstart "" "$here/workflows/quickstart.yaml" ;;
        mnist-paper-1) run_case mnist-paper-1 "" "$here/workflows/mnist-paper.yaml" --set 'seeds=[0]' ;;
        mnist-paper-3) run_case mnist-paper-3 "" "$here/workflows/mnist-paper.yaml" --set 'seeds=[0,1,2]' ;;
        mnist-paper-3-jobs1) run_case mnist-paper-3-jobs1 "--jobs 1" "$here/workflows/mnist-paper.yaml" --set 'seeds=[0,1,2]' ;;
        mnist-paper-1-1g) run_case mnist-paper-1-1g "--memory 1G" "$here/workflows/mnist-paper.yaml" --set 'seeds=[0]' ;;
        mnist-paper-3-1g) run_case mnist-paper-3-1g "--memory 1G" "$here/workflows/mnist-paper.yaml" --set 'seeds=[0,1,2]' ;;
        mnist-scale) run_case mnist-scale "" "$here/workflows/mnist-scale.yaml" ;;
        pool-1m) run_case pool-1m "" "$here/workflows/pool-1m.yaml" ;;
        pool-1m-jobs1) run_case pool-1m-jobs1 "--jobs 1" "$here/workflows/pool-1m.yaml" ;;
        *) echo "bench/memory.sh: unknown case '$c'" >&2; exit 2 ;;
    esac
done
