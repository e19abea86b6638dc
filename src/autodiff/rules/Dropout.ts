import { defineGradRule } from '../rule.js';
import { unsupported } from '../rule-helpers.js';

/** Inference: identity, dX = dY. A training-mode Dropout is not differentiated (its mask is random). */
export const Dropout = defineGradRule({
  opType: 'Dropout',
  inputs: ['data', 'ratio', 'training_mode'],
  backward: (ctx) => {
    const training = ctx.x.training_mode === '' ? [0] : ctx.ints(ctx.x.training_mode) ?? ctx.constant(ctx.x.training_mode)?.data;
    if (training === undefined || Number(training[0] ?? 0) !== 0) throw unsupported(ctx, 'training mode');
    return { data: ctx.dY };
  },
});
