/**
 * A debugging check (tfjs tape style): runs a differentiated model with every
 * gradient contribution exposed and compares each one's shape and element
 * type with the forward value it belongs to.
 */
import { GradientShapeError } from '../errors.js';
import { withOutputs } from '../onnx/edit.js';
import type { Model } from '../onnx/ir.js';
import { OrtRunner, type OrtTensor } from '../runtime/session.js';
import type { Contribution } from './backward.js';

export async function verifyGradientShapes(model: Model, contributions: readonly Contribution[], feeds: Record<string, OrtTensor>, source = 'model'): Promise<void> {
  if (contributions.length === 0) return;
  const names = [...new Set(contributions.flatMap((c) => [c.forward, c.gradient]))];
  const exposed = withOutputs(model, [...model.graph.outputs, ...names.filter((n) => !model.graph.outputs.some((o) => o.name === n)).map((name) => ({ name, elemType: 0, shape: undefined }))]);
  const runner = await OrtRunner.create(exposed, `${source} (gradient shape check)`, { threads: 1, optimization: 'disabled' });
  try {
    const inputs = new Set(model.graph.inputs.map((v) => v.name));
    const fetch = names.filter((n) => !inputs.has(n));
    const out = fetch.length > 0 ? await runner.run(feeds, fetch) : {};
    const tensorOf = (name: string): OrtTensor | undefined => out[name] ?? feeds[name];
    for (const c of contributions) {
      const f = tensorOf(c.forward);
      const g = tensorOf(c.gradient);
      const initializer = model.graph.initializers.get(c.forward);
      const fDims = f ? [...f.dims] : initializer ? [...initializer.dims] : undefined;
      const fType = f ? f.type : initializer?.dataType;
      if (!g || !fDims) continue;
      if (fType !== g.type || fDims.length !== g.dims.length || fDims.some((d, i) => d !== g.dims[i])) {
        throw new GradientShapeError(
          `node "${c.node}" (${c.opType}): gradient of input ${c.input} ("${c.forward}") is ${g.type} [${g.dims.join(', ')}], expected ${fType} [${fDims.join(', ')}]`,
        );
      }
    }
  } finally {
    await runner.release();
  }
}
