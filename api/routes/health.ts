import type { StatusProbes } from '../status.ts'
import type { ApiApp } from '../types.ts'

// GET /healthz: the process answers. GET /readyz: the broker, the registry and Postgres answer
// within the probe timeout (503 otherwise). Both open without the token (api/auth.ts), for
// container health checks; they tell only ok or not per dependency.

const CHECKS = { type: 'object', properties: { broker: { type: 'boolean' }, registry: { type: 'boolean' }, postgres: { type: 'boolean' } } } as const
const READY = { type: 'object', required: ['status', 'checks'], properties: { status: { type: 'string' }, checks: CHECKS } } as const

export interface HealthRouteDeps {
  probes: StatusProbes
  timeoutMs: number
}

export function healthRoutes (app: ApiApp, { probes, timeoutMs }: HealthRouteDeps): void {
  app.get('/healthz', { schema: { summary: 'The process answers', tags: ['health'], security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { schema: { summary: 'Broker, registry and Postgres answer (503 otherwise)', tags: ['health'], security: [], response: { 200: READY, 503: READY } } }, async (_request, reply) => {
    const within = async (probe: () => Promise<unknown>): Promise<boolean> => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), timeoutMs) })
      try {
        return await Promise.race([probe().then(() => true, () => false), timeout])
      } finally {
        clearTimeout(timer)
      }
    }
    const [broker, registry, postgres] = await Promise.all([within(probes.kafka), within(probes.registry), within(probes.postgres)])
    const ready = broker && registry && postgres
    return await reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: { broker, registry, postgres } })
  })
}
