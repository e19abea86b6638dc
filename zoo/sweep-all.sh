#!/usr/bin/env bash
# Regenerates the layer-importance data set, version 2 (zoo/dataset/v2/): safer's own sweep of every zoo
# model over the 10,000 Fashion-MNIST test images (Debian package dataset-fashion-mnist). Rows of format 2
# (paired counts); stochastic perturbations with --seeds auto (seeds per layer until the 95% interval of the
# mean drop is within ±0.5 pp, at most 20). Version 1 (zoo/dataset/*.jsonl, 5 or 3 seeds, format 1) stays.
# Resumable: run it again after an interruption and it continues where it stopped.
# Usage: bash zoo/sweep-all.sh [model ...]      (default: every model under zoo/models; SAFER_CLI pins a build)
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=/usr/share/datasets/fashion-mnist
IMAGES="$DATA/t10k-images-idx3-ubyte.gz"
LABELS="$DATA/t10k-labels-idx1-ubyte.gz"
OUT=zoo/dataset/v2
DETERMINISTIC="prune:0.3,prune:0.5,prune:0.7,prune:0.9,prunec:0.25,prunec:0.5,quant:8,quant:6,quant:4,quant:3,quant:2,quantc:8,quantc:6,quantc:5,quantc:4,quantc:3,quantc:2"
STOCHASTIC="bitflip:1e-6,bitflip:1e-5,bitflip:1e-4,bitflip8:1e-4,bitflip8:1e-3,bitflip8:1e-2,noise:0.1,noise:0.3,noise:1.0"
CLI="${SAFER_CLI:-dist/cli/main.js}"

if [ $# -gt 0 ]; then models="$*"; else models="mlp lenet5 vgg mobilenetv2 densenet vit resnet20"; fi
[ -n "${SAFER_CLI:-}" ] || [ -f dist/cli/main.js ] || npm run build
mkdir -p "$OUT"

for m in $models; do
  out="$OUT/$m.jsonl"
  started=$(date +%s)
  common=(sweep "zoo/models/$m/model.onnx" --data "$IMAGES" --labels "$LABELS" --scale 0.00392156862745098 --out "$out" --json --quiet)
  node "$CLI" "${common[@]}" --perturb "$DETERMINISTIC" > /dev/null
  # The summary goes to a temporary file first: a run that is stopped leaves the last complete summary, not an empty one.
  node "$CLI" "${common[@]}" --perturb "$STOCHASTIC" --seeds auto --precision 0.005 --cap 20 > "$OUT/$m.summary.json.partial"
  mv "$OUT/$m.summary.json.partial" "$OUT/$m.summary.json"
  seconds=$(( $(date +%s) - started ))
  echo "$(date -u +%FT%TZ) $m $seconds s $(wc -l < "$out") rows" | tee -a "$OUT/timings.log"
done
