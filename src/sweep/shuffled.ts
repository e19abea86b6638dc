/** A data set held in memory in a seeded random order (for adaptive evaluation, whose bound needs random order). */
import { OptionError } from '../errors.js';
import { createRng } from '../perturb/index.js';
import { memoryBatches } from '../runtime/memory-batches.js';
import type { SweepData } from './options.js';

export async function shuffledInMemory(data: SweepData, seed: number, memoryBytes: number): Promise<SweepData> {
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  const bytes = data.count * sampleSize * 4;
  if (bytes > memoryBytes) {
    throw new OptionError(`--adaptive holds the ${data.count} images in memory in random order (${(bytes / 2 ** 20).toFixed(0)} MiB), more than --memory allows; raise --memory or use --limit`);
  }
  const images = new Float32Array(data.count * sampleSize);
  const labels = new Int32Array(data.count);
  const order = new Uint32Array(data.count).map((_, i) => i);
  const rng = createRng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const position = new Uint32Array(data.count);
  order.forEach((original, i) => (position[original] = i));
  for await (const batch of data.batches(1000)) {
    for (let k = 0; k < batch.count; k++) {
      const to = position[batch.start + k] as number;
      images.set(batch.images.subarray(k * sampleSize, (k + 1) * sampleSize), to * sampleSize);
      labels[to] = batch.labels[k] as number;
    }
  }
  const description = `${data.description}, shuffled (seed ${seed})`;
  return { ...memoryBatches(images, labels, data.sampleShape, description), fingerprint: () => data.fingerprint() };
}
