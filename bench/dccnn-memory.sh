#!/usr/bin/env bash
# Memory of DCCNN against the primal CCNN, measured from outside the JVM: for each method and training-set size,
# one run at a generous -Xmx gives the peak resident set of the process (GNU time's "maximum resident set size",
# the kernel's VmHWM), then runs with smaller -Xmx (halving) find the smallest heap limit that still completes.
#
#   bench/dccnn-memory.sh run  [RESULTS]   append one line per run to RESULTS (default bench/results/dccnn-memory.tsv)
#   bench/dccnn-memory.sh table [RESULTS]  the markdown table of docs/ccnn.md from RESULTS
#
# Settings (environment): NS (sizes, default "1000 10000 60000"), METHODS (default "dccnn ccnn"), FEATURES
# (random features per patch, default 100: the same for both methods), START_MB (the generous -Xmx, default
# 16384), MIN_MB (stop halving there, default 64), EXTRA (more train flags for both methods), LADDER_EXTRA (flags
# of the smaller-heap runs only, default "--validation 200": they are asked whether they complete, and scoring
# 200 held-out images instead of the 10,000 test images saves their time; the same data is loaded), RUNGS (the
# smaller -Xmx values to try, in MiB, largest first; default: START_MB halved down to MIN_MB).
# A run that fails for any reason other than memory stops the search for its row (said in the status column).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
mode="${1:-run}"
results="${2:-$root/bench/results/dccnn-memory.tsv}"

if [ "$mode" = table ]; then
  # The smallest -Xmx that completed and the peak RSS of the generous run, per (method, n); the latest run wins.
  echo "| method | n | generous -Xmx | peak RSS there | smallest -Xmx that completes | largest that failed (out of memory) | test accuracy | train s (generous run) |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' 'NR > 1 {
      key = $1 "\t" $2
      if (!(key in seen)) { seen[key] = 1; order[++k] = key }
      if ($4 == "ok") { if (!(key in best) || $3 + 0 < best[key] + 0) best[key] = $3; if ($3 + 0 >= gen[key] + 0) { gen[key] = $3; rss[key] = $6; acc[key] = $7; secs[key] = $5 } }
      else if ($4 == "oom") { if (!(key in failed) || $3 + 0 > failed[key] + 0) failed[key] = $3 }
    }
    END {
      for (i = 1; i <= k; i++) {
        split(order[i], a, "\t")
        printf "| %s | %\047d | %s | %s | %s | %s | %s | %s |\n", a[1], a[2], (order[i] in gen) ? gen[order[i]] " MiB" : "—",
          (order[i] in rss) ? rss[order[i]] " MiB" : "—",
          (order[i] in best) ? best[order[i]] " MiB" : "none completed", (order[i] in failed) ? failed[order[i]] " MiB" : "—",
          (order[i] in acc) ? acc[order[i]] : "—", (order[i] in secs) ? secs[order[i]] : "—"
      }
    }' "$results"
  exit 0
fi

NS="${NS:-1000 10000 60000}"
METHODS="${METHODS:-dccnn ccnn}"
FEATURES="${FEATURES:-100}"
START_MB="${START_MB:-16384}"
MIN_MB="${MIN_MB:-64}"
EXTRA="${EXTRA:-}"
LADDER_EXTRA="${LADDER_EXTRA---validation 200}"
command -v /usr/bin/time >/dev/null || { echo "dccnn-memory: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
jar="$root/cli/target/convexcnn.jar"
[ -f "$jar" ] || "$root/convexcnn" --help >/dev/null
mkdir -p "$(dirname "$results")"
[ -f "$results" ] || printf 'method\tn\txmx_mb\tstatus\tseconds\tpeak_rss_mb\ttest_accuracy\tcommand\n' > "$results"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

one() { # method n xmx_mb [extra flags] -> appends a line; returns 0 ok, 1 out of memory, 2 other failure
  local m="$1" n="$2" x="$3" more="${4:-}"
  # The launcher's flags (the Vector API kernels, native BLAS access), with this run's heap limit.
  local cmd=(java --add-modules=jdk.incubator.vector,jdk.incubator.foreign --enable-native-access=ALL-UNNAMED "-Xmx${x}m" -jar "$jar" train --method "$m" --layers 1 --limit "$n" --features "$FEATURES" --seed 1
             -o "$work/$m-$n-$x.cnn" --summary-json "$work/$m-$n-$x.json")
  # shellcheck disable=SC2206
  cmd+=($EXTRA $more)
  local t0 status rc=0
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "${cmd[@]}" > "$work/log" 2>&1 || rc=$?
  local secs rss acc
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
  rss=$(awk 'END { printf "%.0f", $1 / 1024 }' "$work/rss")
  if [ $rc -eq 0 ]; then
    status=ok
    acc=$(python3 -c 'import json,sys; print("%.2f %%" % (100 * json.load(open(sys.argv[1]))["testAccuracy"]))' "$work/$m-$n-$x.json" 2>/dev/null || echo "")
  elif grep -q "OutOfMemoryError\|Java heap space\|out of memory" "$work/log"; then
    status=oom; acc=""
  else
    status="failed (exit $rc: $(tail -1 "$work/log" | tr '\t' ' ' | cut -c1-120))"; acc=""
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$n" "$x" "$status" "$secs" "$rss" "$acc" "${cmd[*]}" >> "$results"
  echo "$m n=$n -Xmx${x}m: $status, ${secs} s, peak RSS ${rss} MiB" >&2
  rm -f "$work/$m-$n-$x.cnn" "$work/$m-$n-$x.json"
  case "$status" in ok) return 0 ;; oom) return 1 ;; *) return 2 ;; esac
}

for n in $NS; do
  for m in $METHODS; do
    one "$m" "$n" "$START_MB" || continue
    rungs="${RUNGS:-}"
    if [ -z "$rungs" ]; then
      x="$START_MB"
      while [ "$x" -gt "$MIN_MB" ]; do x=$((x / 2)); rungs="$rungs $x"; done
    fi
    for x in $rungs; do
      one "$m" "$n" "$x" "$LADDER_EXTRA" || break
    done
  done
done
