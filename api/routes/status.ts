import type { Logger } from '../../lib/log.ts'
import { readStatus, type StatusProbes, type WatchedGroup } from '../status.ts'
import type { ApiApp, StatusResponse } from '../types.ts'

export interface StatusRouteDeps {
  probes: StatusProbes
  groups: WatchedGroup[]
  dlqTopic: string
  timeoutMs: number
  log: Logger
}

// GET /api/status always answers 200: a failed probe is part of the answer (ok:false).
export function statusRoutes (app: ApiApp, deps: StatusRouteDeps): void {
  app.get('/api/status', {
    schema: {
      summary: 'How the pipeline is doing',
      description: 'Broker, registry and Postgres reachable; per consumer group its lag; dead letters by component; the newest complete day. The full shape is in docs/api.md.',
      tags: ['status'],
      response: { 200: { type: 'object', additionalProperties: true } }
    }
  }, async (_request, reply): Promise<StatusResponse> => {
    reply.header('cache-control', 'no-store')
    return await readStatus(deps.probes, deps.groups, deps.dlqTopic, deps.timeoutMs, deps.log)
  })
}
