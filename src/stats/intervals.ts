/** Confidence intervals shared by every part that states one: Student's t for means, Wilson for proportions. */

/** Two-sided 95% normal quantile. */
export const Z_95 = 1.959963984540054;

/** 97.5% quantiles of Student's t for 1..30 degrees of freedom (beyond: the normal's). */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95%). */
export function studentT975(df: number): number {
  return T_975[df - 1] ?? Z_95;
}

/** 95% interval of a mean from a sample: mean ± t(0.975, n−1)·s/√n; null with fewer than 2 values. */
export function meanInterval(values: readonly number[]): { mean: number; interval: [number, number] | null } {
  const n = values.length;
  const mean = n === 0 ? NaN : values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, interval: null };
  const s = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = studentT975(n - 1) * s / Math.sqrt(n);
  return { mean, interval: [mean - half, mean + half] };
}

/** Wilson's 95% score interval of a proportion of `successes` out of `n`. */
export function wilsonInterval(successes: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = Z_95 ** 2;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z_95 * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
