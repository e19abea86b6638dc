// One layer's cut, by op type, against the full pass (onnxruntime's profiler, ms per pass over the 2,000
// bundled images in batches of 250, the passes after a warm-up), on the graph the sweep runs (channel-padded
// where that applies): the cut as cutDownstream gives it and with its frontier blocked (blocked-frontier.ts),
// with both cuts' wall time (fastest of 3 passes) and their largest logit difference.
// Usage: node perf/cut-ops.mjs zoo/models/densenet/model.onnx block1.layer0.conv.weight   (needs a built dist/)
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
const ROOT = new URL('..', import.meta.url).pathname;
const ort = createRequire(`${ROOT}package.json`)('onnxruntime-node');
const R = `${ROOT}dist`;
const { prepareModelFile } = await import(`${R}/model/prepare.js`);
const { serializeModel } = await import(`${R}/onnx/model.js`);
const { openEvalData } = await import(`${R}/data/eval-data.js`);
const { cutDownstream, cutWeights } = await import(`${R}/cut/cut.js`);
const { computeFrontier } = await import(`${R}/cut/frontier.js`);
const { padChannels } = await import(`${R}/cut/pad-channels.js`);
const { blockedFrontier } = await import(`${R}/cut/blocked-frontier.js`);

const [file, layerName] = process.argv.slice(2);
const BATCH = 250;
const options = { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const data = await openEvalData({ data: `${ROOT}zoo/bundled/images.npy`, labels: `${ROOT}zoo/bundled/labels.npy` });
const prepared = await prepareModelFile(file, { sampleShape: data.sampleShape });
const layer = prepared.layers.find((l) => l.name === layerName);
if (!layer) throw new Error(`${file} has no layer ${layerName}; its layers: ${prepared.layers.map((l) => l.name).join(', ')}`);
const padding = padChannels(prepared.model, prepared.shapes);
const model = padding?.model ?? prepared.model;
const shapes = padding ? prepared.shapes.withChannels(padding.paddedChannels) : prepared.shapes;
const cut = cutDownstream(model, cutWeights(layer), prepared.io.logits, shapes, prepared.io.input);
const blocked = blockedFrontier(cut);
const names = cut.frontier.map((v) => v.name);
const frontier = await computeFrontier(model, prepared.io.input.name, names, data, { start: 0, end: data.count }, BATCH, undefined, { threads: 2 });
const cutFeeds = frontier.map((b) => Object.fromEntries(names.map((n) => [n, b.values.get(n)])));
const imageFeeds = [];
for await (const b of data.batches(BATCH)) imageFeeds.push({ [prepared.io.input.name]: new ort.Tensor('float32', b.images, [b.count, ...data.sampleShape]) });

const DIR = `/tmp/safer-cut-ops-${process.pid}`;
mkdirSync(DIR, { recursive: true });
/** Kernel ms per pass by op type, after a warm-up pass. */
async function byOp(m, feeds, label) {
  const s = await ort.InferenceSession.create(serializeModel(m), { ...options, enableProfiling: true, profileFilePrefix: `${DIR}/${label}` });
  for (let pass = 0; pass < 3; pass++) for (const f of feeds) await s.run(f);
  s.endProfiling();
  await s.release();
  const profile = readdirSync(DIR).find((f) => f.startsWith(label) && f.endsWith('.json'));
  const events = JSON.parse(readFileSync(`${DIR}/${profile}`, 'utf8'));
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const from = runs[feeds.length].ts;
  const ops = new Map();
  for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= from) ops.set(e.args.op_name, (ops.get(e.args.op_name) ?? 0) + e.dur / 1000 / 2);
  return ops;
}
async function wallAndLogits(m) {
  const s = await ort.InferenceSession.create(serializeModel(m), options);
  let best = Infinity;
  for (let pass = 0; pass < 4; pass++) {
    const t = performance.now();
    for (const f of cutFeeds) await s.run(f);
    if (pass > 0) best = Math.min(best, performance.now() - t);
  }
  const logits = [];
  for (const f of cutFeeds) logits.push((await s.run(f))[prepared.io.logits].data);
  await s.release();
  return { best, logits };
}
const whole = await byOp(model, imageFeeds, 'whole');
const plain = await byOp(cut.model, cutFeeds, 'cut');
const converted = await byOp(blocked.model, cutFeeds, 'blocked');
const a = await wallAndLogits(cut.model);
const b = await wallAndLogits(blocked.model);
const largest = Math.max(...a.logits.map((x, i) => x.reduce((m, v, j) => Math.max(m, Math.abs(v - b.logits[i][j])), 0)));
rmSync(DIR, { recursive: true, force: true });
console.log(`${file}${padding ? ' (channel-padded)' : ''}, ${layerName}: frontier ${cut.frontier.map((v) => `${v.name} ${JSON.stringify(v.shape)}`).join(', ')}`);
console.log('| op | full pass (ms) | cut (ms) | cut, frontier blocked (ms) |\n|---|--:|--:|--:|');
for (const op of new Set([...whole.keys(), ...plain.keys(), ...converted.keys()])) {
  console.log(`| ${op} | ${(whole.get(op) ?? 0).toFixed(1)} | ${(plain.get(op) ?? 0).toFixed(1)} | ${(converted.get(op) ?? 0).toFixed(1)} |`);
}
console.log(`| cut wall time | | ${a.best.toFixed(1)} | ${b.best.toFixed(1)} |`);
console.log(`largest logit difference between the two cuts: ${largest.toExponential(1)}`);
