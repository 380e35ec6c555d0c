export interface JoinOptions {
  /** Records taken into one transaction. */
  batchSize: number
  /** How long a batch waits to fill, ms: the floor of the join's latency. */
  batchWaitMs: number
  /** Pause before a failed session restarts and restores, ms. */
  restartDelayMs: number
  /** How often days held for a missing input are looked at again when no record arrives, ms. */
  holdCheckMs: number
  /**
   * Longest a day waits for a source that runs and still has a request for it, ms; past it,
   * only the input topic's last stable offset counts (a source stuck on its upstream must not
   * hold days for ever).
   */
  maxHoldMs: number
}

export const DEFAULT_JOIN_OPTIONS: JoinOptions = {
  // A 10-year backfill is ~700,000 records: large batches keep transactions few.
  batchSize: 2000,
  batchWaitMs: 50,
  restartDelayMs: 2000,
  holdCheckMs: 500,
  // Longer than a source's 10-year backfill takes to reach a date, short enough for a day to land while its carbon is stuck.
  maxHoldMs: 600000
}
