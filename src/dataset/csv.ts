/** One flat CSV of the data set: every row with its layer's op, size and cost, for spreadsheets and pandas. */
import { dirname, basename } from 'node:path';
import { inspectModel } from '../model/inspect.js';
import type { Layer } from '../layers/layer.js';
import type { SweepRow } from '../rows/row.js';

export const CSV_COLUMNS = [
  'model', 'layer', 'layer_index', 'op', 'params', 'flops', 'perturbation', 'family', 'level', 'seed',
  'accuracy', 'drop', 'loss', 'kl', 'unchanged', 'count', 'base_accuracy', 'model_sha256',
] as const;

/** The zoo name of a model path: zoo/models/<name>/model.onnx → <name>; otherwise the file name. */
export function modelName(path: string): string {
  return basename(path) === 'model.onnx' ? basename(dirname(path)) : basename(path).replace(/\.onnx$/, '');
}

export async function datasetCsv(rows: readonly SweepRow[]): Promise<string> {
  const layersByModel = new Map<string, Map<string, Layer>>();
  for (const model of new Set(rows.map((r) => r.model))) {
    const report = await inspectModel(model);
    layersByModel.set(model, new Map(report.layers.map((l) => [l.name, l])));
  }
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    const layer = layersByModel.get(r.model)?.get(r.layer);
    const [family, level] = r.perturbation.split(':');
    const values: (string | number | null | undefined)[] = [
      modelName(r.model), r.layer, r.layer_index, layer?.op, layer?.params, layer?.flops, r.perturbation, family, level, r.seed,
      r.accuracy, r.drop, r.loss, r.kl, r.unchanged, r.count, r.base_accuracy, r.model_sha256,
    ];
    lines.push(values.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
