import { reduceExtremumRule } from '../rule-helpers.js';

/** dX = dY at the maxima, shared equally among ties (torch.amax). */
export const ReduceMax = reduceExtremumRule('ReduceMax');
