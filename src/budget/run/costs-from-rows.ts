/**
 * Cost curves from measured sweep rows (`--from sweep.jsonl`, the oracle): each layer's accuracy
 * drop at each level, the mean over seeds, for the budget's perturbation: `quantc:b` for quant,
 * `prune:r` for prune (a dense layer, r = 0, costs 0), `bitflip:p` at the budget's rate for protect.
 */
import { OptionError } from '../../errors.js';
import type { PreparedModel } from '../../model/prepare.js';
import { formatPerturbation } from '../../perturb/index.js';
import { readDropTable } from '../../rows/summary.js';
import { costCurvesFrom } from '../curves.js';
import type { Budget, CostCurves } from '../types.js';
import { costLevels } from './measure-costs.js';

/** Curves for the layers not in `keep`; a missing (layer, level) is an error that says what to sweep. */
export function costCurvesFromRows(paths: readonly string[], prepared: PreparedModel, budget: Budget, keep: ReadonlySet<string>): CostCurves {
  const table = readDropTable(paths);
  const model = table.models.get(prepared.sha256);
  if (!model) {
    throw new OptionError(`${paths.join(', ')}: no rows for ${prepared.source} (sha256 ${prepared.sha256.slice(0, 12)}…); sweep this model first`);
  }
  const entries: { layer: string; level: number; cost: number }[] = [];
  const missing: string[] = [];
  // Prune curves are interpolated between the levels the rows have; quant and protect need every option.
  const levels = budget.kind === 'prune'
    ? [...model.perturbations.keys()].filter((p) => p.startsWith('prune:')).map((p) => ({ level: Number(p.slice(6)), text: p }))
    : costLevels(budget).map(({ level, perturbation }) => ({ level, text: formatPerturbation(perturbation) }));
  for (const layer of prepared.layers) {
    if (keep.has(layer.name)) continue;
    if (budget.kind === 'prune') entries.push({ layer: layer.name, level: 0, cost: 0 });
    for (const { level, text } of levels) {
      const cell = model.perturbations.get(text)?.layers.get(layer.name);
      if (cell) entries.push({ layer: layer.name, level, cost: cell.drop });
      else missing.push(`${layer.name} ${text}`);
    }
  }
  if (budget.kind === 'prune' && levels.length === 0) missing.push('every layer: no prune:r rows');
  if (missing.length > 0) {
    const asked = budget.kind === 'prune' ? 'prune:0.5,prune:0.9,...' : levels.map((l) => l.text).join(',');
    throw new OptionError(`${paths.join(', ')}: no rows for ${missing.length} (layer, perturbation) pairs the ${budget.kind} budget needs, e.g. ${missing.slice(0, 3).join('; ')}; run safer sweep --perturb ${asked}`);
  }
  return costCurvesFrom(entries);
}
