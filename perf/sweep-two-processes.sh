#!/usr/bin/env bash
# What running jobs in parallel, one onnxruntime thread each, could buy over one process with two
# threads (docs/benchmarks.md, "What was tried"): the default sweep of a model in one process, against
# two concurrent `safer sweep --threads 1` processes over the even and the odd layers (wall time until
# both end). Two processes also each evaluate the base model and start up, which worker threads in one
# process would not: the difference is an upper bound on what a worker per core would gain.
#
#   perf/sweep-two-processes.sh [model ...]     # default: mobilenetv2 resnet20 (zoo/models/<name>)
#
# Needs a built dist/ (npm run build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT="$(mktemp -d /tmp/safer-two-processes.XXXXXX)"
if [ "$#" -gt 0 ]; then MODELS=("$@"); else MODELS=(mobilenetv2 resnet20); fi
for m in "${MODELS[@]}"; do
  path=zoo/models/$m/model.onnx
  layers=$(node dist/cli/main.js inspect "$path" --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const l=JSON.parse(s).layers.map(x=>x.name);console.log(l.filter((_,i)=>i%2==0).join(',')+' '+l.filter((_,i)=>i%2==1).join(','))})")
  even=${layers% *}; odd=${layers#* }
  for r in 1 2; do
    rm -f "$OUT"/par-*.jsonl
    s=$(date +%s.%N); node dist/cli/main.js sweep "$path" --data zoo/bundled/images.npy --labels zoo/bundled/labels.npy --out "$OUT"/par-one.jsonl >/dev/null 2>&1; e=$(date +%s.%N)
    one=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }')
    s=$(date +%s.%N)
    node dist/cli/main.js sweep "$path" --data zoo/bundled/images.npy --labels zoo/bundled/labels.npy --threads 1 --layers "$even" --out "$OUT"/par-a.jsonl >/dev/null 2>&1 &
    node dist/cli/main.js sweep "$path" --data zoo/bundled/images.npy --labels zoo/bundled/labels.npy --threads 1 --layers "$odd" --out "$OUT"/par-b.jsonl >/dev/null 2>&1 &
    wait; e=$(date +%s.%N)
    two=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }')
    echo "$m round $r: one process 2 threads $one s; two processes 1 thread each (even/odd layers) $two s"
  done
done
