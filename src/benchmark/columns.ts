/** The order of the benchmark table's columns: perturbation families as the perturbation table lists them. */
import { PERTURBATION_KINDS, perturbationFamily } from '../perturb/index.js';

const FAMILY_ORDER: readonly string[] = Object.keys(PERTURBATION_KINDS);

/** Families in the order of PERTURBATION_KINDS (unknown ones after, by name); levels by value within a family. */
export function sortColumns(columns: readonly string[]): string[] {
  const rank = (c: string): number => {
    const i = FAMILY_ORDER.indexOf(perturbationFamily(c));
    return i < 0 ? FAMILY_ORDER.length : i;
  };
  const level = (c: string): number => {
    const colon = c.indexOf(':');
    return colon < 0 ? -Infinity : Number(c.slice(colon + 1));
  };
  return [...columns].sort((a, b) =>
    rank(a) - rank(b) || perturbationFamily(a).localeCompare(perturbationFamily(b)) || level(a) - level(b) || a.localeCompare(b));
}

