/**
 * The sweep's row: one JSON line per (layer, perturbation, seed) of a results file. This is the one
 * definition of the format; `parse.ts` reads it back, `results-file.ts` appends it.
 */

/**
 * The row format this code writes. 1: the fields up to `seconds`; 2: also `format` and the paired
 * counts `right_to_wrong` and `wrong_to_right`, which give each drop its exact paired standard error.
 * Rows of format 1 (the data set as first published) stay readable.
 */
export const ROW_FORMAT = 2;

export interface SweepRow {
  /** The weight initializer's name. */
  layer: string;
  layer_index: number;
  /** Perturbation text, e.g. "prune:0.5". */
  perturbation: string;
  seed: number;
  accuracy: number;
  /** Mean cross-entropy; null when not finite (destructive bit flips). */
  loss: number | null;
  /** Mean D_KL(p_perturbed ‖ p_base); null when not finite. */
  kl: number | null;
  /** Fraction of images whose top-1 prediction equals the unperturbed model's. */
  unchanged: number;
  /** Images evaluated. */
  count: number;
  correct: number;
  base_accuracy: number;
  base_loss: number;
  /** base_accuracy − accuracy. */
  drop: number;
  /** Path of the model file. */
  model: string;
  model_sha256: string;
  data_sha256: string;
  /** safer's version. */
  version: string;
  seconds: number;
  /** The row format (absent: 1). */
  format?: number;
  /** Images that turned from right to wrong (a) and from wrong to right (b): drop = (a − b)/count. Rows before format 2 lack them. */
  right_to_wrong?: number;
  wrong_to_right?: number;
  adaptive?: { precision: number; confidence: number; half_width: number; stopped_early: boolean };
}

/** What identifies a row within one model's results: no two rows may share it. */
export function rowKey(row: Pick<SweepRow, 'layer' | 'perturbation' | 'seed'>): string {
  return `${row.layer}\u0000${row.perturbation}\u0000${row.seed}`;
}
