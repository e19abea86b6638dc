/**
 * Reads a results dir into ReportData: the one place that knows which file holds what. Every file
 * is optional, but a dir needs one of sweep.jsonl, scores.json, assess.json and report.json (the report data
 * written before, read when assess.json is absent, so a dir can be re-rendered); a malformed file
 * fails with one line naming it and the field.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { VEGA_VERSIONS } from './charts/vega.js';
import { ReportInputError } from './errors.js';
import { parseAssessReport, type AssessInput } from './read/assess-report.js';
import { parseBerCurve, parseCurve, parsePlan } from './read/budgets.js';
import { criteriaSectionOf } from './read/criteria-section.js';
import { decisionOf } from './read/decision.js';
import { parseScores, type ScoresInput } from './read/scores.js';
import { sensitivityOf } from './read/sensitivity.js';
import { parseRowsText } from '../rows/parse.js';
import type { SweepRow } from '../rows/row.js';
import { VERSION } from '../version.js';
import {
  BUDGET_KINDS, REPORT_DATA_SCHEMA, REPORT_DATA_VERSION, RESULT_FILES,
  type BudgetPlan, type BudgetSection, type LayerInfo, type ModelSummary, type ReportData, type ResultFile,
} from './report-data.js';


export interface ReadResultsOptions {
  /** Time stamp of `generated.at` (default now). */
  now?: Date;
}

export function readResults(dir: string, options: ReadResultsOptions = {}): ReportData {
  checkDir(dir);
  const texts = new Map<ResultFile, string>();
  for (const file of RESULT_FILES) {
    const text = readOptional(join(dir, file), file);
    if (text !== null) texts.set(file, text);
  }
  const sweepText = texts.get('sweep.jsonl');
  const scoresText = texts.get('scores.json');
  const assessFile = texts.has('assess.json') ? 'assess.json' : 'report.json';
  const assessText = texts.get(assessFile);
  if (sweepText === undefined && scoresText === undefined && assessText === undefined) {
    throw new ReportInputError(`${dir}: no results here (sweep.jsonl, scores.json, assess.json or report.json); write them with "safer assess --out ${dir}"`);
  }
  const rows = sweepText === undefined ? null : sweepRowsOf(sweepText);
  const scores = scoresText === undefined ? null : parseScores('scores.json', scoresText);
  const assess = assessText === undefined ? null : parseAssessReport(assessFile, assessText);
  checkSameModel(rows, scores);

  const sensitivity = rows === null || rows.length === 0 ? null : sensitivityOf(rows);
  const model = modelSummaryOf(rows, scores, assess);
  const budgets: BudgetSection[] = BUDGET_KINDS.map((kind) => {
    const plan = texts.get(`plan-${kind}.json`);
    const curve = texts.get(`curve-${kind}.json`);
    return {
      kind,
      plan: plan === undefined ? null : parsePlan(`plan-${kind}.json`, plan, kind),
      curve: curve === undefined ? null : parseCurve(`curve-${kind}.json`, curve, kind),
    };
  });
  const berText = texts.get('ber-curve.json');
  const plans = budgets.map((b) => b.plan).filter((p): p is BudgetPlan => p !== null);
  const rowSeconds = rows?.map((r) => r.seconds);
  return {
    schema: REPORT_DATA_SCHEMA,
    version: REPORT_DATA_VERSION,
    generated: { at: (options.now ?? new Date()).toISOString(), by: `safer ${VERSION}` },
    source: { dir, files: Object.fromEntries(RESULT_FILES.map((f) => [f, texts.has(f)])) as Record<ResultFile, boolean> },
    model,
    sensitivity,
    criteria: scores === null ? null : criteriaSectionOf(scores.criteria, scores.calibration, sensitivity),
    budgets,
    ber: berText === undefined ? null : parseBerCurve('ber-curve.json', berText),
    decision: decisionOf(model.layers, plans, dir, { description: model.data.description, command: assess?.command ?? null, model: model.path }),
    reproducibility: {
      command: assess?.command ?? null,
      versions: {
        sweep: [...new Set((rows ?? []).map((r) => r.version).filter((v) => v !== ''))],
        scores: scores?.version ?? null,
        report: VERSION,
        node: process.version,
        ...VEGA_VERSIONS,
      },
      modelSha256: model.sha256,
      dataSha256: rows?.[0]?.data_sha256 ?? scores?.dataSha256 ?? null,
      seeds: model.seeds,
      seconds: {
        sweep: assess?.sweepSeconds ?? (rowSeconds ? sum(rowSeconds) : null),
        criteria: assess?.criteriaSeconds ?? (scores ? sum(scores.criteria.map((c) => c.seconds)) : null),
      },
    },
  };
}

function modelSummaryOf(rows: readonly SweepRow[] | null, scores: ScoresInput | null, assess: AssessInput | null): ModelSummary {
  let layers: LayerInfo[];
  if (assess !== null && assess.layers.length > 0) layers = assess.layers;
  else if (rows !== null && rows.length > 0) {
    const index = new Map(rows.map((r) => [r.layer, r.layer_index]));
    layers = [...index].sort((a, b) => a[1] - b[1]).map(([name, i]) => ({ name, index: i, op: null, params: null, flops: null, verdict: null }));
  } else layers = (scores?.layers ?? []).map((name, index) => ({ name, index, op: null, params: null, flops: null, verdict: null }));
  const first = rows?.[0];
  const total = (key: 'params' | 'flops'): number | null =>
    layers.length > 0 && layers.every((l) => l[key] !== null) ? sum(layers.map((l) => l[key] as number)) : null;
  return {
    path: assess?.model ?? first?.model ?? scores?.model ?? null,
    sha256: first?.model_sha256 ?? scores?.modelSha256 ?? null,
    layers,
    params: total('params'),
    flops: total('flops'),
    baseAccuracy: first?.base_accuracy ?? null,
    baseLoss: first !== undefined && Number.isFinite(first.base_loss) ? first.base_loss : null,
    data: {
      description: assess?.data ?? scores?.data ?? null,
      images: assess?.images ?? (rows !== null && rows.length > 0 ? Math.max(...rows.map((r) => r.count)) : null),
      sha256: first?.data_sha256 ?? scores?.dataSha256 ?? null,
    },
    seeds: [...new Set((rows ?? []).map((r) => r.seed))].sort((a, b) => a - b),
    tolerance: assess?.tolerance ?? null,
  };
}

/** sweep.jsonl through the one parser of the row format (rows/parse.ts); a report covers one model. */
function sweepRowsOf(text: string): SweepRow[] {
  let rows: SweepRow[];
  try {
    rows = parseRowsText(text, 'sweep.jsonl').rows;
  } catch (e) {
    throw new ReportInputError((e as Error).message);
  }
  const models = new Set(rows.map((r) => r.model_sha256));
  if (models.size > 1) throw new ReportInputError(`sweep.jsonl: holds rows of ${models.size} models (model_sha256 differs); a report covers one model`);
  return rows;
}

function checkDir(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    throw new ReportInputError(`${dir}: cannot read results dir (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!isDir) throw new ReportInputError(`${dir}: not a directory; --from takes the results dir that "safer assess --out" wrote`);
}

function readOptional(path: string, file: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new ReportInputError(`${file}: cannot read (${code ?? (e as Error).message})`);
  }
}

function checkSameModel(rows: readonly SweepRow[] | null, scores: ScoresInput | null): void {
  const sweepSha = rows?.[0]?.model_sha256;
  if (scores?.modelSha256 && sweepSha && scores.modelSha256 !== sweepSha) {
    throw new ReportInputError(
      `scores.json: "model_sha256" ${scores.modelSha256.slice(0, 12)}… is not the model of sweep.jsonl (${sweepSha.slice(0, 12)}…); both must come from one model`,
    );
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
