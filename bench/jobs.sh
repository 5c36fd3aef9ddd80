#!/usr/bin/env bash
# Issue 14's "threads follow the work": a single-chain workflow
# (bench/workflows/perf-mnist.yaml) with the default --jobs against --jobs 1,
# each into a fresh store, alternating, under the measurement lock. Prints
# the wall times, the ratio and whether every object is byte-identical.
#
#   bench/jobs.sh [--alflow PATH] [ROUNDS]   (default 3; MNIST via ALFLOW_DATA_MIRROR when offline)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
alflow="$here/.build/release/alflow"
if [ "${1:-}" = --alflow ]; then alflow="$2"; shift 2; fi
rounds="${1:-3}"
root="$(mktemp -d /tmp/alflow-jobs-bench.XXXXXX)"
trap 'rm -rf "$root"' EXIT
workflow="$here/bench/workflows/perf-mnist.yaml"
# MNIST fetched once into a shared data folder; every timed run starts from an empty store with it mirrored.
"$alflow" fetch mnist --store "$root/fetch" >/dev/null
mirror="$root/mirror"; mkdir -p "$mirror"
python3 - "$root/fetch/data" "$mirror" <<'PY'
import json, os, sys
data, mirror = sys.argv[1], sys.argv[2]
for entry in json.load(open(os.path.join(data, "index.json"))).values():
    os.symlink(os.path.join(data, entry["sha256"]), os.path.join(mirror, entry["file"]))
PY
declare -A times
for round in $(seq "$rounds"); do
    for jobs in default 1; do
        store="$root/store-$jobs-$round"
        option=(); [ "$jobs" = default ] || option=(--jobs "$jobs")
        start=$(date +%s%N)
        flock /tmp/alflow-measure.lock "$alflow" run --quiet --offline --data-mirror "$mirror" --store "$store" "${option[@]}" "$workflow" >/dev/null
        end=$(date +%s%N)
        times[$jobs]+="$(( (end - start) / 1000000 )) "
        "$here/bench/object-digests.sh" "$store" | awk '{print $1, $3}' >"$root/digests-$jobs-$round"
    done
done
python3 - "${times[default]}" "${times[1]}" "$(nproc)" <<'PY'
import statistics, sys
default = [int(x) / 1000 for x in sys.argv[1].split()]
one = [int(x) / 1000 for x in sys.argv[2].split()]
d, o = statistics.median(default), statistics.median(one)
print(f"perf-mnist ({len(default)} rounds, {sys.argv[3]} cores): default --jobs {d:.2f} s, --jobs 1 {o:.2f} s, ratio {d / o:.2f}")
print("  default: " + ", ".join(f"{x:.2f}" for x in default) + "   --jobs 1: " + ", ".join(f"{x:.2f}" for x in one))
PY
if cat "$root"/digests-* | sort | uniq -c | awk -v n="$((2 * rounds))" '$1 != n { bad = 1 } END { exit bad }'; then
    echo "  objects: byte-identical in all $((2 * rounds)) runs ($(wc -l <"$root/digests-default-1") objects)"
else
    echo "  objects: DIFFER between runs"; exit 1
fi
