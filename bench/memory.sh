#!/usr/bin/env bash
# Peak resident memory and wall time of whole workflow runs, each into a
# fresh store, measured with GNU time (`/usr/bin/time -v`) under a lock so
# that measurements on a shared machine never overlap.
#
#   bench/memory.sh [--alflow PATH] [--out DIR] [--store-root DIR] [CASE…]
#
# CASE is one of: quickstart, mnist-paper-3, mnist-paper-1, mnist-paper-3-1g,
# mnist-scale, pool-1m (default: all but mnist-paper-1). Each case writes
# DIR/CASE.time (time's report), DIR/CASE.log (alflow's output),
# DIR/CASE.results.csv and DIR/CASE.digests (kind, key and payload digest of
# every object, sorted: byte-identical runs have identical files), and a line
# to DIR/summary.tsv: case, peak RSS (MiB), wall seconds, load average.
# MNIST is fetched by name; set ALFLOW_DATA_MIRROR to a folder holding it
# when offline. Needs /usr/bin/time (Debian: apt-get install time) and h5dump
# is not needed: digests come from `alflow`'s own object headers.
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
    local name="$1"; shift
    local store="$store_root/$name"
    rm -rf "$store"
    local load; load="$(cut -d' ' -f1-3 /proc/loadavg)"
    # shellcheck disable=SC2068
    flock /tmp/alflow-measure.lock /usr/bin/time -v -o "$out/$name.time" \
        "$alflow" run --quiet --store "$store" $@ >"$out/$name.log" 2>&1 || { echo "$name: failed (see $out/$name.log)" >&2; return 1; }
    local peak wall
    peak=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$out/$name.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/$name.time" |
        awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    find "$store/reports" -name results.csv -exec cat {} + >"$out/$name.results.csv" 2>/dev/null || true
    "$here/bench/object-digests.sh" "$store" >"$out/$name.digests"
    printf '%s\t%s\t%s\t%s\n' "$name" "$peak" "$wall" "$load" | tee -a "$out/summary.tsv"
}

for c in "${cases[@]}"; do
    case "$c" in
        quickstart) run_case quickstart "$here/workflows/quickstart.yaml" ;;
        mnist-paper-1) run_case mnist-paper-1 "$here/workflows/mnist-paper.yaml" --set 'seeds=[0]' ;;
        mnist-paper-3) run_case mnist-paper-3 "$here/workflows/mnist-paper.yaml" --set 'seeds=[0,1,2]' ;;
        mnist-paper-1-1g) run_case mnist-paper-1-1g "$here/workflows/mnist-paper.yaml" --set 'seeds=[0]' --memory 1G ;;
        mnist-paper-3-1g) run_case mnist-paper-3-1g "$here/workflows/mnist-paper.yaml" --set 'seeds=[0,1,2]' --memory 1G ;;
        mnist-scale) run_case mnist-scale "$here/workflows/mnist-scale.yaml" ;;
        pool-1m) run_case pool-1m "$here/workflows/pool-1m.yaml" ;;
        *) echo "bench/memory.sh: unknown case '$c'" >&2; exit 2 ;;
    esac
done
