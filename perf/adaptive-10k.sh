#!/usr/bin/env bash
# Adaptive mode at the data sizes people use (the sweep-speed issue): every layer × the data set's 17
# deterministic perturbations on the 10,000 Fashion-MNIST test images, exact and with --adaptive 0.5 (±0.5 pp),
# each timed as the whole command on this machine, one run each. Each adaptive row is then checked against
# the exact row of the same job: is the exact drop inside the row's stated interval (drop ± half_width)?
#
#   bash perf/adaptive-10k.sh [model ...]          (default: lenet5 vgg mobilenetv2 densenet)
#
# Env: CLI (default dist/cli/main.js), ADAPTIVE_CLIS (the builds timed in adaptive mode, space-separated, e.g.
#      one with another interval; default CLI), OUT (default a fresh /tmp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=/usr/share/datasets/fashion-mnist
PERTURB="prune:0.3,prune:0.5,prune:0.7,prune:0.9,prunec:0.25,prunec:0.5,quant:8,quant:6,quant:4,quant:3,quant:2,quantc:8,quantc:6,quantc:5,quantc:4,quantc:3,quantc:2"
CLI="${CLI:-dist/cli/main.js}"
ADAPTIVE_CLIS="${ADAPTIVE_CLIS:-$CLI}"
OUT="${OUT:-$(mktemp -d /tmp/safer-adaptive.XXXXXX)}"
mkdir -p "$OUT"
if [ $# -gt 0 ]; then models="$*"; else models="lenet5 vgg mobilenetv2 densenet"; fi
common=(--data "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz" --scale 0.00392156862745098 --perturb "$PERTURB" --json --quiet)

echo "| model | build | jobs | exact | adaptive ±0.5 pp | speed-up | images used (mean) | stopped early | exact drop outside the interval | largest |error| / half-width |"
echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
for m in $models; do
  rm -f "$OUT/$m-exact.jsonl"
  t0=$(date +%s.%N)
  node "$CLI" sweep "zoo/models/$m/model.onnx" "${common[@]}" --out "$OUT/$m-exact.jsonl" > /dev/null
  t1=$(date +%s.%N)
  n=0
  for a in $ADAPTIVE_CLIS; do
    n=$((n + 1)); rows="$OUT/$m-adaptive-$n.jsonl"; rm -f "$rows"
    s1=$(date +%s.%N)
    node "$a" sweep "zoo/models/$m/model.onnx" "${common[@]}" --adaptive 0.5 --out "$rows" > /dev/null
    s2=$(date +%s.%N)
    node --input-type=module - "$m" "$a" "$OUT/$m-exact.jsonl" "$rows" "$t0" "$t1" "$s1" "$s2" <<'EOF'
import { readFileSync } from 'node:fs';
const [m, build, exactFile, adaptiveFile, t0, t1, s1, s2] = process.argv.slice(2);
const read = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const key = (r) => `${r.layer}\u0000${r.perturbation}\u0000${r.seed}`;
const exact = new Map(read(exactFile).map((r) => [key(r), r]));
const rows = read(adaptiveFile);
let outside = 0, early = 0, images = 0, worst = 0;
for (const r of rows) {
  const e = exact.get(key(r));
  if (!e) throw new Error(`${m}: no exact row for ${key(r)}`);
  const error = Math.abs(r.drop - e.drop);
  const hw = r.adaptive.half_width;
  if (error > hw + 1e-12) outside++;
  if (r.adaptive.stopped_early) early++;
  if (hw > 0) worst = Math.max(worst, error / hw);
  images += r.count;
}
const exactS = Number(t1) - Number(t0), adaptiveS = Number(s2) - Number(s1);
console.log(`| ${m} | ${build} | ${rows.length} | ${exactS.toFixed(1)} s | ${adaptiveS.toFixed(1)} s | ${(exactS / adaptiveS).toFixed(2)}× | ${Math.round(images / rows.length)} | ${early} | ${outside} of ${rows.length} | ${worst.toFixed(2)} |`);
EOF
  done
done
echo "(rows in $OUT)"
