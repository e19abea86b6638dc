/** The sweep's run of the unperturbed model: base logits for KL and agreement, accuracy and loss. */
import type { CutEngine } from '../cut/engine.js';
import type { FrontierBatch } from '../cut/frontier.js';
import type { LayerGroup } from '../cut/groups.js';
import type { PreparedModel } from '../model/prepare.js';
import { Evaluator, type LabeledBatches } from '../runtime/evaluate.js';
import { referenceRows, type ReferenceRows } from '../runtime/metrics.js';
import type { SessionOptions } from '../runtime/session.js';

export interface Base {
  logits: Float32Array;
  /** Per image, 1 if the unperturbed prediction is right. */
  correct: Uint8Array;
  accuracy: number;
  loss: number;
  classes: number;
  /** The rows every job is compared with (KL, agreement, paired counts), summarized once. */
  reference: ReferenceRows;
}

/**
 * The unperturbed model over the whole data set; with `group`, also that group's frontier values
 * for every batch, computed in the same runs (one prefix pass less).
 */
export async function evaluateBase(
  prepared: PreparedModel,
  data: LabeledBatches,
  engine: CutEngine,
  session: SessionOptions,
  group: LayerGroup | undefined,
): Promise<{ base: Base; frontier: FrontierBatch[] }> {
  const fetch = group ? group.values.filter((v) => v !== prepared.io.input.name) : [];
  // The engine's graph (channel-padded, perhaps): the fetched frontier must be in the layout its cuts read.
  const evaluator = await Evaluator.create({ ...prepared, model: engine.model }, session, fetch);
  const frontier: FrontierBatch[] = [];
  try {
    const r = await evaluator.evaluate(data, {
      batchSize: engine.batchSize,
      keepLogits: true,
      onFetched: (batch, fetched) => {
        if (group) frontier.push(engine.frontierFromRun(group, batch, fetched));
      },
    });
    const logits = r.logits as Float32Array;
    const correct = r.correctness as Uint8Array;
    const base = { logits, correct, accuracy: r.accuracy, loss: r.loss, classes: r.classes, reference: referenceRows(logits, r.classes, correct) };
    return { base, frontier };
  } finally {
    await evaluator.release();
  }
}
