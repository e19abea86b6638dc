import { allocationFromPlan, BUDGET_DEFAULTS, BUDGET_PERTURBATION, budgetGrid, checkPlanModel, formatPlan, readPlan, type Budget, type BudgetKind } from '../../budget/index.js';
import { planWeights, writePlanModel } from '../../budget/run/apply-plan.js';
import { PlanEvaluator } from '../../budget/run/evaluate-plan.js';
import type { CurvePoint } from '../../budget/run/curve-file.js';
import { berCurve, budgetCurve } from '../../budget/run/run-curve.js';
import { BudgetSession, type BudgetRun, type CostSource } from '../../budget/run/run-budget.js';
import { RECOMMENDED } from '../../criteria/index.js';
import { openEvalData, type EvalData } from '../../data/index.js';
import { UsageError } from '../../errors.js';
import { prepareModelFile } from '../../model/prepare.js';
import { checkWritableFile, writeFileAtomic } from '../../output/files.js';
import { loadSamples } from '../../runtime/memory-batches.js';
import { defineCommand } from '../command.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, noteWriter, openLabeledData, OUTPUT_OPTIONS, preprocessFrom, resolveModelAndData, THREADS_OPTION } from '../data-options.js';
import { formatCount, formatPercent, json, renderTable } from '../format.js';

const KINDS: readonly BudgetKind[] = ['quant', 'prune', 'protect'];

export const budget = defineCommand({
  name: 'budget',
  summary: 'per-layer bit-widths, pruning ratios or fault protection under a budget: an exact plan, measured against the usual rules',
  usage: `quant|prune|protect|curve <kind>|apply <plan.json> ${MODEL_DATA_USAGE} (--avg-bits B | --sparsity S | --ber P --overhead F) [--from rows | --criterion NAME] [--out plan.json] [--model-out m.onnx]`,
  details: [
    'safer budget quant    one bit-width per layer (per-channel symmetric quantc:b, b in --bits) with a parameter-weighted',
    '                      average of at most --avg-bits (float32 layers count 32); optionally Σ FLOPs·bits ≤ --bops.',
    'safer budget prune    one magnitude-pruning ratio per layer with Σ floor(r·n) = floor(s·N) exactly.',
    'safer budget protect  the layers whose weights are protected from bit flips (as by ECC), with protected parameters at',
    '                      most --overhead of all, maximizing the expected accuracy when every other layer suffers',
    '                      float32 bit flips at --ber at the same time (reported over --trials fault trials).',
    'safer budget curve K  accuracy against budget along a grid (--grid), for the default plan, the recommended',
    '                      criterion\'s plan, the oracle (--from sweep rows) and every baseline: the rows of curve-K.json.',
    'safer budget curve ber --plan P  accuracy against bit error rate (--grid), with plan P\'s layers protected and',
    '                      without protection: the rows of ber-curve.json.',
    'safer budget apply P  writes the model of a saved quant or prune plan (--model-out) and evaluates it; the plan must',
    '                      have been made for this model (its sha256).',
    'Costs per layer and option: measured on --calibration images through the graph cut (the default; loss increase,',
    'or the accuracy drop for protect), from sweep rows (--from; accuracy drops), or from a criterion (--criterion).',
    'The plan is the exact optimum of a multiple-choice knapsack over those costs (its discretization bound is printed),',
    'refined against joint measurements of whole plans (SPDY-style, --evaluations K, the baselines among the',
    'candidates) unless --no-refine. Every plan and baseline is evaluated on the evaluation set: the accuracy is that',
    'of the model with the plan\'s weights. Definitions, baselines and results: docs/budgets.md.',
  ].join('\n'),
  examples: [
    'safer budget quant --avg-bits 4 --out plan-quant.json --model-out q.onnx',
    'safer budget prune model.onnx --data x.npy --labels y.npy --sparsity 0.8 --calibration-data train.npy --calibration-labels train-labels.npy',
    'safer budget protect --ber 1e-4 --overhead 0.1',
    'safer budget curve quant --out curve-quant.json',
    'safer budget curve ber --plan plan-protect.json --out ber-curve.json',
    'safer budget apply plan-quant.json --model-out q.onnx',
  ],
  options: {
    ...DATA_OPTIONS,
    'avg-bits': { kind: 'number', value: 'B', description: 'quant: largest parameter-weighted average bit-width', min: 1, max: 32 },
    bits: { kind: 'list', value: 'b,..', description: 'quant: the bit-widths a layer may take', default: BUDGET_DEFAULTS.quantBits.map(String) },
    bops: { kind: 'number', value: 'N', description: 'quant: also keep Σ FLOPs·bits per sample at most N', min: 0 },
    sparsity: { kind: 'number', value: 's', description: 'prune: global fraction of weights pruned, met exactly', min: 0, max: 1 },
    ber: { kind: 'number', value: 'p', description: 'protect: bit error rate of the unprotected weights', min: 1e-12, max: 1 },
    overhead: { kind: 'number', value: 'f', description: 'protect: largest fraction of all weights that may be protected', min: 0, max: 1 },
    from: { kind: 'list', value: 'rows.jsonl,..', description: 'costs from measured sweep rows (the oracle): quantc:b, prune:r or bitflip:p rows of this model' },
    criterion: { kind: 'list', value: 'name', description: 'costs from a layer-importance criterion (see safer score --help); curve: one or more, each its own plan' },
    calibration: { kind: 'integer', value: 'N', description: 'calibration images for the measured costs (the first N of --data, or of --calibration-data); the next N choose among the refinement\'s plans', default: BUDGET_DEFAULTS.calibration, min: 1 },
    'calibration-data': { kind: 'string', value: 'file', description: 'calibration images apart from the evaluation set (same preprocessing options)' },
    'calibration-labels': { kind: 'string', value: 'file', description: 'labels of --calibration-data' },
    refine: { kind: 'boolean', description: 'refine the plan against joint measurements (--no-refine: the solver\'s plan as it is)', default: true },
    evaluations: { kind: 'integer', value: 'K', description: 'joint evaluations of the refinement, baselines included', default: BUDGET_DEFAULTS.refine.evaluations, min: 1 },
    trials: { kind: 'integer', value: 'T', description: 'protect: fault trials per evaluation on the evaluation set', default: BUDGET_DEFAULTS.evaluationTrials, min: 2 },
    plan: { kind: 'string', value: 'plan.json', description: 'curve ber: the protect plan whose layers are protected' },
    keep: { kind: 'list', value: 'a,b', description: 'layers held out of the plan: float32 (quant), dense (prune), protected (protect)' },
    grid: { kind: 'list', value: 'x,..', description: 'curve: the budgets (default: average bits 2–8 by 0.5, sparsity 0.3–0.95 by 0.05, overhead 0–0.5 by 0.05)' },
    seed: { kind: 'integer', value: 'S', description: 'seed of the random baseline and the refinement', default: BUDGET_DEFAULTS.seed },
    out: { kind: 'string', value: 'file', description: 'the plan (plan.json format, docs/budgets.md) or, for curve, the curve rows', defaultText: 'plan-<kind>.json, or curve-<kind>.json' },
    'model-out': { kind: 'string', value: 'file.onnx', description: 'quant, prune: write the model with the plan\'s weights (quantized or pruned, stored as float32)' },
    ...THREADS_OPTION,
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io, progress }) {
    const [action, ...rest] = positional;
    if (action === 'apply') return applyPlan(rest, options, io);
    if (action === 'curve' && rest[0] === 'ber') return faultCurve(rest.slice(1), options, io, progress);
    const curve = action === 'curve';
    const kindName = curve ? rest.shift() : action;
    if (!KINDS.includes(kindName as BudgetKind)) {
      throw new UsageError(`"safer budget" needs a kind: quant, prune, protect, or curve <kind> (got ${kindName === undefined ? 'none' : `"${kindName}"`})`);
    }
    const kind = kindName as BudgetKind;
    const template = budgetOf(kind, options, curve);
    const criteria = options.criterion ?? [];
    if (!curve && options.from && criteria.length > 0) throw new UsageError('--from and --criterion are two cost sources: give one');
    if (!curve && criteria.length > 1) throw new UsageError(`--criterion takes one name for a plan (got ${criteria.length}); several are for "safer budget curve"`);
    const paths = resolveModelAndData(rest, options, `budget ${positional.slice(0, curve ? 2 : 1).join(' ')}`);
    const out = options.out ?? `${curve ? 'curve' : 'plan'}-${kind}.json`;
    checkWritableFile(out, curve ? 'curve file' : 'plan');
    const modelOut = options['model-out'];
    if (modelOut !== undefined) {
      if (kind === 'protect' || curve) throw new UsageError('--model-out writes the weights of a quant or prune plan');
      checkWritableFile(modelOut, 'model');
    }
    const data = await openLabeledData(paths, options, noteWriter(options, io.err));
    const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
    const calibrationSource = await calibrationData(options, data);
    const calibration = await loadSamples(calibrationSource, options.calibration);
    // The next N images choose among the refinement's plans (so that plans fitted to the calibration images are not favoured).
    const selection = await loadSamples(calibrationSource, options.calibration, calibration.count);
    if (selection.count < options.calibration && options.refine) {
      noteWriter(options, io.err)(`${calibrationSource.description}: ${selection.count === 0 ? 'no images' : `only ${selection.count} images`} after the ${calibration.count} calibration images; the refinement chooses among plans on ${selection.count === 0 ? 'the calibration images themselves' : 'those'}`);
    }
    const bar = progress(`budget ${kind}`);
    const session = await BudgetSession.create({
      prepared, data, calibration, trials: options.trials, seed: options.seed,
      ...(selection.count > 0 ? { selection } : {}),
      ...(options.threads !== undefined ? { session: { threads: options.threads } } : {}),
      onProgress: (stage, done, total) => bar.update(done, total, stage),
    });
    const source: CostSource = options.from ? { kind: 'rows', paths: options.from } : criteria[0] !== undefined ? { kind: 'criterion', name: criteria[0] } : { kind: 'measure' };
    const refine = options.refine && source.kind !== 'criterion' ? { evaluations: options.evaluations } : null;
    const keep = options.keep ?? [];
    if (curve) {
      const grid = options.grid ? options.grid.map((x) => gridValue(x)) : budgetGrid(kind);
      const sources: { label: string; source: CostSource }[] = [
        { label: 'safer', source: { kind: 'measure' } },
        { label: `criterion:${recommendedFor(kind)}`, source: { kind: 'criterion', name: recommendedFor(kind) } },
        ...(options.from ? [{ label: 'oracle', source: { kind: 'rows' as const, paths: options.from } }] : []),
        ...criteria.filter((name) => name !== recommendedFor(kind)).map((name) => ({ label: `criterion:${name}`, source: { kind: 'criterion' as const, name } })),
      ];
      const points = await budgetCurve(session, template, grid, {
        sources, refine, keep,
        onPoint: (done, total, label) => bar.update(done, total, label),
        onSkip: noteWriter(options, io.err),
      });
      bar.done();
      writeFileAtomic(out, json(points) + '\n');
      if (options.json) io.out(json(points));
      else io.out(renderCurve(points, out));
      return;
    }
    const run = await session.decide(template, source, { keep, refine });
    bar.done();
    const plan = { ...run.plan, model_out: modelOut ?? null };
    if (modelOut !== undefined) writePlanModel(prepared, run.values, modelOut);
    writeFileAtomic(out, formatPlan(plan));
    if (options.json) {
      io.out(json(plan));
      return;
    }
    io.out(renderRun(run, out, modelOut, prepared.layers.map((l) => ({ name: l.name, params: l.shape.reduce((a, b) => a * b, 1) }))));
  },
});

/** `safer budget curve ber --plan plan-protect.json [model] ...`: ber-curve.json. */
async function faultCurve(
  rest: string[],
  options: Parameters<typeof openLabeledData>[1] & { plan?: string | undefined; out?: string | undefined; grid?: readonly string[] | undefined; trials: number; seed: number; threads?: number | undefined; json: boolean; quiet: boolean },
  io: { out(text: string): void; err(text: string): void },
  progress: (label: string) => { update(done: number, total: number, note?: string): void; done(): void },
): Promise<void> {
  const file = options.plan;
  if (file === undefined) throw new UsageError('safer budget curve ber needs --plan, a protect plan (plan-protect.json)');
  const out = options.out ?? 'ber-curve.json';
  checkWritableFile(out, 'curve file');
  const plan = readPlan(file);
  if (plan.kind !== 'protect') throw new UsageError(`${file}: a ${plan.kind} plan; the fault curve needs a protect plan`);
  const paths = resolveModelAndData(rest, options, 'budget curve ber');
  const data = await openLabeledData(paths, options, noteWriter(options, io.err));
  const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
  checkPlanModel(plan, { path: prepared.source, sha256: prepared.sha256 }, file);
  const allocation = allocationFromPlan(plan, prepared.layers, file);
  const bers = options.grid ? options.grid.map(gridValue) : [...BUDGET_DEFAULTS.bers];
  const session = await BudgetSession.create({ prepared, data, calibration: await loadSamples(data, 1), trials: options.trials, seed: options.seed, ...(options.threads !== undefined ? { session: { threads: options.threads } } : {}) });
  const bar = progress('ber curve');
  const points = await berCurve(session, allocation, bers, (done, total) => bar.update(done, total));
  bar.done();
  writeFileAtomic(out, json(points) + '\n');
  if (options.json) {
    io.out(json(points));
    return;
  }
  io.out(`${points.length} points written to ${out} (mean accuracy over ${options.trials} fault trials)\n` + renderTable(['>bit error rate', '>no protection', '>protected'],
    bers.map((ber) => [String(ber), ...[false, true].map((p) => {
      const point = points.find((x) => x.ber === ber && x.protected === p);
      return point ? `${pct(point.accuracy)} ${interval(point.interval)}` : '-';
    })])));
}

/** `safer budget apply plan.json [model] ...`: the plan's model written and evaluated. */
async function applyPlan(
  rest: string[],
  options: Parameters<typeof openLabeledData>[1] & { 'model-out'?: string | undefined; json: boolean; quiet: boolean },
  io: { out(text: string): void; err(text: string): void },
): Promise<void> {
  const [file, ...modelArgs] = rest;
  if (file === undefined) throw new UsageError('safer budget apply needs a plan file: safer budget apply plan.json [model.onnx --data ...] --model-out out.onnx');
  const modelOut = options['model-out'];
  if (modelOut === undefined) throw new UsageError('safer budget apply needs --model-out, the ONNX file to write');
  checkWritableFile(modelOut, 'model');
  const plan = readPlan(file);
  if (plan.kind === 'protect') throw new UsageError(`${file}: a protect plan changes no weights; there is no model to write`);
  const paths = resolveModelAndData(modelArgs, options, 'budget apply');
  const data = await openLabeledData(paths, options, noteWriter(options, io.err));
  const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
  checkPlanModel(plan, { path: prepared.source, sha256: prepared.sha256 }, file);
  const allocation = allocationFromPlan(plan, prepared.layers, file);
  const values = planWeights(prepared, allocation);
  writePlanModel(prepared, values, modelOut);
  const evaluation = await (await PlanEvaluator.create(prepared, data)).weights(values);
  const result = { plan: file, model: modelOut, accuracy: evaluation.accuracy, interval: evaluation.interval, count: evaluation.count, planAccuracy: plan.accuracy };
  io.out(options.json ? json(result) : `wrote ${modelOut} from ${file}: accuracy ${pct(evaluation.accuracy)} ${interval(evaluation.interval)} on ${evaluation.count} images (the plan recorded ${plan.accuracy === null ? 'none' : pct(plan.accuracy)})`);
}

type BudgetOptions = { 'avg-bits'?: number | undefined; bits: readonly string[]; bops?: number | undefined; sparsity?: number | undefined; ber?: number | undefined; overhead?: number | undefined };

/** The budget the options ask for (a curve's template takes its size from the grid). */
function budgetOf(kind: BudgetKind, o: BudgetOptions, curve: boolean): Budget {
  const need = (name: string, value: number | undefined): number => {
    if (value === undefined) {
      if (curve) return NaN;
      throw new UsageError(`safer budget ${kind} needs --${name}`);
    }
    return value;
  };
  const foreign = (names: string[]): void => {
    const given = names.filter((n) => (o as Record<string, unknown>)[n] !== undefined);
    if (given.length > 0) throw new UsageError(`--${given[0]} is not an option of safer budget ${kind}`);
  };
  switch (kind) {
    case 'quant': {
      foreign(['sparsity', 'ber', 'overhead']);
      const bits = o.bits.map((b) => {
        const v = Number(b);
        if (!Number.isInteger(v) || v < 2 || v > 16) throw new UsageError(`--bits must be integers in 2..16, got "${b}"`);
        return v;
      });
      return { kind, avgBits: need('avg-bits', o['avg-bits']), bits, ...(o.bops !== undefined ? { bops: o.bops } : {}) };
    }
    case 'prune':
      foreign(['avg-bits', 'bops', 'ber', 'overhead']);
      return { kind, sparsity: need('sparsity', o.sparsity) };
    case 'protect': {
      foreign(['avg-bits', 'bops', 'sparsity']);
      const ber = o.ber;
      if (ber === undefined) throw new UsageError('safer budget protect needs --ber, the bit error rate of the unprotected weights');
      return { kind, ber, overhead: need('overhead', o.overhead) };
    }
  }
}

function gridValue(text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v)) throw new UsageError(`--grid must be a comma-separated list of numbers, got "${text}"`);
  return v;
}

/** The criterion the benchmark recommends for the perturbation a budget kind applies. */
function recommendedFor(kind: BudgetKind): string {
  return RECOMMENDED[BUDGET_PERTURBATION[kind]];
}

async function calibrationData(options: Parameters<typeof preprocessFrom>[0] & { 'calibration-data'?: string | undefined; 'calibration-labels'?: string | undefined }, data: EvalData): Promise<EvalData> {
  const file = options['calibration-data'];
  if (file === undefined) {
    if (options['calibration-labels'] !== undefined) throw new UsageError('--calibration-labels needs --calibration-data');
    return data;
  }
  const labels = options['calibration-labels'];
  const calibration = await openEvalData({ data: file, ...(labels !== undefined ? { labels } : {}), preprocess: preprocessFrom(options) });
  if (!calibration.hasLabels) throw new UsageError(`${file}: no labels found; pass them with --calibration-labels <file>`);
  if (calibration.sampleShape.join() !== data.sampleShape.join()) {
    throw new UsageError(`${file}: samples have shape [${calibration.sampleShape.join(', ')}], the evaluation set [${data.sampleShape.join(', ')}]`);
  }
  return calibration;
}

const pct = (x: number): string => formatPercent(x);
const interval = (i: readonly [number, number]): string => `[${(100 * i[0]).toFixed(2)}, ${(100 * i[1]).toFixed(2)}]`;

function achievedText(run: BudgetRun): string {
  const a = run.plan.achieved as { avg_bits?: number; sparsity?: number; overhead?: number };
  if (a.avg_bits !== undefined) return `${a.avg_bits.toFixed(3)} average bits`;
  if (a.sparsity !== undefined) return `sparsity ${a.sparsity.toFixed(4)}`;
  return `overhead ${(a.overhead ?? 0).toFixed(4)}`;
}

export function renderRun(run: BudgetRun, out: string, modelOut: string | undefined, layers: readonly { name: string; params: number }[]): string {
  const { plan } = run;
  const lines = [
    `${plan.kind} plan ${out}${modelOut ? ` and model ${modelOut}` : ''}: ${achievedText(run)}`,
    `accuracy ${pct(run.evaluation.accuracy)} ${interval(run.evaluation.interval)} on ${run.evaluation.count} images${run.evaluation.trials ? ` (mean of ${run.evaluation.trials.length} fault trials)` : ''}; base ${pct(run.base.accuracy)}`,
    `costs: ${run.source}, ${run.metric}; predicted ${plan.predicted.cost?.toPrecision(4) ?? '?'}${run.plan.additivity !== null ? `, additivity ratio ${run.plan.additivity.toFixed(2)} (measured ÷ Σ single layers)` : ''}`,
  ];
  if (run.bound) {
    lines.push(run.bound.exact ? 'solver: exact optimum of the knapsack' : `solver: optimal within a gap of ${run.bound.gap.toPrecision(3)} (budget slack ${JSON.stringify(run.bound.slack)})`);
  }
  if (run.refinement) {
    const r = run.refinement;
    const first = r.evaluations - r.context.evaluations;
    const why = r.converged ? 'prediction and measurement agree' : first >= r.limit ? 'stopped at the evaluation limit' : 'stopped: no new plan near the fitted optimum';
    const around = r.context.rounds > 0 ? `, then ${r.context.rounds} round${r.context.rounds === 1 ? '' : 's'} with costs measured around the best plan (${r.context.evaluations} more)` : '';
    lines.push(`refinement: ${first} joint evaluations (baselines included), ${why}${around}; chose ${r.chosen}`);
  }
  const t = run.seconds;
  const sec = (x: number) => `${x.toFixed(1)} s`;
  lines.push(`time: costs ${sec(t.costs)}, baselines ${sec(t.baselines)} (with any Hessian traces), refinement ${sec(t.refine)}, evaluation ${sec(t.evaluate)}; ${sec(t.total)} in all`);
  lines.push('', 'baselines at the same budget, evaluated alike:');
  lines.push(renderTable(['method', '>achieved', '>accuracy', '>95% interval'], run.baselines.map((b) => b.evaluation
    ? [b.method, b.achieved!.toFixed(4), pct(b.evaluation.accuracy), interval(b.evaluation.interval)]
    : [b.method, '-', '-', b.error ?? ''])));
  lines.push('', renderTable(['layer', '>weights', `>${plan.kind === 'quant' ? 'bits' : plan.kind === 'prune' ? 'ratio' : 'protected'}`],
    layers.map((l) => {
      const v = (plan.layers as Record<string, number | boolean | null>)[l.name];
      return [l.name, formatCount(l.params), v === null || v === undefined ? 'float32' : String(v)];
    })));
  return lines.join('\n');
}

function renderCurve(points: readonly CurvePoint[], out: string): string {
  const methods = [...new Set(points.map((p) => p.method))];
  const budgets = [...new Set(points.map((p) => p.budget))];
  const rows = budgets.map((b) => [String(b), ...methods.map((m) => {
    const p = points.find((x) => x.budget === b && x.method === m);
    return p ? pct(p.accuracy) : '-';
  })]);
  return `${points.length} points written to ${out} (accuracy of each plan's model on the evaluation set)\n` + renderTable(['>budget', ...methods.map((m) => `>${m}`)], rows);
}
