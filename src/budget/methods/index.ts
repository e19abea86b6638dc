/** The BUDGET_METHODS table: one entry per file in this folder, keyed by its id. */
import { OptionError } from '../../errors.js';
import { BUDGET_DEFAULTS } from '../defaults.js';
import type { AnyBudgetMethod } from '../method.js';
import type { BudgetKind } from '../types.js';
import erk from './erk.js';
import globalMagnitude from './global-magnitude.js';
import hawqV2 from './hawq-v2.js';
import lamp from './lamp.js';
import largestFirst from './largest-first.js';
import mckp from './mckp.js';
import none from './none.js';
import random from './random.js';
import uniform from './uniform.js';
import uniformPlus from './uniform-plus.js';

/** Forces every key to equal its method's id. */
function budgetMethodTable<T extends { readonly [Id in keyof T]: AnyBudgetMethod & { readonly id: Id } }>(table: T): T {
  return table;
}

/** Every budget method; the solver first, then the baselines. */
export const BUDGET_METHODS = budgetMethodTable({
  mckp,
  'hawq-v2': hawqV2,
  uniform,
  'uniform-plus': uniformPlus,
  'global-magnitude': globalMagnitude,
  erk,
  lamp,
  random,
  none,
  'largest-first': largestFirst,
});

export type BudgetMethodId = keyof typeof BUDGET_METHODS;

/** The method used when none is named: the exact solver on the supplied cost curves. */
export const DEFAULT_BUDGET_METHOD: BudgetMethodId = BUDGET_DEFAULTS.method;

const ALL: readonly AnyBudgetMethod[] = Object.values(BUDGET_METHODS);

/** The method with this id, or an OptionError listing the methods (of this kind, if given). */
export function findBudgetMethod(id: string, kind?: BudgetKind): AnyBudgetMethod {
  const method = ALL.find((m) => m.id === id && (kind === undefined || m.kinds.includes(kind)));
  if (method === undefined) {
    const ids = budgetMethodsFor(kind).map((m) => m.id);
    throw new OptionError(`unknown budget method "${id}"${kind ? ` for ${kind}` : ''}; methods: ${ids.join(', ')}`);
  }
  return method;
}

/** The methods that allocate this kind of budget (all when kind is undefined), in table order. */
export function budgetMethodsFor(kind?: BudgetKind): AnyBudgetMethod[] {
  return ALL.filter((m) => kind === undefined || m.kinds.includes(kind));
}

/** The baselines of a kind: every method for it except the default solver. */
export function baselineMethodsFor(kind: BudgetKind): AnyBudgetMethod[] {
  return budgetMethodsFor(kind).filter((m) => m.id !== DEFAULT_BUDGET_METHOD);
}
