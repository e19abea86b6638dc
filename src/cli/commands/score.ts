import { writeFileSync } from 'node:fs';
import { CRITERIA, CRITERION_FAMILIES, RECOMMENDED, resolveCriteria, SCORING_DEFAULTS } from '../../criteria/index.js';
import { scoreModel, type ScoreReport } from '../../criteria/score.js';
import { prepareModelFile } from '../../model/prepare.js';
import { formatSeconds } from '../../benchmark/render.js';
import type { EvalData } from '../../data/index.js';
import { OptionError } from '../../errors.js';
import { DATA_OPTIONS, MODEL_DATA_USAGE, openLabeledData, resolveModelAndData } from '../data-options.js';
import { json, renderTable } from '../format.js';
import { createProgress } from '../progress.js';
import type { Command } from '../command.js';

export const score: Command = {
  name: 'score',
  summary: 'compute layer-importance criteria for every weight layer of a model',
  usage: `${MODEL_DATA_USAGE} [--criteria default|all|name,...] [--json] [--out scores.json]`,
  details: `Criteria: ${CRITERIA.map((c) => c.id).join(', ')}.\n` +
    `Also accepted: all, default, a family (${CRITERION_FAMILIES.join(', ')}), and id@perturbation for criteria that model one\n` +
    '(e.g. quant-error@quant:8, output-kl@prune:0.5). Higher score = more important (more fragile). Data-driven criteria\n' +
    'use the first --calibration images of the evaluation set; data-free criteria need no --data. Formulas and sources:\n' +
    'docs/criteria/<id>.md. The JSON report is what "safer bench" reads.',
  options: {
    ...DATA_OPTIONS,
    criteria: { kind: 'list', value: 'name,..', description: 'criteria to compute', defaultText: `"default": the benchmark's recommendation per perturbation family (docs/benchmark.md): ${Object.entries(RECOMMENDED).map(([f, c]) => `${f} ${c}`).join(', ')}` },
    calibration: { kind: 'integer', value: 'N', description: 'calibration images for data-driven criteria', defaultText: String(SCORING_DEFAULTS.calibration) },
    seed: { kind: 'integer', value: 'S', description: 'seed of every random choice', defaultText: String(SCORING_DEFAULTS.seed) },
    'gradient-batch': { kind: 'integer', value: 'B', description: 'mini-batch size of the Fisher estimates (fisher, fisher-obd, ggn-trace, hawq-v2-ggn)', defaultText: String(SCORING_DEFAULTS.gradientBatch) },
    'hutchinson-samples': { kind: 'integer', value: 'S', description: 'samples of the trace estimators (hutchinson-trace, hawq-v2, ggn-trace, hawq-v2-ggn)', defaultText: String(SCORING_DEFAULTS.hutchinsonSamples) },
    'integration-steps': { kind: 'integer', value: 'M', description: 'intervals of the integrated-gradients path (trapezoid rule)', defaultText: String(SCORING_DEFAULTS.integrationSteps) },
    threads: { kind: 'integer', value: 'T', description: 'onnxruntime threads', defaultText: 'all cores' },
    json: { kind: 'boolean', description: 'print the JSON report: {"criteria":[{"name","family","seconds","scores":{...}}],"model_sha256",...}' },
    out: { kind: 'string', value: 'file', description: 'also write the JSON report to this file' },
  },
  async run(options, io) {
    const instances = resolveCriteria(options.list('criteria') ?? ['default']);
    const needsData = instances.some((i) => i.criterion.needs.data);
    const [positional] = options.positional;
    let model: string;
    let data: EvalData | undefined;
    if (positional !== undefined && options.string('data') === undefined && !needsData) {
      if (options.positional.length > 1) throw new OptionError(`unexpected argument "${options.positional[1]}" for "safer score"`);
      model = positional;
    } else {
      const paths = resolveModelAndData(options, 'score');
      model = paths.model;
      data = await openLabeledData(paths, options);
    }
    const seed = options.number('seed');
    if (seed !== undefined && !Number.isSafeInteger(seed)) throw new OptionError(`--seed must be an integer, got ${seed}`);
    const threads = options.positiveInt('threads');
    const progress = createProgress('score');
    const prepared = await prepareModelFile(model, data ? { sampleShape: data.sampleShape, samples: data.description } : {});
    const report = await scoreModel(prepared, instances, {
      calibration: options.positiveInt('calibration', SCORING_DEFAULTS.calibration),
      gradientBatch: options.positiveInt('gradient-batch', SCORING_DEFAULTS.gradientBatch),
      hutchinsonSamples: options.positiveInt('hutchinson-samples', SCORING_DEFAULTS.hutchinsonSamples),
      integrationSteps: options.positiveInt('integration-steps', SCORING_DEFAULTS.integrationSteps),
      ...(seed !== undefined ? { seed } : {}),
      ...(threads !== undefined ? { threads } : {}),
      ...(data ? { data } : {}),
      onCriterion: (name, index, total) => progress.update(index, total, name),
    });
    progress.done();
    for (const c of report.criteria) if (c.error !== undefined) io.err(`warning: ${c.name} could not be computed: ${c.error}`);
    const out = options.string('out');
    if (out !== undefined) writeFileSync(out, json(report) + '\n');
    if (options.flag('json')) {
      io.out(json(report));
      return;
    }
    io.out(renderScoreText(report));
    if (out !== undefined) io.out(`\nwrote ${out}`);
  },
};

/** Layers × criteria as ranks (1 = most important), with each criterion's cost underneath. */
export function renderScoreText(report: ScoreReport): string {
  const lines = [`model ${report.model}`, `data  ${report.data ?? '(none: data-free criteria only)'}${report.calibration !== null ? `, ${report.calibration} calibration images` : ''}`, ''];
  const ranks = report.criteria.map((c) => rankOf(report.layers.map((l) => c.scores[l] ?? null)));
  const headers = ['>#', 'layer', ...report.criteria.map((_, i) => `>c${i + 1}`)];
  const rows = report.layers.map((layer, li) => [String(li), layer, ...ranks.map((r) => r[li] ?? '')]);
  lines.push('rank of each layer per criterion (1 = most important; – = no score):', renderTable(headers, rows), '');
  lines.push(renderTable(['>', 'criterion', 'family', '>cost', '>forward', '>backward'], report.criteria.map((c, i) => [
    `c${i + 1}`, c.name, c.family, formatSeconds(c.seconds), String(c.passes.forward), String(c.passes.backward),
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
