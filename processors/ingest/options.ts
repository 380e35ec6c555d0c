export interface SourceProcessorOptions {
  /** Requests taken from the stream at once; each transaction holds those ready in order (each day's batch whole). */
  requestsPerTransaction: number
  /** How long to wait for more requests before starting a transaction, ms. */
  batchWaitMs: number
  /** Requests (spans of days) fetched from the source API at once; lib/http limits the calls per host. */
  fetchConcurrency: number
  /** Days of spans in flight (fetched or waiting to be committed): bounds what a backfill holds in memory (a larger span runs alone). */
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

/**
 * Days in flight shared by every source processor of one process (scripts/start): two longest
 * spans, so one can be fetched while another is sent, whatever the number of sources. The
 * upstream hosts, not the spans, bound a backfill's pace (HTTP_MAX_IN_FLIGHT per host); each
 * span in flight costs ~25 MB of heap while it is parsed (docs/bench.md).
 */
export const PROCESS_DAYS_IN_FLIGHT = 1462
