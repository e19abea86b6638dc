/**
 * Every case of gradcheck.cases.ts: random-direction central finite
 * differences against the backward graph (helpers.finiteDifferenceCheck).
 * Tolerances, on |fd − ⟨g, u⟩| / (‖g‖·‖u‖) (the error relative to the largest
 * value ⟨g, u⟩ could take, so that a direction nearly orthogonal to g does not
 * inflate it):
 *   float64: 1e-7 (ε = 1e-6; measured errors ≤ 5e-9)
 *   float32: 1e-4 (ε = 1e-2, for ops without float64 kernels; the rounding of
 *            a float32 forward pass, ~1e-7·|f|/ε, dominates; measured ≤ 8e-6)
 */
import { describe, expect, it } from 'vitest';
import { CASES } from './gradcheck.cases.js';
import { buildCase, finiteDifferenceCheck } from './helpers.js';

const TOLERANCE = { float64: 1e-7, float32: 1e-4 } as const;

describe('finite differences', () => {
  it.each(CASES.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', async (_label, c) => {
    const type = c.dtype ?? 'float64';
    const built = buildCase(c);
    const results = await finiteDifferenceCheck(built.model, built.wrt, built.outputs, { type, ...(c.epsilon !== undefined ? { epsilon: c.epsilon } : {}) });
    expect(results.length).toBe(built.wrt.size);
    for (const r of results) {
      const message = `${c.op} / ${c.name} / input ${r.input}: fd ${r.fd}, analytic ${r.analytic}, error ${r.error.toExponential(2)}`;
      expect(r.error, message).toBeLessThan(c.tolerance ?? TOLERANCE[type]);
      if (process.env['GRADCHECK_VERBOSE']) console.log(message);
    }
  });
});
