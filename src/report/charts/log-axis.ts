/** Tick values for a log axis: the powers of ten that the data spans (Vega's own ticks crowd 2e-5, 3e-5, ...). */
export function decades(values: readonly number[]): number[] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [];
  const low = Math.floor(Math.log10(Math.min(...positive)) + 1e-9);
  const high = Math.ceil(Math.log10(Math.max(...positive)) - 1e-9);
  const ticks: number[] = [];
  for (let e = low; e <= high; e++) ticks.push(Number(`1e${e}`));
  return ticks;
}
