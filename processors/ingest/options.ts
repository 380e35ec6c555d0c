export interface SourceProcessorOptions {
  /** Requests taken from the stream at once; each transaction holds those ready in order (each day's batch whole). */
  requestsPerTransaction: number
  /** How long to wait for more requests before starting a transaction, ms. */
  batchWaitMs: number
  /** Requests (spans of days) fetched from the source API at once; lib/http limits the calls per host. */
  fetchConcurrency: number
  /** Days of spans fetched at once: bounds what a backfill holds in memory (a larger span runs alone). */
  daysInFlight: number
  /** Pause before a crashed consume session restarts from committed offsets, ms. */
  restartDelayMs: number
}

export const DEFAULT_SOURCE_PROCESSOR_OPTIONS: SourceProcessorOptions = {
  // Large enough to amortise the transaction's round trips during a backfill.
  requestsPerTransaction: 32,
  // Small enough that one requested day is not held back noticeably.
  batchWaitMs: 20,
  // Polite to the real APIs; a 429 is honoured anyway.
  fetchConcurrency: 8,
  // One longest span (MAX_SPAN_DAYS) at a time, or many short ones: a 10-year backfill then holds
  // two years of a source, not ten.
  daysInFlight: 731,
  restartDelayMs: 2000
}
