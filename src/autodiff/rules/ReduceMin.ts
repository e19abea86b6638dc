import { reduceExtremumRule } from '../rule-helpers.js';

/** dX = dY at the minima, shared equally among ties (torch.amin). */
export const ReduceMin = reduceExtremumRule('ReduceMin');
