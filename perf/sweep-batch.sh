#!/usr/bin/env bash
# Whole `safer sweep` command time at several batch sizes (--batch), the measurement behind the
# default of 250 images per onnxruntime run (docs/benchmarks.md, "Batch size").
#
#   perf/sweep-batch.sh [model ...]        # default: bundled mobilenetv2 densenet resnet20 vit
#
# Env: BATCHES (default "100 250 500"), REPEAT (default 2; rounds are interleaved: every model and
#      batch size once, then again), PERTURB (default prune:0.5,prune:0.9,quant:4,quant:2,quantc:4),
#      OUT (log directory, default a fresh /tmp dir).
# Prints one line per run (wall and user CPU seconds) and, per model and batch size, the fastest run.
# Needs a built dist/ (npm run build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BATCHES="${BATCHES:-100 250 500}"
REPEAT="${REPEAT:-2}"
PERTURB="${PERTURB:-prune:0.5,prune:0.9,quant:4,quant:2,quantc:4}"
OUT="${OUT:-$(mktemp -d /tmp/safer-sweep-batch.XXXXXX)}"
mkdir -p "$OUT"
[ -f dist/cli/main.js ] || { echo "dist/cli/main.js missing: run npm run build" >&2; exit 1; }
if [ "$#" -gt 0 ]; then MODELS=("$@"); else MODELS=(bundled mobilenetv2 densenet resnet20 vit); fi
model_path() { if [ "$1" = bundled ]; then echo zoo/bundled/model.onnx; else echo "zoo/models/$1/model.onnx"; fi; }

echo "# safer sweep by batch size, $(date -u +%Y-%m-%dT%H:%MZ), safer $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
: > "$OUT/runs.tsv"
for rep in $(seq 1 "$REPEAT"); do
  for name in "${MODELS[@]}"; do
    for batch in $BATCHES; do
      rm -f "$OUT/rows.jsonl"
      /usr/bin/time -f "%e %U" -o "$OUT/time" node dist/cli/main.js sweep "$(model_path "$name")" \
        --data zoo/bundled/images.npy --labels zoo/bundled/labels.npy --perturb "$PERTURB" --batch "$batch" \
        --out "$OUT/rows.jsonl" > /dev/null 2> "$OUT/stderr"
      read -r wall user < "$OUT/time"
      printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$batch" "$rep" "$wall" "$user" | tee -a "$OUT/runs.tsv"
    done
  done
done
echo
echo "Fastest of $REPEAT runs, seconds, by --batch:"
echo
echo "| model | $(echo "$BATCHES" | sed 's/ / | /g') |"
echo "|---|$(for _ in $BATCHES; do printf -- '--:|'; done)"
for name in "${MODELS[@]}"; do
  printf '| %s |' "$name"
  for batch in $BATCHES; do
    awk -F'\t' -v n="$name" -v b="$batch" '$1 == n && $2 == b { if (m == "" || $4 < m) m = $4 } END { printf " %.2f |", m }' "$OUT/runs.tsv"
  done
  echo
done
