/** Defaults of a queued sweep, apart from the queue code so that reading them does not load BullMQ (about 0.1 s). */
export const QUEUE_SWEEP_DEFAULTS = {
  /** Attempts per job before it fails for good. */
  attempts: 3,
  /** Milliseconds between looks at the queue while nothing new has finished. */
  pollMs: 500,
} as const;
