import { defineVariadicGradRule } from '../rule.js';
import { tiedExtremum } from '../rule-helpers.js';

/** dX_i = dY · [X_i = Y] / #{j : X_j = Y}: ties share the gradient equally (torch's minimum gives each half). */
export const Min = defineVariadicGradRule({ opType: 'Min', backward: tiedExtremum });
