import { EnergyError } from './errors.ts'
import type { Logger } from './log.ts'
import { retry } from './retry.ts'

// JSON over HTTP for the source APIs: a timeout per attempt, retries (lib/retry.ts: exponential
// backoff with full jitter) on network errors, 5xx and 429 (honouring Retry-After), no retry on
// other 4xx. Errors carry status and URL path but never the Authorization header.

export interface HttpOptions {
  timeoutMs: number
  retries: number
  log: Logger
  headers?: Record<string, string>
  /** What to check when the service refuses the credentials (401/403), e.g. a variable. */
  authHint?: string
  /** First backoff step; doubles each attempt up to maxDelayMs. */
  baseDelayMs?: number
  maxDelayMs?: number
  signal?: AbortSignal
}

export async function getJson (url: string, options: HttpOptions): Promise<unknown> {
  const { retries, log, baseDelayMs = 250, maxDelayMs = 10000, signal } = options
  return await retry(() => attemptOnce(url, options), {
    attempts: retries + 1,
    baseDelayMs,
    maxDelayMs,
    signal,
    retryable: err => err instanceof EnergyError && err.retryable,
    delayFor: err => (err as EnergyError).retryAfterMs as number | undefined,
    onRetry: ({ err, attempt, delayMs }) => log.warn({ url: safePath(url), attempt, delayMs: Math.round(delayMs), err: (err as Error).message }, 'request failed, retrying')
  })
}

async function attemptOnce (url: string, options: HttpOptions): Promise<unknown> {
  const path = safePath(url)
  const signal = options.signal === undefined
    ? AbortSignal.timeout(options.timeoutMs)
    : AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
  let res: Response
  let text: string
  try {
    res = await fetch(url, { headers: { accept: 'application/json', ...options.headers }, signal })
    text = await res.text()
  } catch (cause) {
    const timedOut = (cause as Error).name === 'TimeoutError'
    throw new EnergyError('ENERGY_FETCH', timedOut ? `${path} did not answer within ${options.timeoutMs} ms` : `${path} is unreachable: ${(cause as Error).message}`,
      { cause, retryable: options.signal?.aborted !== true })
  }
  if (res.status === 401 || res.status === 403) {
    const hint = options.authHint === undefined ? '' : `; ${options.authHint}`
    throw new EnergyError('ENERGY_AUTH', `${path} refused the credentials (HTTP ${res.status})${hint}`, { status: res.status })
  }
  if (!res.ok) {
    const retryable = res.status === 429 || res.status >= 500
    throw new EnergyError('ENERGY_FETCH', `${path} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
      { status: res.status, retryable, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) })
  }
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new EnergyError('ENERGY_MALFORMED', `${path} answered malformed JSON (${text.length} bytes: ${JSON.stringify(text.slice(0, 80))})`, { cause })
  }
}

/** Retry-After is seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter (value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** Path and query of a URL: hosts are configuration, and a URL could embed credentials. */
function safePath (url: string): string {
  const u = new URL(url)
  return `${u.host}${u.pathname}${u.search}`
}
