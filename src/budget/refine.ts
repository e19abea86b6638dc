/**
 * Refinement of a budget plan against joint measurements (SPDY-style, Frantar & Alistarh 2022): layers do
 * not add up, so the additive plan is measured as a whole, per-layer cost coefficients α_l are fitted to all
 * measurements so far, and the problem is re-solved exactly with costs α_l·c_l(x_l), until the prediction of
 * the plan about to be measured agrees with its measurement or the evaluations run out.
 *
 * Fit: ridge least squares min_α Σ_t (Σ_l α_l·c_l(x_tl) − m_t)² + λ·Σ_l (α_l − ρ)², λ = ridge · mean
 * diag(AᵀA), towards the pooled non-additivity ratio ρ (a uniform factor does not change the optimum, so
 * only the per-layer deviations move the plan), then clamped to a range. Every new plan is predicted by the
 * fitted model before it is measured, so agreement is out of sample. When the re-solve returns a plan already
 * measured, the coefficients are mutated at random around the fit (SPDY's local search) and the problem
 * re-solved, a few times, to measure a new plan nearby.
 * Converged: the model's optimum is a new plan predicted within the tolerance; or it is a measured plan that
 * the model predicts within the tolerance (a fixed point), after a new plan was predicted within it too or
 * when no new plan is found near it. The search also stops after K evaluations.
 * Candidates (the baselines) are measured first, within the K evaluations, whether or not the solver's plan
 * already agrees with its prediction. The result is the best *measured* plan, candidates included, so it is
 * never worse than a candidate it measured.
 */
import { createRng, type Rng } from '../perturb/index.js';
import { BUDGET_DEFAULTS } from './defaults.js';
import { solveLinearSystem } from './linear-solve.js';

export interface RefineProblem<P> {
  /** The layers whose coefficients are fitted. */
  readonly layers: readonly string[];
  /** The exact solution of the budget problem with layer l's cost curve multiplied by coefficients.get(l). */
  solve(coefficients: ReadonlyMap<string, number>): P;
  /** Each layer's uncorrected predicted single-layer cost in the plan, or null if the plan is off the curves. */
  layerCosts(plan: P): ReadonlyMap<string, number> | null;
  /** Identity of a plan: equal keys are never measured twice. */
  key(plan: P): string;
}

export interface RefineCandidate<P> {
  /** E.g. the baseline's method id. */
  readonly label: string;
  readonly plan: P;
  /** Its joint cost if already measured (then it costs no evaluation). */
  readonly measured?: number | undefined;
}

export interface RefineOptions<P> {
  /** Extra plans to measure (or already measured): the result is never worse than the best of them. */
  readonly candidates?: readonly RefineCandidate<P>[] | undefined;
  /** K: joint evaluations at most, candidates included. */
  readonly maxEvaluations?: number | undefined;
  readonly absoluteTolerance?: number | undefined;
  readonly relativeTolerance?: number | undefined;
  readonly ridge?: number | undefined;
  readonly seed?: number | undefined;
}

export interface RefineStep<P> {
  /** 'solver', 'solver (mutated)' or a candidate's label. */
  readonly label: string;
  readonly plan: P;
  /** Σ_l c_l(x_l), the additive prediction; null off the curves. */
  readonly additive: number | null;
  /** Σ_l α_l·c_l(x_l) with the coefficients the plan was chosen with; null off the curves. */
  readonly predicted: number | null;
  readonly measured: number;
  /** False for a candidate whose measurement was given. */
  readonly evaluated: boolean;
}

export interface RefineResult<P> {
  /** The step with the lowest measured cost (the earliest on ties). */
  readonly best: RefineStep<P>;
  /** Calls of `measure`. */
  readonly evaluations: number;
  /** The last plan measured was predicted (before measuring) within the tolerance. */
  readonly converged: boolean;
  readonly history: readonly RefineStep<P>[];
  /** The coefficients fitted last. */
  readonly coefficients: ReadonlyMap<string, number>;
}

/** Runs the refinement (see the file comment); `measure` gives the joint cost of a whole plan (lower = better). */
export async function refinePlan<P>(
  problem: RefineProblem<P>,
  measure: (plan: P) => Promise<number>,
  options: RefineOptions<P> = {},
): Promise<RefineResult<P>> {
  const defaults = BUDGET_DEFAULTS.refine;
  const maxEvaluations = options.maxEvaluations ?? defaults.evaluations;
  if (!(Number.isInteger(maxEvaluations) && maxEvaluations >= 1)) throw new RangeError(`maxEvaluations must be a positive integer, got ${maxEvaluations}`);
  const absolute = options.absoluteTolerance ?? defaults.absoluteTolerance;
  const relative = options.relativeTolerance ?? defaults.relativeTolerance;
  const agree = (predicted: number | null, measured: number) =>
    predicted !== null && Math.abs(predicted - measured) <= Math.max(absolute, relative * Math.abs(measured));
  const rng = createRng(options.seed ?? BUDGET_DEFAULTS.seed);
  const history: RefineStep<P>[] = [];
  const byKey = new Map<string, RefineStep<P>>();
  let evaluations = 0;
  let coefficients = new Map(problem.layers.map((l) => [l, 1]));
  const predict = (plan: P, alpha: ReadonlyMap<string, number>) => weightedCost(problem.layerCosts(plan), alpha);

  const add = async (label: string, plan: P, alpha: ReadonlyMap<string, number>, given?: number): Promise<RefineStep<P>> => {
    const measured = given ?? (await measure(plan));
    if (given === undefined) evaluations++;
    const step = { label, plan, additive: predict(plan, new Map()), predicted: predict(plan, alpha), measured, evaluated: given === undefined };
    history.push(step);
    byKey.set(problem.key(plan), step);
    return step;
  };

  const first = await add('solver', problem.solve(coefficients), coefficients);
  let converged = agree(first.predicted, first.measured);
  for (const candidate of options.candidates ?? []) {
    if (byKey.has(problem.key(candidate.plan))) continue;
    if (candidate.measured !== undefined) await add(candidate.label, candidate.plan, coefficients, candidate.measured);
    // Candidates are measured even when the solver's plan agrees with its prediction: the best measured plan is
    // then never worse than any of them (within the evaluation budget).
    else if (evaluations < maxEvaluations) await add(candidate.label, candidate.plan, coefficients);
  }

  let validated = false;
  while (!converged && evaluations < maxEvaluations) {
    coefficients = fitCoefficients(problem, history, options.ridge ?? defaults.ridge);
    let plan = problem.solve(coefficients);
    const seen = byKey.get(problem.key(plan));
    // A fixed point: the model's optimum is a plan already measured and the model agrees with that measurement.
    // It counts once the model has also predicted a plan it had not seen, or when no new plan is left near it.
    const fixedPoint = seen !== undefined && agree(predict(seen.plan, coefficients), seen.measured);
    if (fixedPoint && validated) {
      converged = true;
      break;
    }
    let label = 'solver';
    // Explore around the model's optimum when it was measured already (SPDY's random local search).
    for (let tries = 0; byKey.has(problem.key(plan)) && tries < defaults.mutationTries; tries++) {
      plan = problem.solve(mutate(coefficients, rng, defaults.mutationScale * (1 + tries)));
      label = 'solver (mutated)';
    }
    if (byKey.has(problem.key(plan))) {
      converged = fixedPoint;
      break;
    }
    // Predicted by the fitted model before it is measured: agreement is out of sample.
    const step = await add(label, plan, coefficients);
    validated = agree(step.predicted, step.measured);
    converged = validated && label === 'solver';
  }

  const best = history.reduce((a, b) => (b.measured < a.measured ? b : a));
  return { best, evaluations, converged, history, coefficients };
}

function weightedCost(costs: ReadonlyMap<string, number> | null, alpha: ReadonlyMap<string, number>): number | null {
  if (costs === null) return null;
  let sum = 0;
  for (const [layer, c] of costs) sum += (alpha.get(layer) ?? 1) * c;
  return sum;
}

/**
 * Ridge fit of α to every step on the curves, pulled towards the pooled ratio ρ = Σ m_t·A_t / Σ A_t² of the
 * measurements to the additive predictions A_t (one global non-additivity factor), then clamped.
 */
function fitCoefficients<P>(problem: RefineProblem<P>, history: readonly RefineStep<P>[], ridge: number): Map<string, number> {
  const layers = problem.layers;
  const rows: { a: number[]; m: number }[] = [];
  for (const step of history) {
    const costs = problem.layerCosts(step.plan);
    if (costs !== null) rows.push({ a: layers.map((l) => costs.get(l) ?? 0), m: step.measured });
  }
  const [lo, hi] = BUDGET_DEFAULTS.refine.coefficientRange;
  const clamp = (a: number) => Math.min(hi, Math.max(lo, a));
  const additive = rows.map((r) => r.a.reduce((x, y) => x + y, 0));
  const pooledDenominator = additive.reduce((acc, s) => acc + s * s, 0);
  const prior = pooledDenominator > 0 ? clamp(rows.reduce((acc, r, t) => acc + r.m * additive[t]!, 0) / pooledDenominator) : 1;
  const n = layers.length;
  const ata = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => rows.reduce((acc, r) => acc + r.a[i]! * r.a[j]!, 0)));
  const atm = layers.map((_, i) => rows.reduce((acc, r) => acc + r.a[i]! * r.m, 0));
  // The prior weighs as much as `ridge` measurements of average size, so the data take over as they accumulate.
  const meanDiagonal = n === 0 || rows.length === 0 ? 0 : ata.reduce((acc, row, i) => acc + row[i]!, 0) / (n * rows.length);
  const lambda = ridge * meanDiagonal + 1e-12;
  ata.forEach((row, i) => (row[i]! += lambda));
  const alpha = solveLinearSystem(ata, atm.map((v) => v + lambda * prior)) ?? layers.map(() => prior);
  return new Map(layers.map((l, i) => [l, clamp(alpha[i]!)]));
}

/** Each coefficient, with probability 1/2, multiplied by exp(scale·N(0, 1)). */
function mutate(alpha: ReadonlyMap<string, number>, rng: Rng, scale: number): Map<string, number> {
  return new Map([...alpha].map(([l, a]) => [l, rng.nextFloat() < 0.5 ? a * Math.exp(scale * rng.normal()) : a]));
}
