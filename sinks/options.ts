export interface SinkOptions {
  /** Records per Postgres transaction (SINK_BATCH_SIZE). */
  batchSize: number
  /** How long a batch waits to fill, ms (SINK_BATCH_MS). */
  batchWaitMs: number
  /** Longest pause between retries while Postgres is unreachable, ms. */
  maxRetryDelayMs: number
  /** Pause before a failed session restarts, ms. */
  restartDelayMs: number
}

export const DEFAULT_SINK_OPTIONS: Omit<SinkOptions, 'batchSize' | 'batchWaitMs'> = {
  maxRetryDelayMs: 30000,
  restartDelayMs: 2000
}
