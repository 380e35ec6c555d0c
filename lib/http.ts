import { readFileSync } from 'node:fs'
import type { Config } from './config.ts'
import { EnergyError } from './errors.ts'
import { createHostLimiter, type HostLimiter } from './host-limiter.ts'
import type { Logger } from './log.ts'
import { retry } from './retry.ts'

// JSON over HTTP for the source APIs: a timeout per attempt, retries (lib/retry.ts: exponential
// backoff with full jitter) on network errors, 5xx and 429 (honouring Retry-After up to a cap:
// an upstream asking for an hour would otherwise hold the whole batch of days), no retry on
// other 4xx. Errors carry status and URL path but never the Authorization header. Every
// attempt also waits for its host's politeness limits (lib/host-limiter.ts), see limiterFor.

/**
 * Every upstream request names the project and its version (Octopus asks integrations to; a
 * service that sees trouble knows whom it is from). The package's version, read once.
 */
export const USER_AGENT = `energy-pipeline/${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version} (Node.js ${process.versions.node})`

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
  /** Longest Retry-After waited; a longer one fails at once with ENERGY_RATE_LIMITED. */
  maxRetryAfterMs?: number
  /** Most requests in flight per host, process-wide (HTTP_MAX_IN_FLIGHT). Default 4. */
  maxInFlight?: number
  /** Most requests started per host per second, process-wide (HTTP_MAX_PER_SECOND). Default 20. */
  maxPerSecond?: number
  /** Ends the request, a backoff wait or a wait for a slot at once. */
  signal?: AbortSignal
  /**
   * Checks a 200 answer's decoded body inside the retry loop: a retryable EnergyError it throws
   * is retried like a 5xx (GraphQL reports rate limits in a 200 answer), any other is rethrown.
   */
  inspect?: (body: unknown) => void
}

type HttpConfig = Pick<Config, 'httpTimeoutMs' | 'httpRetries' | 'httpMaxRetryAfterMs' | 'httpMaxInFlight' | 'httpMaxPerSecond'>

/**
 * The configured part of HttpOptions (HTTP_TIMEOUT_MS, HTTP_RETRIES, HTTP_MAX_RETRY_AFTER_S,
 * HTTP_MAX_IN_FLIGHT, HTTP_MAX_PER_SECOND).
 */
export function httpSettings (config: HttpConfig): Pick<HttpOptions, 'timeoutMs' | 'retries' | 'maxRetryAfterMs' | 'maxInFlight' | 'maxPerSecond'> {
  return {
    timeoutMs: config.httpTimeoutMs,
    retries: config.httpRetries,
    maxRetryAfterMs: config.httpMaxRetryAfterMs,
    maxInFlight: config.httpMaxInFlight,
    maxPerSecond: config.httpMaxPerSecond
  }
}

// One limiter per host (`host` includes the port), for the whole process: every processor of a
// process asks the same two services, and politeness is owed per service, not per caller.
// Octopus asked integrations to back off (BottlecapDave/HomeAssistant-OctopusEnergy#597).
const limiters = new Map<string, HostLimiter>()

/**
 * The host's limiter, created on first use with that call's limits: the first caller's limits
 * win for the life of the process (every caller passes httpSettings(config), the same numbers).
 */
function limiterFor (url: string, options: HttpOptions): HostLimiter {
  const host = new URL(url).host
  let limiter = limiters.get(host)
  if (limiter === undefined) {
    limiter = createHostLimiter({ maxInFlight: options.maxInFlight ?? 4, maxPerSecond: options.maxPerSecond ?? 20 })
    limiters.set(host, limiter)
  }
  return limiter
}

/** A host's requests by outcome, and retries: what /metrics shows per upstream host. */
export interface UpstreamCounts { ok: number, error: number, rate_limited: number, retries: number }

// Per host for the whole process, like the limiters: published with the task counters
// (lib/stream/publish.ts) so that the API's /metrics sees every process's upstream calls.
const counts = new Map<string, UpstreamCounts>()

function countFor (url: string): UpstreamCounts {
  const host = new URL(url).host
  let c = counts.get(host)
  if (c === undefined) {
    c = { ok: 0, error: 0, rate_limited: 0, retries: 0 }
    counts.set(host, c)
  }
  return c
}

/** This process's requests per upstream host so far (a copy). */
export function upstreamCounts (): Record<string, UpstreamCounts> {
  return Object.fromEntries([...counts].map(([host, c]) => [host, { ...c }]))
}

export async function getJson (url: string, options: HttpOptions): Promise<unknown> {
  return await requestJson(url, undefined, options)
}

/** POSTs `body` as JSON (a GraphQL request) with getJson's timeouts, retries and limits. */
export async function postJson (url: string, body: unknown, options: HttpOptions): Promise<unknown> {
  return await requestJson(url, JSON.stringify(body), options)
}

async function requestJson (url: string, body: string | undefined, options: HttpOptions): Promise<unknown> {
  const { retries, log, baseDelayMs = 250, maxDelayMs = 10000, signal } = options
  try {
    return await retry(() => attemptOnce(url, body, options), {
      attempts: retries + 1,
      baseDelayMs,
      maxDelayMs,
      signal,
      retryable: err => err instanceof EnergyError && err.retryable,
      delayFor: err => (err as EnergyError).retryAfterMs as number | undefined,
      onRetry: ({ err, attempt, delayMs }) => {
        countFor(url).retries++
        log.warn({ url: safePath(url), attempt, delayMs: Math.round(delayMs), err: (err as Error).message }, 'request failed, retrying')
      }
    })
  } catch (err) {
    if (err instanceof EnergyError && err.code === 'ENERGY_FETCH' && err.status === 429) {
      throw new EnergyError('ENERGY_RATE_LIMITED', `${safePath(url)} still rate limited (HTTP 429) after ${retries} retries: seed the day again later`, { cause: err, status: 429 })
    }
    throw err
  }
}

async function attemptOnce (url: string, body: string | undefined, options: HttpOptions): Promise<unknown> {
  const count = countFor(url)
  try {
    const answer = await attemptUncounted(url, body, options)
    count.ok++
    return answer
  } catch (err) {
    const limited = err instanceof EnergyError && (err.code === 'ENERGY_RATE_LIMITED' || err.status === 429)
    if (limited) count.rate_limited++
    else count.error++
    throw err
  }
}

async function attemptUncounted (url: string, body: string | undefined, options: HttpOptions): Promise<unknown> {
  const path = safePath(url)
  // fetch() refuses a URL with user:password@ and its error repeats the whole URL. Source URLs
  // with credentials are refused at config time; one in an answer (a `next` link) is refused here.
  if (hasCredentials(url)) throw new EnergyError('ENERGY_FETCH', `${path} has credentials in its URL (user:password@); refused, they are never sent`)
  // The slot is held around the fetch and its body only: each attempt queues again, and a
  // backoff or Retry-After wait (in retry(), between attempts) holds no slot. The timeout
  // starts once the slot is granted, so time in the queue is not counted against the service;
  // an abort while queued rejects with the signal's reason, as an abort during backoff does.
  const { res, text } = await limiterFor(url, options).run(async () => {
    const signal = options.signal === undefined
      ? AbortSignal.timeout(options.timeoutMs)
      : AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
    try {
      const init: RequestInit = body === undefined
        ? { headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...options.headers }, signal }
        : { method: 'POST', body, headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': USER_AGENT, ...options.headers }, signal }
      const res = await fetch(url, init)
      return { res, text: await res.text() }
    } catch (cause) {
      const timedOut = (cause as Error).name === 'TimeoutError'
      throw new EnergyError('ENERGY_FETCH', timedOut ? `${path} did not answer within ${options.timeoutMs} ms` : `${path} is unreachable: ${(cause as Error).message}`,
        { cause, retryable: options.signal?.aborted !== true })
    }
  }, options.signal)
  if (res.status === 401 || res.status === 403) {
    const hint = options.authHint === undefined ? '' : `; ${options.authHint}`
    throw new EnergyError('ENERGY_AUTH', `${path} refused the credentials (HTTP ${res.status})${hint}`, { status: res.status })
  }
  if (!res.ok) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'))
    const maxRetryAfterMs = options.maxRetryAfterMs ?? 60000
    if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
      throw new EnergyError('ENERGY_RATE_LIMITED', `${path} answered HTTP ${res.status} asking to wait ${Math.round(retryAfterMs / 1000)} s (Retry-After), ` +
        `more than HTTP_MAX_RETRY_AFTER_S (${maxRetryAfterMs / 1000} s): given up for now, seed the day again later`, { status: res.status, retryAfterMs })
    }
    const retryable = res.status === 429 || res.status >= 500
    throw new EnergyError('ENERGY_FETCH', `${path} answered HTTP ${res.status}: ${printable(text.slice(0, 200))}`,
      { status: res.status, retryable, retryAfterMs })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new EnergyError('ENERGY_MALFORMED', `${path} answered malformed JSON (${text.length} bytes: ${JSON.stringify(text.slice(0, 80))})`, { cause })
  }
  options.inspect?.(parsed)
  return parsed
}

/**
 * Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3), e.g. `120` or
 * `Wed, 21 Oct 2026 07:28:00 GMT`; anything else (negative, fractional, garbage) is ignored, so
 * the client's own backoff applies.
 */
export function parseRetryAfter (value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // An HTTP-date names a weekday; Date.parse alone would take "5" or "2026" too.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** An upstream body fit for a log line: control characters shown as U+XXXX. */
function printable (text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, c => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
}

/** Path and query of a URL: hosts are configuration, and a URL could embed credentials. */
function safePath (url: string): string {
  const u = new URL(url)
  return `${u.host}${u.pathname}${u.search}`
}

function hasCredentials (url: string): boolean {
  const u = new URL(url)
  return u.username !== '' || u.password !== ''
}
