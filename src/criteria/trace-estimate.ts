/** A per-layer trace estimate with its convergence, and its JSON form for a criterion's details. */

export interface TraceEstimate {
  /** Layer → mean of the samples (the trace estimate). */
  trace: Map<string, number>;
  /** Layer → standard error of that mean (sample sd / √S; 0 for S = 1). */
  stderr: Map<string, number>;
  /** Layer → running mean after 1, 2, ..., S samples. */
  running: Map<string, number[]>;
  samples: number;
}

/** JSON-safe convergence details: per layer the estimate, its standard error and the running means. */
export function convergenceDetails(estimate: TraceEstimate): Record<string, unknown> {
  const layers: Record<string, unknown> = {};
  for (const [name, trace] of estimate.trace) {
    layers[name] = { trace, stderr: estimate.stderr.get(name), running_mean: estimate.running.get(name) };
  }
  return { samples: estimate.samples, layers };
}
