// Frontier values into onnxruntime's blocked layout (src/cut/blocked-frontier.ts), probed per layer on the
// graph the sweep runs (channel-padded where that applies): each layer's cut with unperturbed weights, as
// it was and with the frontier blocked, run on the cached frontier of the 2,000 bundled images in batches
// of 250 (the fastest of 3 passes after a warm-up, the two variants interleaved); and how many of the
// cuts reproduce the logits of the model as given bit for bit.
// Usage: node perf/blocked-frontier-probe.mjs zoo/models/densenet/model.onnx [...]   (needs a built dist/)
import { createRequire } from 'node:module';
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

const BATCH = 250;
const options = { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const data = await openEvalData({ data: `${ROOT}zoo/bundled/images.npy`, labels: `${ROOT}zoo/bundled/labels.npy` });

async function logitsOf(session, feeds, output) {
  const parts = [];
  for (const f of feeds) parts.push((await session.run(f, [output]))[output].data);
  return parts;
}
const same = (a, b) => a.every((x, i) => x.length === b[i].length && x.every((v, j) => Object.is(v, b[i][j])));
const maxDiff = (a, b) => Math.max(...a.map((x, i) => x.reduce((m, v, j) => Math.max(m, Math.abs(v - b[i][j])), 0)));

console.log('| model | layers with a blocked frontier value | cut runs, plain | blocked | blocked / plain | cuts equal to the whole model, plain | blocked | largest logit change |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|');
for (const file of process.argv.slice(2)) {
  const prepared = await prepareModelFile(file, { sampleShape: data.sampleShape });
  const input = prepared.io.input.name;
  const logits = prepared.io.logits;
  const padding = padChannels(prepared.model, prepared.shapes);
  const model = padding?.model ?? prepared.model;
  const shapes = padding ? prepared.shapes.withChannels(padding.paddedChannels) : prepared.shapes;
  const imageFeeds = [];
  for await (const b of data.batches(BATCH)) imageFeeds.push({ [input]: new ort.Tensor('float32', b.images, [b.count, ...data.sampleShape]) });
  const wholeSession = await ort.InferenceSession.create(serializeModel(prepared.model), options);
  const whole = await logitsOf(wholeSession, imageFeeds, logits);
  await wholeSession.release();
  let changed = 0, plainMs = 0, blockedMs = 0, plainSame = 0, blockedSame = 0, largest = 0;
  for (const layer of prepared.layers) {
    const cut = cutDownstream(model, cutWeights(layer), logits, shapes, prepared.io.input);
    const blocked = blockedFrontier(cut);
    const names = cut.frontier.map((v) => v.name);
    const frontier = await computeFrontier(model, input, names, data, { start: 0, end: data.count }, BATCH, undefined, { threads: 2 });
    const feeds = frontier.map((b) => Object.fromEntries(names.map((n) => [n, b.values.get(n)])));
    const sessions = [await ort.InferenceSession.create(serializeModel(cut.model), options)];
    if (blocked !== cut) { changed++; sessions.push(await ort.InferenceSession.create(serializeModel(blocked.model), options)); }
    const best = sessions.map(() => Infinity);
    for (let pass = 0; pass < 4; pass++) {
      for (let s = 0; s < sessions.length; s++) {
        const t = performance.now();
        for (const f of feeds) await sessions[s].run(f, [logits]);
        if (pass > 0) best[s] = Math.min(best[s], performance.now() - t);
      }
    }
    const plain = await logitsOf(sessions[0], feeds, logits);
    const after = sessions.length > 1 ? await logitsOf(sessions[1], feeds, logits) : plain;
    plainMs += best[0];
    blockedMs += best.at(-1);
    if (same(plain, whole)) plainSame++;
    if (same(after, whole)) blockedSame++;
    largest = Math.max(largest, maxDiff(plain, after));
    for (const s of sessions) await s.release();
  }
  const name = file.replace(/^.*models\//, '').replace(/\/model\.onnx$/, '');
  console.log(`| ${name}${padding ? ' (padded)' : ''} | ${changed} of ${prepared.layers.length} | ${plainMs.toFixed(0)} ms | ${blockedMs.toFixed(0)} ms | ${(blockedMs / plainMs).toFixed(2)} | ${plainSame} | ${blockedSame} | ${largest.toExponential(1)} |`);
}
