/**
 * The main job: which layers can be compressed, and which must be protected?
 * Runs the ground-truth sweep with a small default set of perturbations,
 * computes layer-importance criteria, and turns both into a per-layer verdict
 * and a report. Every number in the report is a measurement from this run.
 */
import { join } from 'node:path';
import { spearman } from '../benchmark/rank-metrics.js';
import type { EvalData } from '../data/index.js';
import { scoreModel, type ScoreReport } from '../criteria/score.js';
import type { CriterionInstance } from '../criteria/index.js';
import type { Layer } from '../layers/layer.js';
import { ensureWritableFolder, writeFileAtomic } from '../output/files.js';
import type { PreparedModel } from '../model/prepare.js';
import { perturbationFamily, purposeOf, type PerturbationSpec } from '../perturb/index.js';
import { readRows } from '../rows/read.js';
import { tabulateRows, type DropCell } from '../rows/summary.js';
import type { SweepSummary } from '../sweep/options.js';
import { runSweep } from '../sweep/run.js';

/** What `safer assess` does unless told otherwise. */
export const ASSESS_DEFAULTS = {
  perturbations: ['prune:0.5', 'quant:4', 'quantc:4', 'bitflip:1e-5'],
  seeds: 3,
  /** Largest accuracy drop (fraction) that still counts as harmless. */
  tolerance: 0.005,
  outDir: 'safer-report',
} as const;

export interface AssessOptions {
  prepared: PreparedModel;
  data: EvalData;
  perturbations: readonly PerturbationSpec[];
  seeds: number;
  criteria: readonly CriterionInstance[];
  /** Largest accuracy drop (fraction) that still counts as harmless. */
  tolerance: number;
  outDir: string;
  version: string;
  threads?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
  onNote?: (note: string) => void;
}

export interface LayerVerdict {
  name: string;
  index: number;
  op: string;
  params: number;
  flops: number | null;
  /** Accuracy drop per perturbation (mean over seeds). */
  drops: Record<string, DropCell>;
  /** Worst drop under a compression perturbation, and under a fault perturbation (null if none was run). */
  compressionDrop: number | null;
  faultDrop: number | null;
  /** Harmless to compress (every compression drop ≤ tolerance). */
  compress: boolean;
  /** Needs protection (some fault drop > tolerance). */
  protect: boolean;
}

export interface CriterionAgreement {
  name: string;
  seconds: number;
  /** Spearman ρ between the criterion's scores and the measured drops, per perturbation. */
  spearman: Record<string, number | null>;
}

export interface AssessReport {
  model: string;
  data: string;
  images: number;
  baseAccuracy: number;
  tolerance: number;
  perturbations: string[];
  layers: LayerVerdict[];
  criteria: CriterionAgreement[];
  sweep: Pick<SweepSummary, 'rowsWritten' | 'rowsAlreadyThere' | 'seconds'>;
  files: { sweep: string; scores: string; report: string; json: string };
}

export async function assessModel(options: AssessOptions): Promise<AssessReport> {
  ensureWritableFolder(options.outDir, 'report folder');
  const files = {
    sweep: join(options.outDir, 'sweep.jsonl'),
    scores: join(options.outDir, 'scores.json'),
    report: join(options.outDir, 'report.md'),
    json: join(options.outDir, 'report.json'),
  };
  const { prepared } = options;
  const summary = await runSweep({
    prepared,
    data: options.data,
    perturbations: options.perturbations,
    seeds: options.seeds,
    out: files.sweep,
    version: options.version,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    onProgress: (p) => options.onProgress?.('sweep', p.done, p.total),
    ...(options.onNote ? { onNote: options.onNote } : {}),
  });
  const scores = await scoreModel(prepared, options.criteria, {
    data: options.data,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    onCriterion: (_, index, total) => options.onProgress?.('criteria', index, total),
  });
  writeFileAtomic(files.scores, JSON.stringify(scores, null, 2) + '\n');

  const perturbations = options.perturbations.map((p) => p.text);
  const { rows } = readRows([files.sweep]);
  const drops = tabulateRows(rows.filter((r) => perturbations.includes(r.perturbation))).models.get(prepared.sha256);
  const cellsOf = (layer: Layer): Map<string, DropCell> =>
    new Map(perturbations.flatMap((p) => {
      const cell = drops?.perturbations.get(p)?.layers.get(layer.name);
      return cell ? [[p, cell] as const] : [];
    }));
  const verdicts = prepared.layers.map((layer) => verdictOf(layer, cellsOf(layer), options.tolerance));
  const report: AssessReport = {
    model: prepared.source,
    data: options.data.description,
    images: options.data.count,
    baseAccuracy: rows.find((r) => r.model_sha256 === prepared.sha256)?.base_accuracy ?? summary.baseAccuracy,
    tolerance: options.tolerance,
    perturbations,
    layers: verdicts,
    criteria: agreements(scores, verdicts, perturbations),
    sweep: { rowsWritten: summary.rowsWritten, rowsAlreadyThere: summary.rowsAlreadyThere, seconds: summary.seconds },
    files,
  };
  writeFileAtomic(files.json, JSON.stringify(report, null, 2) + '\n');
  writeFileAtomic(files.report, renderAssessMarkdown(report));
  return report;
}

function verdictOf(layer: Layer, cells: ReadonlyMap<string, DropCell>, tolerance: number): LayerVerdict {
  const drops = Object.fromEntries(cells);
  const worst = (compression: boolean): number | null => {
    const values = [...cells].filter(([p]) => (purposeOf(perturbationFamily(p)) === 'compression') === compression).map(([, c]) => c.drop);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const compressionDrop = worst(true);
  const faultDrop = worst(false);
  return {
    name: layer.name,
    index: layer.index,
    op: layer.op,
    params: layer.params,
    flops: layer.flops,
    drops,
    compressionDrop,
    faultDrop,
    compress: compressionDrop !== null && compressionDrop <= tolerance,
    protect: faultDrop !== null && faultDrop > tolerance,
  };
}

function agreements(scores: ScoreReport, verdicts: readonly LayerVerdict[], perturbations: readonly string[]): CriterionAgreement[] {
  return scores.criteria.map((c) => {
    const spearmanByPerturbation: Record<string, number | null> = {};
    for (const p of perturbations) {
      const pairs = verdicts
        .map((v) => [c.scores[v.name], v.drops[p]?.drop] as const)
        .filter((pair): pair is readonly [number, number] => typeof pair[0] === 'number' && typeof pair[1] === 'number');
      spearmanByPerturbation[p] = pairs.length >= 3 ? spearman(pairs.map((x) => x[0]), pairs.map((x) => x[1])) : null;
    }
    return { name: c.name, seconds: c.seconds, spearman: spearmanByPerturbation };
  });
}


const pp = (fraction: number | null | undefined): string => (fraction === null || fraction === undefined ? '–' : (100 * fraction).toFixed(2));

/** The verdict table and the criteria that best predicted this model's measured drops. */
export function renderAssessMarkdown(r: AssessReport): string {
  const totalParams = r.layers.reduce((a, l) => a + l.params, 0);
  const compressible = r.layers.filter((l) => l.compress);
  const protect = r.layers.filter((l) => l.protect);
  const share = (list: readonly LayerVerdict[]): string => `${((100 * list.reduce((a, l) => a + l.params, 0)) / totalParams).toFixed(1)}%`;
  const lines = [
    `# Layer sensitivity of ${r.model}`,
    '',
    `Data: ${r.data}. Base accuracy ${pp(r.baseAccuracy)}%. Drops are accuracy drops in percentage points when the layer`,
    `alone is perturbed (mean over seeds for stochastic perturbations); harmless means a drop of at most ${pp(r.tolerance)} pp.`,
    '',
    `- **Compress:** ${compressible.length} of ${r.layers.length} layers (${share(compressible)} of the weights) lose at most ${pp(r.tolerance)} pp under every compression perturbation: ${compressible.map((l) => l.name).join(', ') || 'none'}.`,
    `- **Protect:** ${protect.length} layers lose more than ${pp(r.tolerance)} pp under a fault perturbation: ${protect.map((l) => l.name).join(', ') || 'none'}.`,
    '',
    `| # | layer | op | params | ${r.perturbations.join(' | ')} | compress | protect |`,
    `|--:|---|---|--:|${r.perturbations.map(() => '--:').join('|')}|:-:|:-:|`,
    ...r.layers.map((l) => `| ${l.index} | ${l.name} | ${l.op} | ${l.params} | ${r.perturbations.map((p) => {
      const c = l.drops[p];
      return c ? (c.seeds > 1 ? `${pp(c.drop)} ± ${pp(c.std)}` : pp(c.drop)) : '–';
    }).join(' | ')} | ${l.compress ? 'yes' : 'no'} | ${l.protect ? 'yes' : 'no'} |`),
    '',
    `## Which criterion predicted these drops (Spearman ρ over ${r.layers.length} layers)`,
    '',
    'With few layers, ρ is coarse; `docs/benchmark.md` ranks the criteria over the whole zoo.',
    '',
    `| criterion | seconds | ${r.perturbations.join(' | ')} |`,
    `|---|--:|${r.perturbations.map(() => '--:').join('|')}|`,
    ...[...r.criteria]
      .sort((a, b) => meanOf(b) - meanOf(a))
      .map((c) => `| ${c.name} | ${c.seconds.toFixed(2)} | ${r.perturbations.map((p) => (c.spearman[p] === null || c.spearman[p] === undefined ? '–' : (c.spearman[p] as number).toFixed(2))).join(' | ')} |`),
    '',
    `Files: ${r.files.sweep} (ground truth, one JSON line per layer × perturbation × seed), ${r.files.scores} (criteria), ${r.files.json}.`,
    '',
  ];
  return lines.join('\n');
}

function meanOf(c: CriterionAgreement): number {
  const values = Object.values(c.spearman).filter((v): v is number => v !== null);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : -Infinity;
}
