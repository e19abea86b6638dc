#!/usr/bin/env bash
# Runs one build of safer over every zoo model: a sweep with every perturbation kind on the first 1,000
# Fashion-MNIST test images, and every criterion on 64 calibration images. Two runs (before and after a
# change) compared by tools/identity-compare.mjs show whether the change kept rows and scores bit-identical.
# Usage: bash tools/identity-run.sh <package root with dist/> <out dir> [model ...]
set -euo pipefail
root=$(cd "$1" && pwd); out=$2; shift 2
cd "$(dirname "$0")/.."
DATA=/usr/share/datasets/fashion-mnist
PERTURB="prune:0.5,prunec:0.25,quant:4,quantc:3,bitflip:1e-4,bitflip8:1e-3,noise:0.3"
EXTRA="output-kl@prune:0.5,output-kl@quantc:3,quant-error@quantc:3,integrated-gradients-perturbation@prune:0.5"
if [ $# -gt 0 ]; then models="$*"; else models="bundled $(ls zoo/models)"; fi
mkdir -p "$out"
for m in $models; do
  if [ "$m" = bundled ]; then model=zoo/bundled/model.onnx; else model=zoo/models/$m/model.onnx; fi
  common=(--data "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz" --scale 0.00392156862745098)
  [ -f "$out/$m.jsonl.done" ] || { rm -f "$out/$m.jsonl"; node "$root/dist/cli/main.js" sweep "$model" "${common[@]}" --limit 1000 \
    --perturb "$PERTURB" --seeds 2 --out "$out/$m.jsonl" > /dev/null && touch "$out/$m.jsonl.done"; }
  [ -f "$out/$m.json" ] || node "$root/dist/cli/main.js" score "$model" "${common[@]}" --calibration 64 \
    --criteria "all,$EXTRA" --out "$out/$m.json" > /dev/null
  echo "$(date -u +%FT%TZ) $m done"
done
