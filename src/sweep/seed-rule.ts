/**
 * `--seeds auto`: seeds of a stochastic perturbation sized as statistical fault injection (Leveugle et
 * al., DATE 2009 size campaigns by the margin of error they want): each (layer, perturbation) gets
 * seeds 0, 1, 2, ... until the 95% Student t interval of its mean drop over seeds is at most
 * ±precision wide, or it has `cap` seeds. Every (layer, perturbation) starts with `min` seeds, so the
 * spread is estimated from at least that many; after that the next target is the number the t
 * interval asks for, (t·s/precision)², but at most twice the seeds so far (the spread estimate is
 * itself noisy) and at least one more. The seeds are the same 0..k−1 as a fixed --seeds k would run,
 * so rows of both kinds mix in one file.
 *
 * Seeds that all gave the same drop have no spread to build a t interval on: at low bit error rates
 * most seeds draw no flip (drop exactly 0), and a rare catastrophic flip is simply not drawn in `min`
 * seeds. Such a (layer, perturbation) is not taken as known until the rule of three says so: an effect
 * of size B that happens with probability ≥ 3/k shows in k seeds with 95% probability, so an unseen one
 * moves the mean by at most 3·B/k, and the bound is that (B = `worst`: the largest drop any seed of
 * this perturbation gave on the model, or the base accuracy when none did). A seed whose perturbation
 * leaves the weights as they were is not run (its row is the unperturbed model's, exactly), so these
 * seeds cost little; the summary says how many there were.
 */
import { CONFIDENCE } from '../rows/uncertainty.js';
import { studentT975 } from '../stats/intervals.js';

export interface SeedRule {
  /** Half-width of the 95% interval of the mean drop at which a (layer, perturbation) stops (fraction of 1). */
  precision: number;
  /** Seeds every (layer, perturbation) starts with. */
  min: number;
  /** Seeds no (layer, perturbation) goes beyond. */
  cap: number;
}

export const SEED_RULE_DEFAULTS: SeedRule & { confidence: number } = { precision: 0.005, min: 5, cap: 50, confidence: CONFIDENCE };

function meanAndSpread(drops: readonly number[]): { mean: number; s: number } {
  const k = drops.length;
  const mean = drops.reduce((a, b) => a + b, 0) / k;
  return { mean, s: Math.sqrt(drops.reduce((a, d) => a + (d - mean) ** 2, 0) / (k - 1)) };
}

/**
 * The half-width the rule stops on (Infinity below 2 seeds): the 95% t interval's, t·s/√k; for drops
 * that are all equal, the rule of three's 3·worst/k (see the file comment).
 */
export function seedHalfWidth(drops: readonly number[], worst: number): number {
  const k = drops.length;
  if (k < 2) return Infinity;
  const { s } = meanAndSpread(drops);
  return s > 0 ? (studentT975(k - 1) * s) / Math.sqrt(k) : (3 * Math.abs(worst)) / k;
}

/** How many seeds a (layer, perturbation) with these drops (seeds 0..k−1) should have in all: k when it is done. */
export function seedsWanted(drops: readonly number[], rule: SeedRule, worst: number): number {
  const k = drops.length;
  if (k < rule.min) return Math.min(rule.min, rule.cap);
  if (k >= rule.cap || seedHalfWidth(drops, worst) <= rule.precision) return k;
  const { s } = meanAndSpread(drops);
  const need = s > 0 ? Math.ceil((studentT975(k - 1) * s / rule.precision) ** 2) : Math.ceil((3 * Math.abs(worst)) / rule.precision);
  return Math.min(rule.cap, Math.max(k + 1, Math.min(2 * k, need)));
}

/** A rule's settings checked, or why they are wrong. */
export function seedRuleProblem(rule: SeedRule): string | undefined {
  if (!(rule.precision > 0 && rule.precision < 1)) return `--precision must be in (0, 1) (a fraction: 0.005 is ±0.5 pp), got ${rule.precision}`;
  if (!(Number.isInteger(rule.min) && rule.min >= 2)) return `the first round needs at least 2 seeds, got ${rule.min}`;
  if (!(Number.isInteger(rule.cap) && rule.cap >= rule.min)) return `--cap must be an integer of at least ${rule.min} (the first round's seeds), got ${rule.cap}`;
  return undefined;
}
