/** Seeded random order (Fisher–Yates on the perturb/ Rng). */
import type { Rng } from '../perturb/index.js';

/** A seeded permutation of `items`; the input is not changed. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.nextFloat() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
