// onnxruntime session options against one full forward pass over the 2,000 bundled images
// (docs/benchmarks.md, "What was tried"): per option set and round, a fresh session, one warm-up
// batch, then the mean of three passes in batches of 250, 2 intra-op threads.
//
//   node perf/ort-session-options.mjs [model.onnx]     # default zoo/models/mobilenetv2/model.onnx
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const ort = createRequire(import.meta.url)('onnxruntime-node');
const model = readFileSync(process.argv[2] ?? 'zoo/models/mobilenetv2/model.onnx');
const npy = readFileSync('zoo/bundled/images.npy');
const dataOffset = 10 + npy.readUInt16LE(8); // .npy version 1 header
const sample = 784;
const images = new Float32Array(npy.buffer.slice(npy.byteOffset + dataOffset, npy.byteOffset + dataOffset + 2000 * sample * 4));
const batch = 250;
const variants = {
  'default (all)': { graphOptimizationLevel: 'all' },
  'extended': { graphOptimizationLevel: 'extended' },
  'no spinning': { graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } } },
  'no memory arena': { graphOptimizationLevel: 'all', enableCpuMemArena: false },
};
const feed = (session, start) => ({ [session.inputNames[0]]: new ort.Tensor('float32', images.subarray(start * sample, (start + batch) * sample), [batch, 1, 28, 28]) });
for (let round = 1; round <= 3; round++) {
  for (const [name, options] of Object.entries(variants)) {
    const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', ...options });
    await session.run(feed(session, 0));
    const started = performance.now();
    for (let pass = 0; pass < 3; pass++) for (let start = 0; start < 2000; start += batch) await session.run(feed(session, start));
    console.log(`round ${round}  ${name.padEnd(16)} ${((performance.now() - started) / 3).toFixed(0)} ms per pass over 2,000 images`);
    await session.release();
  }
}
