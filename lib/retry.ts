import { setTimeout as sleep } from 'node:timers/promises'

// The one retry loop: exponential backoff with full jitter, after "Exponential Backoff And
// Jitter" (AWS Architecture Blog): retry n waits a uniform random time in
// [0, min(cap, base * 2^(n-1))), so clients that failed together do not come back together.

export interface RetryInfo {
  err: unknown
  /** The attempt that just failed, from 1. */
  attempt: number
  /** How long the helper now waits before the next attempt, ms. */
  delayMs: number
}

export interface RetryOptions {
  /** First backoff step, ms; it doubles each retry up to maxDelayMs. Default 250. */
  baseDelayMs?: number
  /** Longest backoff, ms. Default 10000. */
  maxDelayMs?: number
  /** Attempts in all, the first included; Infinity (the default) retries until success or abort. */
  attempts?: number
  /** Whether a failure is worth another attempt; others are rethrown at once. Default: the error's `retryable` flag. */
  retryable?: (err: unknown) => boolean
  /** A wait the error itself asks for (Retry-After), used instead of the backoff when defined. */
  delayFor?: (err: unknown) => number | undefined
  /** Called before each backoff wait: the place for the log line. */
  onRetry?: (info: RetryInfo) => void
  /** Ends a backoff wait at once; the helper then throws the signal's reason. */
  signal?: AbortSignal
  /** Injectable for tests: a number in [0, 1). */
  random?: () => number
  /** Injectable for tests: waits ms, rejecting when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>
}

/** The `retryable` flag every EnergyError carries (lib/errors.ts). */
export function isRetryable (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true
}

/** The full-jitter wait before retry number `retry` (from 1). */
export function backoffDelay (retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  return random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1))
}

/** Runs `fn` until it resolves, it throws something not retryable, the attempts run out or the signal aborts. */
export async function retry<T> (fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { baseDelayMs = 250, maxDelayMs = 10000, attempts = Infinity, retryable = isRetryable, signal, random = Math.random } = options
  const wait = options.sleep ?? ((ms: number, s?: AbortSignal) => sleep(ms, undefined, { signal: s }))
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (err) {
      if (!retryable(err) || attempt >= attempts) throw err
      signal?.throwIfAborted()
      const delayMs = options.delayFor?.(err) ?? backoffDelay(attempt, baseDelayMs, maxDelayMs, random)
      options.onRetry?.({ err, attempt, delayMs })
      try {
        await wait(delayMs, signal)
      } catch (sleepErr) {
        // timers/promises rejects with its own AbortError; the caller gets the signal's reason.
        signal?.throwIfAborted()
        throw sleepErr
      }
      signal?.throwIfAborted()
    }
  }
}
