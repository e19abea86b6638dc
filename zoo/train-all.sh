#!/bin/sh
# Reproduce the zoo: trains every model in sequence (CPU, niced), from the repository root.
#   sh zoo/train-all.sh [name ...]
set -e
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
MODELS=${*:-"mlp lenet5 vit densenet mobilenetv2 vgg resnet20"}
for m in $MODELS; do
  echo "== $m"
  nice -n 10 "$PY" "zoo/models/$m/train.py"
done
