/**
 * Speed of safer's gradients (GradientRunner: one onnxruntime session running
 * forward and backward) against PyTorch autograd, on the same machine, thread
 * count, network and batch: ResNet-20-style, [256, 1, 28, 28] (issue 3, "Speed").
 *
 *   npx tsc --outDir perf/out/js --rootDir . --module nodenext --moduleResolution nodenext \
 *     --target es2022 --skipLibCheck --esModuleInterop perf/grad-speed.ts
 *   nice -n 10 node perf/out/js/perf/grad-speed.js [--threads 2] [--batch 256] [--runs 10] [--rounds 3]
 *
 * Each round runs perf/grad_speed_torch.py (/usr/bin/python3): it builds the network
 * with BatchNorm folded, exports it to perf/out/resnet20.onnx with the batch it times,
 * and prints its median time and peak RSS. Then the round times GradientRunner.run
 * (loss, logits and the gradients of all 44 weights and biases) on the same file and
 * batch: session creation apart, warm-up runs, then the median of --runs runs. The ratio
 * safer seconds / torch seconds (below 1: safer is faster) is taken per round, so that
 * both sides of a ratio see the same machine load, and the median over rounds is
 * reported. Peak memory: each process's maximum RSS (getrusage), Node's own ~100 MB included.
 */
import { execFileSync } from 'node:child_process';
import { resourceUsage } from 'node:process';
import { GradientRunner } from '../src/autodiff/index.js';
import { openEvalData } from '../src/data/index.js';
import { prepareModelFile } from '../src/model/prepare.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const threads = option('threads', 2);
const batch = option('batch', 256);
const runs = option('runs', 10);
const warmup = option('warmup', 3);
const onnxPath = 'perf/out/resnet20.onnx';

interface TorchResult { seconds: number; maxrss_mb: number; loss: number; torch: string; threads: number }

function torchRound(): TorchResult {
  const out = execFileSync('/usr/bin/python3', ['perf/grad_speed_torch.py', '--onnx', onnxPath, '--batch', String(batch), '--threads', String(threads), '--runs', String(runs), '--warmup', String(warmup)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as TorchResult;
}

async function saferRound(): Promise<{ seconds: number; setup: number; loss: number; tensors: number }> {
  const prepared = await prepareModelFile(onnxPath);
  const wrt = prepared.layers.flatMap((l) => (l.bias ? [l.name, l.bias] : [l.name]));
  const data = await openEvalData({ data: onnxPath.replace('.onnx', '-images.npy'), labels: onnxPath.replace('.onnx', '-labels.npy') });
  let images: Float32Array = new Float32Array(0);
  let labels: Int32Array = new Int32Array(0);
  for await (const b of data.batches(batch)) {
    images = b.images;
    labels = b.labels;
    break;
  }
  const started = performance.now();
  const runner = await GradientRunner.create(prepared, { wrt, threads });
  const setup = (performance.now() - started) / 1000;
  let loss = NaN;
  for (let i = 0; i < warmup; i++) loss = (await runner.run(images, labels)).loss;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    loss = (await runner.run(images, labels)).loss;
    times.push((performance.now() - t) / 1000);
  }
  await runner.release();
  return { seconds: median(times), setup, loss, tensors: wrt.length };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const rounds: { torch: TorchResult; safer: Awaited<ReturnType<typeof saferRound>>; ratio: number }[] = [];
for (let r = 0; r < option('rounds', 3); r++) {
  const torch = torchRound();
  const safer = await saferRound();
  rounds.push({ torch, safer, ratio: safer.seconds / torch.seconds });
}
const last = rounds[rounds.length - 1] as (typeof rounds)[number];
console.log(JSON.stringify({
  batch, threads, runs, tensors: last.safer.tensors,
  rounds: rounds.map((r) => ({ saferSeconds: r.safer.seconds, torchSeconds: r.torch.seconds, ratio: r.ratio })),
  safer: { seconds: median(rounds.map((r) => r.safer.seconds)), setupSeconds: last.safer.setup, maxRssMb: resourceUsage().maxRSS / 1024, loss: last.safer.loss },
  torch: { seconds: median(rounds.map((r) => r.torch.seconds)), maxRssMb: Math.max(...rounds.map((r) => r.torch.maxrss_mb)), loss: last.torch.loss, version: last.torch.torch, threads: last.torch.threads },
  ratio: median(rounds.map((r) => r.ratio)),
}, null, 2));
