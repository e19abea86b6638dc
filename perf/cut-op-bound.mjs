// Where a cut's run time goes, against the time the same nodes take inside a full pass (issue 17, "Know the
// bound"). For each layer of a model, on the 2,000 bundled images in batches of 250, with the model as
// safer prepares it:
//   in-pass     the kernel time of the layer's downstream nodes inside a full pass (onnxruntime's profiler on
//               the whole model; a fused node is counted where its output is one of the cut's values)
//   cut run     the wall time of the layer's downstream session (unperturbed weights) run on the cached
//               frontier, per pass over the images (the fastest of three, after a warm-up)
//   cut kernels the kernel time of the same session under the profiler, and the part of it in layout
//               conversions (ReorderInput / ReorderOutput), which a full pass does not have at that point
// and prints the ratios summed over layers, the quantity the sweep's "downstream runs / bound" depends on.
// With PAD=1, as the sweep runs on x86-64: on the channel-padded copy of the graph (src/cut/pad-channels.ts),
// each cut's frontier values fed in the blocked layout (src/cut/blocked-frontier.ts).
// Usage: [PAD=1] node perf/cut-op-bound.mjs zoo/models/mobilenetv2/model.onnx      (needs a built dist/)
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
const ROOT = new URL('..', import.meta.url).pathname;
const require = createRequire(`${ROOT}package.json`);
const ort = require('onnxruntime-node');
const R = `${ROOT}dist`;
const { prepareModelFile } = await import(`${R}/model/prepare.js`);
const { serializeModel } = await import(`${R}/onnx/model.js`);
const { openEvalData } = await import(`${R}/data/eval-data.js`);
const { cutDownstream, cutWeights } = await import(`${R}/cut/cut.js`);
const { computeFrontier } = await import(`${R}/cut/frontier.js`);
const { padChannels } = await import(`${R}/cut/pad-channels.js`);
const { blockedFrontier } = await import(`${R}/cut/blocked-frontier.js`);

const BATCH = 250;
const DIR = `/tmp/safer-cut-op-bound-${process.pid}`;
mkdirSync(DIR, { recursive: true });
const data = await openEvalData({ data: `${ROOT}zoo/bundled/images.npy`, labels: `${ROOT}zoo/bundled/labels.npy` });
const prepared = await prepareModelFile(process.argv[2], { sampleShape: data.sampleShape });
const options = { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const padding = process.env.PAD === '1' ? padChannels(prepared.model, prepared.shapes) : undefined;
if (process.env.PAD === '1' && !padding) console.log('(nothing to pad: the model as prepared)');
const model = padding?.model ?? prepared.model;
const shapes = padding ? prepared.shapes.withChannels(padding.paddedChannels) : prepared.shapes;
const stripped = (name) => name.replace(/_kernel_time$/, '').replace(/_nchwc$/, '');

/** Kernel events of a profiled session's runs after the first (warm-up), by run. */
async function profiled(bytes, feedsOfBatches, label) {
  const s = await ort.InferenceSession.create(bytes, { ...options, enableProfiling: true, profileFilePrefix: `${DIR}/${label}` });
  for (let pass = 0; pass < 3; pass++) for (const feeds of feedsOfBatches) await s.run(feeds);
  s.endProfiling();
  await s.release();
  const file = readdirSync(DIR).filter((f) => f.startsWith(label) && f.endsWith('.json')).pop();
  const events = JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8'));
  rmSync(`${DIR}/${file}`);
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const from = runs[feedsOfBatches.length]?.ts ?? 0; // after the warm-up pass
  return { passes: 2, kernels: events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= from) };
}

async function fastestPass(bytes, feedsOfBatches) {
  const s = await ort.InferenceSession.create(bytes, options);
  let best = Infinity;
  for (let pass = 0; pass < 4; pass++) {
    const t = performance.now();
    for (const feeds of feedsOfBatches) await s.run(feeds);
    if (pass > 0) best = Math.min(best, performance.now() - t);
  }
  await s.release();
  return best;
}

const input = prepared.io.input.name;
const imageFeeds = [];
for await (const b of data.batches(BATCH)) imageFeeds.push({ [input]: new ort.Tensor('float32', b.images, [b.count, ...data.sampleShape]) });
const wholeBytes = serializeModel(model);
const whole = await profiled(wholeBytes, imageFeeds, 'whole');
const inPassByValue = new Map();
let wholeKernels = 0;
for (const e of whole.kernels) {
  const key = stripped(e.name);
  inPassByValue.set(key, (inPassByValue.get(key) ?? 0) + e.dur / 1000 / whole.passes);
  wholeKernels += e.dur / 1000 / whole.passes;
}
const wholeWall = await fastestPass(wholeBytes, imageFeeds);
console.log(`${process.argv[2]}${padding ? ' (channel-padded)' : ''}: full pass ${wholeWall.toFixed(1)} ms wall, ${wholeKernels.toFixed(1)} ms kernels (2,000 images, batches of ${BATCH})`);
console.log('| layer | in-pass kernels (ms) | cut run, wall (ms) | cut kernels (ms) | of which reorders (ms) | cut wall / in-pass |');
console.log('|---|--:|--:|--:|--:|--:|');
const sum = { inPass: 0, wall: 0, kernels: 0, reorders: 0 };
for (const layer of prepared.layers) {
  const plainCut = cutDownstream(model, cutWeights(layer), prepared.io.logits, shapes, prepared.io.input);
  const cut = padding ? blockedFrontier(plainCut) : plainCut;
  const values = new Set(cut.model.graph.nodes.flatMap((n) => n.outputs));
  let inPass = 0;
  for (const [value, ms] of inPassByValue) if (values.has(value)) inPass += ms;
  const names = cut.frontier.map((v) => v.name);
  const frontier = await computeFrontier(model, input, names, data, { start: 0, end: data.count }, BATCH, undefined, { threads: 2 });
  const feeds = frontier.map((b) => Object.fromEntries(names.map((n) => [n, b.values.get(n)])));
  const bytes = serializeModel(cut.model);
  const wall = await fastestPass(bytes, feeds);
  const run = await profiled(bytes, feeds, 'cut');
  let kernels = 0;
  let reorders = 0;
  for (const e of run.kernels) {
    kernels += e.dur / 1000 / run.passes;
    if (/^Reorder/.test(e.args.op_name)) reorders += e.dur / 1000 / run.passes;
  }
  sum.inPass += inPass; sum.wall += wall; sum.kernels += kernels; sum.reorders += reorders;
  console.log(`| ${layer.name} | ${inPass.toFixed(1)} | ${wall.toFixed(1)} | ${kernels.toFixed(1)} | ${reorders.toFixed(1)} | ${(wall / inPass).toFixed(2)} |`);
}
console.log(`| all layers | ${sum.inPass.toFixed(1)} | ${sum.wall.toFixed(1)} | ${sum.kernels.toFixed(1)} | ${sum.reorders.toFixed(1)} | ${(sum.wall / sum.inPass).toFixed(2)} |`);
rmSync(DIR, { recursive: true, force: true });
