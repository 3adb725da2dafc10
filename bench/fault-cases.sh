#!/usr/bin/env bash
# Fault cases for the command line: damaged headers, concurrent writers, a corrupted data cache, unwritable outputs,
# absurd sizes, killed runs resumed (SGD, and SIGTERM/SIGKILL to each iterative solver). Each case must end in one clear error line (exit code not 0, exactly one
# "convexcnn: ..." line, no stack trace) or in a result identical to the undisturbed one. Prints one line per case
# and exits 1 if any case fails.
#
#   bench/fault-cases.sh            (about 15 minutes on 2 cores; works on a copy of the MNIST cache)
#   FAULT_BUILD=1 bench/fault-cases.sh   also touches a source file and starts two launchers at once (rebuilds)
#
# Needs: MNIST in the cache (./convexcnn data fetch mnist), python3, flock.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CONVEXCNN_JAVA_OPTS="${CONVEXCNN_JAVA_OPTS:--Xmx2g}"
export CONVEXCNN_LOCKS="$work/locks"
cx() { "$root/convexcnn" "$@"; }
failures=0

# The cache copy every case uses (the real cache is never touched).
src="$(cx data list 2>/dev/null | awk '$1 == "mnist" && /present/ {print $NF}' | tr -d '()')"
[ -n "$src" ] && [ -d "$src" ] || { echo "fault-cases: MNIST is not in the cache: ./convexcnn data fetch mnist" >&2; exit 2; }
mkdir -p "$work/data" && cp -a "$src" "$work/data/mnist"
data=(--data-dir "$work/data")
cd "$work"

ok() { printf 'ok    %-44s %s\n' "$1" "$2"; }
fail() { printf 'FAIL  %-44s %s\n' "$1" "$2"; failures=$((failures + 1)); }

# expect_error NAME REGEX CMD...: exit code not 0, one "convexcnn:" line matching REGEX, no stack trace.
expect_error() {
  local name="$1" re="$2"; shift 2
  "$@" > "$work/out" 2> "$work/err"; local rc=$?
  local lines; lines="$(grep -c '^convexcnn: ' "$work/err")"
  local line; line="$(grep -m1 '^convexcnn: ' "$work/err")"
  if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] && ! grep -q $'^\tat ' "$work/err" && grep -Eq -- "$re" <<< "$line"; then
    ok "$name" "(exit $rc) $line"
  else
    fail "$name" "exit $rc, $lines error lines: $(tr '\n' '|' < "$work/err" | tail -c 400)"
  fi
}

# expect_ok NAME CMD...: exit code 0.
expect_ok() {
  local name="$1"; shift
  if "$@" > "$work/out" 2> "$work/err"; then ok "$name" ""; else fail "$name" "exit $?: $(tail -c 300 "$work/err")"; fi
}

base=(train "${data[@]}" --arch conv8k5-relu-maxpool2-linear10 --seed 4)
small=("${base[@]}" --limit 600 --batch-size 32)

# ---- damaged headers -----------------------------------------------------------------------------------------
cx "${small[@]}" --epochs 1 -o base.cnn > /dev/null 2>&1 || { echo "fault-cases: the base model did not train" >&2; exit 2; }
python3 - base.cnn std.cnn <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.index(b'"std"'); j = i + b[i:].index(b'0.'); b[j + 3] ^= 0x01   # one digit of the stored std
open(sys.argv[2], 'wb').write(b)
PY
expect_error "header digit changed (std)" "header checksum mismatch" cx eval "${data[@]}" --model std.cnn
python3 - base.cnn v1-renamed.cnn <<'PY'
import sys, struct, json
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('>i', b[8:12])[0]
h = json.loads(b[16:16 + n]); h['formatVersion'] = 1
a = h['meta']['architecture']; a['klasses'] = a.pop('classes')       # a format-1 file (no header checksum), key renamed
head = json.dumps(h, indent=2).encode()
open(sys.argv[2], 'wb').write(b'CVXCNN01' + struct.pack('>i', len(head)) + head + b[16 + n:])
PY
expect_error "format-1 header, key renamed" '"classes"' cx eval "${data[@]}" --model v1-renamed.cnn
head -c 1000 base.cnn > cut.cnn
expect_error "model cut inside its header" "truncated|does not fit" cx eval "${data[@]}" --model cut.cnn
expect_error "a folder given as the model" "is a folder" cx eval "${data[@]}" --model "$work"
expect_error "a checkpoint given to export" "holds a training checkpoint" cx export --model base.cnn.ckpt --out exp --check-samples 0
cx train "${data[@]}" --method ccnn --layers 1 --limit 300 --iterations 20 --features 50 --filters 0 -o small.ccnn > /dev/null 2>&1
expect_error "a CCNN model given to export" "holds a ccnn model" cx export --model small.ccnn --out exp2 --check-samples 0
cp base.cnn.ckpt trunc.ckpt && truncate -s -7 trunc.ckpt
expect_error "truncated checkpoint resumed" "trunc.ckpt.*truncated" cx "${small[@]}" --epochs 2 -o trunc.cnn --checkpoint trunc.ckpt --resume

# ---- concurrent writers --------------------------------------------------------------------------------------
( cx "${base[@]}" --limit 3000 --epochs 3 -o same.cnn > first.out 2> first.err; echo $? > first.rc ) &
for _ in $(seq 400); do grep -q "^data:" first.err 2>/dev/null && break; sleep 0.25; done   # claimed before the data
expect_error "second train -o same.cnn" "same.cnn is in use by another process \(pid [0-9]+" cx "${small[@]}" --epochs 1 -o same.cnn
wait
first_acc="$(awk '/^test accuracy/ {print $3}' first.out)"
eval_acc="$(cx eval "${data[@]}" --model same.cnn 2>/dev/null | awk '/^accuracy/ {print $2}')"
if [ "$(cat first.rc)" = 0 ] && [ -n "$first_acc" ] && [ "$first_acc" = "$eval_acc" ]; then
  ok "the first writer's model is intact" "$first_acc = $eval_acc"
else
  fail "the first writer's model is intact" "rc $(cat first.rc), trained $first_acc, file $eval_acc"
fi
( cx compare "${data[@]}" --dataset mnist --methods sgd --limit 2000 --epochs 2 --test-limit 500 --out cmp --no-report \
    > cmp1.out 2> cmp1.err; echo $? > cmp1.rc ) &
for _ in $(seq 400); do [ -s cmp/compare.json ] && break; sleep 0.25; done   # written under the folder's lock
expect_error "second compare in one folder, other limit" "cmp is in use by another process" \
  cx compare "${data[@]}" --dataset mnist --methods sgd --limit 500 --test-limit 500 --out cmp --no-report
wait
[ "$(cat cmp1.rc)" = 0 ] && ok "the first comparison finished" "" || fail "the first comparison finished" "$(tail -c 300 cmp1.err)"
expect_error "compare with a seed named twice" "names a seed twice" cx compare "${data[@]}" --methods sgd --seeds 2,2 --out cmp3

if [ "${FAULT_BUILD:-0}" = 1 ]; then
  touch "$root/cli/src/main/java/dev/convexcnn/cli/Main.java"
  ( cx --version > b1.out 2> b1.err; echo $? > b1.rc ) & ( cx --version > b2.out 2> b2.err; echo $? > b2.rc ) & wait
  if [ "$(cat b1.rc)$(cat b2.rc)" = 00 ]; then ok "two launchers after a source change" "$(grep -h waiting b1.err b2.err | head -1)"
  else fail "two launchers after a source change" "$(cat b1.err b2.err | tail -c 400)"; fi
fi

# ---- the data cache ------------------------------------------------------------------------------------------
img="$work/data/mnist/train-images-idx3-ubyte"
cp -p "$img" "$work/train-images.good"
python3 - "$img" <<'PY'
import sys, os
p = sys.argv[1]; st = os.stat(p)
with open(p, 'r+b') as f:
    f.seek(20_000_016); b = f.read(1); f.seek(20_000_016); f.write(bytes([b[0] ^ 0x20]))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))            # same size, same modification time
PY
expect_error "same-size change, time kept: train" "train-images-idx3-ubyte: changed since it was verified" \
  cx "${small[@]}" --epochs 1 -o cache.cnn
if cx data list "${data[@]}" 2>/dev/null | grep -q "mnist *missing"; then ok "data list then says missing" ""; else fail "data list then says missing" "$(cx data list "${data[@]}" 2>&1 | grep mnist | head -1)"; fi
cp -p "$work/train-images.good" "$img"
expect_ok "data fetch adopts the restored files" cx data fetch mnist "${data[@]}"
expect_ok "data verify after the repair" cx data verify mnist "${data[@]}"
grep -q "every file's sha256 matches" "$work/out" || fail "data verify says so" "$(cat "$work/out")"
lbl="$work/data/mnist/t10k-labels-idx1-ubyte"
python3 -c "import sys;p=sys.argv[1];b=bytearray(open(p,'rb').read());b[5000]^=1;open(p,'wb').write(b)" "$lbl"
expect_error "data verify names a damaged file" "t10k-labels-idx1-ubyte.*sha256" cx data verify mnist "${data[@]}"
cp -p "$src/t10k-labels-idx1-ubyte" "$lbl" && cx data fetch mnist "${data[@]}" > /dev/null 2>&1

# ---- outputs -------------------------------------------------------------------------------------------------
echo x > afile
expect_error "-o under a file (sgd)" "afile is a file, not a folder" cx "${small[@]}" -o afile/m.cnn
expect_error "-o under a file (gated-relu)" "afile is a file, not a folder" cx train "${data[@]}" --method gated-relu --limit 300 -o afile/g.cnn
expect_error "-o under a file (dccnn)" "afile is a file, not a folder" cx train "${data[@]}" --method dccnn --limit 300 -o afile/d.ccnn
if [ -d /sys ]; then
  expect_error "-o in a read-only folder" "not writable" cx "${small[@]}" -o /sys/m.cnn
fi
expect_error "--summary-json equal to -o" "name the same file" cx "${small[@]}" -o s.cnn --summary-json ./s.cnn
expect_error "--checkpoint equal to -o" "name the same file" cx "${small[@]}" -o c.cnn --checkpoint c.cnn
mkdir -p linked-real && ln -s linked-real linked
expect_error "--checkpoint equal to -o through a link" "name the same file" cx "${small[@]}" -o linked-real/m.cnn --checkpoint linked/m.cnn
expect_error "--data-dir under a file" "afile is a file" cx data fetch mnist --data-dir afile/data
touch -d '2 hours ago' .stale.cnn.x1y2.tmp 2>/dev/null || { echo partial > .stale.cnn.x1y2.tmp; touch -d '2 hours ago' .stale.cnn.x1y2.tmp; }
cx "${small[@]}" --epochs 1 -o stale.cnn > /dev/null 2>&1
[ ! -e .stale.cnn.x1y2.tmp ] && ok "a killed write's temp file is removed" "" || fail "a killed write's temp file is removed" ""
( umask 027; cx "${small[@]}" --epochs 1 -o mode.cnn > /dev/null 2>&1 )
mode="$(stat -c %a mode.cnn 2>/dev/null)"
[ "$mode" = 640 ] && ok "files get the umask's mode" "umask 027 -> $mode" || fail "files get the umask's mode" "umask 027 -> $mode"

# ---- sizes and memory ----------------------------------------------------------------------------------------
expect_error "--batch-size 5000000" "--batch-size (must be in 1..65536, got 5000000|5000000 is larger than the 600 training samples)" cx "${base[@]}" --limit 600 --batch-size 5000000 -o big.cnn
expect_error "--patterns 3000000000" "patterns|3000000000" cx train "${data[@]}" --method gated-relu --limit 300 --patterns 3000000000
expect_error "--patterns 900000000" "too large|out of memory" cx train "${data[@]}" --method gated-relu --limit 300 --patterns 900000000 -o g2.cnn
expect_error "--features 2000000000 (ccnn)" "too large|out of memory" cx train "${data[@]}" --method ccnn --limit 300 --features 2000000000 -o c2.ccnn
expect_error "a 48 MiB heap" "out of memory.*CONVEXCNN_JAVA_OPTS=-Xmx" env CONVEXCNN_JAVA_OPTS=-Xmx48m "$root/convexcnn" "${base[@]}" -o oom.cnn
expect_error "--resume --epochs 2 after 3 epochs" "3 epochs done" bash -c \
  "'$root/convexcnn' ${small[*]} --epochs 3 -o three.cnn >/dev/null 2>&1 && '$root/convexcnn' ${small[*]} --epochs 2 -o three.cnn --resume"
expect_error "--verbose on report, without it" "not a run directory" cx report "$work/none"
"$root/convexcnn" report --verbose "$work/none" > /dev/null 2> verbose.err
grep -q $'^\tat ' verbose.err && ok "report --verbose prints the stack" "" || fail "report --verbose prints the stack" "$(head -c 300 verbose.err)"

# ---- kill -9 and resume ----------------------------------------------------------------------------------------
cx "${base[@]}" --limit 3000 --epochs 3 -o whole.cnn > /dev/null 2>&1
# The launcher execs java, so $! is the JVM's pid.
"$root/convexcnn" "${base[@]}" --limit 3000 --epochs 3 -o killed.cnn > killed.out 2> killed.err &
victim=$!
for _ in $(seq 600); do grep -q "epoch 2/3" killed.err 2>/dev/null && break; sleep 0.1; done
kill -KILL "$victim" 2>/dev/null; wait "$victim" 2>/dev/null
before="$(ls /tmp/libnetlib* 2>/dev/null | wc -l)"
cx "${base[@]}" --limit 3000 --epochs 3 -o killed.cnn --resume > /dev/null 2> resumed.err
a="$(cx eval "${data[@]}" --model whole.cnn 2>/dev/null | grep -E '^(accuracy|loss)')"
b="$(cx eval "${data[@]}" --model killed.cnn 2>/dev/null | grep -E '^(accuracy|loss)')"
if grep -q "resumed from" resumed.err && [ -n "$a" ] && [ "$a" = "$b" ]; then ok "kill -9 in epoch 2, then --resume" "$(echo $a)"
else fail "kill -9 in epoch 2, then --resume" "whole: $a / resumed: $b / $(grep -m1 resumed resumed.err)"; fi
after="$(ls /tmp/libnetlib* 2>/dev/null | wc -l)"
[ "$after" -le "$before" ] && ok "no JNI library left in /tmp" "$before before, $after after" || fail "no JNI library left in /tmp" "$before -> $after"

# ---- kill and resume of each iterative solver --------------------------------------------------------------------
# For each method: an uninterrupted run; a run stopped by SIGTERM (it saves its state at the next iteration and exits)
# and one killed by SIGKILL (its last periodic state is kept), each soon after its first state is written; then the
# same command with --resume. The resumed run must end with the uninterrupted run's summary: held-out loss and
# accuracy, certificate and the whole trace's objectives, to the last bit (same backend and threads).
same_summary() {
  python3 - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
def key(s):
    trace = [(p.get('objective'), p.get('certificate'), p.get('trainAccuracy')) for p in s['trace']]
    return [s.get('testLoss'), s.get('testAccuracy'), s.get('certificate'), s.get('objective'), trace]
sys.exit(0 if key(a) == key(b) else 1)
PY
}
solver_case() {
  local name="$1" sig="$2"; shift 2
  local run=(train "${data[@]}" --seed 6 --checkpoint-every 1 "$@")
  [ -e "whole-$name.json" ] || cx "${run[@]}" -o "whole-$name.cnn" --summary-json "whole-$name.json" > /dev/null 2> "whole-$name.err"
  local out="$sig-$name.cnn"
  rm -f "$out" "$out.ckpt"
  "$root/convexcnn" "${run[@]}" -o "$out" --summary-json "$out.json" > "$out.out" 2> "$out.err" &
  local victim=$!
  for _ in $(seq 1200); do [ -e "$out.ckpt" ] && break; kill -0 "$victim" 2>/dev/null || break; sleep 0.1; done
  kill -"$sig" "$victim" 2>/dev/null; wait "$victim" 2>/dev/null; local rc=$?
  if [ ! -e "$out.ckpt" ] || [ "$rc" -eq 0 ]; then fail "$name: $sig, then --resume" "not stopped mid-run (exit $rc): $(tail -c 200 "$out.err")"; return; fi
  cx "${run[@]}" -o "$out" --summary-json "$out.json" --resume > /dev/null 2> "$out.resumed"
  if [ -e "whole-$name.json" ] && grep -q "resumed from" "$out.resumed" && same_summary "whole-$name.json" "$out.json"; then
    ok "$name: $sig, then --resume" "$(grep -m1 -o 'resumed from .*' "$out.resumed" | sed "s|$work/||")"
  else
    fail "$name: $sig, then --resume" "exit $rc; $(grep -m1 -E 'resumed|convexcnn:' "$out.resumed") / $(tail -c 200 "whole-$name.err")"
  fi
}
for sig in TERM KILL; do
  solver_case gated-relu "$sig" --method gated-relu --limit 1000 --patterns 16 --max-iter 200 --tol 1e-30
  solver_case convex-relu "$sig" --method convex-relu --limit 40 --patterns 2 --max-iter 10
  solver_case ccnn "$sig" --method ccnn --layers 1 --limit 200 --features 32 --iterations 100
  solver_case alternation "$sig" --method alternation --limit 300 --sweeps 3
done
expect_error "--resume with other settings" "was written with other settings.*patterns: 16 in the checkpoint, 8 now" \
  cx train "${data[@]}" --seed 6 --method gated-relu --limit 1000 --patterns 8 --max-iter 200 -o TERM-gated-relu.cnn --resume
expect_error "a solver state given to eval" "state of a solver" cx eval "${data[@]}" --model TERM-ccnn.cnn.ckpt

# ---- the launcher through a link -----------------------------------------------------------------------------
mkdir -p bin && ln -s "$root/convexcnn" bin/cx
( cd / && "$work/bin/cx" --version > "$work/link.out" 2> "$work/link.err" )
grep -q "^convexcnn " link.out && ok "launcher called through a symlink" "$(head -1 link.out)" || fail "launcher called through a symlink" "$(tail -c 300 link.err)"

echo
if [ "$failures" -eq 0 ]; then echo "fault-cases: every case ended in one clear line or the same result"; exit 0; fi
echo "fault-cases: $failures case(s) failed"; exit 1
