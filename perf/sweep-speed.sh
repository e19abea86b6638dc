#!/usr/bin/env bash
# Speed of `safer sweep` against a plain PyTorch CPU loop doing the same work (issue 4, "Fast"), and how far
# the sweep is from its compute bound (the profile section).
#
#   perf/sweep-speed.sh [model ...]        # default: bundled resnet20 (zoo names: zoo/models/<name>)
#
# For each model, in one go on this machine (fresh --out file every time), interleaved:
#   safer            node dist/cli/main.js sweep <model.onnx> --data <2000 bundled images> --perturb $PERTURB,
#                    timed as the whole command with the CLI's defaults; with VARIANTS=1 also with
#                    explicit --jobs 1 --threads 2, --jobs 2 --threads 1 and --jobs 1 --threads 1
#   torch            perf/sweep_torch.py: 2 threads, OpenBLAS, batches of 500, glibc malloc thresholds
#                    raised (MALLOC_MMAP_THRESHOLD_ = MALLOC_TRIM_THRESHOLD_ = 1 GiB); its sweep loop (base
#                    evaluation + all jobs) is timed inside the script, start-up and loading apart;
#                    again with batches of 250 (safer's default; the issue fixes torch's at 500), to show
#                    that safer's batch size is not what makes the difference;
#                    with VARIANTS=1 also with plain malloc settings, and with 1 thread
#   profile          safer once more (defaults) with an onnxruntime-node preload that times session
#                    creation, runs and release by kind (shape probe, base, frontier prefix,
#                    downstream), for the time breakdown
# and prints ratios torch sweep-loop seconds / safer whole-command seconds (with REPEAT > 1 also their lowest,
# median and highest per model: one run on a noisy machine is not a result).
#
# Env: PERTURB (default prune:0.5,prune:0.9,quant:4,quant:2,quantc:4), PY (/usr/bin/python3),
#      OUT (directory for logs and JSON, default a fresh /tmp dir), SKIP_PROFILE=1, REPEAT (default 1),
#      VARIANTS=1 (the extra thread/malloc variants; '-' in their columns otherwise), SKIP_B250=1 (no PyTorch
#      run with batches of 250), BOUND_PASSES (full passes timed for the bound, default 10: the fastest
#      sets it, the median is printed beside it), PROFILE_ONLY=1 (only the
#      profile section: no PyTorch, no timing table).
# Needs a built dist/ (npm run build). Run it niced on a shared machine: nice -n 10 perf/sweep-speed.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PY:-/usr/bin/python3}"
PERTURB="${PERTURB:-prune:0.5,prune:0.9,quant:4,quant:2,quantc:4}"
IMAGES="$ROOT/zoo/bundled/images.npy"
LABELS="$ROOT/zoo/bundled/labels.npy"
OUT="${OUT:-$(mktemp -d /tmp/safer-sweep-speed.XXXXXX)}"
REPEAT="${REPEAT:-1}"
MALLOC=$((1 << 30))
mkdir -p "$OUT"
rm -f "$OUT/pairs.txt"
[ -f dist/cli/main.js ] || { echo "dist/cli/main.js missing: run npm run build" >&2; exit 1; }
if [ "$#" -gt 0 ]; then MODELS=("$@"); else MODELS=(bundled resnet20); fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- onnxruntime-node preload for the breakdown --------------------------------------------------
cat > "$OUT/profile.mjs" <<'EOF'
// Times onnxruntime session creation, runs and release by kind of session. onnxruntime-node
// does the native work synchronously inside a setImmediate callback (backend.js), so timing the
// callbacks gives the exact native time even when several jobs are in flight (--jobs 2).
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const require = createRequire(`${process.env.SAFER_ROOT}/package.json`);
const ort = require('onnxruntime-node');
const IS = ort.InferenceSession;
const INPUT = process.env.SAFER_INPUT ?? 'input';
const LOGITS = process.env.SAFER_LOGITS ?? 'logits';
const loadedAt = performance.now();
let lastCallbackMs = 0;
const realSetImmediate = globalThis.setImmediate;
globalThis.setImmediate = function (callback, ...args) {
  return realSetImmediate(function (...a) {
    const t = performance.now();
    try {
      return callback.apply(this, a);
    } finally {
      lastCallbackMs = performance.now() - t;
    }
  }, ...args);
};
const stats = {};
const add = (kind, what, ms, rows = 0) => {
  const s = (stats[kind] ??= { create: 0, createMs: 0, run: 0, runMs: 0, rows: 0, release: 0, releaseMs: 0, modelBytes: 0 });
  s[what] += 1;
  s[what + 'Ms'] += ms;
  s.rows += rows;
};
// A session's kind is decided at its first run, from its inputs, outputs and the batch fed: shape
// probes feed the image input 1 or 2 samples; the base evaluation is the first session fed whole
// batches of images that fetches the logits (and the first group's frontier values); a frontier
// (prefix) session fetches no logits; the rest are downstream parts (the first layer's read the images).
let sawBase = false;
const kindOf = (session, feeds) => {
  const ins = session.inputNames, outs = session.outputNames;
  if (ins.length !== 1 || ins[0] !== INPUT) return 'downstream';
  if (!outs.includes(LOGITS)) return 'frontier';
  if ((feeds[INPUT]?.dims?.[0] ?? 0) <= 2) return 'probe';
  if (sawBase) return 'downstream';
  sawBase = true;
  return 'base';
};
const create = IS.create;
IS.create = async function (...args) {
  const session = await create.apply(this, args);
  session.__createMs = lastCallbackMs;
  session.__modelBytes = args[0]?.byteLength ?? 0;
  return session;
};
const run = IS.prototype.run;
IS.prototype.run = async function (feeds, ...rest) {
  const out = await run.call(this, feeds, ...rest);
  if (!this.__kind) {
    this.__kind = kindOf(this, feeds);
    add(this.__kind, 'create', this.__createMs);
    stats[this.__kind].modelBytes += this.__modelBytes;
  }
  add(this.__kind, 'run', lastCallbackMs, Object.values(feeds)[0]?.dims?.[0] ?? 0);
  return out;
};
const release = IS.prototype.release;
IS.prototype.release = async function (...args) {
  const t = performance.now();
  await release.apply(this, args);
  if (!this.__kind) {
    this.__kind = 'unrun';
    add(this.__kind, 'create', this.__createMs);
  }
  add(this.__kind, 'release', performance.now() - t);
};
process.on('exit', () => {
  writeFileSync(process.env.SAFER_PROFILE_OUT, JSON.stringify({ loadedAtMs: loadedAt, exitAtMs: performance.now(), stats }, null, 1));
});
EOF

# ---- time of the perturbations alone (library calls, no onnxruntime) ----------------------------
cat > "$OUT/perturb-time.mjs" <<EOF
import * as safer from '$ROOT/dist/index.js';
import { cutDownstream, cutWeights } from '$ROOT/dist/cut/cut.js';
import { padChannels } from '$ROOT/dist/cut/pad-channels.js';
const [modelPath, list] = process.argv.slice(2);
const prepared = await safer.prepareModelFile(modelPath);
const { model, layers } = prepared;
const specs = safer.parsePerturbationList(list);
let perturbMs = 0, serializeMs = 0, jobs = 0;
for (const layer of layers) {
  const weight = model.graph.initializers.get(layer.name).data;
  const bias = layer.bias ? model.graph.initializers.get(layer.bias).data : undefined;
  for (const spec of specs) {
    let t = performance.now();
    const r = safer.applyPerturbation({ weight, shape: layer.shape, channelAxis: layer.channelAxis, bias }, spec.perturbation, safer.createRng(1));
    perturbMs += performance.now() - t;
    t = performance.now();
    safer.serializeModel(safer.withInitializerValues(model, new Map([[layer.name, r.weight]])));
    serializeMs += performance.now() - t;
    jobs++;
  }
}
// The weight layers' FLOPs downstream of each layer's cut (what a job of that layer runs), against the whole model's.
const totalFlops = layers.reduce((a, l) => a + (l.flops ?? 0), 0);
const downstreamFraction = layers.map((layer) => {
  const cut = cutDownstream(model, cutWeights(layer), prepared.io.logits, prepared.shapes, prepared.io.input);
  const nodes = new Set(cut.model.graph.nodes.map((n) => n.name));
  return layers.filter((l) => nodes.has(l.node)).reduce((a, l) => a + (l.flops ?? 0), 0) / totalFlops;
});
const jobFraction = downstreamFraction.reduce((a, f) => a + f * specs.length, 0);
// onnxruntime's full-pass throughput on this model in steady state: 2,000 images in batches of 250, after a warm-up pass.
import { createRequire } from 'node:module';
const ort = createRequire('$ROOT/package.json')('onnxruntime-node');
const sampleSize = prepared.sampleShape.reduce((a, b) => a * b, 1);
const feed = { [prepared.io.input.name]: new ort.Tensor('float32', Float32Array.from({ length: 250 * sampleSize }, (_, i) => (i % 255) / 255), [250, ...prepared.sampleShape]) };
async function fullPass(m) {
  const session = await ort.InferenceSession.create(safer.serializeModel(m));
  const pass = async () => { for (let b = 0; b < 8; b++) await session.run(feed); };
  await pass();
  const times = [];
  for (let r = 0; r < BOUND_PASSES; r++) { const t = performance.now(); await pass(); times.push(performance.now() - t); }
  await session.release();
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[Math.floor(times.length / 2)] };
}
const BOUND_PASSES = Number(process.env.BOUND_PASSES ?? 10);
const { best: fullPassMs, median: fullPassMedianMs } = await fullPass(model);
// The graph the sweep runs on x86-64: convolution channels padded to blocks of 16 (src/cut/pad-channels.ts), when that applies.
const padded = process.arch === 'x64' ? padChannels(model, prepared.shapes) : undefined;
const paddedPass = padded ? await fullPass(padded.model) : null;
console.log(JSON.stringify({ jobs, perturbMs, serializeWholeModelMs: serializeMs, totalFlops, jobFraction, meanDownstreamFraction: jobFraction / jobs, boundPasses: BOUND_PASSES, fullPassMs, fullPassMedianMs, paddedPassMs: paddedPass?.best ?? null, paddedPassMedianMs: paddedPass?.median ?? null }));
EOF

model_path() { if [ "$1" = bundled ]; then echo "$ROOT/zoo/bundled/model.onnx"; else echo "$ROOT/zoo/models/$1/model.onnx"; fi; }

run_safer() { # name model extra-args... -> prints seconds
  local tag="$1" model="$2"; shift 2
  local out="$OUT/$tag.jsonl"; rm -f "$out"
  local t0 t1; t0=$(now)
  node dist/cli/main.js sweep "$model" --data "$IMAGES" --labels "$LABELS" --perturb "$PERTURB" --out "$out" --json "$@" > "$OUT/$tag.json" 2> "$OUT/$tag.err"
  t1=$(now); elapsed "$t0" "$t1"
}

run_torch() { # tag name [VAR=value ...] [extra sweep_torch.py args] -> prints "wall sweep import load jobs layers"
  local tag="$1" name="$2"; shift 2
  local envs=() args=()
  for a in "$@"; do if [[ "$a" == *=* && "$a" != --* ]]; then envs+=("$a"); else args+=("$a"); fi; done
  local t0 t1; t0=$(now)
  env "${envs[@]}" "$PY" perf/sweep_torch.py --model "$name" --perturb "$PERTURB" --quiet --json "$OUT/$tag.json" "${args[@]}" > "$OUT/$tag.log" 2>&1
  t1=$(now)
  "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print(sys.argv[2], r['sweep_s'], r['import_s'], r['load_s'], r['jobs'], r['layers'])" "$OUT/$tag.json" "$(elapsed "$t0" "$t1")"
}

echo "# safer sweep speed, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
echo "# node $(node --version), onnxruntime-node $(node -p "require('$ROOT/node_modules/onnxruntime-node/package.json').version"), torch $("$PY" -c 'import torch; print(torch.__version__)'), BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
echo "# perturbations: $PERTURB; images: 2000 (zoo/bundled); logs in $OUT"
DIST_STAMP="$(stat -c %y dist/sweep/run.js)"
echo "# safer $(git rev-parse --short HEAD 2>/dev/null || echo '?'), dist/sweep/run.js built $DIST_STAMP; sweep defaults: $(node dist/cli/main.js sweep --help | grep -E -- '--(jobs|threads|batch) ' | sed 's/  */ /g' | tr '\n' ';')"
echo "# load before: $(uptime | sed 's/.*load average: //')"
echo
ratios=()
if [ "${PROFILE_ONLY:-0}" != 1 ]; then
printf '| model | layers | jobs | safer (defaults) | safer -j1 -t2 | safer -j2 -t1 | safer -j1 -t1 | torch 2 thr | torch 2 thr, plain malloc | torch 1 thr | torch 2 thr, batch 250 | torch start-up + load (whole command) | load avg |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for name in "${MODELS[@]}"; do
  model="$(model_path "$name")"
  [ -f "$model" ] || { echo "| $name | (no $model) |"; continue; }
  for rep in $(seq 1 "$REPEAT"); do
    load=$(uptime | sed 's/.*load average: //; s/,.*//')
    sd=$(run_safer "$name-safer-default-$rep" "$model")
    read -r tw t2 ti tl jobs layers <<< "$(run_torch "$name-torch-$rep" "$name" MALLOC_MMAP_THRESHOLD_=$MALLOC MALLOC_TRIM_THRESHOLD_=$MALLOC)"
    s12=nan; tp=nan; s21=nan; s11=nan; t1=nan; tb=nan
    if [ "${VARIANTS:-0}" = 1 ]; then
      s12=$(run_safer "$name-safer-j1t2-$rep" "$model" --jobs 1 --threads 2)
      read -r _ tp _ _ _ _ <<< "$(run_torch "$name-torch-plain-$rep" "$name")"
      s21=$(run_safer "$name-safer-j2t1-$rep" "$model" --jobs 2 --threads 1)
      s11=$(run_safer "$name-safer-j1t1-$rep" "$model" --jobs 1 --threads 1)
      read -r _ t1 _ _ _ _ <<< "$(run_torch "$name-torch-t1-$rep" "$name" MALLOC_MMAP_THRESHOLD_=$MALLOC MALLOC_TRIM_THRESHOLD_=$MALLOC --threads 1)"
    fi
    [ "${SKIP_B250:-0}" = 1 ] || read -r _ tb _ _ _ _ <<< "$(run_torch "$name-torch-b250-$rep" "$name" MALLOC_MMAP_THRESHOLD_=$MALLOC MALLOC_TRIM_THRESHOLD_=$MALLOC --batch 250)"
    load="$load → $(uptime | sed 's/.*load average: //; s/,.*//')"
    printf '| %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f + %.1f (%.1f) | %s |\n' \
      "$name" "$layers" "$jobs" "$sd" "$s12" "$s21" "$s11" "$t2" "$tp" "$t1" "$tb" "$ti" "$tl" "$tw" "$load"
    echo "$name $sd $t2" >> "$OUT/pairs.txt"
    ratios+=("$(awk -v n="$name" -v sd="$sd" -v s12="$s12" -v s21="$s21" -v s11="$s11" -v t2="$t2" -v tp="$tp" -v t1="$t1" -v tb="$tb" \
      'function r(a, b) { return (a == "nan" || b == "nan") ? "-" : sprintf("%.2f×", a / b) }
       BEGIN { printf "| %s | **%s** | %s | %s | %s | %s | %s |", n, r(t2, sd), r(t2, s12), r(t2, s21), r(tp, sd), r(t1, s11), r(tb, sd) }')")
  done
done
echo
echo '| model | torch 2 thr / safer (defaults) | torch 2 thr / safer -j1 -t2 | torch 2 thr / safer -j2 -t1 | plain-malloc torch / safer (defaults) | 1 thread each: torch / safer -j1 -t1 | torch batch 250 / safer (defaults) |'
echo '|---|---|---|---|---|---|---|'
for r in "${ratios[@]}"; do echo "$r"; done
if [ "$REPEAT" -gt 1 ]; then
  echo
  echo "| model | runs | safer, fastest / median / slowest | torch 2 thr / safer: lowest / median / highest |"
  echo '|---|--:|--:|--:|'
  node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" "));
    const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
    for (const name of [...new Set(rows.map((r) => r[0]))]) {
      const runs = rows.filter((r) => r[0] === name).map((r) => ({ safer: Number(r[1]), torch: Number(r[2]) }));
      const safer = runs.map((r) => r.safer), ratio = runs.map((r) => r.torch / r.safer);
      const f = (xs, d) => `${Math.min(...xs).toFixed(d)} / ${median(xs).toFixed(d)} / ${Math.max(...xs).toFixed(d)}`;
      console.log(`| ${name} | ${runs.length} | ${f(safer, 2)} s | ${f(ratio, 2)}× |`);
    }' "$OUT/pairs.txt"
fi
echo
echo "# load after: $(uptime | sed 's/.*load average: //')"
[ "$(stat -c %y dist/sweep/run.js)" = "$DIST_STAMP" ] || echo "# WARNING: dist/ was rebuilt during the benchmark; the safer columns may mix two builds"
fi

[ "${SKIP_PROFILE:-0}" = 1 ] && exit 0
echo
echo "## where the time goes in safer (one more default run per model, with the onnxruntime preload)"
for name in "${MODELS[@]}"; do
  model="$(model_path "$name")"
  [ -f "$model" ] || continue
  out="$OUT/$name-profile.jsonl"; rm -f "$out"
  t0=$(now)
  SAFER_ROOT="$ROOT" SAFER_PROFILE_OUT="$OUT/$name-profile.json" node --import "$OUT/profile.mjs" dist/cli/main.js sweep "$model" \
    --data "$IMAGES" --labels "$LABELS" --perturb "$PERTURB" --out "$out" --json > "$OUT/$name-profile-summary.json"
  t1=$(now)
  node "$OUT/perturb-time.mjs" "$model" "$PERTURB" > "$OUT/$name-perturb-time.json"
  node - "$name" "$(elapsed "$t0" "$t1")" "$OUT/$name-profile.json" "$out" "$OUT/$name-perturb-time.json" "$OUT/$name-profile-summary.json" <<'EOF'
const fs = require('node:fs');
const [name, wall, profFile, rowsFile, perturbFile, summaryFile] = process.argv.slice(2);
const prof = JSON.parse(fs.readFileSync(profFile, 'utf8'));
const rows = fs.readFileSync(rowsFile, 'utf8').split('\n').filter(Boolean);
const pt = JSON.parse(fs.readFileSync(perturbFile, 'utf8'));
const own = JSON.parse(fs.readFileSync(summaryFile, 'utf8')).timing;
const st = (k) => prof.stats[k] ?? { create: 0, createMs: 0, run: 0, runMs: 0, rows: 0, release: 0, releaseMs: 0, modelBytes: 0 };
const sec = (ms) => ms / 1000;
const total = Number(wall);
const kinds = ['probe', 'base', 'frontier', 'downstream', 'unrun'];
const lines = [
  ['node start-up (until the preload ran)', sec(prof.loadedAtMs)],
  [`shape probes: ${st('probe').create} sessions (the first one includes onnxruntime's start-up), create + run`, sec(st('probe').createMs + st('probe').runMs)],
  [`base evaluation (with the first group's frontier values): ${st('base').run} runs (+ session creation)`, sec(st('base').createMs + st('base').runMs)],
  [`frontier (prefix) evaluation: ${st('frontier').run} runs on ${st('frontier').create} sessions (+ creation)`, sec(st('frontier').createMs + st('frontier').runMs)],
  [`downstream session creation: ${st('downstream').create} sessions, mean ${(st('downstream').createMs / Math.max(1, st('downstream').create)).toFixed(1)} ms, mean model ${(st('downstream').modelBytes / Math.max(1, st('downstream').create) / 1024).toFixed(0)} KiB`, sec(st('downstream').createMs)],
  [`downstream runs: ${st('downstream').run}, mean ${(st('downstream').runMs / Math.max(1, st('downstream').run)).toFixed(1)} ms per batch of ${Math.round(st('downstream').rows / Math.max(1, st('downstream').run))}`, sec(st('downstream').runMs)],
  ['session release (all)', sec(kinds.reduce((a, k) => a + st(k).releaseMs, 0))],
  ...(st('unrun').create > 0 ? [[`sessions created and never run: ${st('unrun').create}`, sec(st('unrun').createMs)]] : []),
  [`perturbation functions (${pt.jobs} jobs, timed apart)`, sec(pt.perturbMs)],
  ['rest: module loading, data reading and hashing, graph cuts, model serialization, metrics, row writing (fsync), event-loop gaps', 0],
];
lines[lines.length - 1][1] = total - lines.reduce((a, [, v]) => a + v, 0);
console.log(`\n### ${name}: ${rows.length} jobs, whole command ${total.toFixed(2)} s (profiled run, default options)\n`);
console.log('| part | seconds | share |\n|---|---|---|');
for (const [k, v] of lines) console.log(`| ${k} | ${v.toFixed(2)} | ${(100 * v / total).toFixed(1)}% |`);
// The compute bound: every job's downstream FLOPs at onnxruntime's full-pass throughput on the model (timed apart, steady state).
const passSec = sec(pt.fullPassMs);
const bound = pt.jobFraction * passSec;
console.log(`\ncompute bound: ${bound.toFixed(2)} s = Σ over the ${pt.jobs} jobs of their downstream weight-layer FLOPs (mean ${(100 * pt.meanDownstreamFraction).toFixed(0)}% of the model's) ` +
  `at onnxruntime's full-pass throughput (${passSec.toFixed(3)} s for 2,000 images in batches of 250, fastest of ${pt.boundPasses} after a warm-up, median ${sec(pt.fullPassMedianMs).toFixed(3)} s, timed apart; FLOPs of activation-only ops such as attention products not counted). ` +
  `Achieved: whole command ${total.toFixed(2)} s = ${(total / bound).toFixed(2)}× the bound; downstream runs alone ${sec(st('downstream').runMs).toFixed(2)} s = ${(sec(st('downstream').runMs) / bound).toFixed(2)}×.`);
if (pt.paddedPassMs !== null) {
  const paddedBound = pt.jobFraction * sec(pt.paddedPassMs);
  console.log(`\ncompute bound on the sweep's channel-padded graph: ${paddedBound.toFixed(2)} s (full pass ${sec(pt.paddedPassMs).toFixed(3)} s, median ${sec(pt.paddedPassMedianMs).toFixed(3)} s). ` +
    `Achieved: whole command ${(total / paddedBound).toFixed(2)}× this bound; downstream runs alone ${(sec(st('downstream').runMs) / paddedBound).toFixed(2)}×.`);
}
console.log(`\nsafer's own timing fields (sums of awaited intervals, they overlap when jobs run concurrently): ${JSON.stringify(Object.fromEntries(Object.entries(own ?? {}).map(([k, v]) => [k, Number(v.toFixed(2))])))}. ` +
  `Serializing the whole model once per job would take ${sec(pt.serializeWholeModelMs).toFixed(2)} s.`);
EOF
done
