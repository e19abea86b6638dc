/**
 * Which criterion to use for a perturbation family: the cheapest criterion whose mean Spearman ρ
 * over the models is within `tolerance` (default 0.05) of the best one's. Only criteria scored on
 * every model of the column compete, and the seeded random floor never does. Costs count as equal
 * when both are below the cost floor or within COST_RATIO (1.25×) of the cheapest eligible one —
 * differences that small are timing noise (two criteria doing the same passes) — and among equal
 * costs the higher ρ wins, then the name.
 */
import type { Estimate } from './bootstrap.js';
import type { BenchCell, BenchCriterion, Recommendation } from './types.js';

export const RECOMMENDATION_TOLERANCE = 0.05;
/**
 * A recommendation judged on qualified cells needs them from at least this many models: the interval of
 * a mean ρ is over models, and one or two models say nothing about a family.
 */
export const MIN_QUALIFIED_MODELS = 3;
/** Costs within this factor of the cheapest eligible criterion's count as equal. */
export const COST_RATIO = 1.25;


type Ranked = BenchCell & { seconds: number; spearman: Estimate };

export function recommend(
  cells: readonly BenchCell[],
  criteria: readonly BenchCriterion[],
  costFloor: number,
  tolerance = RECOMMENDATION_TOLERANCE,
): Omit<Recommendation, 'basis' | 'supported' | 'evidence'> | null {
  const family = new Map(criteria.map((c) => [c.name, c.family]));
  const models = Math.max(0, ...cells.map((c) => c.models));
  const candidates = cells.filter(
    (c): c is Ranked => c.spearman !== null && c.seconds !== null && c.models === models && family.get(c.criterion) !== 'random',
  );
  if (candidates.length === 0) return null;
  const byRho = (a: Ranked, b: Ranked): number => b.spearman.mean - a.spearman.mean || a.criterion.localeCompare(b.criterion);
  const best = [...candidates].sort(byRho)[0] as Ranked;
  const cost = (c: Ranked): number => Math.max(c.seconds, costFloor);
  const eligible = candidates.filter((c) => c.spearman.mean >= best.spearman.mean - tolerance);
  const cheapest = Math.min(...eligible.map(cost));
  const pick = eligible.filter((c) => cost(c) <= cheapest * COST_RATIO).sort(byRho)[0] as Ranked;
  return {
    perturbation: pick.perturbation,
    criterion: pick.criterion,
    seconds: pick.seconds,
    spearman: pick.spearman,
    best: { criterion: best.criterion, seconds: best.seconds, spearman: best.spearman },
    candidates: candidates.length,
    regret: pick.regret,
  };
}
