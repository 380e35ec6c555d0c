export interface JoinOptions {
  /** Records taken into one transaction. */
  batchSize: number
  /** How long a batch waits to fill, ms: the floor of the join's latency. */
  batchWaitMs: number
  /** Pause before a failed session restarts and restores, ms. */
  restartDelayMs: number
}

export const DEFAULT_JOIN_OPTIONS: JoinOptions = {
  // A 10-year backfill is ~700,000 records: large batches keep transactions few.
  batchSize: 2000,
  batchWaitMs: 50,
  restartDelayMs: 2000
}
