// Session creation of a sweep's bundles, two builds of safer interleaved (docs/benchmarks.md, "Constant
// nodes as initializers"): for every layer of a model, its downstream cut as each build's cutDownstream
// gives it, replicated into a bundle of COPIES variants (the layer's weight scaled by 1 + i/100), and the
// time onnxruntime takes to create a session of each bundle (graph optimization level 'all', 2 intra-op
// threads, as the sweep's sessions), summed over the layers, per round (3 rounds, builds interleaved).
//
//   node perf/session-create-ab.mjs zoo/models/vit/model.onnx 5 <before root> <after root>
//
// The roots hold a built dist/ (see perf/sweep-ab.sh for a worktree of a commit).
import { createRequire } from 'node:module';
const ROOT = new URL('..', import.meta.url).pathname;
const ort = createRequire(`${ROOT}package.json`)('onnxruntime-node');
const [file, copiesText, ...roots] = process.argv.slice(2);
const copies = Number(copiesText);
if (!file || !(copies >= 1) || roots.length === 0) {
  console.error('usage: node perf/session-create-ab.mjs <model.onnx> <copies> <root> [root ...]');
  process.exit(2);
}
const builds = [];
for (const root of roots) {
  const R = `${root}/dist`;
  const { prepareModelFile } = await import(`${R}/model/prepare.js`);
  const { serializeModel } = await import(`${R}/onnx/model.js`);
  const { cutDownstream, cutWeights } = await import(`${R}/cut/cut.js`);
  const { replicatedModel } = await import(`${R}/cut/replicate.js`);
  const prepared = await prepareModelFile(file, { sampleShape: [1, 28, 28] });
  const bundles = prepared.layers.map((layer) => {
    const cut = cutDownstream(prepared.model, cutWeights(layer), prepared.io.logits, prepared.shapes, prepared.io.input);
    const weight = prepared.model.graph.initializers.get(layer.name).data;
    const variants = Array.from({ length: copies }, (_, i) => new Map([[layer.name, weight.map((x) => x * (1 + i / 100))]]));
    return { bytes: serializeModel(replicatedModel(cut, variants).model), nodes: cut.model.graph.nodes.length };
  });
  builds.push({ root, bundles, ms: [] });
}
for (let round = 0; round < 3; round++) {
  for (const build of builds) {
    let total = 0;
    for (const { bytes } of build.bundles) {
      const t = performance.now();
      const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
      total += performance.now() - t;
      await session.release();
    }
    build.ms.push(total);
  }
}
for (const b of builds) {
  const nodes = b.bundles.reduce((a, x) => a + x.nodes, 0);
  console.log(`${b.root}: ${b.bundles.length} sessions of ${copies} copies (${nodes} nodes per copy, summed over the layers): creation ${b.ms.map((x) => `${(x / 1000).toFixed(2)} s`).join(', ')} (rounds)`);
}
