/**
 * The ground-truth sweep: for every (layer, perturbation, seed), perturb that layer alone and
 * evaluate the model. Exact over the whole data set by default.
 *
 * The jobs run through the graph-cut engine (src/cut): a group of layers shares one prefix pass per
 * batch, and each job runs only the part of the graph from its layer on. Memory for cached frontier
 * values stays under `memoryBytes`: layers are grouped, and a layer whose frontier alone exceeds it
 * is processed in chunks of the data, its jobs continuing across chunks. The evaluation itself is
 * `SweepEvaluator`'s (evaluator.ts), which queue workers share; this file adds the plan, the resume
 * and the results file.
 */
import { OptionError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { isStochastic } from '../perturb/index.js';
import { readRows } from '../rows/read.js';
import { ResultsFile } from '../rows/results-file.js';
import { rowKey } from '../rows/row.js';
import { defaultThreads, type SessionOptions } from '../runtime/session.js';
import { SweepEvaluator } from './evaluator.js';
import { SWEEP_DEFAULTS, type StochasticSummary, type SweepOptions, type SweepSummary, type SweepTiming } from './options.js';
import { explicitJobs, planJobs, selectLayers, type SweepJob } from './plan.js';
import { seedHalfWidth, seedRuleProblem, seedsWanted } from './seed-rule.js';
import { shuffledInMemory } from './shuffled.js';

/** Seed of the image order in adaptive mode (fixed, so adaptive runs are reproducible). */
const ADAPTIVE_ORDER_SEED = 0x5afe;

export async function runSweep(options: SweepOptions): Promise<SweepSummary> {
  const started = performance.now();
  const { prepared } = options;
  const seeds = options.seeds ?? SWEEP_DEFAULTS.seeds;
  const rule = options.seedRule;
  if (rule && options.only) throw new OptionError('--seeds auto decides the seeds itself: it does not take an explicit list of jobs');
  const problem = rule ? seedRuleProblem(rule) : undefined;
  if (problem) throw new OptionError(problem);
  const memoryBytes = options.memoryBytes ?? SWEEP_DEFAULTS.memoryMiB * 2 ** 20;
  // Adaptive stopping needs images in random order, and checks after every (smaller) batch.
  const data = options.adaptive ? await shuffledInMemory(options.data, ADAPTIVE_ORDER_SEED, memoryBytes) : options.data;
  const jobsAtOnce = options.jobs ?? SWEEP_DEFAULTS.jobs;
  const session: SessionOptions = { threads: options.threads ?? Math.max(1, Math.floor(defaultThreads() / jobsAtOnce)) };
  const wholeMachine: SessionOptions = { threads: defaultThreads() };

  const layers = selectLayers(prepared.layers, options.layers, prepared.source);
  const identity = { model: prepared.source, model_sha256: prepared.sha256, data_sha256: await data.fingerprint(), version: options.version };
  const timing: SweepTiming = { base: 0, frontier: 0, perturb: 0, sessions: 0, runs: 0, metrics: 0 };
  const { file, done, repairedBytes, rowsFound } = ResultsFile.open(options.out, identity, options.onNote);
  if (repairedBytes > 0) options.onNote?.(`${options.out}: removed a half-written last line (${repairedBytes} bytes) left by an interrupted run`);
  const written = new Set(done);
  // --seeds auto: the drops of every (layer, perturbation) by seed, from the rows already in the file and as they come.
  const drops = new Map<string, Map<number, number>>();
  const dropKey = (layer: string, perturbation: string) => `${layer}\u0000${perturbation}`;
  const record = (layer: string, perturbation: string, seed: number, drop: number) => {
    const key = dropKey(layer, perturbation);
    drops.set(key, (drops.get(key) ?? new Map<number, number>()).set(seed, drop));
  };
  let baseAccuracy: number | undefined;
  if (rule && rowsFound > 0) {
    for (const row of readRows([options.out]).rows) {
      if (row.model_sha256 !== prepared.sha256 || row.data_sha256 !== identity.data_sha256) continue;
      record(row.layer, row.perturbation, row.seed, row.base_accuracy - row.accuracy);
      baseAccuracy = row.base_accuracy;
    }
  }
  /** The rule of three's effect size for a perturbation: its largest drop on any layer so far, or the base accuracy. */
  const worstDrop = (perturbation: string): number => {
    let worst = 0;
    for (const layer of layers) for (const d of drops.get(dropKey(layer.name, perturbation))?.values() ?? []) worst = Math.max(worst, d);
    return worst > 0 ? worst : (baseAccuracy ?? evaluator?.base.accuracy ?? 1);
  };
  /** Seeds 0, 1, ... that have a drop, up to the first missing one. */
  const contiguousDrops = (layer: string, perturbation: string): number[] => {
    const bySeed = drops.get(dropKey(layer, perturbation));
    const out: number[] = [];
    while (bySeed?.has(out.length)) out.push(bySeed.get(out.length) as number);
    return out;
  };
  const plan = (): SweepJob[] => {
    if (options.only) return explicitJobs(layers, options.perturbations, options.only);
    if (!rule) return planJobs(layers, options.perturbations, seeds);
    const worst = new Map(options.perturbations.map((spec) => [spec.text, worstDrop(spec.text)]));
    return layers.flatMap((layer) => options.perturbations.flatMap((spec) => {
      const wanted = isStochastic(spec.perturbation) ? seedsWanted(contiguousDrops(layer.name, spec.text), rule, worst.get(spec.text) as number) : 1;
      return Array.from({ length: wanted }, (_, seed) => ({ layer, spec, seed }));
    }));
  };
  const stochastic = new Map<string, StochasticSummary>(
    options.perturbations.filter((p) => isStochastic(p.perturbation)).map((p) => [p.text, { perturbation: p.text, evaluated: 0, weightsUnchanged: 0 }]),
  );
  const summary = { out: options.out, timing, rowsWritten: 0, rowsAlreadyThere: rowsFound, repairedBytes, baseAccuracy: NaN, baseLoss: NaN, seconds: 0 };
  let evaluator: SweepEvaluator | undefined;
  try {
    // One round without --seeds auto; with it, rounds until every (layer, perturbation) has the seeds it wants.
    for (let round = 0; ; round++) {
      const all = plan();
      const pending = all.filter((j) => !written.has(rowKey({ layer: j.layer.name, perturbation: j.spec.text, seed: j.seed })));
      if (round === 0) {
        if (rowsFound > 0) options.onNote?.(`${options.out}: ${rowsFound} rows already there; ${pending.length} of ${all.length} to go${rule ? ' in the first round' : ''}`);
        options.onPlan?.({ total: all.length, done: all.length - pending.length });
      }
      if (pending.length === 0) break;
      evaluator ??= await SweepEvaluator.create(prepared, data, {
        // Later rounds of --seeds auto may ask for any layer: the engine is built over all of them at once.
        layers: rule ? layers : layersOf(pending),
        memoryBytes,
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        session,
        prefix: wholeMachine,
        jobsAtOnce,
        ...(options.adaptive ? { adaptive: options.adaptive } : {}),
      });
      const current = evaluator;
      let finished = 0;
      await current.evaluate(pending, (job, result) => {
        const row = current.row(job, result, identity);
        file.append(row);
        written.add(rowKey(row));
        record(row.layer, row.perturbation, row.seed, row.base_accuracy - row.accuracy);
        const s = stochastic.get(row.perturbation);
        if (s) {
          s.evaluated++;
          if (result.weightsUnchanged) s.weightsUnchanged++;
        }
        summary.rowsWritten++;
        finished++;
        options.onProgress?.({ done: finished, total: pending.length, layer: job.layer.name, perturbation: job.spec.text, ...(rule ? { round: round + 1 } : {}) });
      });
      if (!rule) break;
    }
    if (rule) {
      for (const s of stochastic.values()) {
        const counts = layers.map((l) => contiguousDrops(l.name, s.perturbation));
        s.seeds = { min: Math.min(...counts.map((d) => d.length)), max: Math.max(...counts.map((d) => d.length)) };
        const worst = worstDrop(s.perturbation);
        s.capped = counts.filter((d) => d.length >= rule.cap && seedHalfWidth(d, worst) > rule.precision).length;
      }
    }
    return {
      ...summary, baseAccuracy: evaluator?.base.accuracy ?? NaN, baseLoss: evaluator?.base.loss ?? NaN,
      seconds: (performance.now() - started) / 1000, stochastic: [...stochastic.values()],
    };
  } finally {
    if (evaluator) {
      Object.assign(timing, evaluator.timing);
      evaluator.release();
    }
    file.close();
  }
}

/** The layers of `jobs`, each once, in the order they first appear (topological for planned jobs). */
function layersOf(jobs: readonly SweepJob[]): Layer[] {
  return [...new Set(jobs.map((j) => j.layer))];
}
