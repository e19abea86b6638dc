/**
 * Hessian-vector products of the mean calibration loss by central differences of gradients:
 * H·v ≈ (g(w + h·v) − g(w − h·v)) / 2h, exact for quadratic losses and O(h²) otherwise.
 */
import type { Layer } from '../layers/layer.js';
import type { LossGradient } from './gradients.js';

/**
 * `v` maps layer weight names to directions (missing layers: 0); the result has an entry per layer
 * weight. `gradientsAt` gives the loss gradient with some weights replaced, `weight` a stored weight.
 */
export async function hessianVectorProduct(
  layers: readonly Layer[],
  weight: (name: string) => Float32Array,
  gradientsAt: (values: ReadonlyMap<string, Float32Array>) => Promise<LossGradient>,
  v: ReadonlyMap<string, Float32Array>,
  h: number,
): Promise<Map<string, Float32Array>> {
  const shifted = (sign: number): Map<string, Float32Array> => {
    const values = new Map<string, Float32Array>();
    for (const [name, dir] of v) {
      const w = weight(name);
      values.set(name, w.map((x, i) => x + sign * h * (dir[i] as number)));
    }
    return values;
  };
  const plus = await gradientsAt(shifted(1));
  const minus = await gradientsAt(shifted(-1));
  const out = new Map<string, Float32Array>();
  for (const layer of layers) {
    const a = plus.gradients.get(layer.name) as Float32Array;
    const b = minus.gradients.get(layer.name) as Float32Array;
    out.set(layer.name, a.map((x, i) => (x - (b[i] as number)) / (2 * h)));
  }
  return out;
}
