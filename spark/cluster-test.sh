#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1, from the project's own Maven dependencies (no Spark download): one
# master and two workers (1 core each) as separate JVMs, the distributed gated solve and a small sweep submitted
# with org.apache.spark.deploy.SparkSubmit (what spark-submit runs). Checks, against the single-machine solve:
#   plain      the cluster solve (double) = `convexcnn train --method gated-relu --solver-precision double`, 1e-9
#   mixed      squared loss against the single machine's default mixed precision: both reach the certificate
#   worker     one worker SIGKILLed mid-solve: Spark re-runs the lost tasks, same answer (1e-9)
#   driver     the driver SIGKILLed mid-solve, the same command rerun: resumes from --checkpoint, same answer
#   sweep      a 2-cell sweep on the cluster, killed driver-side after the first cell and rerun (skips it); the
#              cell files equal a local[2] run's (times and paths aside)
# Everything it starts is stopped by PID in a trap, also on failure; it fails if a process is left behind.
# Usage: spark/cluster-test.sh [--keep] [--scaling N1,N2,...]   (--keep: keep the work folder and its logs;
# --scaling: instead of the checks, time iterations on the cluster, local[2] and one machine at each n).
# Needs java 17, mvn (to build), jq, curl, pgrep.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
keep=0
scaling=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --scaling) scaling="$2"; shift ;;
    *) echo "cluster-test: unknown argument $1 (use --keep, --scaling N1,N2)" >&2; exit 2 ;;
  esac
  shift
done
for tool in java mvn jq curl pgrep; do
  command -v "$tool" >/dev/null || { echo "cluster-test: $tool is needed" >&2; exit 2; }
done

MASTER_PORT="${MASTER_PORT:-7077}"
MASTER_UI_PORT="${MASTER_UI_PORT:-18080}"
WORKER_MEMORY="${WORKER_MEMORY:-1500m}"
EXECUTOR_MEMORY="${EXECUTOR_MEMORY:-1g}"
master="spark://127.0.0.1:$MASTER_PORT"
work="$(mktemp -d "${TMPDIR:-/tmp}/convexcnn-cluster.XXXXXX")"
pids=()
t_start=$(date +%s)

log() { printf '[cluster-test %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

cleanup() {
  local rc=$? p left
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    left=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
    [ $left = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  # Executors are the workers' children: a worker killed with SIGKILL cannot stop them, they exit when they lose
  # it. Any process still running from this work folder is one of ours.
  for _ in $(seq 1 20); do pgrep -f -- "$work/" >/dev/null || break; sleep 0.5; done
  for p in $(pgrep -f -- "$work/" || true); do log "stopping leftover process $p: $(ps -o args= -p "$p" | cut -c1-120)"; kill -KILL "$p" 2>/dev/null || true; done
  sleep 0.5
  if pgrep -f -- "$work/" >/dev/null; then
    log "FAIL: processes left behind: $(pgrep -f -- "$work/" | tr '\n' ' ')"
    rc=1
  else
    log "no process left behind (pgrep -f $work/: none)"
  fi
  if [ $keep = 1 ] || [ $rc != 0 ]; then log "logs and files kept in $work"; else rm -rf "$work"; fi
  log "exit $rc after $(( $(date +%s) - t_start )) s"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build: the module's jar for spark-submit and its full classpath (Spark included) -----------------------
jar="$here/target/convexcnn-spark.jar"
cpfile="$here/target/classpath.txt"
if [ ! -f "$jar" ] || [ ! -f "$cpfile" ] || [ -n "$(find "$root/pom.xml" "$root/core/pom.xml" "$root/cli/pom.xml" "$here/pom.xml" \
      "$root/core/src/main" "$root/cli/src/main" "$here/src/main" -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
  log "building (mvn package -pl spark -am, tests skipped) ..."
  (cd "$root" && mvn -B -q ${MVN_FLAGS:-} -DskipTests -pl spark -am package)
fi

# A Spark home made of the Maven dependencies: workers start executors with $SPARK_HOME/jars/* as their classpath,
# as a Spark distribution would. Our own classes are not there: the driver ships the application jar.
sparkhome="$work/spark-home"
mkdir -p "$sparkhome/jars" "$sparkhome/conf"
tr ':' '\n' < "$cpfile" | grep -v '/convexcnn-' | while read -r j; do ln -sf "$j" "$sparkhome/jars/"; done
opens="$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$here/pom.xml")"
export SPARK_HOME="$sparkhome" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 OPENBLAS_NUM_THREADS=1
cp_spark="$sparkhome/jars/*"

# The data on "shared storage": a folder every executor reads through Hadoop's FileSystem API (file:// here).
datacache="${CONVEXCNN_DATA:-$HOME/.cache/convexcnn/data}"
shared="$work/shared"
mkdir -p "$shared/data" "$shared/runs"
if [ ! -f "$datacache/mnist/train-images-idx3-ubyte" ] && [ ! -f "$datacache/mnist/train-images-idx3-ubyte.gz" ]; then
  log "fetching MNIST into $datacache (once)"
  java $opens -cp "$(cat "$cpfile")" dev.convexcnn.cli.Main data fetch mnist --data-dir "$datacache" >/dev/null
fi
cp -r "$datacache/mnist" "$shared/data/"
data_url="file://$shared/data"

# --- the cluster ------------------------------------------------------------------------------------------------
start() {   # start NAME CLASS ARGS...: a daemon JVM, its PID remembered, output in $work/NAME.log
  local name="$1"; shift
  # shellcheck disable=SC2086
  java $opens -Xmx256m -cp "$cp_spark" "$@" > "$work/$name.log" 2>&1 &
  pids+=($!)
  log "started $name (pid $!)"
}
alive_workers() { curl -sf "http://127.0.0.1:$MASTER_UI_PORT/json/" | jq -r '.aliveworkers // 0' 2>/dev/null || echo 0; }

if curl -sf "http://127.0.0.1:$MASTER_UI_PORT/json/" >/dev/null 2>&1; then
  echo "cluster-test: something already answers on port $MASTER_UI_PORT (set MASTER_UI_PORT / MASTER_PORT)" >&2; exit 2
fi
start master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT"
for _ in $(seq 1 120); do grep -q "I have been elected leader" "$work/master.log" && break; sleep 0.5; done
grep -q "I have been elected leader" "$work/master.log" || { log "FAIL: the master did not start"; tail -20 "$work/master.log"; exit 1; }
for w in 1 2; do
  mkdir -p "$work/worker$w"
  start "worker$w" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory "$WORKER_MEMORY" \
    --work-dir "$work/worker$w" --webui-port 0 "$master"
done
worker_pid=("${pids[1]}" "${pids[2]}")
for _ in $(seq 1 120); do [ "$(alive_workers)" = 2 ] && break; sleep 0.5; done
[ "$(alive_workers)" = 2 ] || { log "FAIL: the workers did not register"; tail -5 "$work"/worker*.log; exit 1; }
log "master $master with 2 alive workers (1 core, $WORKER_MEMORY each): $(curl -sf "http://127.0.0.1:$MASTER_UI_PORT/json/" | jq -c '[.workers[] | {id, state, cores, memory}]')"

submit() {   # submit LOG ARGS...: SparkMain through SparkSubmit, the driver in this JVM (client mode), in the background
  local out="$1"; shift
  # shellcheck disable=SC2086
  java $opens -Xmx"${DRIVER_MEMORY:-1g}" -cp "$cp_spark" org.apache.spark.deploy.SparkSubmit --master "$master" --deploy-mode client \
    --class dev.convexcnn.spark.SparkMain --executor-memory "$EXECUTOR_MEMORY" --executor-cores 1 --total-executor-cores 2 \
    --conf spark.task.maxFailures=8 --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 \
    --conf spark.executor.extraJavaOptions=-XX:+UseSerialGC \
    "$jar" "$@" > "$out" 2>&1 &
  driver=$!
  pids+=($driver)
}
single() {   # single ARGS...: the single-machine CLI (what ./convexcnn runs), same jars
  # shellcheck disable=SC2086
  java $opens -Xmx2g -cp "$(cat "$cpfile")" dev.convexcnn.cli.Main "$@"
}
wait_for() {  # wait_for PATTERN FILE SECONDS
  for _ in $(seq 1 $(( $3 * 4 ))); do grep -q -- "$1" "$2" 2>/dev/null && return 0; sleep 0.25; done
  return 1
}

if [ -n "$scaling" ]; then
  IFS=',' read -ra sizes <<< "$scaling"
  for n in "${sizes[@]}"; do
    log "scaling at n = $n: one machine, local[2], $master"
    submit "$work/scaling-$n.log" scaling --dataset mnist --data-dir "$datacache" --limit "$n" --patterns "${SCALING_PATTERNS:-16}" \
      --iterations "${SCALING_ITERATIONS:-5}" --masters "local[2],$master"
    wait "$driver" || { tail -30 "$work/scaling-$n.log"; exit 1; }
    grep -v -E '^[0-9]{2}/[0-9]{2}/[0-9]{2} |^WARNING' "$work/scaling-$n.log"
  done
  exit 0
fi

# --- the checks -------------------------------------------------------------------------------------------------
# Cross-entropy: the single machine runs the same R-FISTA on Φ as the cluster (no Gram form), so the iterates are
# the same up to the order of sums and the certificate can be compared, not only reached.
solve_flags=(--dataset mnist --limit "${LIMIT:-2000}" --patterns 8 --loss cross-entropy --lambda-fraction 0.3 --tol 1e-6 --seed 1)
mixed_flags=(--dataset mnist --limit "${LIMIT:-2000}" --patterns 8 --loss squared --lambda-fraction 0.2 --tol 1e-6 --seed 1)
failures=0
rows=()

log "single machine: convexcnn train --method gated-relu ${solve_flags[*]} --solver-precision double"
single train --method gated-relu "${solve_flags[@]}" --data-dir "$shared/data" --solver-precision double \
  -o "$work/single.cnn" --summary-json "$work/single.json" > "$work/single.log" 2>&1
log "single machine (mixed): convexcnn train --method gated-relu ${mixed_flags[*]}"
single train --method gated-relu "${mixed_flags[@]}" --data-dir "$shared/data" \
  -o "$work/single-mixed.cnn" --summary-json "$work/single-mixed.json" > "$work/single-mixed.log" 2>&1

compare() {   # compare CASE CLUSTER_JSON SINGLE_JSON MODE(exact|reached)
  local c="$1" a="$2" b="$3" mode="$4"
  local line
  line=$(jq -rn --slurpfile a "$a" --slurpfile b "$b" --arg c "$c" --arg mode "$mode" '
    ($a[0]) as $x | ($b[0]) as $y |
    ($y.certificate | if type == "object" then .certificate else . end) as $yc |
    ($y.certificate | if type == "object" then .tolerance else $y.settings.tolerance end) as $tol |
    ((($x.objective - $y.objective) | fabs) / ($y.objective | fabs)) as $do |
    ((($x.certificate - $yc) | fabs) / ($yc | fabs)) as $dc |
    (if $mode == "exact" then ($do <= 1e-9 and $dc <= 1e-9 and $x.converged and $y.converged)
     else ($x.certificate <= $tol and $yc <= $tol and $do <= 1e-4) end) as $ok |
    [$c, ($x.objective|tostring), ($y.objective|tostring), ($do|tostring), ($x.certificate|tostring), ($yc|tostring), ($dc|tostring),
     ($x.iterations|tostring) + "/" + ($y.iterations|tostring), ($x.spark.resumedAtIteration // "-" | tostring),
     (if $ok then "ok" else "MISMATCH" end)] | @tsv')
  rows+=("$line")
  printf '%s\n' "$line" | awk -F'\t' '{printf "  %-8s objective %s (cluster) %s (single) rel %s | certificate %s / %s rel %s | iterations %s | %s\n", $1,$2,$3,$4,$5,$6,$7,$8,$10}'
  [[ "$line" == *$'\t'ok ]] || failures=$((failures + 1))
}

log "case plain: the solve on the cluster"
submit "$work/plain.log" solve "${solve_flags[@]}" --data-dir "$data_url" --no-fetch --partitions 4 \
  -o "$shared/runs/plain.cnn" --summary-json "$shared/runs/plain.json"
wait "$driver" || { tail -30 "$work/plain.log"; exit 1; }
grep -E '^(iterations|spark|certificate) ' "$work/plain.log" | sed 's/^/    /'
compare plain "$shared/runs/plain.json" "$work/single.json" exact

log "case mixed: squared loss on the cluster (double) against the single machine's mixed precision"
submit "$work/mixed.log" solve "${mixed_flags[@]}" --data-dir "$data_url" --no-fetch --partitions 4 \
  -o "$shared/runs/mixed.cnn" --summary-json "$shared/runs/mixed.json"
wait "$driver" || { tail -30 "$work/mixed.log"; exit 1; }
compare mixed "$shared/runs/mixed.json" "$work/single-mixed.json" reached

log "case worker: SIGKILL worker 2 (pid ${worker_pid[1]}) once the solve is iterating"
submit "$work/worker-kill.log" solve "${solve_flags[@]}" --data-dir "$data_url" --no-fetch --partitions 4 \
  -o "$shared/runs/worker.cnn" --summary-json "$shared/runs/worker.json"
wait_for '^iteration [1-9][0-9]' "$work/worker-kill.log" 300 || { log "FAIL: the solve never reported an iteration"; tail -20 "$work/worker-kill.log"; exit 1; }
log "    $(grep '^iteration ' "$work/worker-kill.log" | tail -1); killing worker 2"
kill -KILL "${worker_pid[1]}"
wait "$driver" || { tail -30 "$work/worker-kill.log"; exit 1; }
log "    what the driver logged:"
grep -E 'Lost executor|Lost task|ExecutorLostFailure|No more replicas|Removed executor|Executor .* removed|worker lost|Resubmitt|iteration [0-9]+:' "$work/worker-kill.log" \
  | sed -E 's/^[0-9/]+ [0-9:]+ //' | cut -c1-200 | awk '!seen[$0]++' | head -16 | sed 's/^/      /'
log "    what the master logged: $(grep -E 'Removing worker|Telling app of lost' "$work/master.log" | sed -E 's/^[0-9/]+ [0-9:]+ //' | head -3 | tr '\n' ' ' | cut -c1-300)"
compare worker "$shared/runs/worker.json" "$work/single.json" exact

log "case driver: SIGKILL the driver after its first checkpoint, then the same command again"
ckpt="$shared/runs/driver.ckpt"
driver_cmd=(solve "${solve_flags[@]}" --data-dir "$data_url" --no-fetch --partitions 4 --checkpoint "$ckpt" --checkpoint-every 10
  -o "$shared/runs/driver.cnn" --summary-json "$shared/runs/driver.json")
submit "$work/driver-kill.log" "${driver_cmd[@]}"
for _ in $(seq 1 1200); do [ -f "$ckpt" ] && break; kill -0 "$driver" 2>/dev/null || break; sleep 0.25; done
[ -f "$ckpt" ] || { log "FAIL: no checkpoint was written"; tail -20 "$work/driver-kill.log"; exit 1; }
sleep 1
kill -KILL "$driver"
wait "$driver" 2>/dev/null || true
log "    driver (pid $driver) killed; $(grep -E '^iteration ' "$work/driver-kill.log" | tail -1)"
for _ in $(seq 1 60); do [ "$(curl -sf "http://127.0.0.1:$MASTER_UI_PORT/json/" | jq '.activeapps | length')" = 0 ] && break; sleep 0.5; done
log "    master: $(grep -E 'disassociated, removing it|Removing app' "$work/master.log" | tail -2 | sed -E 's/^[0-9/]+ [0-9:]+ //' | tr '\n' ' ' | cut -c1-250)"
submit "$work/driver-rerun.log" "${driver_cmd[@]}"
wait "$driver" || { tail -30 "$work/driver-rerun.log"; exit 1; }
log "    rerun: $(grep -E '^checkpoint ' "$work/driver-rerun.log")"
log "    rerun: $(grep -E '^iterations ' "$work/driver-rerun.log")"
[ ! -f "$ckpt" ] || { log "FAIL: the checkpoint is still there after the model was written"; failures=$((failures + 1)); }
grep -q 'resuming at iteration' "$work/driver-rerun.log" || { log "FAIL: the rerun did not resume"; failures=$((failures + 1)); }
compare driver "$shared/runs/driver.json" "$work/single.json" exact

log "case sweep: 2 gated-relu cells on the cluster (driver killed after the first cell, rerun), against local[2]"
sweep_flags=(--set method=gated-relu --set dataset=mnist --set limit=1000 --set patterns=8 --set "data-dir=$shared/data"
  --set seed=1 --grid lambda-fraction=0.03,0.1)
submit "$work/sweep-1.log" sweep "${sweep_flags[@]}" --out "$shared/runs/sweep"
for _ in $(seq 1 1200); do ls "$shared/runs/sweep/"*.json >/dev/null 2>&1 && break; kill -0 "$driver" 2>/dev/null || break; sleep 0.25; done
kill -KILL "$driver" 2>/dev/null || true
wait "$driver" 2>/dev/null || true
log "    driver killed with $(ls "$shared/runs/sweep/"*.json 2>/dev/null | wc -l) cell file(s) written"
submit "$work/sweep-2.log" sweep "${sweep_flags[@]}" --out "$shared/runs/sweep"
wait "$driver" || { tail -30 "$work/sweep-2.log"; exit 1; }
grep -E '^lambda-fraction' "$work/sweep-2.log" | sed 's/^/    rerun: /'
# shellcheck disable=SC2086
java $opens -Xmx2g -cp "$jar:$(cat "$cpfile")" dev.convexcnn.spark.SparkMain sweep --master 'local[2]' "${sweep_flags[@]}" \
  --out "$work/sweep-local" > "$work/sweep-local.log" 2>&1
# Times, paths and the rates each run measures for its cost model differ between runs; the rest must not.
norm='walk(if type == "object" then with_entries(select(.key | test("(?i)seconds$|^model$|^created$|gflops$|shareofsgemm$|^productswhy$") | not)) else . end)'
for f in "$work/sweep-local/"lambda-fraction-*.json; do
  id="$(basename "$f" .json)"
  a="$shared/runs/sweep/$id.json"
  if [ -f "$a" ] && diff <(jq -S "$norm" "$a") <(jq -S "$norm" "$f") > "$work/sweep-$id.diff"; then v=ok; else v=MISMATCH; failures=$((failures + 1)); fi
  printf '  sweep    %-24s objective %s (cluster) %s (local[2]) | test accuracy %s / %s | cell file %s\n' "$id" \
    "$(jq -r .objective "$a" 2>/dev/null)" "$(jq -r .objective "$f")" "$(jq -r .testAccuracy "$a" 2>/dev/null)" "$(jq -r .testAccuracy "$f")" "$v"
  rows+=("$(printf 'sweep %s\t%s\t%s\t-\t-\t-\t-\t-\t-\t%s' "$id" "$(jq -r .objective "$a" 2>/dev/null)" "$(jq -r .objective "$f")" "$v")")
done

echo
echo "case     | objective, cluster    | objective, single     | rel. diff | certificate, cluster | certificate, single | rel. diff | iterations | resumed at | verdict"
for r in "${rows[@]}"; do printf '%s\n' "$r" | awk -F'\t' '{printf "%-8s | %-21s | %-21s | %-9s | %-20s | %-19s | %-9s | %-10s | %-10s | %s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10}'; done
echo
if [ $failures -gt 0 ]; then log "FAIL: $failures mismatch(es)"; exit 1; fi
log "all cases agree"
