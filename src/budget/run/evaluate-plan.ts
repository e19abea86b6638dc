/**
 * Measuring a plan: what the model with the plan's weights does, never a sum of predictions. A quant
 * or prune plan is one evaluation of the written model's weights (a full pass over the data, with
 * Wilson's interval over the images); a protect plan's expected accuracy is the mean over fault
 * trials, with Student's t interval over the trials.
 */
import type { PreparedModel } from '../../model/prepare.js';
import { withInitializerValues } from '../../onnx/edit.js';
import { Evaluator, type LabeledBatches } from '../../runtime/evaluate.js';
import type { SessionOptions } from '../../runtime/session.js';
import { meanInterval, wilsonInterval } from '../../stats/intervals.js';
import type { Allocation, Budget } from '../types.js';
import { faultWeights, planWeights } from './apply-plan.js';

export interface Evaluation {
  accuracy: number;
  /** Mean cross-entropy (mean over trials for protect); may be infinite after destructive flips. */
  loss: number;
  /** 95% interval of the accuracy (over the images; over the trials for protect). */
  interval: [number, number];
  count: number;
  /** Protect: the accuracy of every trial. */
  trials?: number[];
}

/** Evaluates weight settings of one prepared model on one data set. */
export class PlanEvaluator {
  private constructor(
    readonly prepared: PreparedModel,
    readonly data: LabeledBatches,
    private readonly session: SessionOptions,
    /** The unperturbed model's accuracy and loss on `data`. */
    readonly base: { accuracy: number; loss: number },
  ) {}

  static async create(prepared: PreparedModel, data: LabeledBatches, session: SessionOptions = {}): Promise<PlanEvaluator> {
    const evaluator = new PlanEvaluator(prepared, data, session, { accuracy: NaN, loss: NaN });
    const base = await evaluator.weights(new Map());
    return new PlanEvaluator(prepared, data, session, { accuracy: base.accuracy, loss: base.loss });
  }

  /** The model with `values` replacing some weights, over the whole data. */
  async weights(values: ReadonlyMap<string, Float32Array>): Promise<Evaluation> {
    const evaluator = await Evaluator.create({ ...this.prepared, model: withInitializerValues(this.prepared.model, values) }, this.session);
    try {
      const r = await evaluator.evaluate(this.data);
      return { accuracy: r.accuracy, loss: r.loss, interval: wilsonInterval(r.correct, r.count), count: r.count };
    } finally {
      await evaluator.release();
    }
  }

  /** A plan: its weights (quant, prune), or `trials` fault trials at the budget's bit error rate (protect). */
  async plan(allocation: Allocation, budget: Budget, trials: number): Promise<Evaluation> {
    if (budget.kind !== 'protect') return this.weights(planWeights(this.prepared, allocation));
    const runs: Evaluation[] = [];
    for (let trial = 0; trial < trials; trial++) runs.push(await this.weights(faultWeights(this.prepared, allocation, budget.ber, trial)));
    const accuracies = runs.map((r) => r.accuracy);
    const { mean, interval } = meanInterval(accuracies);
    return {
      accuracy: mean,
      loss: runs.reduce((a, r) => a + r.loss, 0) / runs.length,
      interval: interval ?? [mean, mean],
      count: this.data.count,
      trials: accuracies,
    };
  }
}
