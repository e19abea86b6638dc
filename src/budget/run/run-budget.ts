/**
 * One budget decision, measured: cost curves from the chosen source, the exact solver's plan, every
 * baseline at the same budget, the refinement against joint measurements (the baselines among its
 * candidates), and the chosen plan and each baseline evaluated on the evaluation set. The plan's
 * accuracy is always that of the model with its weights, evaluated; never a sum of predictions.
 */
import { chooseMeasuredPlan } from '../choose-plan.js';
import { scoreModel } from '../../criteria/score.js';
import { criterionInstance } from '../../criteria/index.js';
import { OptionError, SaferError } from '../../errors.js';
import type { PreparedModel } from '../../model/prepare.js';
import type { LabeledBatches } from '../../runtime/evaluate.js';
import { memoryBatches, type SampleBatch } from '../../runtime/memory-batches.js';
import type { SessionOptions } from '../../runtime/session.js';
import { additivityRatio } from '../additivity.js';
import type { SolverBound } from '../bound.js';
import { achievedBy, achievedValue } from '../checks.js';
import { BUDGET_DEFAULTS } from '../defaults.js';
import { runBudgetMethod, type BudgetRequest, type BudgetResult } from '../method.js';
import { baselineMethodsFor, findBudgetMethod } from '../methods/index.js';
import { buildPlan } from '../plan.js';
import type { BudgetPlan } from '../plan-types.js';
import { layerCosts } from '../predict.js';
import { allocationKey, refineBudget } from '../budget-refine.js';
import type { Allocation, Budget, CostCurves } from '../types.js';
import { planWeights, storedWeight } from './apply-plan.js';
import { criterionCostCurves } from './costs-from-criterion.js';
import { costCurvesFromRows } from './costs-from-rows.js';
import { PlanEvaluator, type Evaluation } from './evaluate-plan.js';
import { measureCostCurves, type CostMetric } from './measure-costs.js';
import { refineInContext } from './refine-in-context.js';

/** Where the per-layer costs come from. */
export type CostSource = { kind: 'measure' } | { kind: 'rows'; paths: readonly string[] } | { kind: 'criterion'; name: string };

export interface BudgetSessionOptions {
  prepared: PreparedModel;
  /** The evaluation set: every plan's accuracy is measured on it. */
  data: LabeledBatches;
  /** Calibration images: measured cost curves, Hessian traces, and the refinement's joint measurements unless `selection` is given. */
  calibration: SampleBatch;
  /**
   * Images apart from the calibration images on which the refinement measures whole plans and picks the best: plans
   * the solver fitted to the calibration images would be favoured there over the baselines (default: the calibration images).
   */
  selection?: SampleBatch;
  /** Fault trials per evaluation of a protect plan (default BUDGET_DEFAULTS.evaluationTrials). */
  trials?: number;
  seed?: number;
  session?: SessionOptions;
  /** Scoring settings for --criterion and the HAWQ-V2 baseline's Hessian traces. */
  scoring?: { hutchinsonSamples?: number };
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface BaselineRun {
  method: string;
  /** The achieved budget (average bits, sparsity or overhead), and the evaluation; or why there is none. */
  achieved?: number;
  evaluation?: Evaluation;
  error?: string;
}

export interface BudgetRun {
  plan: BudgetPlan;
  allocation: Allocation;
  /** The plan's weights (quant, prune): what --model-out writes. */
  values: Map<string, Float32Array>;
  evaluation: Evaluation;
  /** The achieved budget (average bits, sparsity or overhead). */
  achieved: number;
  base: { accuracy: number; loss: number };
  baselines: BaselineRun[];
  /** Where the costs came from and in what unit. */
  source: string;
  metric: CostMetric | 'criterion score';
  bound: SolverBound | null;
  /**
   * Joint evaluations the refinement spent in all (candidates and rounds in context included), the limit K of its
   * first stage and whether prediction and measurement agreed there, and the rounds around the best plan after it.
   */
  refinement: { evaluations: number; limit: number; converged: boolean; chosen: string; context: { rounds: number; evaluations: number } } | null;
  seconds: { costs: number; baselines: number; refine: number; evaluate: number; total: number };
}

function sourceText(source: CostSource, calibration: SampleBatch): string {
  switch (source.kind) {
    case 'measure':
      return `measure (${calibration.count} calibration images)`;
    case 'rows':
      return `sweep rows (${source.paths.join(', ')})`;
    case 'criterion':
      return `criterion ${source.name}`;
  }
}

/**
 * What the decisions on one model share: the evaluators (evaluation set, calibration images), the
 * cost curves of each source and kind, and the Hessian traces; a curve makes many decisions with them.
 */
export class BudgetSession {
  private readonly costs = new Map<string, { curves: CostCurves; metric: BudgetRun['metric']; seconds: number }>();
  private traces: ReadonlyMap<string, number> | undefined;

  private constructor(
    private readonly options: BudgetSessionOptions,
    readonly evaluator: PlanEvaluator,
    readonly calibrationEvaluator: PlanEvaluator,
    /** Where the refinement measures whole plans (the selection images, or the calibration images). */
    readonly selectionEvaluator: PlanEvaluator,
    private readonly calibrationData: LabeledBatches,
  ) {}

  static async create(options: BudgetSessionOptions): Promise<BudgetSession> {
    const { prepared, calibration } = options;
    const session = options.session ?? {};
    const calibrationData = memoryBatches(calibration.images, calibration.labels, calibration.sampleShape, 'calibration images');
    const evaluator = await PlanEvaluator.create(prepared, options.data, session);
    const calibrationEvaluator = await PlanEvaluator.create(prepared, calibrationData, session);
    const { selection } = options;
    const selectionEvaluator = selection && selection.count > 0
      ? await PlanEvaluator.create(prepared, memoryBatches(selection.images, selection.labels, selection.sampleShape, 'selection images'), session)
      : calibrationEvaluator;
    return new BudgetSession(options, evaluator, calibrationEvaluator, selectionEvaluator, calibrationData);
  }

  private get seed(): number {
    return this.options.seed ?? BUDGET_DEFAULTS.seed;
  }

  /** The cost curves of a source for a budget (cached: they depend on the kind, the bits or the rate, not the budget's size). */
  async costCurves(source: CostSource, budget: Budget, keep: ReadonlySet<string>): Promise<{ curves: CostCurves; metric: BudgetRun['metric']; seconds: number }> {
    const key = JSON.stringify([source, budget.kind, budget.kind === 'quant' ? budget.bits : budget.kind === 'protect' ? budget.ber : null, [...keep]]);
    const cached = this.costs.get(key);
    if (cached) return cached;
    const { prepared, calibration } = this.options;
    const session = this.options.session ?? {};
    const started = performance.now();
    let curves: CostCurves;
    let metric: BudgetRun['metric'];
    if (source.kind === 'measure') {
      const measured = await measureCostCurves(prepared, calibration, budget, {
        session,
        layers: prepared.layers.filter((l) => !keep.has(l.name)),
        onProgress: (done, total) => this.options.onProgress?.('costs', done, total),
      });
      curves = measured.curves;
      metric = measured.metric;
    } else if (source.kind === 'rows') {
      curves = costCurvesFromRows(source.paths, prepared, budget, keep);
      metric = 'accuracy drop';
    } else {
      curves = await criterionCostCurves(prepared, source.name, budget, { data: this.calibrationData, calibration: calibration.count, seed: this.seed, ...session, ...this.options.scoring });
      metric = 'criterion score';
    }
    const result = { curves, metric, seconds: (performance.now() - started) / 1000 };
    this.costs.set(key, result);
    return result;
  }

  private async hessianTraces(): Promise<ReadonlyMap<string, number>> {
    this.traces ??= await hessianTraces(this.options.prepared, this.calibrationData, this.options.calibration.count, this.seed, this.options.session ?? {}, this.options.scoring);
    return this.traces;
  }

  /** The request every method of a decision gets. */
  private request(budget: Budget, keep: ReadonlySet<string>, costs: CostCurves | undefined, traces: ReadonlyMap<string, number> | undefined): BudgetRequest {
    const { prepared } = this.options;
    return {
      layers: prepared.layers, budget, keep, seed: this.seed,
      ...(costs ? { costs } : {}),
      weights: (layer) => storedWeight(prepared, layer),
      ...(traces ? { traces } : {}),
    };
  }

  /** One method's plan at a budget (for curves): its allocation and achieved budget, or why it has none. */
  async methodPlan(method: string, budget: Budget, keep: ReadonlySet<string> = new Set()): Promise<BudgetResult> {
    const m = findBudgetMethod(method, budget.kind);
    const traces = m.needs.trace ? await this.hessianTraces() : undefined;
    return runBudgetMethod(m, this.request(budget, keep, undefined, traces));
  }

  /** A plan on the evaluation set (trials: BUDGET_DEFAULTS.evaluationTrials for protect). */
  evaluate(allocation: Allocation, budget: Budget): Promise<Evaluation> {
    return this.evaluator.plan(allocation, budget, this.options.trials ?? BUDGET_DEFAULTS.evaluationTrials);
  }

  /** The decision: see the file comment. */
  async decide(budget: Budget, source: CostSource, decision: { keep?: readonly string[]; refine: { evaluations: number } | null; baselines?: boolean }): Promise<BudgetRun> {
    const started = performance.now();
    const { prepared, calibration } = this.options;
    const keep = new Set(decision.keep ?? []);
    const progress = this.options.onProgress ?? (() => {});
    const { curves: costs, metric, seconds: secondsCosts } = await this.costCurves(source, budget, keep);

    let mark = performance.now();
    const solved = runBudgetMethod(findBudgetMethod(BUDGET_DEFAULTS.method, budget.kind), this.request(budget, keep, costs, undefined));
    const baselineResults: { method: string; result?: BudgetResult; error?: string }[] = [];
    for (const method of decision.baselines === false ? [] : baselineMethodsFor(budget.kind)) {
      try {
        const traces = method.needs.trace ? await this.hessianTraces() : undefined;
        baselineResults.push({ method: method.id, result: runBudgetMethod(method, this.request(budget, keep, costs, traces)) });
      } catch (e) {
        if (!(e instanceof SaferError)) throw e;
        baselineResults.push({ method: method.id, error: e.message });
      }
    }
    const secondsBaselines = (performance.now() - mark) / 1000;

    // The refinement: joint measurements in the costs' own metric, on the selection images (measured costs) or on the
    // evaluation set the sweep rows were measured on (the oracle).
    mark = performance.now();
    const joint = source.kind === 'rows' ? this.evaluator : this.selectionEvaluator;
    const measureTrials = Math.min(this.options.trials ?? BUDGET_DEFAULTS.evaluationTrials, BUDGET_DEFAULTS.trials);
    const jointCost = async (allocation: Allocation, on: PlanEvaluator = joint): Promise<number> => {
      const e = await on.plan(allocation, budget, measureTrials);
      return metric === 'loss increase' ? e.loss - on.base.loss : on.base.accuracy - e.accuracy;
    };
    let chosen: Allocation = solved.allocation;
    let refinement: BudgetRun['refinement'] = null;
    let chosenMeasured: number | undefined;
    if (decision.refine) {
      if (metric === 'criterion score') throw new OptionError('--refine needs cost curves in a measured unit: use --measure (the default) or --from sweep rows, not --criterion');
      const evaluations = decision.refine.evaluations;
      const candidates = baselineResults.flatMap((b) => (b.result ? [{ label: b.method, plan: b.result.allocation }] : []));
      let step = 0;
      const result = await refineBudget({ ...this.request(budget, keep, costs, undefined), costs }, async (allocation) => {
        progress('refine', ++step, evaluations);
        return jointCost(allocation);
      }, { candidates, maxEvaluations: evaluations, seed: this.seed });
      // Then rounds around the best measured plan, with costs measured in its context (quant, prune).
      const names = prepared.layers.map((l) => l.name);
      const around = await refineInContext({
        prepared, calibration,
        request: this.request(budget, keep, undefined, undefined),
        start: { label: result.best.label, plan: result.best.plan, measured: result.best.measured },
        measure: (allocation) => jointCost(allocation),
        rounds: BUDGET_DEFAULTS.refine.contextRounds,
        seen: new Set(result.history.map((h) => allocationKey(h.plan, names))),
        session: this.options.session ?? {},
        onProgress: (round, done, total) => progress(`refine in context (round ${round})`, done, total),
      });
      // The choice among every plan measured: accuracy on the same images first (choose-plan.ts).
      const measuredPlans = [...result.history.map((h) => ({ label: h.label, plan: h.plan, measured: h.measured })), around.best];
      const scored: ((typeof measuredPlans)[number] & { accuracy: number })[] = [];
      for (const m of measuredPlans) scored.push({ ...m, accuracy: (await joint.plan(m.plan, budget, measureTrials)).accuracy }); // cached: measured above
      const pick = chooseMeasuredPlan(scored);
      chosen = pick.plan;
      chosenMeasured = pick.measured;
      refinement = {
        evaluations: result.evaluations + around.evaluations, limit: evaluations, converged: result.converged,
        chosen: pick.label, context: { rounds: around.rounds, evaluations: around.evaluations },
      };
    }
    const secondsRefine = (performance.now() - mark) / 1000;

    // The chosen plan and every baseline, evaluated on the evaluation set.
    mark = performance.now();
    const evaluation = await this.evaluate(chosen, budget);
    const baselines: BaselineRun[] = [];
    for (const [i, b] of baselineResults.entries()) {
      progress('baselines', i + 1, baselineResults.length);
      if (!b.result) baselines.push({ method: b.method, error: b.error as string });
      else baselines.push({ method: b.method, achieved: achievedValue(b.result.achieved), evaluation: await this.evaluate(b.result.allocation, budget) });
    }
    const singles = layerCosts(prepared.layers, chosen, budget, costs);
    // The additivity ratio compares like with like: the joint cost on the images the single-layer costs were measured on.
    const costImages = source.kind === 'rows' ? this.evaluator : this.calibrationEvaluator;
    const measured = metric === 'criterion score' ? null : costImages === joint && chosenMeasured !== undefined ? chosenMeasured : await jointCost(chosen, costImages);
    const additivity = measured === null || singles === null ? null : additivityRatio(measured, [...singles.values()]);
    const secondsEvaluate = (performance.now() - mark) / 1000;

    const text = sourceText(source, calibration);
    const plan = buildPlan(prepared.layers, budget, chosen, {
      method: refinement ? `${BUDGET_DEFAULTS.method}+refine` : BUDGET_DEFAULTS.method,
      model: { path: prepared.source, sha256: prepared.sha256 },
      source: text,
      bound: chosen === solved.allocation ? solved.bound : null,
      predicted: singles === null ? null : [...singles.values()].reduce((a, c) => a + c, 0),
      accuracy: evaluation.accuracy,
      additivity,
      baselines: Object.fromEntries(baselines.map((b) => [b.method, b.evaluation?.accuracy ?? null])),
      evaluations: refinement?.evaluations ?? 0,
    });
    return {
      plan,
      allocation: chosen,
      values: budget.kind === 'protect' ? new Map() : planWeights(prepared, chosen),
      evaluation,
      achieved: achievedValue(achievedBy(prepared.layers, chosen)),
      base: this.evaluator.base,
      baselines,
      source: text,
      metric,
      bound: solved.bound,
      refinement,
      seconds: { costs: secondsCosts, baselines: secondsBaselines, refine: secondsRefine, evaluate: secondsEvaluate, total: (performance.now() - started) / 1000 },
    };
  }
}

/** Tr(H_l) per layer on the calibration images (hutchinson-trace), for the HAWQ-V2 baseline. */
async function hessianTraces(
  prepared: PreparedModel,
  data: LabeledBatches,
  calibration: number,
  seed: number,
  session: SessionOptions,
  scoring: { hutchinsonSamples?: number } | undefined,
): Promise<Map<string, number>> {
  const report = await scoreModel(prepared, [criterionInstance('hutchinson-trace')], { data, calibration, seed, ...session, ...scoring });
  const scored = report.criteria[0];
  if (!scored || scored.error !== undefined) throw new OptionError(`Hessian traces for HAWQ-V2 cannot be computed on ${prepared.source}: ${scored?.error ?? 'no result'}`);
  const traces = new Map<string, number>();
  for (const [layer, trace] of Object.entries(scored.scores)) if (typeof trace === 'number') traces.set(layer, trace);
  return traces;
}

