/** Per-model overview of the data set, for its card: base accuracy, layers, rows, seeds, time spent. */
import type { SweepRow } from '../rows/row.js';
import { modelName } from './csv.js';

export interface ModelSummary {
  model: string;
  path: string;
  baseAccuracy: number;
  images: number;
  layers: number;
  perturbations: number;
  rows: number;
  /** Sum of the rows' job seconds (evaluation work; excludes the per-run base and frontier passes). */
  jobSeconds: number;
}

export function summarizeDataset(rows: readonly SweepRow[]): ModelSummary[] {
  const byModel = new Map<string, SweepRow[]>();
  for (const row of rows) byModel.set(row.model_sha256, [...(byModel.get(row.model_sha256) ?? []), row]);
  return [...byModel.values()].map((list) => {
    const first = list[0] as SweepRow;
    return {
      model: modelName(first.model),
      path: first.model,
      baseAccuracy: first.base_accuracy,
      images: Math.max(...list.map((r) => r.count)),
      layers: new Set(list.map((r) => r.layer)).size,
      perturbations: new Set(list.map((r) => r.perturbation)).size,
      rows: list.length,
      jobSeconds: list.reduce((a, r) => a + r.seconds, 0),
    };
  });
}

export function renderSummaryMarkdown(models: readonly ModelSummary[]): string {
  const total = models.reduce((a, m) => a + m.rows, 0);
  return [
    '| model | base accuracy | images | weight layers | perturbations | rows | job seconds |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...models.map((m) => `| ${m.model} | ${(100 * m.baseAccuracy).toFixed(2)}% | ${m.images} | ${m.layers} | ${m.perturbations} | ${m.rows} | ${m.jobSeconds.toFixed(0)} |`),
    `| **all** | | | ${models.reduce((a, m) => a + m.layers, 0)} | | ${total} | ${models.reduce((a, m) => a + m.jobSeconds, 0).toFixed(0)} |`,
  ].join('\n');
}
