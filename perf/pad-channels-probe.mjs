// What padding convolution channels to multiples of 16 (src/cut/pad-channels.ts) does to onnxruntime's
// full pass, per model: the full pass over the 2,000 bundled images in batches of 250 with the model as
// safer prepares it and with its padded copy (fastest of 3 after a warm-up, two rounds interleaved), the
// largest logit difference and the predictions that differ. Issue 17, "make the full pass itself faster".
// Usage: node perf/pad-channels-probe.mjs zoo/models/densenet/model.onnx [...]     (needs a built dist/)
import { createRequire } from 'node:module';
const ROOT = new URL('..', import.meta.url).pathname;
const require = createRequire(`${ROOT}package.json`);
const ort = require('onnxruntime-node');
const R = `${ROOT}dist`;
const { prepareModelFile } = await import(`${R}/model/prepare.js`);
const { serializeModel } = await import(`${R}/onnx/model.js`);
const { openEvalData } = await import(`${R}/data/eval-data.js`);
const { padChannels } = await import(`${R}/cut/pad-channels.js`);

const BATCH = 250;
const options = { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const data = await openEvalData({ data: `${ROOT}zoo/bundled/images.npy`, labels: `${ROOT}zoo/bundled/labels.npy` });

async function fullPass(bytes, feeds, logits) {
  const s = await ort.InferenceSession.create(bytes, options);
  let best = Infinity;
  let out = [];
  for (let pass = 0; pass < 4; pass++) {
    const t = performance.now();
    const batch = [];
    for (const f of feeds) batch.push((await s.run(f, [logits]))[logits].data);
    if (pass > 0) best = Math.min(best, performance.now() - t);
    out = batch;
  }
  await s.release();
  return { ms: best, logits: out };
}

const argmax = (a, off, n) => { let b = 0; for (let c = 1; c < n; c++) if (a[off + c] > a[off + b]) b = c; return b; };
console.log('| model | widened initializers | full pass (ms) | padded (ms) | padded / full | largest logit difference | predictions that differ |');
console.log('|---|--:|--:|--:|--:|--:|--:|');
for (const file of process.argv.slice(2)) {
  const prepared = await prepareModelFile(file, { sampleShape: data.sampleShape });
  const padded = padChannels(prepared.model, prepared.shapes);
  if (!padded) { console.log(`| ${file} | not padded | | | | | |`); continue; }
  const input = prepared.io.input.name;
  const feeds = [];
  for await (const b of data.batches(BATCH)) feeds.push({ [input]: new ort.Tensor('float32', b.images, [b.count, ...data.sampleShape]) });
  const bytes = serializeModel(prepared.model);
  const paddedBytes = serializeModel(padded.model);
  const times = { full: Infinity, padded: Infinity };
  let a, b;
  for (let round = 0; round < 2; round++) {
    a = await fullPass(bytes, feeds, prepared.io.logits);
    b = await fullPass(paddedBytes, feeds, prepared.io.logits);
    times.full = Math.min(times.full, a.ms);
    times.padded = Math.min(times.padded, b.ms);
  }
  let largest = 0;
  let differ = 0;
  for (let i = 0; i < a.logits.length; i++) {
    const x = a.logits[i], y = b.logits[i], classes = x.length / feeds[i][input].dims[0];
    for (let j = 0; j < x.length; j++) largest = Math.max(largest, Math.abs(x[j] - y[j]));
    for (let r = 0; r < x.length / classes; r++) if (argmax(x, r * classes, classes) !== argmax(y, r * classes, classes)) differ++;
  }
  console.log(`| ${file} | ${padded.widened.size} | ${times.full.toFixed(0)} | ${times.padded.toFixed(0)} | ${(times.padded / times.full).toFixed(2)} | ${largest.toExponential(1)} | ${differ} of ${data.count} |`);
}
