/** Number formats shared by the HTML and Markdown renderers. Fractions in, people's units out. */

/** A drop (fraction) in percentage points, e.g. 0.015 → "1.50"; the minus sign is a real one. */
export function pp(fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined) return '–';
  const text = (100 * fraction).toFixed(digits);
  return /^-0\.0*$/.test(text) ? text.slice(1) : text.replace('-', '−');
}

/** An accuracy (fraction) in percent, e.g. 0.9195 → "91.95%". */
export function percent(fraction: number | null | undefined, digits = 2): string {
  return fraction === null || fraction === undefined ? '–' : `${(100 * fraction).toFixed(digits)}%`;
}

/** 1234567 → "1.23M". */
export function count(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) if (Math.abs(n) >= size) return `${(n / size).toPrecision(3)}${unit}`;
  return String(n);
}

export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return '–';
  if (s < 0.01) return `${(s * 1000).toFixed(1)} ms`;
  if (s < 100) return `${s.toPrecision(3)} s`;
  return `${(s / 60).toFixed(1)} min`;
}

export function rho(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(2).replace('-', '−');
}

/** A score or level in a short form: 0.000123 → "1.23e-4", 12345 → "1.23e+4", 0.5 → "0.5". */
export function short(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  return magnitude >= 1e4 || magnitude < 1e-3 ? value.toExponential(2).replace('e-', 'e−') : String(Number(value.toPrecision(3)));
}
