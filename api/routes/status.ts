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
  app.get('/api/status', async (_request, reply): Promise<StatusResponse> => {
    reply.header('cache-control', 'no-store')
    return await readStatus(deps.probes, deps.groups, deps.dlqTopic, deps.timeoutMs, deps.log)
  })
}
