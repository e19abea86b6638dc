// The full pass behind sweep-speed's compute bound, fed the synthetic batch that script uses (one batch of
// (i % 255) / 255, eight times) against the 2,000 bundled images, with onnxruntime's default session options and
// the sweep's, interleaved, 8 rounds (docs/benchmarks.md). Usage: node perf/full-pass-feeds.mjs zoo/models/vit/model.onnx
import { createRequire } from 'node:module';
const ROOT = new URL('..', import.meta.url).pathname;
const ort = createRequire(`${ROOT}package.json`)('onnxruntime-node');
const R = `${ROOT}dist`;
const { prepareModelFile } = await import(`${R}/model/prepare.js`);
const { serializeModel } = await import(`${R}/onnx/model.js`);
const { openEvalData } = await import(`${R}/data/eval-data.js`);
const data = await openEvalData({ data: `${ROOT}zoo/bundled/images.npy`, labels: `${ROOT}zoo/bundled/labels.npy` });
const prepared = await prepareModelFile(process.argv[2], { sampleShape: data.sampleShape });
const input = prepared.io.input.name;
const real = [];
for await (const b of data.batches(250)) real.push({ [input]: new ort.Tensor('float32', b.images, [b.count, ...data.sampleShape]) });
const sampleSize = prepared.sampleShape.reduce((a, b) => a * b, 1);
const synth = { [input]: new ort.Tensor('float32', Float32Array.from({ length: 250 * sampleSize }, (_, i) => (i % 255) / 255), [250, ...prepared.sampleShape]) };
const synthFeeds = Array.from({ length: 8 }, () => synth);
const sDefault = await ort.InferenceSession.create(serializeModel(prepared.model));
const sSweep = await ort.InferenceSession.create(serializeModel(prepared.model), { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
const cases = { 'default opts, synthetic': [sDefault, synthFeeds], 'default opts, real': [sDefault, real], 'sweep opts, synthetic': [sSweep, synthFeeds], 'sweep opts, real': [sSweep, real] };
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < 8; r++) for (const [k, [s, feeds]] of Object.entries(cases)) { const t = performance.now(); for (const f of feeds) await s.run(f); times[k].push(performance.now() - t); }
for (const [k, ts] of Object.entries(times)) { const s = ts.slice(1).sort((a, b) => a - b); console.log(k.padEnd(26), 'fastest', s[0].toFixed(1), 'median', s[s.length >> 1].toFixed(1), 'ms'); }
