import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyError, type FastifyReply } from 'fastify'
import type { Config } from '../lib/config.ts'
import type { Pool } from '../lib/db.ts'
import { isEnergyError, type ErrorCode } from '../lib/errors.ts'
import type { Logger } from '../lib/log.ts'
import { topology as pipelineTopology, type Topology } from '../processors/topology.ts'
import { DEFAULT_API_OPTIONS, type ApiOptions } from './options.ts'
import { badDate, DATE_FIELDS } from './params.ts'
import { aheadRoutes } from './routes/ahead.ts'
import { billedRoutes } from './routes/billed.ts'
import { createAuthHook } from './auth.ts'
import { compareRoutes } from './routes/compare.ts'
import { daysRoutes } from './routes/days.ts'
import { metricsRoutes } from './routes/metrics.ts'
import { createApiMetrics } from './metrics.ts'
import { createCodec, type Codec } from '../lib/avro.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { healthRoutes } from './routes/health.ts'
import { exportRoutes } from './routes/export.ts'
import { monthsRoutes } from './routes/months.ts'
import { staticRoutes } from './routes/static.ts'
import { statusRoutes } from './routes/status.ts'
import { createStatusProbes, watchedGroups, type StatusProbes } from './status.ts'
import type { ApiApp } from './types.ts'

// The API's own mapping of error codes to HTTP answers: a caller's mistake is a 4xx, anything
// else is the server's (500). An upstream HTTP status carried by an error never leaks through.
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  ENERGY_BAD_DATE: 400,
  ENERGY_USAGE: 400
}

/** The OpenAPI document's header; paths and schemas come from the routes (GET /api/openapi.json). */
const OPENAPI_INFO = {
  openapi: '3.1.0' as const,
  info: {
    title: 'Home energy API',
    version: '1',
    description: 'Daily and monthly electricity, gas, export, cost and carbon of an Octopus Energy household, half-hour by half-hour (docs/api.md).'
  },
  security: [{ token: [] }],
  components: { securitySchemes: { token: { type: 'http' as const, scheme: 'bearer', description: 'API_TOKEN, required when the API is not on loopback (also as the basic-auth password)' } } }
}

export { DEFAULT_API_OPTIONS, type ApiOptions } from './options.ts'
export type { StatusProbes, KafkaSnapshot } from './status.ts'
export type * from './types.ts'

export interface AppDeps {
  pool: Pool
  config: Readonly<Config>
  log: Logger
  /** Status probes; default: the real broker, registry and Postgres probes. */
  status?: StatusProbes
  options?: Partial<ApiOptions>
  /** The clock (UTC ms) of GET /api/ahead; default Date.now. */
  now?: () => number
  /** Its sources and daily_summary's fields; default the pipeline's (processors/topology.ts). */
  topology?: Topology
  /** Decodes energy_processor for /metrics; default the registry's (SCHEMA_REGISTRY_URL). */
  codec?: Codec
}

/**
 * The API and dashboard as a fastify instance, not listening: api/server.ts listens, tests
 * call app.inject(). The pool belongs to the caller; probes created here close with the app.
 */
export function build (deps: AppDeps): ApiApp {
  const { pool, config } = deps
  const options: ApiOptions = { ...DEFAULT_API_OPTIONS, ...deps.options }
  const log = deps.log.child({ component: 'api' })
  // Request logging off: the dashboard polls /api/status every 5 s. Responses are logged at
  // debug below, failures at error in the error handler.
  const app = Fastify({
    loggerInstance: log,
    logController: new Fastify.LogController({ disableRequestLogging: true }),
    // A long parameter reaches the route's own check (a 15 KB date is "not a date", like a
    // short one) instead of find-my-way's 100-character limit, which answers with a message
    // of its own. No route has a regex parameter, which is what the limit protects; Node's
    // 16 KB header limit bounds the URL anyway.
    routerOptions: { maxParamLength: 16384 },
    // Errors raised before routing (a malformed percent-encoding in the URL) skip the error
    // handler; answer them in the same shape.
    frameworkErrors: (err, _request, reply) => { (reply as FastifyReply).code(400).send({ error: clipMessage(err.message) }) },
    clientErrorHandler
  })

  const probes = deps.status ?? createStatusProbes({ config, pool, log, timeoutMs: options.probeTimeoutMs, maxCountedOffsets: options.maxCountedOffsets })
  if (deps.status === undefined) app.addHook('onClose', async () => { await probes.close?.() })

  if (config.apiToken !== '') app.addHook('onRequest', createAuthHook({ token: config.apiToken, ...options.auth, now: deps.now }))

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    return payload
  })
  const topology = deps.topology ?? pipelineTopology
  const metrics = createApiMetrics({
    pool,
    codec: deps.codec ?? createCodec(createRegistryClient(config), undefined, config.namespace),
    config,
    log,
    probes,
    groups: watchedGroups(config),
    topology,
    timeoutMs: options.probeTimeoutMs,
    now: deps.now
  })
  app.addHook('onResponse', async (request, reply) => {
    log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request answered')
    // By the route's pattern (/api/days/:date), never the raw URL: the label stays bounded.
    metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
  })

  // Every error answers {"error": message}: never a stack trace, and a 500 never says more
  // than "internal error" (the log has the rest).
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation !== undefined && (err.validationContext === 'querystring' || err.validationContext === 'params')) {
      const field = err.validation[0]?.instancePath.replace(/^\//, '') ?? ''
      if (DATE_FIELDS.has(field)) {
        const values = (err.validationContext === 'querystring' ? request.query : request.params) as Record<string, unknown>
        return reply.code(400).send({ error: badDate(field, values[field]).message })
      }
    }
    const status = isEnergyError(err) ? HTTP_STATUS[err.code] : err.statusCode
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.code(status).send({ error: clipMessage(err.message) })
    }
    log.error({ err, method: request.method, url: request.url }, 'request failed')
    return reply.code(500).send({ error: 'internal error' })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${clip(request.url.split('?')[0])}` })
  })

  // The OpenAPI document is built from the routes' own schemas: the routes are registered in a
  // plugin after @fastify/swagger, so its onRoute hook sees every one of them.
  app.register(swagger, { openapi: OPENAPI_INFO })
  app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  app.register(async (api: ApiApp) => {
    healthRoutes(api, { probes, timeoutMs: options.probeTimeoutMs })
    daysRoutes(api, { pool, options, topology })
    metricsRoutes(api, { registry: metrics.registry })
    monthsRoutes(api, { pool, options })
    billedRoutes(api, { pool, config, options })
    exportRoutes(api, { pool })
    // Ends the comparisons' upstream work when the app closes.
    const closing = new AbortController()
    api.addHook('onClose', async () => { closing.abort() })
    compareRoutes(api, { pool, config, log, signal: closing.signal })
    aheadRoutes(api, { pool, now: deps.now ?? Date.now })
    statusRoutes(api, { probes, groups: watchedGroups(config), dlqTopic: config.topics.dlq, timeoutMs: options.probeTimeoutMs, log })
  })
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  staticRoutes(app)
  return app
}

// Error messages echo what the caller sent (a path, a parameter, a header) cut to this many
// characters: a 15 KB URL must not come back as a 15 KB error.
export const MAX_ECHO = 100

/** `text` cut to MAX_ECHO characters, with '…' when cut. */
export function clip (text: string, max = MAX_ECHO): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}

/**
 * A framework message fit to answer: every quoted run (fastify and find-my-way quote the URL
 * or value they refuse) cut to MAX_ECHO characters, and the whole to a few lines' worth.
 */
export function clipMessage (message: string): string {
  const cut = message.replace(/'([^']*)'/g, (_m, inner: string) => `'${clip(inner)}'`).replace(/"([^"]*)"/g, (_m, inner: string) => `"${clip(inner)}"`)
  return clip(cut, 3 * MAX_ECHO)
}

const CLIENT_ERRORS: Record<string, [status: number, reason: string, message: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request timed out'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request line and headers exceed 16 KB']
}

/**
 * Node's clientError (a request that does not parse: headers over 16 KB, a broken request
 * line, a timeout), answered on the socket in the API's one shape, {"error": message}, where
 * fastify's default answers {"error", "message", "statusCode"}.
 */
export function clientErrorHandler (err: Error & { code?: string }, socket: { destroyed: boolean, writable: boolean, write: (data: string) => unknown, destroy: (err?: Error) => void }): void {
  // ECONNRESET: the peer is gone, nothing to answer (as fastify's default handler).
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [status, reason, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'Bad Request', 'malformed HTTP request']
  const body = JSON.stringify({ error: message })
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(err)
}
