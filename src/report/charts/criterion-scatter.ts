/**
 * A recommended criterion against the truth: one point per layer (and level of the family), the
 * criterion's score across, the measured drop up. A good criterion puts fragile layers to the right
 * and high; Spearman ρ in the subtitle summarises how well it orders them.
 */
import type { TopLevelSpec } from 'vega-lite';
import { pp, rho, seconds, short } from '../format.js';
import type { CriterionAgreement, RecommendedCriterion } from '../report-data.js';
import { decades } from './log-axis.js';

export function criterionScatterSpec(
  recommended: RecommendedCriterion,
  agreement: readonly CriterionAgreement[],
  cost: number | null,
): TopLevelSpec {
  const { points } = recommended;
  const scores = points.map((p) => p.score);
  const positive = scores.every((s) => s > 0);
  const logScale = positive && scores.length > 0 && Math.max(...scores) / Math.min(...scores) > 10;
  const levels = [...new Set(points.map((p) => p.perturbation))];
  const rhos = levels
    .map((p) => agreement.find((a) => a.criterion === recommended.criterion && a.perturbation === p))
    .filter((a): a is CriterionAgreement => a !== undefined)
    .map((a) => `ρ = ${a.spearman === null ? (a.layers >= 3 ? 'undefined (equal drops)' : '–') : rho(a.spearman)} on ${a.perturbation}`);
  const values = points.map((p) => ({
    ...p,
    dropPp: 100 * p.drop,
    description: `${p.layer} × ${p.perturbation}: score ${short(p.score)}, accuracy drop ${pp(p.drop)} pp`,
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${recommended.family}: ${recommended.criterion}`,
      subtitle: [rhos.join(', ') || 'ρ needs 3 layers', `cost ${seconds(cost)} on this model`],
    },
    width: 300,
    height: 200,
    data: { values },
    mark: { type: 'point', filled: true, size: 60, opacity: 0.85 },
    encoding: {
      x: {
        field: 'score', type: 'quantitative', title: `${recommended.criterion} score${logScale ? ' (log scale)' : ''}`,
        scale: logScale ? { type: 'log' } : { zero: false, nice: true },
        axis: logScale ? { values: decades(scores), format: '~g' } : { format: '~g', labelOverlap: true, tickCount: 4 },
      },
      y: { field: 'dropPp', type: 'quantitative', title: 'accuracy drop (pp)', axis: { format: '.2~f' } },
      color: levels.length > 1
        ? { field: 'perturbation', type: 'nominal', sort: levels, title: 'perturbation', scale: { scheme: 'tableau10' } }
        : { value: '#4c78a8' },
      description: { field: 'description' },
    },
  };
}
