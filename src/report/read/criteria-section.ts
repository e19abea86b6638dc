/**
 * Criteria against the measured truth: Spearman ρ of every criterion against every perturbation's
 * drops, the recommended criterion's points per family (src/criteria/recommended.ts), and the
 * reliability of each perturbation's ranking of layers.
 */
import { spearman } from '../../benchmark/rank-metrics.js';
import { kindOf } from '../../perturb/index.js';
import { RECOMMENDED } from '../../criteria/recommended.js';
import type { CriteriaSection, CriterionAgreement, CriterionSummary, RecommendedCriterion, Sensitivity } from '../report-data.js';
import { reliabilityOf } from '../uncertainty.js';

export function criteriaSectionOf(criteria: readonly CriterionSummary[], calibration: number | null, sensitivity: Sensitivity | null): CriteriaSection {
  const cells = sensitivity?.cells ?? [];
  const perturbations = sensitivity?.perturbations ?? [];
  const agreement: CriterionAgreement[] = [];
  for (const c of criteria) {
    for (const perturbation of perturbations) {
      const pairs = cells
        .filter((cell) => cell.perturbation === perturbation)
        .map((cell) => [c.scores[cell.layer], cell.drop] as const)
        .filter((pair): pair is readonly [number, number] => typeof pair[0] === 'number');
      agreement.push({
        criterion: c.name,
        perturbation,
        spearman: pairs.length >= 3 ? spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1])) : null,
        layers: pairs.length,
      });
    }
  }
  const recommended: RecommendedCriterion[] = [];
  for (const family of sensitivity?.families ?? []) {
    const kind = kindOf(family);
    const name = kind ? RECOMMENDED[kind] : undefined;
    const criterion = criteria.find((c) => c.name === name);
    if (name === undefined || criterion === undefined) continue;
    const points = cells
      .filter((cell) => cell.family === family)
      .flatMap((cell) => {
        const score = criterion.scores[cell.layer];
        return typeof score === 'number' ? [{ layer: cell.layer, perturbation: cell.perturbation, score, drop: cell.drop }] : [];
      });
    recommended.push({ family, criterion: name, points });
  }
  return {
    criteria: [...criteria],
    calibration,
    recommended,
    agreement,
    reliability: perturbations.map((p) => reliabilityOf(p, cells.filter((cell) => cell.perturbation === p))),
  };
}
