import { createHash } from 'node:crypto'
import { asObject, malformed } from '../../lib/answer.ts'
import type { Config } from '../../lib/config.ts'
import { EnergyError, type ErrorCode } from '../../lib/errors.ts'
import { httpSettings, postJson } from '../../lib/http.ts'
import type { ClientContext } from '../types.ts'
import { createTokenCache, type KrakenToken, type TokenCache } from './kraken-token.ts'

// Octopus's GraphQL API (Kraken): POST {query, variables} to OCTOPUS_GRAPHQL_URL with the
// header `Authorization: <token>` (no scheme), the token from the mutation obtainKrakenToken
// (input: {APIKey}). Errors come in a 200 answer as `errors: [{message, path, extensions:
// {errorCode, errorDescription, errorType, validationErrors}}]` and are classified here by
// code (docs/sample-api.md "GraphQL" cites the sources). The API key and the tokens never
// reach a log line, an error message or a dead letter: they travel in the request only.

const SOURCE = 'octopus graphql'
const AUTH_HINT = 'check OCTOPUS_API_KEY'

/** Why GraphQL cannot be asked with this configuration (no account, no key); undefined when it can. */
export function graphqlUnavailable (config: Pick<Config, 'octopusAccount' | 'octopusApiKey'>): string | undefined {
  if (config.octopusAccount === '') return 'no OCTOPUS_ACCOUNT'
  if (config.octopusApiKey === '') return 'no OCTOPUS_API_KEY'
  return undefined
}

/** One GraphQL error as Kraken sends it, cut to what classification reads. */
export interface KrakenError { code: string | undefined, message: string, description: string | undefined, type: string | undefined }

/** What a Kraken error code means to the pipeline. */
export type KrakenErrorKind = 'auth' | 'expired' | 'rate-limited' | 'query' | 'other'

// KT-CT-1139 "Authentication failed." (a wrong API key), KT-CT-1138 (wrong email/password),
// KT-CT-1111 "Unauthorized.", KT-CT-1143 and KT-CT-1134/1135 (invalid or refused tokens):
// HomeAssistant-OctopusEnergy's api_client raises AuthenticationException for exactly these.
const AUTH_CODES = new Set(['KT-CT-1111', 'KT-CT-1134', 'KT-CT-1135', 'KT-CT-1138', 'KT-CT-1139', 'KT-CT-1143'])
// KT-CT-1124 "Token has expired.": obtain a new token and ask again, once.
const EXPIRED_CODES = new Set(['KT-CT-1124'])
// KT-CT-1199 "Too many requests." (request-specific limit), OE-0002 (Octopus's own throttle).
const RATE_CODES = new Set(['KT-CT-1199', 'OE-0002'])
// KT-CT-1188 query complexity over 200, KT-CT-1189 over 10,000 nodes: Octopus's API basics
// guide. Both mean our query is too big, which waiting does not fix.
const QUERY_CODES = new Set(['KT-CT-1188', 'KT-CT-1189'])

export function krakenErrorKind (error: KrakenError): KrakenErrorKind {
  const code = error.code ?? ''
  if (EXPIRED_CODES.has(code)) return 'expired'
  if (AUTH_CODES.has(code)) return 'auth'
  if (RATE_CODES.has(code)) return 'rate-limited'
  // graphql-js's own validation errors (a field the schema lacks, a bad argument) carry no
  // Kraken code; Kraken labels them errorType VALIDATION or GRAPHQL_VALIDATION_FAILED.
  if (QUERY_CODES.has(code) || error.type === 'VALIDATION' || error.type === 'GRAPHQL_VALIDATION_FAILED' || (error.code === undefined && /^Cannot query field|^Unknown argument|^Field ".*" argument|^Syntax Error/.test(error.message))) return 'query'
  return 'other'
}

const KIND_CODES: Record<KrakenErrorKind, ErrorCode> = {
  auth: 'ENERGY_AUTH',
  expired: 'ENERGY_AUTH',
  'rate-limited': 'ENERGY_RATE_LIMITED',
  query: 'ENERGY_MALFORMED',
  other: 'ENERGY_FETCH'
}

/** The errors of a GraphQL answer, if it has any (a list of at most 20 kept, each cut). */
export function krakenErrors (body: unknown): KrakenError[] {
  if (body === null || typeof body !== 'object') return []
  const errors = (body as { errors?: unknown }).errors
  if (!Array.isArray(errors) || errors.length === 0) return []
  return errors.slice(0, 20).map(e => {
    const item = (e ?? {}) as { message?: unknown, extensions?: unknown }
    const ext = (item.extensions ?? {}) as Record<string, unknown>
    return {
      code: shortText(ext.errorCode),
      message: shortText(item.message) ?? 'no message',
      description: shortText(ext.errorDescription),
      type: shortText(ext.errorType)
    }
  })
}

/** The EnergyError for a GraphQL answer's errors: the first error's kind decides, every code is named. */
export function krakenError (errors: KrakenError[], what: string, secrets: readonly string[] = []): EnergyError {
  const kind = krakenErrorKind(errors[0])
  const codes = errors.map(e => `${e.code ?? 'no code'}: ${e.description ?? e.message}`).join('; ')
  const advice = kind === 'auth' || kind === 'expired'
    ? `; ${AUTH_HINT}`
    : kind === 'rate-limited' ? ': seed the day again later' : kind === 'query' ? ': the query does not fit the API\'s schema or limits' : ''
  const message = scrub(`${SOURCE} refused ${what} (${codes})${advice}`, secrets)
  return new EnergyError(KIND_CODES[kind], message, { source: SOURCE, retryable: kind === 'rate-limited', krakenCodes: errors.map(e => e.code ?? null), krakenKind: kind })
}

/** `text` with every secret replaced: an answer could echo the key or a token back. */
export function scrub (text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]')
  return out
}

function shortText (value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  // eslint-disable-next-line no-control-regex -- an error text goes into messages and logs
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean
}

// One token cache per endpoint and key, for the whole process: every source of a process
// shares one token, as Octopus's hourly points allowance is per account user.
const caches = new Map<string, TokenCache<ClientContext>>()

function cacheFor (ctx: ClientContext): TokenCache<ClientContext> {
  const { config } = ctx
  // The key is hashed so the map holds no copy of it.
  const id = `${config.octopusGraphqlUrl}\n${createHash('sha256').update(config.octopusApiKey).digest('hex')}`
  let cache = caches.get(id)
  if (cache === undefined) {
    cache = createTokenCache(async (caller: ClientContext) => await obtainKrakenToken(caller))
    caches.set(id, cache)
  }
  return cache
}

const TOKEN_MUTATION = `mutation ObtainKrakenToken($apiKey: String!) {
  obtainKrakenToken(input: {APIKey: $apiKey}) { token payload refreshToken refreshExpiresIn }
}`

/**
 * A new token for OCTOPUS_API_KEY. Its lifetime is the payload's exp − iat (60 minutes on
 * Octopus), counted from now on this machine's clock, so the server's clock does not matter.
 */
export async function obtainKrakenToken (ctx: ClientContext, now = Date.now): Promise<KrakenToken> {
  const { config } = ctx
  if (config.octopusApiKey === '') throw new EnergyError('ENERGY_AUTH', `${SOURCE} needs an API key: OCTOPUS_API_KEY is empty`, { source: SOURCE })
  const secrets = [config.octopusApiKey]
  const startedMs = now()
  const body = await post(ctx, { query: TOKEN_MUTATION, variables: { apiKey: config.octopusApiKey } }, 'obtainKrakenToken', secrets, true)
  const data = asObject(asObject(body, SOURCE, 'answer').data, SOURCE, 'data')
  const result = asObject(data.obtainKrakenToken, SOURCE, 'obtainKrakenToken')
  if (typeof result.token !== 'string' || result.token.length < 8 || result.token.length > 8192) throw malformed(SOURCE, 'obtainKrakenToken.token is not a token')
  const payload = asObject(result.payload, SOURCE, 'obtainKrakenToken.payload')
  const { exp, iat } = payload
  const lifetimeS = typeof exp === 'number' && typeof iat === 'number' && Number.isFinite(exp - iat) && exp > iat ? exp - iat : 3600
  return { token: result.token, expiresAtMs: startedMs + Math.min(lifetimeS, 24 * 3600) * 1000 }
}

export interface GraphqlRequest {
  query: string
  variables?: Record<string, unknown>
  /** What the query asks for, for messages: "devices of A-1234ABCD". */
  what: string
}

/**
 * Runs a query with the account's token and returns its `data` object. A token the server
 * calls expired is replaced once (one request in flight for every caller) and the query
 * asked again; rate limits are retried with backoff (HTTP_RETRIES), then ENERGY_RATE_LIMITED.
 */
export async function krakenQuery (ctx: ClientContext, request: GraphqlRequest): Promise<Record<string, unknown>> {
  const cache = cacheFor(ctx)
  for (let renewed = false; ; renewed = true) {
    const token = await cache.get(ctx)
    try {
      const body = await post(ctx, { query: request.query, variables: request.variables ?? {} }, request.what, [ctx.config.octopusApiKey, token], false, token)
      return asObject(asObject(body, SOURCE, 'answer').data, SOURCE, `data of ${request.what}`)
    } catch (err) {
      if (!renewed && err instanceof EnergyError && err.krakenKind === 'expired') {
        cache.invalidate(token)
        continue
      }
      throw err
    }
  }
}

async function post (ctx: ClientContext, payload: unknown, what: string, secrets: string[], tokenRequest: boolean, token?: string): Promise<unknown> {
  const { config, log, signal } = ctx
  const headers: Record<string, string> = token === undefined ? {} : { authorization: token }
  try {
    return await postJson(config.octopusGraphqlUrl, payload, {
      ...httpSettings(config as Config),
      log,
      signal,
      headers,
      authHint: AUTH_HINT,
      inspect: body => {
        const errors = krakenErrors(body)
        // A partial answer (data and errors) is still refused: a dispatch list cut short
        // would read as dispatches that never happened.
        if (errors.length > 0) throw krakenError(errors, what, secrets)
      }
    })
  } catch (err) {
    if (!(err instanceof EnergyError)) throw err
    // The token answer holds the token: a malformed one is not quoted.
    if (tokenRequest && err.code === 'ENERGY_MALFORMED' && err.krakenKind === undefined) {
      throw new EnergyError('ENERGY_MALFORMED', `${SOURCE} answered obtainKrakenToken with malformed JSON (not quoted: it may hold a token)`, { source: SOURCE })
    }
    const clean = scrub(err.message, secrets)
    if (clean === err.message) throw err
    throw new EnergyError(err.code, clean, { ...err, retryable: err.retryable })
  }
}

/** Forgets every cached token (tests; a process changing its key). */
export function forgetKrakenTokens (): void {
  caches.clear()
}
