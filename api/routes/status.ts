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

const NULLABLE_NUMBER = { type: ['number', 'null'] } as const

/** A consumer group's lag (api/types.ts GroupLag): the task's own figure, else counted from outside. */
const GROUP_LAG = {
  type: 'object',
  required: ['group', 'kind', 'topics', 'lag', 'lag_exact', 'lag_source'],
  properties: {
    group: { type: 'string' },
    kind: { type: 'string', enum: ['processor', 'join', 'sink'] },
    topics: { type: 'array', items: { type: 'string' } },
    lag: NULLABLE_NUMBER,
    lag_exact: { type: 'boolean' },
    lag_source: { type: ['string', 'null'], enum: ['task', 'broker', 'mixed', null] }
  }
} as const

// GET /api/status always answers 200: a failed probe is part of the answer (ok:false).
export function statusRoutes (app: ApiApp, deps: StatusRouteDeps): void {
  app.get('/api/status', {
    schema: {
      summary: 'How the pipeline is doing',
      description: 'Broker, registry and Postgres reachable; per consumer group its lag in records (its running tasks\' own count, else counted from outside: lag_source); dead letters by component; the newest complete day. The full shape is in docs/api.md.',
      tags: ['status'],
      // The groups are described; the rest of the shape is in docs/api.md.
      response: { 200: { type: 'object', required: ['groups'], properties: { groups: { type: 'array', items: GROUP_LAG } }, additionalProperties: true } }
    }
  }, async (_request, reply): Promise<StatusResponse> => {
    reply.header('cache-control', 'no-store')
    return await readStatus(deps.probes, deps.groups, deps.dlqTopic, deps.timeoutMs, deps.log)
  })
}
