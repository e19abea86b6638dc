/**
 * Cost curves from a layer-importance criterion (`--criterion NAME`). A criterion that models a
 * perturbation is instanced at every level (`output-kl@quantc:3`, `output-kl@quantc:4`, ...), and its
 * score is the cost; any other criterion gives one sensitivity s_l per layer, and the cost of a
 * level is s_l times the layer's relative perturbation energy ‖P(W) − W‖² / ‖W‖² (for protect, s_l).
 */
import { criterionInstance } from '../../criteria/index.js';
import { acceptsKind } from '../../criteria/needs.js';
import { scoreModel } from '../../criteria/score.js';
import type { ScoringOptions } from '../../criteria/scoring-session.js';
import { OptionError } from '../../errors.js';
import type { PreparedModel } from '../../model/prepare.js';
import { formatPerturbation } from '../../perturb/index.js';
import type { LabeledBatches } from '../../runtime/evaluate.js';
import { costCurvesFrom } from '../curves.js';
import type { Budget, CostCurves } from '../types.js';
import { perturbedWeight, storedWeight } from './apply-plan.js';
import { costLevels } from './measure-costs.js';

export async function criterionCostCurves(
  prepared: PreparedModel,
  name: string,
  budget: Budget,
  options: Omit<ScoringOptions, 'data'> & { data?: LabeledBatches },
): Promise<CostCurves> {
  const { criterion } = criterionInstance(name);
  const { id } = criterion;
  const levels = costLevels(budget);
  const modelled = criterion.perturbation && levels.every(({ perturbation }) => acceptsKind(criterion.perturbation!, perturbation.kind));
  const entries: { layer: string; level: number; cost: number }[] = [];
  const scoresOf = async (instance: string): Promise<Record<string, number | null>> => {
    const report = await scoreModel(prepared, [criterionInstance(instance)], options);
    const scored = report.criteria[0];
    if (!scored || scored.error !== undefined) throw new OptionError(`criterion ${instance} cannot be computed on ${prepared.source}: ${scored?.error ?? 'no result'}`);
    return scored.scores;
  };
  const finite = (scores: Record<string, number | null>, layer: string, instance: string): number => {
    const s = scores[layer];
    if (typeof s !== 'number') throw new OptionError(`criterion ${instance} gave no finite score for layer "${layer}"`);
    return s;
  };
  if (modelled) {
    for (const { level, perturbation } of levels) {
      const instance = `${id}@${formatPerturbation(perturbation)}`;
      const scores = await scoresOf(instance);
      for (const layer of prepared.layers) entries.push({ layer: layer.name, level, cost: finite(scores, layer.name, instance) });
    }
    return costCurvesFrom(entries);
  }
  const scores = await scoresOf(name);
  for (const layer of prepared.layers) {
    const s = finite(scores, layer.name, name);
    const w = storedWeight(prepared, layer);
    let norm = 0;
    for (const v of w) norm += v * v;
    for (const { level, perturbation } of levels) {
      if (budget.kind === 'protect') {
        entries.push({ layer: layer.name, level, cost: s });
        continue;
      }
      const p = perturbedWeight(prepared, layer, perturbation);
      let energy = 0;
      for (let i = 0; i < w.length; i++) energy += ((p[i] as number) - (w[i] as number)) ** 2;
      entries.push({ layer: layer.name, level, cost: norm > 0 ? (s * energy) / norm : 0 });
    }
  }
  return costCurvesFrom(entries);
}
