/**
 * Refinement around a measured plan (quant, prune): the per-layer costs measured again with every
 * other layer as the plan leaves it, the exact solver run on those costs, and its plan measured as a
 * whole; repeated from the better plan while a round improves the joint measurement.
 *
 * Single-layer costs measured around the stored model add up badly at low bits and high sparsity
 * (the additivity ratio of a plan is often 2–5), so the solver trades layers against each other on
 * the wrong prices. Around the plan itself the cost of moving one layer is what the solver needs: a
 * first-order (coordinate) expansion of the joint cost at the plan, exact for one layer moved at a
 * time. Each round costs one cost measurement (layers × levels runs of the graph from the layer on)
 * and one joint evaluation; the result is the best measured plan, so it is never worse than the
 * plan it started from.
 */
import type { PreparedModel } from '../../model/prepare.js';
import type { SampleBatch } from '../../runtime/memory-batches.js';
import type { SessionOptions } from '../../runtime/session.js';
import { allocationKey } from '../budget-refine.js';
import { ratioForCount } from '../counts.js';
import { weightCount } from '../layers.js';
import { runBudgetMethod, type BudgetRequest } from '../method.js';
import mckp from '../methods/mckp.js';
import type { Allocation, CostCurves } from '../types.js';
import { planWeights } from './apply-plan.js';
import { measureCostCurves } from './measure-costs.js';

export interface MeasuredPlan {
  label: string;
  plan: Allocation;
  /** Joint cost on the calibration images (lower is better). */
  measured: number;
}

export interface InContextResult {
  best: MeasuredPlan;
  /** Joint evaluations spent. */
  evaluations: number;
  /** Rounds run (each one cost measurement around the best plan so far). */
  rounds: number;
}

/**
 * Up to `rounds` rounds from `start` (see the file comment). `seen` holds the keys of plans already
 * measured: a round whose plan is among them, or that does not improve, ends the search.
 */
export async function refineInContext(args: {
  prepared: PreparedModel;
  calibration: SampleBatch;
  request: BudgetRequest;
  start: MeasuredPlan;
  measure: (plan: Allocation) => Promise<number>;
  rounds: number;
  seen: ReadonlySet<string>;
  session?: SessionOptions;
  onProgress?: (round: number, done: number, total: number) => void;
}): Promise<InContextResult> {
  const { prepared, calibration, request } = args;
  if (request.budget.kind === 'protect') return { best: args.start, evaluations: 0, rounds: 0 };
  const names = prepared.layers.map((l) => l.name);
  const seen = new Set(args.seen);
  const keep = new Set(request.keep ?? []);
  const free = prepared.layers.filter((l) => !keep.has(l.name));
  let best = args.start;
  let evaluations = 0;
  let rounds = 0;
  while (rounds < args.rounds) {
    rounds++;
    const round = rounds;
    const measured = await measureCostCurves(prepared, calibration, request.budget, {
      ...(args.session ? { session: args.session } : {}),
      layers: free,
      context: planWeights(prepared, best.plan),
      onProgress: (done, total) => args.onProgress?.(round, done, total),
    });
    const costs = best.plan.kind === 'prune' ? withPlanPoints(measured.curves, prepared, best.plan.counts) : measured.curves;
    const plan = runBudgetMethod(mckp, { ...request, costs }).allocation;
    const key = allocationKey(plan, names);
    if (seen.has(key)) break;
    seen.add(key);
    const cost = await args.measure(plan);
    evaluations++;
    if (!(cost < best.measured)) break;
    best = { label: `in context, round ${round}`, plan, measured: cost };
  }
  return { best, evaluations, rounds };
}

/**
 * A prune plan's own count is rarely one of the measured ratios: each layer's curve gets the point of
 * the plan (cost 0 by definition, the plan being the context) so that the interpolation is exact there.
 */
function withPlanPoints(curves: CostCurves, prepared: PreparedModel, counts: ReadonlyMap<string, number>): CostCurves {
  const out = new Map(curves);
  for (const layer of prepared.layers) {
    const curve = curves.get(layer.name);
    if (!curve) continue;
    const level = ratioForCount(counts.get(layer.name) ?? 0, weightCount(layer));
    if (curve.some((p) => p.level === level)) continue;
    out.set(layer.name, [...curve, { level, cost: 0 }].sort((a, b) => a.level - b.level));
  }
  return out;
}
