import { MAX_BUNDLE } from '../../cut/engine.js';
import { UsageError } from '../../errors.js';
import { prepareModelFile } from '../../model/prepare.js';
import { checkWritableFile } from '../../output/files.js';
import { isStochastic, parsePerturbationList, perturbationHelp, type PerturbationSpec } from '../../perturb/index.js';
import { readRows } from '../../rows/read.js';
import type { SweepRow } from '../../rows/row.js';
import { tabulateRows, type ModelDrops } from '../../rows/summary.js';
import { ADAPTIVE_CONFIDENCE } from '../../sweep/adaptive.js';
import { SEED_RULE_DEFAULTS } from '../../sweep/seed-rule.js';
import { SWEEP_DEFAULTS } from '../../sweep/options.js';
import { runSweep } from '../../sweep/run.js';
import { VERSION } from '../../version.js';
import { defineCommand } from '../command.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, noteWriter, openLabeledData, OUTPUT_OPTIONS, resolveModelAndData } from '../data-options.js';
import { formatPercent, json, renderTable } from '../format.js';
import { onInterrupt } from '../interrupt.js';
import { QUEUE_OPTIONS, queuedSweep } from '../queued-sweep.js';

export const DEFAULT_PERTURBATIONS = ['prune:0.5', 'prune:0.9', 'quant:4', 'quant:2', 'quantc:4'];

export const sweep = defineCommand({
  name: 'sweep',
  summary: 'ground truth: perturb one layer at a time and measure the accuracy drop',
  usage: `${MODEL_DATA_USAGE} [--perturb prune:0.5,quant:4,...] [--seeds 5] [--layers a,b] [--out results.jsonl]`,
  details: [
    'For every weight layer and perturbation (and seed, for stochastic ones) the layer alone is perturbed and the',
    'model evaluated on the whole data set. Perturbations (exact definitions in docs/design.md):',
    perturbationHelp(),
    'One JSON line per (layer, perturbation, seed) is appended to --out. The run is resumable: started again with',
    'the same arguments after an interruption (even kill -9), it continues where it stopped. One sweep writes a',
    'file at a time (<out>.lock names it; a lock left by a process no longer running is taken over). Ctrl-C or',
    'SIGTERM says how many rows were written and exits 130 or 143. The summary shows the rows this run asked for.',
    'With --queue redis://host:6379/0 the jobs go to a Redis queue instead, for "safer worker"s on any number of',
    'machines, and their rows are collected into --out in the same order (docs/scale-out.md).',
  ].join('\n'),
  examples: [
    'safer sweep --perturb prune:0.5,quant:4 --out bundled.jsonl',
    'safer sweep model.onnx --data x.npy --labels y.npy --perturb bitflip:1e-5 --seeds 10 --out faults.jsonl',
    'safer sweep model.onnx --data x.npy --labels y.npy --queue rediss://queue.lab:6380/0 --out results.jsonl',
  ],
  options: {
    ...DATA_OPTIONS,
    perturb: { kind: 'list', value: 'list', description: 'comma-separated perturbations', default: DEFAULT_PERTURBATIONS },
    seeds: { kind: 'string', value: 'S|auto', description: 'seeds per stochastic perturbation, or auto: seeds per layer until its mean drop is known to ±--precision (statistical fault injection)', default: String(SWEEP_DEFAULTS.seeds) },
    precision: { kind: 'number', value: 'p', description: '--seeds auto: half-width of the 95% interval of a mean drop, as a fraction (0.005 = ±0.5 pp)', default: SEED_RULE_DEFAULTS.precision, min: 1e-9, max: 0.999999 },
    cap: { kind: 'integer', value: 'N', description: `--seeds auto: most seeds per (layer, perturbation); each starts with ${SEED_RULE_DEFAULTS.min}`, default: SEED_RULE_DEFAULTS.cap, min: SEED_RULE_DEFAULTS.min },
    layers: { kind: 'list', value: 'a,b', description: 'only these layers (weight initializer names, see safer inspect)' },
    out: { kind: 'string', value: 'file', description: 'results file (JSON lines, appended)', default: 'safer-sweep.jsonl' },
    batch: { kind: 'integer', value: 'B', description: 'images per onnxruntime run', defaultText: "250, fewer when a batch's largest activation would exceed 64 MiB", min: 1 },
    memory: { kind: 'integer', value: 'MiB', description: 'bound on cached upstream activations', default: SWEEP_DEFAULTS.memoryMiB, min: 1 },
    threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads per job session', defaultText: 'cores / jobs', min: 1 },
    jobs: { kind: 'integer', value: 'J', description: `sessions in flight at once, each running up to ${MAX_BUNDLE} jobs of one layer (interleaved on one thread: onnxruntime-node runs sessions synchronously)`, default: SWEEP_DEFAULTS.jobs, min: 1 },
    adaptive: { kind: 'number', value: 'pp', description: 'stop a perturbation early once its accuracy drop is known to ± this many percentage points', min: 1e-9, max: 99.999 },
    confidence: { kind: 'number', value: 'c', description: 'confidence level of --adaptive intervals', default: ADAPTIVE_CONFIDENCE, min: 1e-9, max: 0.999999 },
    ...QUEUE_OPTIONS,
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io, progress }) {
    const seeds = parseSeeds(options.seeds);
    const seedRule = seeds === 'auto' ? { precision: options.precision, min: SEED_RULE_DEFAULTS.min, cap: options.cap } : undefined;
    if (seedRule && options.queue !== undefined) throw new UsageError('--seeds auto decides seeds from rows as they come; it does not run on a --queue (give --seeds N)');
    if (seedRule && options.adaptive !== undefined) throw new UsageError('--seeds auto and --adaptive are two stopping rules; give one');
    const seedCount = seeds === 'auto' ? Infinity : seeds;
    const paths = resolveModelAndData(positional, options, 'sweep');
    const specs = parsePerturbationList(options.perturb.join(','));
    checkWritableFile(options.out, 'results file');
    const note = noteWriter(options, io.err);
    const data = await openLabeledData(paths, options, note);
    const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
    if (options.queue !== undefined) {
      const queue = options.queue;
      const forgetQueued = onInterrupt(() => `interrupted; the rows collected so far are in ${options.out}; the jobs stay in the queue and its workers go on: run the same command again to collect the rest`);
      const { summary, code } = await queuedSweep({ io, progress, note }, { ...options, seeds: seedCount, queue }, paths, data, prepared, specs, VERSION).finally(forgetQueued);
      const asked = summary.rowsWritten + summary.rowsAlreadyThere > 0
        ? askedRows(readRows([options.out]).rows, { model: prepared.sha256, perturbations: specs, seeds: seedCount, layers: options.layers })
        : [];
      const table = tabulateRows(asked).models.get(prepared.sha256);
      if (options.json) io.out(json({ ...summary, table: table ? tableJson(table) : {} }));
      else if (code === 0) {
        io.out(`${summary.rowsWritten} rows written to ${options.out} in ${summary.seconds.toFixed(1)} s from sweep ${summary.name} (${summary.queue})` +
          (summary.rowsAlreadyThere > 0 ? ` (${summary.rowsAlreadyThere} were already there)` : ''));
        if (table) io.out(renderDrops(table, NaN));
      }
      return code;
    }
    const bar = progress('sweep');
    let plan: { total: number; done: number } | undefined;
    let written = 0;
    const forget = onInterrupt(() => plan
      ? `interrupted; ${plan.done + written} of ${plan.total} rows written to ${options.out}; run again to resume`
      : `interrupted before the first row was measured; run again to resume`);
    const summary = await runSweep({
      prepared,
      data,
      perturbations: specs,
      ...(seedRule ? { seedRule } : { seeds: seedCount }),
      out: options.out,
      memoryBytes: options.memory * 2 ** 20,
      jobs: options.jobs,
      version: VERSION,
      ...(options.layers ? { layers: options.layers } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.batch !== undefined ? { batchSize: options.batch } : {}),
      ...(options.adaptive !== undefined ? { adaptive: { precision: options.adaptive / 100, confidence: options.confidence } } : {}),
      onPlan: (p) => (plan = p),
      onProgress: (p) => {
        written = p.done;
        bar.update(p.done, p.total, `${p.round !== undefined ? `round ${p.round}: ` : ''}${p.layer} ${p.perturbation}`);
      },
      onNote: note,
    }).finally(forget);
    bar.done();
    const read = readRows([options.out]);
    read.notes.forEach(note);
    // The table shows what was asked: a file may also hold rows of earlier runs with other perturbations, seeds or layers.
    const asked = askedRows(read.rows, { model: prepared.sha256, perturbations: specs, seeds: seedCount, layers: options.layers });
    const others = read.rows.length - asked.length;
    if (others > 0) note(`${others} other rows in ${options.out} (other perturbations, seeds, layers or models) are not shown`);
    const table = tabulateRows(asked).models.get(prepared.sha256);
    if (options.json) {
      io.out(json({ ...summary, table: table ? tableJson(table) : {} }));
      return;
    }
    io.out(`${summary.rowsWritten} rows written to ${options.out} in ${summary.seconds.toFixed(1)} s` +
      (summary.rowsAlreadyThere > 0 ? ` (${summary.rowsAlreadyThere} were already there)` : ''));
    for (const s of summary.stochastic) {
      if (s.evaluated === 0 && s.seeds === undefined) continue;
      const seedsText = s.seeds ? `${s.seeds.min === s.seeds.max ? s.seeds.min : `${s.seeds.min}–${s.seeds.max}`} seeds per layer${s.capped ? `, ${s.capped} layer(s) stopped at --cap ${options.cap} wider than ±${options.precision}` : ''}; ` : '';
      io.out(`${s.perturbation}: ${seedsText}${s.weightsUnchanged} of ${s.evaluated} seeds evaluated left the weights unchanged (exact, nothing run)`);
    }
    if (table) io.out(renderDrops(table, summary.baseAccuracy));
  },
});

/** `--seeds`: a positive integer or "auto". */
function parseSeeds(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`--seeds must be a positive integer or "auto", got "${text}"`);
  return n;
}

/** The rows of one model that the run asked for: its perturbations, seeds below `seeds` (0 for deterministic ones), its layers. */
export function askedRows(
  rows: readonly SweepRow[],
  ask: { model: string; perturbations: readonly PerturbationSpec[]; seeds: number; layers?: readonly string[] | undefined },
): SweepRow[] {
  const seedsOf = new Map(ask.perturbations.map((p) => [p.text, isStochastic(p.perturbation) ? ask.seeds : 1]));
  const layers = ask.layers && ask.layers.length > 0 ? new Set(ask.layers) : undefined;
  return rows.filter((r) => r.model_sha256 === ask.model && r.seed < (seedsOf.get(r.perturbation) ?? 0) && r.seed >= 0 && (!layers || layers.has(r.layer)));
}

function tableJson(table: ModelDrops): Record<string, Record<string, { drop: number; std: number; seeds: number }>> {
  const out: Record<string, Record<string, { drop: number; std: number; seeds: number }>> = {};
  for (const layer of table.layers) {
    out[layer] = {};
    for (const [p, drops] of table.perturbations) {
      const c = drops.layers.get(layer);
      if (c) out[layer][p] = { drop: c.drop, std: c.std, seeds: c.seeds };
    }
  }
  return out;
}

/** Accuracy drop in percentage points, layers × perturbations. */
export function renderDrops(table: ModelDrops, baseAccuracy: number): string {
  const perturbations = [...table.perturbations.keys()];
  const rows = table.layers.map((layer) => [
    layer,
    ...perturbations.map((p) => {
      const c = table.perturbations.get(p)?.layers.get(layer);
      if (!c) return '';
      const pp = (100 * c.drop).toFixed(2);
      return c.seeds > 1 ? `${pp}±${(100 * c.std).toFixed(2)}` : pp;
    }),
  ]);
  const base = Number.isFinite(baseAccuracy) ? baseAccuracy : ([...table.perturbations.values()][0]?.baseAccuracy ?? NaN);
  return `accuracy drop in percentage points (base accuracy ${formatPercent(base)}; ±: std over seeds)\n` +
    renderTable(['layer', ...perturbations.map((p) => `>${p}`)], rows);
}
