/**
 * Multiple-choice knapsack: choose one option per group, minimizing Σ cost subject to Σ weight_k ≤ capacity_k
 * in one or two dimensions, by dynamic programming over a grid of the (shifted) capacity.
 *
 * Each dimension is first shifted by every group's smallest weight (the DP covers only the extra resource);
 * a dimension that the heaviest options together cannot exceed is dropped (it never binds).
 * A dimension whose shifted weights are integers with gcd g is solved exactly on units of g when it fits the
 * cell limit. Otherwise it is cut into G cells of size u and solved twice:
 *  - weights rounded up, ⌈w/u⌉: every plan found is feasible, and it costs no more than the exact optimum at
 *    the capacity tightened by `slack` = L·u (plus the capacity lost to a whole number of cells), since
 *    ⌈w/u⌉ < w/u + 1 in each of the L groups;
 *  - weights rounded down, ⌊w/u⌋: a relaxation, whose optimum is a lower bound on the exact optimum.
 * So optimum ∈ [lowerBound, cost], and cost ≤ optimum(capacity − slack).
 */
import { BUDGET_DEFAULTS } from './defaults.js';

export interface KnapsackOption {
  /** One entry per dimension, ≥ 0 not required (the shift handles any sign). */
  readonly weight: readonly number[];
  readonly cost: number;
}

/** The options of one group; on equal cost the DP keeps the earlier option, so list the preferred one first. */
export type KnapsackGroup = readonly KnapsackOption[];

export interface KnapsackProblem {
  readonly groups: readonly KnapsackGroup[];
  /** One capacity per dimension (1 or 2 dimensions). */
  readonly capacity: readonly number[];
}

export interface KnapsackLimits {
  /** Upper bound on Σ_groups options × cells: the DP's work. */
  readonly maxOperations: number;
  /** Upper bound on the cells of the DP table. */
  readonly maxCells: number;
}

/** The limits from BUDGET_DEFAULTS (solverOperations, solverCells). */
export const DEFAULT_KNAPSACK_LIMITS: KnapsackLimits = {
  maxOperations: BUDGET_DEFAULTS.solverOperations,
  maxCells: BUDGET_DEFAULTS.solverCells,
};

export interface KnapsackSolution {
  /** Index of the chosen option in each group. */
  readonly choice: readonly number[];
  /** Σ cost of the chosen options. */
  readonly cost: number;
  /** Σ weight of the chosen options, per dimension (≤ capacity). */
  readonly weight: readonly number[];
  /** The exact optimum is at least this (equal to cost when exact). */
  readonly lowerBound: number;
  /** True when no weight was rounded: cost is the exact optimum. */
  readonly exact: boolean;
  /** Cell size per dimension, in weight units. */
  readonly unit: readonly number[];
  /** Per dimension: cost ≤ the exact optimum at capacity − slack (0 where exact). */
  readonly slack: readonly number[];
  /** Cells of the DP table. */
  readonly cells: number;
}

interface Rounded {
  /** Cell counts per option, two dimensions (the second is 0 for one-dimensional problems). */
  readonly up0: Int32Array;
  readonly up1: Int32Array;
  readonly down0: Int32Array;
  readonly down1: Int32Array;
}

interface Prepared {
  readonly groups: readonly { readonly options: readonly number[] }[];
  readonly costs: readonly Float64Array[];
  readonly rounded: readonly Rounded[];
  readonly cells: readonly [number, number];
  readonly unit: readonly number[];
  readonly exact: boolean;
  readonly slack: readonly number[];
}

const RELATIVE_FUDGE = 1e-12;

/** Solves the problem, or returns undefined if no choice fits the capacity (on the rounded-up grid). */
export function solveKnapsack(problem: KnapsackProblem, limits: KnapsackLimits = DEFAULT_KNAPSACK_LIMITS): KnapsackSolution | undefined {
  const prepared = prepare(problem, limits);
  if (prepared === undefined) return undefined;
  const upper = runDp(prepared, 'up', true);
  if (upper === undefined) return undefined;
  const choice = upper.picks.map((pick, l) => prepared.groups[l]!.options[pick]!);
  const cost = choice.reduce((acc, j, l) => acc + problem.groups[l]![j]!.cost, 0);
  const weight = problem.capacity.map((_, k) => choice.reduce((acc, j, l) => acc + problem.groups[l]![j]!.weight[k]!, 0));
  const lowerBound = prepared.exact ? cost : Math.min(cost, runDp(prepared, 'down', false)?.cost ?? cost);
  const cells = (prepared.cells[0] + 1) * (prepared.cells[1] + 1);
  return { choice, cost, weight, lowerBound, exact: prepared.exact, unit: prepared.unit, slack: prepared.slack, cells };
}

/** A lower bound on the optimum (the rounded-down relaxation), or undefined if the problem is infeasible. */
export function knapsackLowerBound(problem: KnapsackProblem, limits: KnapsackLimits = DEFAULT_KNAPSACK_LIMITS): number | undefined {
  const prepared = prepare(problem, limits);
  return prepared === undefined ? undefined : runDp(prepared, 'down', false)?.cost;
}

function prepare(problem: KnapsackProblem, limits: KnapsackLimits): Prepared | undefined {
  const dims = problem.capacity.length;
  if (dims < 1 || dims > 2) throw new Error(`internal error: knapsack with ${dims} dimensions`);
  for (const group of problem.groups) {
    if (group.length === 0) throw new Error('internal error: knapsack group without options');
    for (const option of group) {
      if (option.weight.length !== dims || !option.weight.every(Number.isFinite) || !Number.isFinite(option.cost)) {
        throw new Error(`internal error: bad knapsack option ${JSON.stringify(option)}`);
      }
    }
  }
  const minima = problem.groups.map((group) => problem.capacity.map((_, k) => Math.min(...group.map((o) => o.weight[k]!))));
  const free = problem.capacity.map((c, k) => c - minima.reduce((acc, m) => acc + m[k]!, 0));
  if (free.some((c) => !(c >= 0))) return undefined;
  // A dimension that even the heaviest options together cannot exceed never binds: drop it (weights 0).
  const most = problem.capacity.map((_, k) => problem.groups.reduce((acc, group, l) => acc + Math.max(...group.map((o) => o.weight[k]!)) - minima[l]![k]!, 0));
  const binding = free.map((c, k) => c < most[k]!);
  binding.forEach((b, k) => {
    if (!b) free[k] = 0;
  });
  const shifted = problem.groups.map((group, l) => group.map((o) => o.weight.map((w, k) => (binding[k] ? w - minima[l]![k]! : 0))));
  const groups = shifted.map((options) => ({
    options: options.flatMap((w, j) => (w.every((x, k) => x <= free[k]!) ? [j] : [])),
  }));
  const operationsPerCell = Math.max(1, groups.reduce((acc, g) => acc + g.options.length, 0));
  const states = Math.max(2 ** dims, Math.min(limits.maxCells, Math.floor(limits.maxOperations / operationsPerCell)));
  const grid = chooseGrid(free, problem.capacity.map((_, k) => shifted.flatMap((options) => options.map((w) => w[k]!))), states);

  const L = problem.groups.length;
  const slack = grid.map((g, k) => (g.exact ? 0 : L * g.unit + (free[k]! - g.cells * g.unit)));
  const rounded = groups.map(({ options }, l) => {
    const r = (k: number, mode: 'up' | 'down') =>
      Int32Array.from(options, (j) => (k < dims ? cellsOf(shifted[l]![j]![k]!, grid[k]!, mode) : 0));
    return { up0: r(0, 'up'), up1: r(1, 'up'), down0: r(0, 'down'), down1: r(1, 'down') };
  });
  const costs = groups.map(({ options }, l) => Float64Array.from(options, (j) => problem.groups[l]![j]!.cost));
  return {
    groups,
    costs,
    rounded,
    cells: [grid[0]!.cells, grid[1]?.cells ?? 0],
    unit: grid.map((g) => g.unit),
    exact: grid.every((g) => g.exact),
    slack,
  };
}

interface DimensionGrid {
  readonly cells: number;
  readonly unit: number;
  readonly exact: boolean;
  /** All weights are safe integers (rounding in exact integer arithmetic). */
  readonly integral: boolean;
}

/** Cells per dimension: exact where the integer resource fits, the rest shared out evenly. */
function chooseGrid(free: readonly number[], weights: readonly (readonly number[])[], states: number): DimensionGrid[] {
  const info = free.map((cap, k) => {
    const ws = weights[k]!;
    const integral = ws.every(Number.isSafeInteger);
    const g = integral ? ws.reduce((acc, w) => gcd(acc, w), 0) : 0;
    const need = cap === 0 || (integral && g === 0) ? 1 : integral ? Math.floor(cap / g) + 1 : Infinity;
    return { k, cap, integral, g, need };
  });
  const grid: DimensionGrid[] = new Array<DimensionGrid>(free.length);
  let remaining = states;
  [...info]
    .sort((a, b) => a.need - b.need)
    .forEach((d, position) => {
      const share = Math.floor(remaining ** (1 / (info.length - position)) + 1e-9);
      let dim: DimensionGrid;
      if (d.need <= share) {
        dim = { cells: d.need - 1, unit: d.g > 0 ? d.g : 1, exact: true, integral: d.integral };
      } else if (d.integral) {
        const unit = Math.ceil(d.cap / Math.max(1, share - 1));
        dim = { cells: Math.floor(d.cap / unit), unit, exact: false, integral: true };
      } else {
        const cells = Math.max(1, share - 1);
        dim = { cells, unit: d.cap / cells, exact: false, integral: false };
      }
      grid[d.k] = dim;
      remaining = Math.max(1, Math.floor(remaining / (dim.cells + 1)));
    });
  return grid;
}

/** Cells of one weight: exact quotient, or rounded up/down (exact integer arithmetic for integral weights). */
function cellsOf(w: number, grid: DimensionGrid, mode: 'up' | 'down'): number {
  if (w === 0) return 0;
  const q = w / grid.unit;
  if (grid.integral) return mode === 'up' ? Math.ceil(q) : Math.floor(q);
  return mode === 'up' ? Math.ceil(q * (1 + RELATIVE_FUDGE)) : Math.floor(q * (1 - RELATIVE_FUDGE));
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** DP over cells with "at most" semantics; backtracks from the full capacity when `track` is set. */
function runDp(p: Prepared, mode: 'up' | 'down', track: boolean): { cost: number; picks: number[] } | undefined {
  const [g0, g1] = p.cells;
  const stride = g1 + 1;
  const size = (g0 + 1) * stride;
  const L = p.groups.length;
  const maxOptions = Math.max(1, ...p.groups.map((g) => g.options.length));
  const picks = track ? (maxOptions <= 255 ? new Uint8Array(L * size) : new Uint16Array(L * size)) : undefined;
  let dp = new Float64Array(size);
  for (let l = 0; l < L; l++) {
    const next = new Float64Array(size).fill(Infinity);
    const r = p.rounded[l]!;
    const w0 = mode === 'up' ? r.up0 : r.down0;
    const w1 = mode === 'up' ? r.up1 : r.down1;
    const costs = p.costs[l]!;
    const base = l * size;
    for (let j = 0; j < costs.length; j++) {
      const a = w0[j]!;
      const b = w1[j]!;
      if (a > g0 || b > g1) continue;
      const cost = costs[j]!;
      const offset = a * stride + b;
      for (let c0 = a; c0 <= g0; c0++) {
        const row = c0 * stride;
        for (let c = row + b; c <= row + g1; c++) {
          const v = dp[c - offset]! + cost;
          if (v < next[c]!) {
            next[c] = v;
            if (picks) picks[base + c] = j;
          }
        }
      }
    }
    dp = next;
  }
  const cost = dp[size - 1]!;
  if (!Number.isFinite(cost)) return undefined;
  const chosen = new Array<number>(L).fill(0);
  if (picks) {
    let c = size - 1;
    for (let l = L - 1; l >= 0; l--) {
      const j = picks[l * size + c]!;
      chosen[l] = j;
      const r = p.rounded[l]!;
      c -= (mode === 'up' ? r.up0 : r.down0)[j]! * stride + (mode === 'up' ? r.up1 : r.down1)[j]!;
    }
  }
  return { cost, picks: chosen };
}
