/**
 * The default cost source (`--measure`, the database approach of OBC and SPDY): each layer's cost
 * curve measured on calibration images through the graph-cut engine, the layer alone perturbed at
 * each level. Quant and prune costs are the increase of the mean cross-entropy (a continuous,
 * low-noise measure); protect costs are the expected accuracy drop under `bitflip:ber`, from single
 * flips stratified by bit position (fault-costs.ts: a bit flip can make the loss infinite, and the
 * plan maximises expected accuracy).
 */
import { CutLogits } from '../../cut/cut-logits.js';
import type { Layer } from '../../layers/layer.js';
import type { PreparedModel } from '../../model/prepare.js';
import { withInitializerValues } from '../../onnx/edit.js';
import { formatPerturbation, sameBits, seedFromKey, type Perturbation } from '../../perturb/index.js';
import { memoryBatches, type SampleBatch } from '../../runtime/memory-batches.js';
import { accumulate, emptyTotals } from '../../runtime/metrics.js';
import type { SessionOptions } from '../../runtime/session.js';
import { costCurvesFrom } from '../curves.js';
import { BUDGET_DEFAULTS } from '../defaults.js';
import type { Budget, CostCurves } from '../types.js';
import { perturbedWeight, storedWeight } from './apply-plan.js';
import { PlanEvaluator } from './evaluate-plan.js';
import { measureFaultCosts } from './fault-costs.js';

export type CostMetric = 'loss increase' | 'accuracy drop';

export interface MeasuredCosts {
  curves: CostCurves;
  metric: CostMetric;
  /** Calibration images the costs were measured on. */
  images: number;
  /** Runs of the graph from a layer on. */
  runs: number;
}

/** The levels a budget's cost curves are measured at, and the perturbation of each. */
export function costLevels(budget: Budget): { level: number; perturbation: Perturbation }[] {
  switch (budget.kind) {
    case 'quant':
      return budget.bits.map((bits) => ({ level: bits, perturbation: { kind: 'quantc', bits } }));
    case 'prune':
      return BUDGET_DEFAULTS.pruneLevels.map((ratio) => ({ level: ratio, perturbation: { kind: 'prune', ratio } }));
    case 'protect':
      return [{ level: budget.ber, perturbation: { kind: 'bitflip', rate: budget.ber } }];
  }
}

/** The metric of a budget kind's measured costs. */
export function costMetric(budget: Budget): CostMetric {
  return budget.kind === 'protect' ? 'accuracy drop' : 'loss increase';
}

/**
 * Each layer's cost at each level, on `calibration`; `layers` default to all. With `context` (the
 * weights of a plan), a layer's cost is measured with every other layer as the plan leaves it: the
 * loss of the plan's model with this layer at the level (its stored weights perturbed) minus the loss
 * of the plan's model. Around a plan these costs add up far better than the costs of layers alone.
 */
export async function measureCostCurves(
  prepared: PreparedModel,
  calibration: SampleBatch,
  budget: Budget,
  options: { session?: SessionOptions; layers?: readonly Layer[]; context?: ReadonlyMap<string, Float32Array>; onProgress?: (done: number, total: number) => void } = {},
): Promise<MeasuredCosts> {
  const session = options.session ?? {};
  const data = memoryBatches(calibration.images, calibration.labels, calibration.sampleShape, 'calibration images');
  const context = options.context ?? new Map<string, Float32Array>();
  const inContext: PreparedModel = context.size > 0 ? { ...prepared, model: withInitializerValues(prepared.model, context) } : prepared;
  const base = (await PlanEvaluator.create(inContext, data, session)).base;
  const layers = options.layers ?? prepared.layers;
  if (budget.kind === 'protect') {
    const faults = await measureFaultCosts(inContext, calibration, budget.ber, base, { session, layers, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    return { curves: faults.curves, metric: costMetric(budget), images: calibration.count, runs: faults.runs };
  }
  const levels = costLevels(budget);
  const cut = CutLogits.create(inContext, calibration, session);
  const entries: { layer: string; level: number; cost: number }[] = [];
  let runs = 0;
  let done = 0;
  try {
    for (const layer of layers) {
      const current = context.get(layer.name) ?? storedWeight(prepared, layer);
      // Weights as they are (prune:0, the plan's own level) cost nothing: no run needed. The others run
      // together, several levels in one session; a level's weights are made again when its bundle runs.
      const weightAt = (i: number): Float32Array => {
        const { perturbation } = levels[i] as (typeof levels)[number];
        return perturbedWeight(prepared, layer, perturbation, seedFromKey('budget-costs', layer.name, formatPerturbation(perturbation), 0));
      };
      const changed = levels.flatMap((_, i) => (sameBits(weightAt(i), current) ? [] : [i]));
      const logits = await cut.logitsOfVariants(layer, changed.length, (k) => new Map([[layer.name, weightAt(changed[k] as number)]]), 'budget');
      runs += changed.length;
      levels.forEach(({ level }, i) => {
        const slot = changed.indexOf(i);
        let cost = 0;
        if (slot >= 0) {
          const l = logits[slot] as Float32Array;
          const totals = emptyTotals();
          accumulate(totals, l, calibration.labels, l.length / calibration.count);
          cost = totals.lossSum / totals.count - base.loss;
        }
        entries.push({ layer: layer.name, level, cost });
        options.onProgress?.(++done, layers.length * levels.length);
      });
    }
  } finally {
    await cut.release();
  }
  return { curves: costCurvesFrom(entries), metric: costMetric(budget), images: calibration.count, runs };
}
