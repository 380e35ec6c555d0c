import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { redactUrl, splitCredentials, type BasicAuth, type Config } from './config.ts'
import { EnergyError } from './errors.ts'
import { retry, type RetryOptions } from './retry.ts'

// A client for the Confluent-compatible registry REST API (Redpanda's built-in registry,
// or Apicurio's /apis/ccompat/v7). Registration goes through @kafkajs/confluent-schema-registry;
// the few calls it does not expose publicly are plain fetches of the same API.

export type Compatibility = 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FULL' | 'NONE'

export interface RegistryClient {
  /** Writer schema (JSON text) of a registered schema id. */
  schemaById (id: number): Promise<string>
  /** Latest registered version of a subject, or undefined if the subject does not exist. */
  latest (subject: string): Promise<{ id: number, version: number, schema: string } | undefined>
  /** The registry's verdict on a candidate schema against the subject's latest version. */
  isCompatible (subject: string, schema: string): Promise<boolean>
  setCompatibility (subject: string, level: Compatibility): Promise<void>
  /** Registers (or finds) the schema under the subject; returns its id. */
  register (subject: string, schema: string): Promise<number>
  /** Id of an already registered schema, by content. */
  idOf (subject: string, schema: string): Promise<number>
  /** Deletes a subject for good (soft, then permanent, as the Confluent API requires). */
  deleteSubject (subject: string): Promise<void>
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'
const REQUEST_TIMEOUT_MS = 10000
/** Three attempts a short pause apart: a registry restart or a lost answer, not an outage. */
const RETRY: RetryOptions = { attempts: 3, baseDelayMs: 200, maxDelayMs: 2000 }

/** The library's (mappersmith's) message for a request past its deadline. */
function timedOut (err: unknown): boolean {
  return /Timeout \(\d+ms\)/.test((err as Error).message)
}

type LibraryMiddleware = NonNullable<ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']>[number]

/**
 * The library's HTTP client (mappersmith) waits for an answer forever by default: once in CI a
 * registration's answer never arrived and setup hung with an idle socket. Every request it
 * sends gets the same deadline as ours.
 */
const deadline: LibraryMiddleware = () => ({
  async prepareRequest (next) {
    return (await next()).enhance({ timeout: REQUEST_TIMEOUT_MS })
  }
})

/** Where the registry is and how to sign in: the config, or just a URL. */
export type RegistryConnection = Pick<Config, 'schemaRegistryUrl' | 'schemaRegistryAuth'>

/** The Authorization header of basic auth (RFC 7617: base64 of UTF-8 `user:password`). */
export function basicAuthorization (auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
}

/** The registry's base URL without credentials, and the basic auth to send (the config's, else the URL's). */
function registryEndpoint (connection: string | RegistryConnection): { base: string, auth?: BasicAuth } {
  const { schemaRegistryUrl, schemaRegistryAuth } = typeof connection === 'string' ? { schemaRegistryUrl: connection, schemaRegistryAuth: undefined } : connection
  const split = splitCredentials(schemaRegistryUrl.replace(/\/+$/, ''))
  const auth = schemaRegistryAuth ?? (split.auth !== undefined && split.auth.username !== '' ? split.auth : undefined)
  return { base: split.url, auth }
}

/**
 * `connection` is the config (its schemaRegistryUrl has no credentials, schemaRegistryAuth
 * holds them) or a URL, whose user:password, if any, becomes the basic auth. Either way the
 * URL requests go to, and every message, carries no credentials.
 */
export function createRegistryClient (connection: string | RegistryConnection): RegistryClient {
  const { base, auth } = registryEndpoint(connection)
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE }
  if (auth !== undefined) headers.authorization = basicAuthorization(auth)
  // Loaded on first registration only: spares its RSS to wire-format-only processors (docs/bench.md).
  // The library sends `auth` as basic auth itself (mappersmith's BasicAuth middleware).
  const library = import('@kafkajs/confluent-schema-registry').then(m => ({ m, registry: new m.SchemaRegistry({ host: base, auth: auth === undefined ? undefined : { ...auth }, middlewares: [deadline] }) }))
  library.catch(() => {})

  async function callOnce<T> (method: string, path: string, body?: unknown, allow404 = false): Promise<T | undefined> {
    let res: Response
    try {
      res = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
      })
    } catch (cause) {
      throw new EnergyError('ENERGY_SCHEMA', `schema registry at ${redactUrl(base)} is unreachable`, { cause, retryable: true })
    }
    const text = await res.text()
    if (res.status === 404 && allow404) return undefined
    if (!res.ok) {
      const hint = res.status === 401 || res.status === 403 ? ' (check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD)' : ''
      throw new EnergyError('ENERGY_SCHEMA', `schema registry ${method} ${path} answered ${res.status}${hint}: ${text.slice(0, 300)}`,
        { status: res.status, retryable: res.status >= 500 })
    }
    return JSON.parse(text) as T
  }

  // Every call here is idempotent (reads, PUT of a level, lookups, DELETE answering 404 once
  // done), so an unreachable registry or a 5xx is simply asked again, as a registration is.
  async function call<T> (method: string, path: string, body?: unknown, allow404 = false): Promise<T | undefined> {
    return await retry(() => callOnce<T>(method, path, body, allow404), RETRY)
  }

  const enc = encodeURIComponent
  return {
    async schemaById (id) {
      const found = await call<{ schema: string }>('GET', `/schemas/ids/${id}`)
      return (found as { schema: string }).schema
    },
    async latest (subject) {
      return await call<{ id: number, version: number, schema: string }>('GET', `/subjects/${enc(subject)}/versions/latest`, undefined, true)
    },
    async isCompatible (subject, schema) {
      const verdict = await call<{ is_compatible: boolean }>('POST',
        `/compatibility/subjects/${enc(subject)}/versions/latest`, { schema, schemaType: 'AVRO' }, true)
      // No subject yet: anything is compatible with nothing.
      return verdict === undefined ? true : verdict.is_compatible
    },
    async setCompatibility (subject, level) {
      await call('PUT', `/config/${enc(subject)}`, { compatibility: level })
    },
    async register (subject, schema) {
      // The library compares GET /config/{subject} with the compatibility it is given and
      // throws on a mismatch; Apicurio answers NONE for an unset subject where Confluent
      // answers 404, so the caller sets the subject's level first (setCompatibility).
      const { m, registry } = await library
      // Registering the same schema again answers the same id, so a request that timed out
      // is simply sent again.
      try {
        const { id } = await retry(() => registry.register({ type: m.SchemaType.AVRO, schema }, { subject, compatibility: m.COMPATIBILITY.BACKWARD }),
          { ...RETRY, retryable: timedOut })
        return id
      } catch (cause) {
        throw new EnergyError('ENERGY_SCHEMA', `registering ${subject} failed: ${(cause as Error).message}`, { cause, subject, retryable: timedOut(cause) })
      }
    },
    async idOf (subject, schema) {
      const found = await call<{ id: number }>('POST', `/subjects/${enc(subject)}`, { schema, schemaType: 'AVRO' }, true)
      if (found === undefined) {
        throw new EnergyError('ENERGY_SCHEMA', `schema for ${subject} is not registered: run \`npm run setup\``, { subject })
      }
      return found.id
    },
    async deleteSubject (subject) {
      await call('DELETE', `/subjects/${enc(subject)}`, undefined, true)
      await call('DELETE', `/subjects/${enc(subject)}?permanent=true`, undefined, true)
    }
  }
}
