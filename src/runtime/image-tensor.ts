/** The one place a batch of images becomes an onnxruntime tensor. */
import { makeTensor, type OrtTensor } from './session.js';

/**
 * The image tensor of a batch of `count` samples: padded with zero images to `rows` when the graph
 * only runs at a fixed batch size (the padded rows' outputs are ignored by every caller).
 */
export function imageTensor(images: Float32Array, count: number, sampleShape: readonly number[], rows: number = count): OrtTensor {
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  let feed = images.subarray(0, count * sampleSize);
  if (rows !== count) {
    const padded = new Float32Array(rows * sampleSize);
    padded.set(feed);
    feed = padded;
  }
  return makeTensor('float32', feed, [rows, ...sampleShape]);
}
