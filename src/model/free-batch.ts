/**
 * Models exported with a fixed batch size (torch.onnx.export without dynamic_axes gives batch 1)
 * would have to be run one image, or B images, at a time. Most such graphs do not depend on that
 * size (their Reshapes keep the batch axis with -1 or 0, say), so `freeBatchAxis` makes the batch
 * axis of the input and outputs symbolic — but only after checking it is safe: the freed model, run
 * on B + 1 probe samples, must give for the first B what the original gives for them in its own
 * batch of B. A graph that bakes the size in (a Reshape to [1, 392], say) fails that check or cannot
 * run, and is returned unchanged; safer then runs it in batches of exactly B.
 */
import { ModelError } from '../errors.js';
import type { Dim, Model, ValueInfo } from '../onnx/ir.js';
import { classifierIO } from '../runtime/classifier.js';
import { makeTensor, OrtRunner } from '../runtime/session.js';
import { probeInput } from './probe-input.js';

export interface FreedBatch {
  model: Model;
  /** The fixed batch size the file declares, if any. */
  declared?: number;
  /** True if the returned model takes any batch size although the file declared a fixed one. */
  freed: boolean;
  /** Why a fixed batch size was kept. */
  reason?: string;
}

const BATCH: Dim = 'N';

/** The error for a graph that depends on its fixed batch size where safer needs another size. */
export function fixedBatchError(source: string, declared: number): ModelError {
  return new ModelError(
    `${source}: takes batches of exactly ${declared} images and its graph depends on that size; ` +
      're-export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={"<input>": {0: "batch"}}))',
  );
}

/** The model with a symbolic batch axis if it declares a fixed one and does not depend on it. */
export async function freeBatchAxis(model: Model, sampleShape: readonly number[], source = 'model'): Promise<FreedBatch> {
  const io = classifierIO(model, source);
  const declared = io.input.shape?.[0];
  if (typeof declared !== 'number' || declared <= 0) return { model, freed: false };
  const free = (v: ValueInfo): ValueInfo => (v.shape && v.shape[0] === declared ? { ...v, shape: [BATCH, ...v.shape.slice(1)] } : v);
  const candidate: Model = {
    ...model,
    graph: {
      ...model.graph,
      inputs: model.graph.inputs.map((v) => (v.name === io.input.name ? free(v) : v)),
      outputs: model.graph.outputs.map(free),
      // Intermediate shapes recorded at the fixed size would contradict a different batch.
      valueInfo: [],
    },
  };
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const probe = probeInput((declared + 1) * sampleSize);
  let original: OrtRunner | undefined;
  let freed: OrtRunner | undefined;
  try {
    original = await OrtRunner.create(model, `${source} (batch check)`, { threads: 1 });
    const want = await original.run({ [io.input.name]: makeTensor('float32', probe.subarray(0, declared * sampleSize), [declared, ...sampleShape]) }, [io.output]);
    freed = await OrtRunner.create(candidate, `${source} (batch check)`, { threads: 1, quiet: true });
    const got = await freed.run({ [io.input.name]: makeTensor('float32', probe, [declared + 1, ...sampleShape]) }, [io.output]);
    const a = want[io.output];
    const b = got[io.output];
    if (!a || !b || b.dims[0] !== declared + 1 || a.dims.slice(1).join() !== b.dims.slice(1).join()) {
      return { model, declared, freed: false, reason: 'its output does not follow the batch size' };
    }
    if (!agree(a.data as Float32Array, (b.data as Float32Array).subarray(0, a.data.length))) {
      return { model, declared, freed: false, reason: 'its outputs change with the batch size' };
    }
    return { model: candidate, declared, freed: true };
  } catch (e) {
    // The freed graph cannot run at another size (or the original not at all: later steps report that).
    return { model, declared, freed: false, reason: `it cannot run at another batch size (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  } finally {
    await freed?.release();
    await original?.release();
  }
}

function agree(a: Float32Array, b: Float32Array): boolean {
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  const tolerance = 1e-4 * Math.max(1, scale);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (!(Math.abs(x - y) <= tolerance) && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}
