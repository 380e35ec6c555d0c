import type { Registry } from 'prom-client'
import type { ApiApp } from '../types.ts'

// GET /metrics: every family of api/metrics.ts in Prometheus's text format. Behind the token
// like every route but the health checks (api/auth.ts).

export function metricsRoutes (app: ApiApp, { registry }: { registry: Registry }): void {
  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of the whole pipeline',
      description: 'Text exposition format: freshness per source, lag per consumer group, the task runtime counters, dead letters by component and code, upstream calls per host, backfill progress, join state, API durations, process figures (docs/operations.md).',
      tags: ['operations']
    }
  }, async (_request, reply) => {
    const text = await registry.metrics()
    return await reply.type(registry.contentType).send(text)
  })
}
