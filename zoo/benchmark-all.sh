#!/usr/bin/env bash
# The criteria benchmark behind docs/benchmark.md. Scores every criterion on every zoo model
# (calibration: the first 256 Fashion-MNIST TRAINING images, so that no criterion sees the test images
# the ground truth was measured on), then ranks the criteria against the data set in zoo/dataset.
# Writes zoo/scores/<model>.json (skipped when it exists), docs/benchmark-results.md (the table, with the
# recommendation per perturbation family) and zoo/scores/benchmark.json.
# Usage: bash zoo/benchmark-all.sh [model ...]      (default: every model with a data set file)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=/usr/share/datasets/fashion-mnist
# Besides "all": criteria that model a perturbation, instantiated for more families than their default.
EXTRA="output-kl@prune:0.5,output-kl@quantc:3,output-kl@bitflip8:1e-3,output-kl@noise:0.3,quant-error@quantc:3,integrated-gradients-perturbation@prune:0.5"

if [ $# -gt 0 ]; then models="$*"; else models=$(ls zoo/dataset/*.jsonl | xargs -n1 basename | sed 's/\.jsonl$//'); fi
[ -f dist/cli/main.js ] || npm run build
mkdir -p zoo/scores

truth=""; scores=""
for m in $models; do
  out="zoo/scores/$m.json"
  if [ ! -f "$out" ]; then
    started=$(date +%s)
    node dist/cli/main.js score "zoo/models/$m/model.onnx" --data "$DATA/train-images-idx3-ubyte.gz" \
      --labels "$DATA/train-labels-idx1-ubyte.gz" --scale 0.00392156862745098 --calibration 256 \
      --criteria "all,$EXTRA" --out "$out" > /dev/null
    echo "$(date -u +%FT%TZ) $m scored in $(( $(date +%s) - started )) s" | tee -a zoo/scores/timings.log
  fi
  truth="$truth${truth:+,}zoo/dataset/$m.jsonl"
  scores="$scores${scores:+,}$out"
done
node dist/cli/main.js bench --truth "$truth" --scores "$scores" --out docs/benchmark-results.md > /dev/null
node dist/cli/main.js bench --truth "$truth" --scores "$scores" --json --out zoo/scores/benchmark.json > /dev/null
echo "wrote docs/benchmark-results.md and zoo/scores/benchmark.json"
