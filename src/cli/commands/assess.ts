import { assessModel, type AssessReport } from '../../assess/assess.js';
import { DEFAULT_CRITERIA, resolveCriteria } from '../../criteria/index.js';
import { OptionError } from '../../errors.js';
import { prepareModelFile } from '../../model/prepare.js';
import { parsePerturbationList } from '../../perturb/index.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, openLabeledData, resolveModelAndData } from '../data-options.js';
import { formatCount, json, renderTable } from '../format.js';
import { createProgress } from '../progress.js';
import { VERSION } from '../../version.js';
import type { Command } from '../command.js';

export const DEFAULT_ASSESS_PERTURBATIONS = 'prune:0.5,quant:4,quantc:4,bitflip:1e-5';

export const assess: Command = {
  name: 'assess',
  summary: 'the main job: which layers can be compressed, and which must be protected',
  usage: `${MODEL_DATA_USAGE} [--perturb list] [--out dir] [--tolerance pp]`,
  details: [
    'Measures the accuracy drop of every layer under each perturbation (a resumable `safer sweep`), computes the',
    'layer-importance criteria (`safer score`), and writes a report: per layer, whether it can be compressed',
    '(every compression perturbation costs at most --tolerance) and whether it needs protection (a fault',
    'perturbation costs more), and which criterion ranked the layers like the measurement did.',
    'Without arguments, assesses the bundled model on its bundled 2,000-image subset.',
  ].join('\n'),
  options: {
    ...DATA_OPTIONS,
    perturb: { kind: 'list', value: 'list', description: 'perturbations (compression: prune, prunec, quant, quantc; faults: bitflip, bitflip8, noise)', defaultText: DEFAULT_ASSESS_PERTURBATIONS },
    seeds: { kind: 'integer', value: 'S', description: 'seeds per stochastic perturbation', defaultText: '3' },
    criteria: { kind: 'list', value: 'name,..', description: 'criteria to compute (see safer score --help)', defaultText: 'default' },
    tolerance: { kind: 'number', value: 'pp', description: 'largest accuracy drop, in percentage points, that counts as harmless', defaultText: '0.5' },
    out: { kind: 'string', value: 'dir', description: 'folder for sweep.jsonl, scores.json, report.md and report.json', defaultText: 'safer-report' },
    threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads', defaultText: 'all cores' },
    json: { kind: 'boolean', description: 'print the JSON report' },
  },
  async run(options, io) {
    const paths = resolveModelAndData(options, 'assess');
    const perturbations = parsePerturbationList((options.list('perturb') ?? [DEFAULT_ASSESS_PERTURBATIONS]).join(','));
    if (perturbations.length === 0) throw new OptionError('--perturb needs at least one perturbation, e.g. prune:0.5,quant:4');
    const tolerance = options.number('tolerance') ?? 0.5;
    if (!(tolerance >= 0 && tolerance < 100)) throw new OptionError(`--tolerance must be in [0, 100) percentage points, got ${tolerance}`);
    const criteria = resolveCriteria(options.list('criteria') ?? [...DEFAULT_CRITERIA]);
    const data = await openLabeledData(paths, options);
    const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
    const progress = createProgress('assess');
    const threads = options.positiveInt('threads');
    const report = await assessModel({
      prepared,
      data,
      perturbations,
      seeds: options.positiveInt('seeds', 3),
      criteria,
      tolerance: tolerance / 100,
      outDir: options.string('out') ?? 'safer-report',
      version: VERSION,
      ...(threads !== undefined ? { threads } : {}),
      onProgress: (stage, done, total) => progress.update(done, total, stage),
      onNote: (note) => io.err(note),
    });
    progress.done();
    if (options.flag('json')) {
      io.out(json(report));
      return;
    }
    io.out(renderAssessText(report));
  },
};

const pp = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : (100 * x).toFixed(2));

export function renderAssessText(r: AssessReport): string {
  const rows = r.layers.map((l) => [
    String(l.index), l.name, l.op, formatCount(l.params),
    ...r.perturbations.map((p) => {
      const c = l.drops[p];
      return c ? (c.seeds > 1 ? `${pp(c.drop)}±${pp(c.std)}` : pp(c.drop)) : '-';
    }),
    l.compress ? 'compress' : 'keep', l.protect ? 'PROTECT' : '',
  ]);
  const best = r.perturbations.map((p) => {
    const ranked = r.criteria.filter((c) => c.spearman[p] !== null && c.spearman[p] !== undefined)
      .sort((a, b) => (b.spearman[p] as number) - (a.spearman[p] as number));
    const top = ranked[0];
    return top ? `  ${p}: ${top.name} (ρ = ${(top.spearman[p] as number).toFixed(2)}, ${top.seconds.toFixed(2)} s)` : `  ${p}: -`;
  });
  return [
    `${r.model} on ${r.images} images: base accuracy ${pp(r.baseAccuracy)}%`,
    `accuracy drop in percentage points when one layer alone is perturbed (±: std over seeds); harmless ≤ ${pp(r.tolerance)} pp`,
    'compression: "compress" if every pruning/quantization drop is harmless, else "keep" (full precision); ' +
      'faults: "PROTECT" if a bit-flip or noise drop is not harmless',
    '',
    renderTable(['>#', 'layer', 'op', '>params', ...r.perturbations.map((p) => `>${p}`), 'compression', 'faults'], rows),
    '',
    `criterion that best ranked the layers like the measurement, per perturbation (Spearman ρ over ${r.layers.length} layers):`,
    ...best,
    '',
    `report: ${r.files.report} (also ${r.files.json}; ground truth ${r.files.sweep}, criteria ${r.files.scores})`,
  ].join('\n');
}
