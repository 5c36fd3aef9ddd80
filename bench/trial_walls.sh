#!/usr/bin/env bash
# Wall time of one trial of each mnist-paper strategy run alone: seed 0, one
# strategy per run, each into a fresh store (MNIST fetched from
# ALFLOW_DATA_MIRROR or by name, load stage included), default settings —
# the same thing the official noise-stability code's per-trial wall time
# measures (one method, one trial, all cores). Runs under the measurement
# lock, one after the other, and prints a table; with --official, the
# official code's per-trial seconds beside each. Needs GNU time (/usr/bin/time).
#
#   bench/trial_walls.sh [--alflow PATH] [--out DIR] [--official METHOD=SECONDS …]
#
# The strategy settings are those of workflows/mnist-paper.yaml (checked: the
# run's stage keys must appear in a full `alflow dag` of that workflow).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
alflow="$here/.build/release/alflow"
out="/tmp/alflow-trial-walls"
official=()
while [ $# -gt 0 ]; do
    case "$1" in
        --alflow) alflow="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --official) shift; official=("$@"); break ;;
        *) echo "bench/trial_walls.sh: unknown argument '$1'" >&2; exit 64 ;;
    esac
done
workflow="$here/workflows/mnist-paper.yaml"
[ -x /usr/bin/time ] || { echo "bench/trial_walls.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
mkdir -p "$out"
"$alflow" dag "$workflow" --store "$out/none" --set 'seeds=[0]' | awk '{print $3}' | sort >"$out/full.keys"
printf '%-16s %8s %10s %7s\n' strategy seconds official ratio
for entry in "random: {}" "entropy: {}" "bald: {samples: 30, dropout: 0.3}" "coreset: {}" "badge: {}" \
             "noise_stability: {noise: 0.001, samples: 30}"; do
    name="${entry%%:*}"
    store="$out/$name"
    rm -rf "$store"
    "$alflow" dag "$workflow" --store "$store" --set 'seeds=[0]' --set "strategies={$entry}" | awk '{print $3}' | sort >"$out/$name.keys"
    if [ -n "$(comm -23 "$out/$name.keys" "$out/full.keys")" ]; then
        echo "bench/trial_walls.sh: $name's stages differ from workflows/mnist-paper.yaml's" >&2; exit 1
    fi
    flock /tmp/alflow-measure.lock /usr/bin/time -f %e -o "$out/$name.seconds" \
        "$alflow" run --quiet --store "$store" "$workflow" --set 'seeds=[0]' --set "strategies={$entry}" >"$out/$name.log" 2>&1
    seconds="$(tail -1 "$out/$name.seconds")"
    reference=""
    for item in "${official[@]}"; do [ "${item%%=*}" = "$name" ] && reference="${item#*=}"; done
    if [ -n "$reference" ]; then
        printf '%-16s %8.1f %10.1f %6.2f×\n' "$name" "$seconds" "$reference" "$(python3 -c "print($seconds / $reference)")"
    else
        printf '%-16s %8.1f %10s %7s\n' "$name" "$seconds" — —
    fi
done
