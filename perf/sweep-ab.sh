#!/usr/bin/env bash
# Two builds of safer, interleaved: the whole `safer sweep` command's wall time on each model (every layer ×
# $PERTURB, the 2,000 bundled images), ROUNDS rounds, then the rows of the first round compared by
# perf/rows-compare.mjs (counts, bit-identical rows, loss and KL differences).
#
#   perf/sweep-ab.sh <before root> <after root> model ...     # roots hold a built dist/ (and package.json)
#
# A root for a commit: git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/ &&
# (cd /tmp/before && npx tsc -p tsconfig.json).
# Env: PERTURB (default prune:0.5,prune:0.9,quant:4,quant:2,quantc:4), ROUNDS (default 2), OUT (default a fresh /tmp dir).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
before="$(cd "$1" && pwd)"; after="$(cd "$2" && pwd)"; shift 2
PERTURB="${PERTURB:-prune:0.5,prune:0.9,quant:4,quant:2,quantc:4}"
ROUNDS="${ROUNDS:-2}"
OUT="${OUT:-$(mktemp -d /tmp/safer-sweep-ab.XXXXXX)}"
mkdir -p "$OUT"
echo "# before $before ($(git -C "$before" rev-parse --short HEAD 2>/dev/null || echo '?')), after $after ($(git -C "$after" rev-parse --short HEAD 2>/dev/null || echo '?')); $PERTURB; logs in $OUT"
echo '| model | round | before | after | after / before |'
echo '|---|--:|--:|--:|--:|'
for round in $(seq 1 "$ROUNDS"); do
  for m in "$@"; do
    model="$ROOT/zoo/models/$m/model.onnx"; [ "$m" = bundled ] && model="$ROOT/zoo/bundled/model.onnx"
    declare -A took
    for build in before after; do
      root=$before; [ $build = after ] && root=$after
      rows="$OUT/$m-$build-$round.jsonl"; rm -f "$rows"
      t0=$(date +%s.%N)
      node "$root/dist/cli/main.js" sweep "$model" --data "$ROOT/zoo/bundled/images.npy" --labels "$ROOT/zoo/bundled/labels.npy" \
        --perturb "$PERTURB" --out "$rows" > "$OUT/$m-$build-$round.log" 2>&1
      took[$build]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    done
    echo "| $m | $round | ${took[before]} s | ${took[after]} s | $(awk -v a="${took[before]}" -v b="${took[after]}" 'BEGIN { printf "%.2f", b / a }') |"
  done
done
echo
for m in "$@"; do
  echo "$m, round 1, before against after: $(node "$ROOT/perf/rows-compare.mjs" "$OUT/$m-before-1.jsonl" "$OUT/$m-after-1.jsonl" | tail -1)"
  [ "$ROUNDS" -lt 2 ] || echo "$m, after, round 1 against round 2: $(node "$ROOT/perf/rows-compare.mjs" "$OUT/$m-after-1.jsonl" "$OUT/$m-after-2.jsonl" | tail -1)"
done
