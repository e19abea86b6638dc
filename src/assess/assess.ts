/**
 * The main job: which layers can be compressed, and which must be protected? On one prepared model:
 * a resumable sweep of a few perturbations, the recommended criteria, a verdict per layer with its
 * evidence, one measured plan per budget kind (bits, pruning ratios, protection) with its baselines,
 * their budget curves and the fault curve, and the report (report.html, report.md, report.json) that
 * shows them. Every number in it is a measurement from this run.
 */
import { join } from 'node:path';
import { BUDGET_DEFAULTS, BUDGET_PERTURBATION, formatPlan, type Budget } from '../budget/index.js';
import type { BerPoint, CurvePoint } from '../budget/run/curve-file.js';
import { BudgetSession, type BudgetRun } from '../budget/run/run-budget.js';
import { berCurve, budgetCurve } from '../budget/run/run-curve.js';
import { spearman } from '../benchmark/rank-metrics.js';
import type { CriterionInstance } from '../criteria/index.js';
import { RECOMMENDED } from '../criteria/recommended.js';
import { scoreModel, type ScoreReport } from '../criteria/score.js';
import type { EvalData } from '../data/index.js';
import type { PreparedModel } from '../model/prepare.js';
import { ensureWritableFolder, writeFileAtomic } from '../output/files.js';
import type { PerturbationSpec } from '../perturb/index.js';
import { writeReport } from '../report/index.js';
import { readRows } from '../rows/read.js';
import { loadSamples } from '../runtime/memory-batches.js';
import type { SweepSummary } from '../sweep/options.js';
import { runSweep } from '../sweep/run.js';
import { measuredDrops, verdictOf, type LayerVerdict } from './verdict.js';

/** What `safer assess` does unless told otherwise: sized to finish in under 3 minutes on the bundled model and 2 cores. */
export const ASSESS_DEFAULTS = {
  perturbations: ['prune:0.5', 'prune:0.9', 'quant:4', 'quantc:2', 'quantc:4', 'bitflip:1e-5', 'bitflip:1e-4'],
  seeds: 3,
  /** Largest accuracy drop (fraction) that still counts as harmless. */
  tolerance: 0.005,
  outDir: 'safer-report',
  /** One plan per budget kind. */
  budgets: { avgBits: 4, sparsity: 0.7, ber: 1e-5, overhead: 0.1 },
  /** The budget curves' grids, the fault curve's rates. */
  grids: { quant: [2, 3, 4, 5, 6, 8], prune: [0.5, 0.7, 0.8, 0.9], protect: [0, 0.05, 0.1, 0.2, 0.3] },
  bers: [1e-6, 1e-5, 1e-4],
  /** Calibration images (the first of --data; the next as many choose among plans), refinement evaluations and fault trials of the plans. */
  calibration: 256,
  evaluations: 8,
  trials: 10,
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
  /** The command line, recorded in the report. */
  command?: string;
  /** Skip the budget plans and curves (sweep, criteria, verdicts and report only). */
  noBudgets?: boolean;
  threads?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
  onNote?: (note: string) => void;
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
  plans: { kind: string; accuracy: number; baselines: Record<string, number | null>; file: string }[];
  sweep: Pick<SweepSummary, 'rowsWritten' | 'rowsAlreadyThere' | 'seconds'>;
  command: string | null;
  seconds: { sweep: number; criteria: number; budgets: number; report: number; total: number };
  files: { sweep: string; scores: string; assess: string; report: string; markdown: string; json: string };
}

export async function assessModel(options: AssessOptions): Promise<AssessReport> {
  const started = performance.now();
  const { prepared, data, outDir } = options;
  ensureWritableFolder(outDir, 'report folder');
  const files = {
    sweep: join(outDir, 'sweep.jsonl'),
    scores: join(outDir, 'scores.json'),
    assess: join(outDir, 'assess.json'),
    report: join(outDir, 'report.html'),
    markdown: join(outDir, 'report.md'),
    json: join(outDir, 'report.json'),
  };
  const threads = options.threads !== undefined ? { threads: options.threads } : {};
  const progress = options.onProgress ?? (() => {});

  const summary = await runSweep({
    prepared, data, perturbations: options.perturbations, seeds: options.seeds, out: files.sweep, version: options.version, ...threads,
    onProgress: (p) => progress('sweep', p.done, p.total),
    ...(options.onNote ? { onNote: options.onNote } : {}),
  });
  const secondsSweep = (performance.now() - started) / 1000;

  let mark = performance.now();
  const scores = await scoreModel(prepared, options.criteria, { data, ...threads, onCriterion: (_, index, total) => progress('criteria', index, total) });
  writeFileAtomic(files.scores, JSON.stringify(scores, null, 2) + '\n');
  const secondsCriteria = (performance.now() - mark) / 1000;

  const perturbations = options.perturbations.map((p) => p.text);
  const rows = readRows([files.sweep]).rows.filter((r) => r.model_sha256 === prepared.sha256 && perturbations.includes(r.perturbation));
  const verdicts = prepared.layers.map((layer) => verdictOf(layer, measuredDrops(rows.filter((r) => r.layer === layer.name)), options.tolerance));

  mark = performance.now();
  const plans = options.noBudgets ? [] : await budgets(options, progress);
  const secondsBudgets = (performance.now() - mark) / 1000;

  const report: AssessReport = {
    model: prepared.source,
    data: data.description,
    images: data.count,
    baseAccuracy: rows[0]?.base_accuracy ?? summary.baseAccuracy,
    tolerance: options.tolerance,
    perturbations,
    layers: verdicts,
    criteria: agreements(scores, verdicts, perturbations),
    plans,
    sweep: { rowsWritten: summary.rowsWritten, rowsAlreadyThere: summary.rowsAlreadyThere, seconds: summary.seconds },
    command: options.command ?? null,
    seconds: { sweep: secondsSweep, criteria: secondsCriteria, budgets: secondsBudgets, report: 0, total: 0 },
    files,
  };
  writeFileAtomic(files.assess, JSON.stringify(report, null, 2) + '\n');
  mark = performance.now();
  progress('report', 0, 1);
  await writeReport(outDir, files.report, options.command !== undefined ? { command: options.command } : {});
  report.seconds.report = (performance.now() - mark) / 1000;
  report.seconds.total = (performance.now() - started) / 1000;
  writeFileAtomic(files.assess, JSON.stringify(report, null, 2) + '\n');
  return report;
}

/** One plan per kind, their curves and the fault curve, written to the results folder. */
async function budgets(options: AssessOptions, progress: (stage: string, done: number, total: number) => void): Promise<AssessReport['plans']> {
  const { prepared, data, outDir } = options;
  const d = ASSESS_DEFAULTS;
  const calibration = await loadSamples(data, d.calibration);
  const selection = await loadSamples(data, d.calibration, calibration.count);
  const session = await BudgetSession.create({
    prepared, data, calibration, trials: d.trials,
    ...(selection.count > 0 ? { selection } : {}),
    ...(options.threads !== undefined ? { session: { threads: options.threads } } : {}),
    scoring: { hutchinsonSamples: 8 },
    onProgress: (stage, done, total) => progress(`budgets: ${stage}`, done, total),
  });
  const templates: Budget[] = [
    { kind: 'quant', avgBits: d.budgets.avgBits, bits: BUDGET_DEFAULTS.quantBits },
    { kind: 'prune', sparsity: d.budgets.sparsity },
    { kind: 'protect', ber: d.budgets.ber, overhead: d.budgets.overhead },
  ];
  const out: AssessReport['plans'] = [];
  for (const budget of templates) {
    const run: BudgetRun = await session.decide(budget, { kind: 'measure' }, { refine: { evaluations: d.evaluations } });
    const file = join(outDir, `plan-${budget.kind}.json`);
    writeFileAtomic(file, formatPlan(run.plan));
    out.push({ kind: budget.kind, accuracy: run.evaluation.accuracy, baselines: run.plan.baselines, file });
    const points: CurvePoint[] = await budgetCurve(session, budget, d.grids[budget.kind], {
      sources: [{ label: 'safer', source: { kind: 'measure' } }, { label: `criterion:${RECOMMENDED[BUDGET_PERTURBATION[budget.kind]]}`, source: { kind: 'criterion', name: RECOMMENDED[BUDGET_PERTURBATION[budget.kind]] } }],
      refine: null,
      onPoint: (done, total, label) => progress(`curve ${budget.kind}: ${label}`, done, total),
      ...(options.onNote ? { onSkip: options.onNote } : {}),
    });
    writeFileAtomic(join(outDir, `curve-${budget.kind}.json`), JSON.stringify(points, null, 2) + '\n');
    if (budget.kind === 'protect') {
      const ber: BerPoint[] = await berCurve(session, run.allocation, d.bers, (done, total) => progress('fault curve', done, total));
      writeFileAtomic(join(outDir, 'ber-curve.json'), JSON.stringify(ber, null, 2) + '\n');
    }
  }
  return out;
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
