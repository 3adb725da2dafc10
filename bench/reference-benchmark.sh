#!/usr/bin/env bash
# Side-by-side benchmark of the reference net on full MNIST: ConvexCNN against Debian's PyTorch,
# same data, same net, same optimiser (SGD lr 0.05, momentum 0.9, batch 128, one epoch), 2 threads each.
# Runs alternate (ours, then PyTorch) for each seed; prints the per-seed figures, the mean epoch-time
# ratio (ours / PyTorch) and both mean test accuracies.
#
#   bench/reference-benchmark.sh [SEEDS]      (default 3 seeds)
#
# Needs: Debian's python3-torch (apt-get install -y python3-torch), run with /usr/bin/python3.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seeds="${1:-3}"
threads=2
py=/usr/bin/python3
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

"$py" -c 'import torch' 2>/dev/null || { echo "bench: Debian's python3-torch is missing: apt-get install -y python3-torch" >&2; exit 2; }
"$root/convexcnn" data fetch mnist >/dev/null
data="$("$root/convexcnn" data list | awk '$1 == "mnist" {print $NF}' | tr -d '()')"

for s in $(seq 1 "$seeds"); do
  OPENBLAS_NUM_THREADS=$threads "$root/convexcnn" train --dataset mnist --arch reference --optimizer sgd \
      --lr 0.05 --momentum 0.9 --batch-size 128 --epochs 1 --seed "$s" \
      -o "$out/ours-$s.cnn" --summary-json "$out/ours-$s.json" >/dev/null 2>"$out/ours-$s.log"
  "$py" "$root/bench/pytorch_reference.py" --data "$data" --seed "$s" --threads $threads > "$out/torch-$s.json"
done

"$py" - "$out" "$seeds" <<'PY'
import json, sys, statistics as st
out, seeds = sys.argv[1], int(sys.argv[2])
ours = [json.load(open(f"{out}/ours-{s}.json")) for s in range(1, seeds + 1)]
torch = [json.loads(open(f"{out}/torch-{s}.json").read()) for s in range(1, seeds + 1)]
print(f"reference net on full MNIST, one epoch, 2 threads; ConvexCNN backend: {ours[0]['backendDetail']}; "
      f"PyTorch {torch[0]['torch']}")
print(f"{'seed':>4} {'ours s/epoch':>13} {'torch s/epoch':>14} {'ratio':>6} {'ours acc':>9} {'torch acc':>10}")
for s, (o, t) in enumerate(zip(ours, torch), 1):
    print(f"{s:>4} {o['meanEpochSeconds']:>13.2f} {t['meanEpochSeconds']:>14.2f} "
          f"{o['meanEpochSeconds'] / t['meanEpochSeconds']:>6.2f} {100 * o['testAccuracy']:>8.2f}% {100 * t['testAccuracy']:>9.2f}%")
mo = st.mean(o['meanEpochSeconds'] for o in ours)
mt = st.mean(t['meanEpochSeconds'] for t in torch)
ao = st.mean(o['testAccuracy'] for o in ours)
at = st.mean(t['testAccuracy'] for t in torch)
print(f"mean {mo:>13.2f} {mt:>14.2f} {mo / mt:>6.2f} {100 * ao:>8.2f}% {100 * at:>9.2f}%")
print(f"epoch-time ratio (ours / PyTorch): {mo / mt:.2f}")
PY
