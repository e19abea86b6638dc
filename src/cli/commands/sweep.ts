import { prepareModelFile } from '../../model/prepare.js';
import { parsePerturbationList } from '../../perturb/index.js';
import { OptionError } from '../../errors.js';
import { readRows } from '../../rows/read.js';
import { tabulateRows, type ModelDrops } from '../../rows/summary.js';
import { runSweep } from '../../sweep/run.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, openLabeledData, resolveModelAndData } from '../data-options.js';
import { formatPercent, json, renderTable } from '../format.js';
import { createProgress } from '../progress.js';
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';

export const DEFAULT_PERTURBATIONS = 'prune:0.5,prune:0.9,quant:4,quant:2,quantc:4';

export const sweep: Command = {
  name: 'sweep',
  summary: 'ground truth: perturb one layer at a time and measure the accuracy drop',
  usage: `${MODEL_DATA_USAGE} [--perturb prune:0.5,quant:4,...] [--seeds 5] [--layers a,b] [--out results.jsonl]`,
  details: [
    'For every weight layer and perturbation (and seed, for stochastic ones) the layer alone is perturbed and the',
    'model evaluated on the whole data set. Perturbations (exact definitions in docs/design.md):',
    '  prune:r  magnitude pruning of a fraction r      prunec:r   pruning of output channels by L2 norm',
    '  quant:b  symmetric per-tensor b-bit quantization quantc:b  the same per output channel',
    '  bitflip:p   float32 bit error rate p            bitflip8:p  bit error rate p on int8 codes (quantc:8)',
    '  noise:s  Gaussian noise of s × std(w)',
    'One JSON line per (layer, perturbation, seed) is appended to --out. The run is resumable: started again with',
    'the same arguments after an interruption (even kill -9), it continues where it stopped.',
  ].join('\n'),
  options: {
    ...DATA_OPTIONS,
    perturb: { kind: 'list', value: 'list', description: 'comma-separated perturbations', defaultText: DEFAULT_PERTURBATIONS },
    seeds: { kind: 'integer', value: 'S', description: 'seeds per stochastic perturbation', defaultText: '5' },
    layers: { kind: 'list', value: 'a,b', description: 'only these layers (weight initializer names, see safer inspect)' },
    out: { kind: 'string', value: 'file', description: 'results file (JSON lines, appended)', defaultText: 'safer-sweep.jsonl' },
    batch: { kind: 'integer', value: 'B', description: 'images per onnxruntime run', defaultText: "250, fewer when a batch's largest activation would exceed 64 MiB" },
    memory: { kind: 'integer', value: 'MiB', description: 'bound on cached upstream activations', defaultText: '2048' },
    threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads per job session', defaultText: 'cores / jobs' },
    jobs: { kind: 'integer', value: 'J', description: 'jobs in flight at once (interleaved on one thread: onnxruntime-node runs sessions synchronously)', defaultText: '1' },
    adaptive: { kind: 'number', value: 'pp', description: 'stop a perturbation early once its accuracy drop is known to ± this many percentage points' },
    confidence: { kind: 'number', value: 'c', description: 'confidence level of --adaptive intervals', defaultText: '0.95' },
    json: { kind: 'boolean', description: 'print a JSON summary instead of the table' },
  },
  async run(options, io) {
    const paths = resolveModelAndData(options, 'sweep');
    const specs = parsePerturbationList((options.list('perturb') ?? [DEFAULT_PERTURBATIONS]).join(','));
    if (specs.length === 0) throw new OptionError('--perturb needs at least one perturbation, e.g. prune:0.5,quant:4');
    const out = options.string('out') ?? 'safer-sweep.jsonl';
    const adaptivePp = options.number('adaptive');
    const confidence = options.number('confidence') ?? 0.95;
    if (adaptivePp !== undefined && !(adaptivePp > 0 && adaptivePp < 100)) throw new OptionError(`--adaptive must be a precision in percentage points in (0, 100), got ${adaptivePp}`);
    if (!(confidence > 0 && confidence < 1)) throw new OptionError(`--confidence must be in (0, 1), got ${confidence}`);
    const data = await openLabeledData(paths, options);
    const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
    const progress = createProgress('sweep');
    const threads = options.positiveInt('threads');
    const jobs = options.positiveInt('jobs');
    const batch = options.positiveInt('batch');
    const layers = options.list('layers');
    const summary = await runSweep({
      prepared,
      data,
      perturbations: specs,
      seeds: options.positiveInt('seeds', 5),
      out,
      memoryBytes: options.positiveInt('memory', 2048) * 2 ** 20,
      ...(jobs !== undefined ? { jobs } : {}),
      version: VERSION,
      ...(layers ? { layers } : {}),
      ...(threads !== undefined ? { threads } : {}),
      ...(batch !== undefined ? { batchSize: batch } : {}),
      ...(adaptivePp !== undefined ? { adaptive: { precision: adaptivePp / 100, confidence } } : {}),
      onProgress: (p) => progress.update(p.done, p.total, `${p.layer} ${p.perturbation}`),
      onNote: (note) => io.err(note),
    });
    progress.done();
    const read = readRows([out]);
    for (const note of read.notes) io.err(note);
    const table = tabulateRows(read.rows).models.get(prepared.sha256);
    if (options.flag('json')) {
      io.out(json({ ...summary, table: table ? tableJson(table) : {} }));
      return;
    }
    io.out(`${summary.rowsWritten} rows written to ${out} in ${summary.seconds.toFixed(1)} s` +
      (summary.rowsAlreadyThere > 0 ? ` (${summary.rowsAlreadyThere} were already there)` : ''));
    if (table) io.out(renderDrops(table, summary.baseAccuracy));
  },
};

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
