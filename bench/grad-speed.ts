/**
 * Speed of safer's gradients (GradientRunner: one onnxruntime session running
 * forward and backward) against PyTorch autograd, on the same machine, thread
 * count, network and batch: ResNet-20-style, [256, 1, 28, 28] (issue 3, "Speed").
 *
 *   npx tsc --outDir bench/out/js --rootDir . --module nodenext --moduleResolution nodenext \
 *     --target es2022 --skipLibCheck --esModuleInterop bench/grad-speed.ts
 *   nice -n 10 node bench/out/js/bench/grad-speed.js [--threads 2] [--batch 256] [--runs 10]
 *
 * Runs bench/grad_speed_torch.py (/usr/bin/python3) first: it builds the network with
 * BatchNorm folded, exports it to bench/out/resnet20.onnx with the batch it times, and
 * prints its median time and peak RSS. Then times GradientRunner.run (loss, logits and
 * the gradients of all 42 weights and biases) on the same file and batch: session
 * creation apart, warm-up runs, then the median of --runs runs. Peak memory: the
 * process's maximum RSS (getrusage), which includes Node's own ~50 MB.
 * Prints ratio = safer seconds / torch seconds (below 1: safer is faster).
 */
import { execFileSync } from 'node:child_process';
import { resourceUsage } from 'node:process';
import { GradientRunner } from '../src/autodiff/index.js';
import { openDataset } from '../src/data/index.js';
import { discoverLayers } from '../src/layers/discover.js';
import { loadModel } from '../src/onnx/model.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const threads = option('threads', 2);
const batch = option('batch', 256);
const runs = option('runs', 10);
const warmup = option('warmup', 3);
const onnxPath = 'bench/out/resnet20.onnx';

interface TorchResult { seconds: number; maxrss_mb: number; loss: number; torch: string; threads: number }

const torchOut = execFileSync('/usr/bin/python3', ['bench/grad_speed_torch.py', '--onnx', onnxPath, '--batch', String(batch), '--threads', String(threads), '--runs', String(runs), '--warmup', String(warmup)], { encoding: 'utf8' });
const torchResult = JSON.parse(torchOut.trim().split('\n').pop() ?? '{}') as TorchResult;

const model = loadModel(onnxPath);
const layers = discoverLayers(model);
const wrt = layers.flatMap((l) => (l.bias ? [l.name, l.bias] : [l.name]));
const data = await openDataset({ data: onnxPath.replace('.onnx', '-images.npy'), labels: onnxPath.replace('.onnx', '-labels.npy') });
let images: Float32Array = new Float32Array(0);
let labels: Int32Array = new Int32Array(0);
for await (const b of data.batches(batch)) {
  images = b.images;
  labels = b.labels;
  break;
}
const started = performance.now();
const runner = await GradientRunner.create(model, { wrt, threads, source: onnxPath, sampleShape: data.sampleShape });
const setup = (performance.now() - started) / 1000;
let loss = NaN;
for (let i = 0; i < warmup; i++) loss = (await runner.run(images, data.sampleShape, labels)).loss;
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t = performance.now();
  loss = (await runner.run(images, data.sampleShape, labels)).loss;
  times.push((performance.now() - t) / 1000);
}
await runner.release();
times.sort((x, y) => x - y);
const seconds = times[Math.floor(times.length / 2)] as number;
const maxRssMb = resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({
  batch, threads, runs, tensors: wrt.length,
  safer: { seconds, setupSeconds: setup, maxRssMb, loss },
  torch: { seconds: torchResult.seconds, maxRssMb: torchResult.maxrss_mb, loss: torchResult.loss, version: torchResult.torch, threads: torchResult.threads },
  ratio: seconds / torchResult.seconds,
}, null, 2));
