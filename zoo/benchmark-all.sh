#!/usr/bin/env bash
# The criteria benchmark behind docs/benchmark.md. Scores every criterion on every zoo model
# (calibration: the first 256 Fashion-MNIST TRAINING images, so that no criterion sees the test images
# the ground truth was measured on), then ranks the criteria against the data set in TRUTH (default zoo/dataset/v2; zoo/dataset is version 1).
# Writes zoo/scores/<model>.json (skipped when it exists), zoo/scores/for-<criterion>/<model>.json (each
# candidate for `safer score --for` at every perturbation level of the model's truth, zoo/score-for-levels.mjs),
# docs/benchmark-results.md (the table, with the recommendation per perturbation family and for --for,
# and the budget regret from zoo/budgets where its curves exist) and zoo/scores/benchmark.json (the same as JSON,
# 3 MB, not committed).
# Usage: bash zoo/benchmark-all.sh [model ...]      (default: every model with a data set file)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=/usr/share/datasets/fashion-mnist
TRUTH="${TRUTH:-zoo/dataset/v2}"
export SAFER_TRUTH="$TRUTH"
# Candidates for --for: the measured proxy and the family recommendations.
FOR_CANDIDATES="output-kl mean-abs grad-norm hawq-v2-ggn param-count fisher-obd"
# Besides "all": criteria that model a perturbation, instantiated for more families than their default.
EXTRA="output-kl@prune:0.5,output-kl@quantc:3,output-kl@bitflip8:1e-3,output-kl@noise:0.3,quant-error@quantc:3,integrated-gradients-perturbation@prune:0.5"

if [ $# -gt 0 ]; then models="$*"; else models=$(ls "$TRUTH"/*.jsonl | xargs -n1 basename | sed 's/\.jsonl$//'); fi
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
  truth="$truth${truth:+,}$TRUTH/$m.jsonl"
  scores="$scores${scores:+,}$out"
done
# Candidates for what `safer score --for` computes: each scored at every level, checked cell by cell.
for c in $FOR_CANDIDATES; do
  node zoo/score-for-levels.mjs "$c" $models
  for m in $models; do scores="$scores,zoo/scores/for-$c/$m.json"; done
done
budgets=$(ls zoo/budgets/*/curve-prune.json zoo/budgets/*/regret-quant.json 2>/dev/null | paste -sd, - || true)
node dist/cli/main.js bench --truth "$truth" --scores "$scores" ${budgets:+--budgets "$budgets"} --out docs/benchmark-results.md > /dev/null
node dist/cli/main.js bench --truth "$truth" --scores "$scores" ${budgets:+--budgets "$budgets"} --json --out zoo/scores/benchmark.json > /dev/null
echo "wrote docs/benchmark-results.md and zoo/scores/benchmark.json"
