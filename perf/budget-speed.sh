#!/usr/bin/env bash
# Speed of `safer budget quant` (costs measured through the graph cut, refined) against a plain PyTorch CPU
# loop doing the same measurements (issue "Budgets", Speed).
#
#   perf/budget-speed.sh [model]        # default: resnet20 (zoo/models/<name>)
#
# safer   node dist/cli/main.js budget quant <model.onnx> --avg-bits $AVG_BITS on the 2,000 bundled images, costs
#         measured on the first 512 Fashion-MNIST training images (the refinement chooses on the next 512),
#         timed as the whole command with the CLI's defaults
# torch   perf/budget_torch.py with the counts of safer's run (first-stage joint evaluations, rounds in
#         context, distinct plans evaluated at the end), 2 threads, OpenBLAS, batches of 250, glibc malloc
#         thresholds raised; its loop is timed inside the script, start-up and loading apart
# and prints the ratio torch loop seconds / safer whole-command seconds.
# Env: AVG_BITS (default 4), PY (/usr/bin/python3), OUT (default a fresh /tmp dir). Needs a built dist/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-/usr/bin/python3}"
MODEL="${1:-resnet20}"
AVG_BITS="${AVG_BITS:-4}"
OUT="${OUT:-$(mktemp -d /tmp/safer-budget-speed.XXXXXX)}"
mkdir -p "$OUT"
DATA=/usr/share/datasets/fashion-mnist
[ -f dist/cli/main.js ] || { echo "dist/cli/main.js missing: run npm run build" >&2; exit 1; }
now() { date +%s.%N; }

start=$(now)
node dist/cli/main.js budget quant "zoo/models/$MODEL/model.onnx" --data zoo/bundled/images.npy --labels zoo/bundled/labels.npy \
  --calibration-data "$DATA/train-images-idx3-ubyte.gz" --calibration-labels "$DATA/train-labels-idx1-ubyte.gz" --calibration 512 \
  --avg-bits "$AVG_BITS" --out "$OUT/plan.json" > "$OUT/safer.txt" 2> "$OUT/safer.err"
safer_s=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')

line=$(grep '^refinement:' "$OUT/safer.txt")
evaluations=$(sed -E 's/^refinement: ([0-9]+) joint evaluation.*/\1/' <<< "$line")
rounds=$(grep -oE 'then [0-9]+ rounds?' <<< "$line" | grep -oE '[0-9]+' || echo 0)
chosen=$(grep -oE 'chose [a-z0-9+-]+' <<< "$line" | cut -d' ' -f2)
final=4; case "$chosen" in uniform|hawq-v2|random) final=3 ;; esac

MALLOC_MMAP_THRESHOLD_=$((1 << 30)) MALLOC_TRIM_THRESHOLD_=$((1 << 30)) "$PY" perf/budget_torch.py --model "$MODEL" \
  --evaluations "$evaluations" --rounds "$rounds" --final "$final" --json "$OUT/torch.json" | tee "$OUT/torch.txt"
torch_s=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).loop_s)' "$OUT/torch.json")

echo "safer budget quant $MODEL --avg-bits $AVG_BITS: $safer_s s whole command ($line)"
grep '^time:' "$OUT/safer.txt"
echo "torch loop doing the same measurements: $torch_s s"
awk -v s="$safer_s" -v t="$torch_s" 'BEGIN { printf "speed-up (torch loop / safer command): %.2fx\n", t / s }'
echo "logs: $OUT"
