// Where onnxruntime's full pass spends its kernel time, by op type: two passes over the 2,000 bundled images
// in batches of 250, the model as safer prepares it, with onnxruntime's profiler on.
// Usage: node perf/ort-op-profile.mjs zoo/models/densenet/model.onnx densenet     (needs a built dist/)
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
const ROOT = new URL('..', import.meta.url).pathname;
const require = createRequire(`${ROOT}package.json`);
const ort = require('onnxruntime-node');
const R = `${ROOT}dist`;
const DIR = '/tmp/safer-ort-profile';
mkdirSync(DIR, { recursive: true });
const { prepareModelFile } = await import(`${R}/model/prepare.js`);
const { serializeModel } = await import(`${R}/onnx/model.js`);
const { openEvalData } = await import(`${R}/data/eval-data.js`);
const data = await openEvalData({ data: `${ROOT}zoo/bundled/images.npy`, labels: `${ROOT}zoo/bundled/labels.npy` });
const prepared = await prepareModelFile(process.argv[2], { sampleShape: data.sampleShape });
const s = await ort.InferenceSession.create(serializeModel(prepared.model), { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: `${DIR}/${process.argv[3]}` });
for (let rep = 0; rep < 2; rep++) for await (const b of data.batches(250)) await s.run({ [prepared.io.input.name]: new ort.Tensor('float32', b.images, [b.count, ...data.sampleShape]) });
s.endProfiling();
await s.release();
const file = readdirSync(DIR).filter((f) => f.startsWith(process.argv[3]) && f.endsWith('.json')).pop();
const ev = JSON.parse(readFileSync(`${DIR}/${file}`, 'utf8'));
const by = new Map(); let total = 0;
for (const e of ev) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) { const op = e.args.op_name; by.set(op, (by.get(op) ?? 0) + e.dur); total += e.dur; }
console.log(process.argv[3], 'kernel time per pass', (total / 2 / 1000).toFixed(0), 'ms');
for (const [op, d] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${op} ${(d / total * 100).toFixed(1)}%`);
