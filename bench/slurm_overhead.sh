#!/bin/sh
# Wall time of a workflow with --executor slurm against the local executor, on
# the same machine, from an empty store each time (the data already fetched
# into it, so that no download is timed). Needs a cluster (on one machine:
# scripts/slurm-test-cluster.sh start) and a release build.
#
#   bench/slurm_overhead.sh                       # quick start, then mnist-paper with one seed
#   bench/slurm_overhead.sh quickstart            # only the quick start
#
# The whole script runs under `flock /tmp/alflow-measure.lock` so that measurements
# of different people on a shared machine do not overlap. Prints one line per run
# and the ratio; results also go to bench/results/slurm_overhead.txt.
set -eu
if [ -z "${ALFLOW_MEASURE_LOCKED:-}" ]; then
    ALFLOW_MEASURE_LOCKED=1 exec flock /tmp/alflow-measure.lock "$0" "$@"
fi
cd "$(dirname "$0")/.."
alflow="${ALFLOW:-.build/release/alflow}"
scratch="${BENCH_SCRATCH:-bench/results/slurm-stores}"
mkdir -p bench/results "$scratch"
out=bench/results/slurm_overhead.txt
which="${1:-all}"

measure() { # name, workflow, executor, extra arguments...
    name=$1 workflow=$2 executor=$3
    shift 3
    store="$scratch/$name-$executor"
    rm -rf "$store"
    "$alflow" fetch "$workflow" --store "$store" "$@" >/dev/null 2>&1 || true
    start=$(date +%s.%N)
    "$alflow" run "$workflow" --store "$store" --executor "$executor" --quiet "$@" >/dev/null
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc)
    "$alflow" report "$workflow" --store "$store" "$@" > "$store.report.txt" 2>/dev/null
    echo "$seconds"
}

pair() { # name, workflow, extra arguments...
    name=$1 workflow=$2
    shift 2
    local_s=$(measure "$name" "$workflow" local "$@")
    slurm_s=$(measure "$name" "$workflow" slurm "$@")
    same=$(cmp -s "$scratch/$name-local.report.txt" "$scratch/$name-slurm.report.txt" && echo "identical reports" || echo "REPORTS DIFFER")
    jobs=$(cat "$scratch/$name-slurm"/slurm/*/submissions.log | wc -l)
    line=$(printf '%-28s local %8.1f s   slurm %8.1f s   ratio %.2f   %s jobs   %s   load %s' "$name" "$local_s" "$slurm_s" \
        "$(echo "$slurm_s / $local_s" | bc -l)" "$jobs" "$same" "$(cut -d' ' -f1-3 /proc/loadavg)")
    echo "$line"
    echo "$(date -u +%FT%TZ) $line" >> "$out"
}

sinfo >/dev/null 2>&1 || { echo "no Slurm cluster (scripts/slurm-test-cluster.sh start)" >&2; exit 1; }
if [ "$which" = all ] || [ "$which" = quickstart ]; then
    pair quickstart workflows/quickstart.yaml
fi
if [ "$which" = all ] || [ "$which" = mnist-paper ]; then
    pair mnist-paper-1seed workflows/mnist-paper.yaml --set 'seeds=[0]'
fi
