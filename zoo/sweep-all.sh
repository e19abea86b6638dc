#!/usr/bin/env bash
# Regenerates the layer-importance data set: safer's own sweep of every zoo model over the
# 10,000 Fashion-MNIST test images (Debian package dataset-fashion-mnist).
# Resumable: run it again after an interruption and it continues where it stopped.
# Usage: bash zoo/sweep-all.sh [model ...]      (default: every model under zoo/models)
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=/usr/share/datasets/fashion-mnist
IMAGES="$DATA/t10k-images-idx3-ubyte.gz"
LABELS="$DATA/t10k-labels-idx1-ubyte.gz"
DETERMINISTIC="prune:0.3,prune:0.5,prune:0.7,prune:0.9,prunec:0.25,prunec:0.5,quant:8,quant:6,quant:4,quant:3,quant:2,quantc:4,quantc:3,quantc:2"
FLIPS="bitflip:1e-6,bitflip:1e-5,bitflip:1e-4,bitflip8:1e-4,bitflip8:1e-3,bitflip8:1e-2"
NOISE="noise:0.1,noise:0.3,noise:1.0"

if [ $# -gt 0 ]; then models="$*"; else models=$(ls zoo/models); fi
[ -f dist/cli/main.js ] || npm run build

for m in $models; do
  out="zoo/dataset/$m.jsonl"
  started=$(date +%s)
  common=(sweep "zoo/models/$m/model.onnx" --data "$IMAGES" --labels "$LABELS" --scale 0.00392156862745098 --out "$out")
  node dist/cli/main.js "${common[@]}" --perturb "$DETERMINISTIC,$FLIPS" --seeds 5 --json > /dev/null
  node dist/cli/main.js "${common[@]}" --perturb "$NOISE" --seeds 3 --json > /dev/null
  seconds=$(( $(date +%s) - started ))
  echo "$(date -u +%FT%TZ) $m $seconds s $(wc -l < "$out") rows" | tee -a zoo/dataset/timings.log
done
