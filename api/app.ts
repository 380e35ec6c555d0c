import Fastify, { type FastifyError, type FastifyReply } from 'fastify'
import type { Config } from '../lib/config.ts'
import type { Pool } from '../lib/db.ts'
import { isEnergyError, type ErrorCode } from '../lib/errors.ts'
import type { Logger } from '../lib/log.ts'
import { DEFAULT_API_OPTIONS, type ApiOptions } from './options.ts'
import { badDate, DATE_FIELDS } from './params.ts'
import { daysRoutes } from './routes/days.ts'
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
    // Errors raised before routing (a malformed percent-encoding in the URL) skip the error
    // handler; answer them in the same shape.
    frameworkErrors: (err, _request, reply) => { (reply as FastifyReply).code(400).send({ error: err.message }) }
  })

  const probes = deps.status ?? createStatusProbes({ config, pool, log, timeoutMs: options.probeTimeoutMs, maxCountedOffsets: options.maxCountedOffsets })
  if (deps.status === undefined) app.addHook('onClose', async () => { await probes.close?.() })

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff')
    return payload
  })
  app.addHook('onResponse', async (request, reply) => {
    log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request answered')
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
      return reply.code(status).send({ error: err.message })
    }
    log.error({ err, method: request.method, url: request.url }, 'request failed')
    return reply.code(500).send({ error: 'internal error' })
  })
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` })
  })

  daysRoutes(app, { pool, options })
  statusRoutes(app, { probes, groups: watchedGroups(config), dlqTopic: config.topics.dlq, timeoutMs: options.probeTimeoutMs, log })
  staticRoutes(app)
  return app
}
