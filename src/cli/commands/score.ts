import { CRITERIA, CRITERION_FAMILIES, RECOMMENDED, RECOMMENDED_FOR, resolveCriteria, SCORING_DEFAULTS } from '../../criteria/index.js';
import { recommendedInstanceFor } from '../../criteria/criterion-for.js';
import { scoreModel, type ScoredCriterion, type ScoreReport } from '../../criteria/score.js';
import { parsePerturbationList } from '../../perturb/index.js';
import { prepareModelFile } from '../../model/prepare.js';
import { formatSeconds } from '../../benchmark/render.js';
import type { EvalData } from '../../data/index.js';
import { OptionError, UsageError } from '../../errors.js';
import { checkWritableFile, writeFileAtomic } from '../../output/files.js';
import { defineCommand } from '../command.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, noteWriter, openLabeledData, OUTPUT_OPTIONS, resolveModelAndData, THREADS_OPTION } from '../data-options.js';
import { json, renderTable } from '../format.js';

export const score = defineCommand({
  name: 'score',
  summary: 'compute layer-importance criteria for every weight layer of a model',
  usage: `${MODEL_DATA_USAGE} [--criteria default|all|name,... | --for perturbation,...] [--json] [--out scores.json]`,
  details: `Criteria: ${CRITERIA.map((c) => c.id).join(', ')}.\n` +
    `Also accepted: all, default, a family (${CRITERION_FAMILIES.join(', ')}), and id@perturbation for criteria that model one\n` +
    '(e.g. quant-error@quant:8, output-kl@prune:0.5). Higher score = more important (more fragile). Data-driven criteria\n' +
    'use the first --calibration images of the evaluation set; data-free criteria need no --data. Formulas and sources:\n' +
    'docs/criteria/<id>.md. The JSON report is what "safer bench" reads:\n' +
    '{"criteria":[{"name","family","seconds","scores":{"<layer>":<number>}}],"model_sha256",...}.\n' +
    `"default" is the benchmark's recommendation per perturbation kind (docs/benchmark.md): ${Object.entries(RECOMMENDED).map(([kind, c]) => `${kind} ${c}`).join(', ')}.\n` +
    '--for quant:2,prune:0.9 computes, for each perturbation, the criterion the benchmark recommends for one perturbation\n' +
    `of its kind (${Object.entries(RECOMMENDED_FOR).map(([kind, c]) => `${kind} ${c}`).join(', ')}), instanced at that\n` +
    'perturbation where the criterion models one; each result names the perturbation it is for ("for": "quant:2").\n' +
    'Exit code 1 if no criterion could be computed; criteria that fail on this model are listed as warnings.',
  examples: ['safer score', 'safer score model.onnx --data images.npy --labels labels.npy --for quant:2,prune:0.9 --json', 'safer score model.onnx --data images.npy --labels labels.npy --criteria all --out scores.json', 'safer score model.onnx --criteria data-free'],
  options: {
    ...DATA_OPTIONS,
    criteria: { kind: 'list', value: 'name,..', description: 'criteria to compute', default: ['default'] },
    for: { kind: 'list', value: 'p,..', description: 'the perturbations you plan (e.g. quant:2,prune:0.9): the recommended criterion for each, instanced at it' },
    calibration: { kind: 'integer', value: 'N', description: 'calibration images for data-driven criteria', default: SCORING_DEFAULTS.calibration, min: 1 },
    seed: { kind: 'integer', value: 'S', description: 'seed of every random choice', default: SCORING_DEFAULTS.seed },
    'gradient-batch': { kind: 'integer', value: 'B', description: 'mini-batch size of the Fisher estimates (fisher, fisher-obd, ggn-trace, hawq-v2-ggn)', default: SCORING_DEFAULTS.gradientBatch, min: 1 },
    'hutchinson-samples': { kind: 'integer', value: 'S', description: 'samples of the trace estimators (hutchinson-trace, hawq-v2, ggn-trace, hawq-v2-ggn)', default: SCORING_DEFAULTS.hutchinsonSamples, min: 1 },
    'integration-steps': { kind: 'integer', value: 'M', description: 'intervals of the integrated-gradients path (trapezoid rule)', default: SCORING_DEFAULTS.integrationSteps, min: 1 },
    ...THREADS_OPTION,
    out: { kind: 'string', value: 'file', description: 'also write the JSON report to this file' },
    ...OUTPUT_OPTIONS,
  },
  async run({ options, positional, io, progress, argv }) {
    const asked = options.for ? parsePerturbationList(options.for.join(',')) : undefined;
    if (asked && argv.some((a) => a === '--criteria' || a.startsWith('--criteria='))) throw new UsageError('--criteria and --for both choose the criteria: give one');
    const forInstances = asked?.map((spec) => ({ spec, instance: recommendedInstanceFor(spec) }));
    const instances = forInstances ? [...new Map(forInstances.map((f) => [f.instance.name, f.instance])).values()] : resolveCriteria(options.criteria);
    const needsData = instances.some((i) => i.criterion.needs.data);
    const [first] = positional;
    let model: string;
    let data: EvalData | undefined;
    if (first !== undefined && options.data === undefined && !needsData) {
      if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}" for "safer score"`);
      model = first;
    } else {
      const paths = resolveModelAndData(positional, options, 'score');
      model = paths.model;
      data = await openLabeledData(paths, options, noteWriter(options, io.err));
    }
    if (options.out !== undefined) checkWritableFile(options.out, 'score report');
    const bar = progress('score');
    const prepared = await prepareModelFile(model, data ? { sampleShape: data.sampleShape, samples: data.description } : {});
    const computed = await scoreModel(prepared, instances, {
      calibration: options.calibration,
      gradientBatch: options['gradient-batch'],
      hutchinsonSamples: options['hutchinson-samples'],
      integrationSteps: options['integration-steps'],
      seed: options.seed,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(data ? { data } : {}),
      onCriterion: (name, index, total) => bar.update(index, total, name),
    });
    bar.done();
    // --for: one result per perturbation asked, in its order (two may share one computed instance).
    const report = forInstances
      ? { ...computed, criteria: forInstances.map((f) => ({ ...(computed.criteria.find((c) => c.name === f.instance.name) as ScoredCriterion), for: f.spec.text })) }
      : computed;
    const failed = report.criteria.filter((c) => c.error !== undefined);
    if (failed.length === report.criteria.length) {
      throw new OptionError(`no criterion could be computed on ${model}: ${failed[0]?.error ?? ''}`);
    }
    const note = noteWriter(options, io.err);
    const byError = new Map<string, string[]>();
    for (const c of failed) byError.set(c.error as string, [...(byError.get(c.error as string) ?? []), c.name]);
    for (const [error, names] of byError) note(`warning: ${names.length === 1 ? `${names[0]} could not be computed` : `${names.length} criteria could not be computed (${names.join(', ')})`}: ${error}`);
    if (options.out !== undefined) writeFileAtomic(options.out, json(report) + '\n');
    if (options.json) {
      io.out(json(report));
      return;
    }
    io.out(renderScoreText(report));
    if (options.out !== undefined) io.out(`\nwrote ${options.out}`);
  },
});

/** Layers × criteria as ranks (1 = most important), with each criterion's cost underneath. */
export function renderScoreText(report: ScoreReport): string {
  const lines = [`model ${report.model}`, `data  ${report.data ?? '(none: data-free criteria only)'}${report.calibration !== null ? `, ${report.calibration} calibration images` : ''}`, ''];
  const ranks = report.criteria.map((c) => rankOf(report.layers.map((l) => c.scores[l] ?? null)));
  const headers = ['>#', 'layer', ...report.criteria.map((_, i) => `>c${i + 1}`)];
  const rows = report.layers.map((layer, li) => [String(li), layer, ...ranks.map((r) => r[li] ?? '')]);
  lines.push('rank of each layer per criterion (1 = most important; – = no score):', renderTable(headers, rows), '');
  lines.push(renderTable(['>', 'criterion', 'family', '>cost', '>forward', '>backward'], report.criteria.map((c, i) => [
    `c${i + 1}`, c.for !== undefined ? `${c.name} (for ${c.for})` : c.name, c.family, formatSeconds(c.seconds), String(c.passes.forward), String(c.passes.backward),
  ])));
  lines.push('', 'cost: seconds to compute the criterion alone; forward/backward: images passed through the model.');
  return lines.join('\n');
}

function rankOf(scores: readonly (number | null)[]): string[] {
  const order = scores.map((s, i) => ({ s, i })).filter((x): x is { s: number; i: number } => x.s !== null).sort((a, b) => b.s - a.s);
  const out = scores.map(() => '–');
  let position = 0;
  while (position < order.length) {
    let end = position + 1;
    while (end < order.length && order[end]?.s === order[position]?.s) end++;
    const label = end - position > 1 ? `${position + 1}=` : String(position + 1);
    for (let k = position; k < end; k++) out[(order[k] as { i: number }).i] = label;
    position = end;
  }
  return out;
}
