import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { EnergyError } from '../lib/errors.ts'

// No open door: off loopback the API needs API_TOKEN, as a bearer token or as the password of
// HTTP basic auth (any user name), so a browser asks once and keeps it for the session. The
// health checks stay open for container probes; they say nothing about the household.

/** Routes open without the token. */
export const OPEN_ROUTES = new Set(['/healthz', '/readyz'])

export interface AuthOptions {
  token: string
  /** Failed attempts a client may make per window before it is refused with 429. */
  maxFailures: number
  windowMs: number
  /** Clients whose failures are remembered at once; the oldest are forgotten beyond it. */
  maxClients: number
  now?: () => number
}

/** Whether `host` (API_HOST) is a loopback address or name: nothing off the machine reaches it. */
export function isLoopback (host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1' || host === '0:0:0:0:0:0:0:1'
}

/** Refuses to serve off loopback without a token (ENERGY_CONFIG naming both variables). */
export function checkExposure (config: { apiHost: string, apiToken: string }): void {
  if (!isLoopback(config.apiHost) && config.apiToken === '') {
    throw new EnergyError('ENERGY_CONFIG', `API_HOST ${config.apiHost} is not a loopback address: set API_TOKEN (16+ characters, e.g. \`openssl rand -hex 24\`) so that the API is not open to the network`)
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/** The credential an Authorization header carries: a bearer token or a basic-auth password. */
export function credentialOf (header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const space = header.indexOf(' ')
  if (space < 0) return undefined
  const scheme = header.slice(0, space).toLowerCase()
  const value = header.slice(space + 1).trim()
  if (scheme === 'bearer') return value
  if (scheme !== 'basic') return undefined
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? undefined : decoded.slice(colon + 1)
}

/**
 * An onRequest hook: open routes pass; others need the token, compared in constant time (the
 * SHA-256 digests, so lengths do not show either). A wrong or missing token gets 401 without
 * saying which; a client with `maxFailures` failures in the window gets 429 until it ends.
 */
export function createAuthHook (options: AuthOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const expected = digest(options.token)
  const now = options.now ?? Date.now
  const failures = new Map<string, { count: number, until: number }>()

  function blockedFor (client: string): number {
    const entry = failures.get(client)
    if (entry === undefined) return 0
    if (entry.until <= now()) {
      failures.delete(client)
      return 0
    }
    return entry.count >= options.maxFailures ? entry.until - now() : 0
  }

  function fail (client: string): void {
    const entry = failures.get(client)
    if (entry !== undefined && entry.until > now()) {
      entry.count++
      return
    }
    // Bounded: a flood of addresses forgets the oldest entries, never fills memory.
    if (failures.size >= options.maxClients) failures.delete(failures.keys().next().value as string)
    failures.set(client, { count: 1, until: now() + options.windowMs })
  }

  return async (request, reply) => {
    if (OPEN_ROUTES.has(request.url.split('?')[0])) return
    const wait = blockedFor(request.ip)
    if (wait > 0) {
      await reply.code(429).header('retry-after', String(Math.ceil(wait / 1000))).send({ error: 'too many failed attempts, try again later' })
      return
    }
    const given = credentialOf(request.headers.authorization)
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return
    fail(request.ip)
    await reply.code(401).header('www-authenticate', 'Basic realm="Home energy", charset="UTF-8"').send({ error: 'unauthorized' })
  }
}
