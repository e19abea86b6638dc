/** Every default of the budget module, written once. */
export const BUDGET_DEFAULTS = {
  /** The method `safer budget` uses when none is named: the exact solver on the supplied cost curves. */
  method: 'mckp',
  /** Bit-widths a quant plan chooses from (`--bits`). */
  quantBits: [2, 3, 4, 5, 6, 8],
  /** Seed of the random baselines and of the refinement's coefficient mutations. */
  seed: 0,
  /** DP work limit: Σ_groups options × cells. 3e7 runs in well under a second. */
  solverOperations: 30_000_000,
  /** DP table size limit (cells per layer). */
  solverCells: 1 << 21,
  /** uniform+: the last layer keeps at least this fraction of its weights. */
  uniformPlusLastSurvivors: 0.2,
  refine: {
    /** Joint evaluations (`--evaluations K`), candidates included. */
    evaluations: 10,
    /** Prediction and measurement agree when |p − m| ≤ max(absoluteTolerance, relativeTolerance·|m|). */
    absoluteTolerance: 0.002,
    relativeTolerance: 0.02,
    /** Ridge weight pulling the per-layer coefficients towards 1, relative to the mean diagonal of AᵀA. */
    ridge: 0.1,
    /** Fitted coefficients are clamped to this range. */
    coefficientRange: [0.1, 10] as const,
    /** A re-solve that returns a plan already measured is retried with coefficients multiplied by exp(scale·N(0, 1)). */
    mutationScale: 0.3,
    mutationTries: 8,
    /** Rounds of refinement around the best measured plan (quant, prune), each one cost measurement and one evaluation. */
    contextRounds: 3,
  },
  /** Pruning ratios at which `--measure` and `--criterion` give each layer's cost (the solver interpolates between them). */
  pruneLevels: [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1],
  /** Calibration images the cost curves are measured on (`--calibration N`, the first N of --data unless --calibration-data). */
  calibration: 512,
  /** Fault trials per joint measurement of a protect plan on the calibration images (the refinement). */
  trials: 10,
  /** Protect costs of `--measure`: single flips per bit position and layer (run/fault-costs.ts). */
  faultSamples: 4,
  /** Protect plans are evaluated on the evaluation set over this many trials. */
  evaluationTrials: 20,
  /** Bit error rates of `safer budget curve ber` (accuracy against BER, with and without protection). */
  bers: [1e-7, 3e-7, 1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3],
  /** Budget grids of `safer budget curve`: inclusive ranges. */
  curves: {
    quant: { from: 2, to: 8, step: 0.5 },
    prune: { from: 0.3, to: 0.95, step: 0.05 },
    protect: { from: 0, to: 0.5, step: 0.05 },
  },
} as const;
