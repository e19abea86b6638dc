import { ASSESS_DEFAULTS, assessModel, type AssessReport } from '../../assess/assess.js';
import { resolveCriteria } from '../../criteria/index.js';
import { prepareModelFile } from '../../model/prepare.js';
import { ensureWritableFolder } from '../../output/files.js';
import { parsePerturbationList, perturbationHelp } from '../../perturb/index.js';
import { VERSION } from '../../version.js';
import { defineCommand } from '../command.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, noteWriter, openLabeledData, OUTPUT_OPTIONS, resolveModelAndData, THREADS_OPTION } from '../data-options.js';
import { formatCount, json, renderTable } from '../format.js';
import { onInterrupt } from '../interrupt.js';

export const assess = defineCommand({
  name: 'assess',
  summary: 'the main job: which layers can be compressed, and which must be protected',
  usage: `${MODEL_DATA_USAGE} [--perturb list] [--out dir] [--tolerance pp]`,
  details: [
    'Measures the accuracy drop of every layer under each perturbation (a resumable `safer sweep`), computes the',
    'layer-importance criteria (`safer score`), and writes a report: per layer, whether it can be compressed',
    '(every compression perturbation costs at most --tolerance) and whether it needs protection (a fault',
    'perturbation costs more), and which criterion ranked the layers like the measurement did.',
    'Without arguments, assesses the bundled model on its bundled 2,000-image subset. Perturbations:',
    perturbationHelp(),
  ].join('\n'),
  examples: ['safer assess', 'safer assess model.onnx --data x.npy --labels y.npy --perturb prune:0.7,quantc:4,bitflip:1e-5 --out report'],
  options: {
    ...DATA_OPTIONS,
    perturb: { kind: 'list', value: 'list', description: 'perturbations to measure', default: ASSESS_DEFAULTS.perturbations },
    seeds: { kind: 'integer', value: 'S', description: 'seeds per stochastic perturbation', default: ASSESS_DEFAULTS.seeds, min: 1 },
    criteria: { kind: 'list', value: 'name,..', description: 'criteria to compute (see safer score --help)', default: ['default'] },
    budgets: { kind: 'boolean', description: 'make one plan per budget kind, with its baselines and curves (--no-budgets: sweep, criteria and verdicts only)', default: true },
    tolerance: { kind: 'number', value: 'pp', description: 'largest accuracy drop, in percentage points, that counts as harmless', default: 100 * ASSESS_DEFAULTS.tolerance, min: 0, max: 99.999 },
    out: { kind: 'string', value: 'dir', description: 'folder for sweep.jsonl, scores.json, report.md and report.json', default: ASSESS_DEFAULTS.outDir },
    ...THREADS_OPTION,
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, argv, io, progress }) {
    const paths = resolveModelAndData(positional, options, 'assess');
    const perturbations = parsePerturbationList(options.perturb.join(','));
    const criteria = resolveCriteria(options.criteria);
    ensureWritableFolder(options.out, 'report folder');
    const data = await openLabeledData(paths, options, noteWriter(options, io.err));
    const prepared = await prepareModelFile(paths.model, { sampleShape: data.sampleShape, samples: data.description });
    const bar = progress('assess');
    const forget = onInterrupt(() => `interrupted; the rows measured so far are kept in ${options.out}; run again to resume`);
    const report = await assessModel({
      prepared,
      data,
      perturbations,
      seeds: options.seeds,
      criteria,
      tolerance: options.tolerance / 100,
      outDir: options.out,
      version: VERSION,
      command: ['safer', 'assess', ...argv].join(' '),
      noBudgets: !options.budgets,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      onProgress: (stage, done, total) => bar.update(done, total, stage),
      onNote: noteWriter(options, io.err),
    }).finally(forget);
    bar.done();
    if (options.json) {
      io.out(json(report));
      return;
    }
    io.out(renderAssessText(report));
  },
});

const pp = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : (100 * x).toFixed(2));

const half = (c: { interval: [number, number] | null }): string => (c.interval ? pp((c.interval[1] - c.interval[0]) / 2) : '?');

export function renderAssessText(r: AssessReport): string {
  const rows = r.layers.map((l) => [
    String(l.index), l.name, l.op, formatCount(l.params),
    ...r.perturbations.map((p) => {
      const c = l.drops[p];
      return c ? `${pp(c.drop)}±${half(c)}` : '-';
    }),
    { yes: 'compress', no: 'keep', uncertain: 'uncertain' }[l.compress], { yes: 'PROTECT', no: '', uncertain: 'uncertain' }[l.protect],
  ]);
  const uncertain = r.layers.filter((l) => l.evidence !== null);
  const best = r.perturbations.map((p) => {
    const ranked = r.criteria.filter((c) => c.spearman[p] !== null && c.spearman[p] !== undefined)
      .sort((a, b) => (b.spearman[p] as number) - (a.spearman[p] as number));
    const top = ranked[0];
    return top ? `  ${p}: ${top.name} (ρ = ${(top.spearman[p] as number).toFixed(2)}, ${top.seconds.toFixed(2)} s)` : `  ${p}: -`;
  });
  const plans = r.plans.map((plan) => {
    const baselines = Object.entries(plan.baselines).filter((e): e is [string, number] => e[1] !== null);
    const best = baselines.sort((a, b) => b[1] - a[1])[0];
    return `  ${plan.kind}: ${pp(plan.accuracy)}% (${plan.file})${best ? `; best baseline ${best[0]} ${pp(best[1])}%` : ''}`;
  });
  return [
    `${r.model} on ${r.images} images: base accuracy ${pp(r.baseAccuracy)}%`,
    `accuracy drop in percentage points when one layer alone is perturbed (± half the 95% interval: paired over the images, and over seeds); harmless ≤ ${pp(r.tolerance)} pp`,
    'compression: "compress" if the mildest level of every pruning/quantization family is harmless, "keep" if one is not; ' +
      'faults: "PROTECT" if a bit-flip or noise interval lies above harmless; "uncertain" where an interval spans it',
    '',
    renderTable(['>#', 'layer', 'op', '>params', ...r.perturbations.map((p) => `>${p}`), 'compression', 'faults'], rows),
    ...(uncertain.length > 0 ? ['', 'uncertain verdicts:', ...uncertain.map((l) => `  ${l.name}: ${l.evidence}`)] : []),
    '',
    `criterion that best ranked the layers like the measurement, per perturbation (Spearman ρ over ${r.layers.length} layers; with so few layers ρ is coarse: docs/benchmark.md ranks them over the zoo):`,
    ...best,
    ...(plans.length > 0 ? ['', 'budget plans (accuracy of the written model on the evaluation set):', ...plans] : []),
    '',
    `report: ${r.files.report} (also ${r.files.markdown}, ${r.files.json}; ground truth ${r.files.sweep}, criteria ${r.files.scores}, verdicts ${r.files.assess}) in ${r.seconds.total.toFixed(1)} s`,
  ].join('\n');
}
