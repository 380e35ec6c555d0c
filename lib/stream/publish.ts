import type { Pool } from '../db.ts'
import { describeError } from '../errors.ts'
import type { Logger } from '../log.ts'
import { upstreamCounts } from '../http.ts'
import { snapshot, type TaskCounters } from './counters.ts'

// How the API process gets the counters of the processes that run tasks: each publishes its
// tasks' counters to energy_usage.task_status (sql/010) every `intervalMs` and once when it
// stops, and /api/status reads the table. Postgres is already every reader's store, and a
// row says when it was published, so a stopped process shows as stale rather than vanishing.

export interface StatusPublisher {
  /** Publishes now. */
  publish (): Promise<void>
  start (): void
  /** Stops publishing, after a last publish. */
  stop (): Promise<void>
}

export interface PublisherDeps {
  pool: Pool
  /** The process's instance (--instance): tasks of several copies keep rows apart. */
  instance: string
  log: Logger
  intervalMs?: number
  /** The counters to publish; default every task of the process. */
  read?: () => TaskCounters[]
  /**
   * What the process runs (`npm start --only`, default all): names the row of its upstream
   * calls (lib/http.ts), one per kind of process, so a restart replaces it.
   */
  role?: string
}

export function createStatusPublisher ({ pool, instance, log, intervalMs = 5000, read = snapshot, role = 'all' }: PublisherDeps): StatusPublisher {
  let timer: NodeJS.Timeout | undefined
  let publishing: Promise<void> = Promise.resolve()

  async function write (): Promise<void> {
    const tasks: object[] = read()
    if (tasks.length === 0) return
    // The process's upstream calls per host ride along as a row of their own (kind 'upstream').
    const upstream = upstreamCounts()
    if (Object.keys(upstream).length > 0) tasks.push({ task: `upstream ${role}`, kind: 'upstream', group: '', upstream })
    await pool.query(`INSERT INTO energy_usage.task_status (task, instance, kind, group_id, counters, published_at)
      SELECT t->>'task', $1, t->>'kind', t->>'group', t, now() FROM jsonb_array_elements($2::jsonb) t
      ON CONFLICT (task, instance) DO UPDATE SET kind = EXCLUDED.kind, group_id = EXCLUDED.group_id, counters = EXCLUDED.counters, published_at = EXCLUDED.published_at`,
    [instance, JSON.stringify(tasks)])
  }

  const publish = async (): Promise<void> => {
    // One at a time: a slow Postgres never piles up writes.
    publishing = publishing.then(write).catch((err: unknown) => { log.debug({ err: describeError(err) }, 'task counters not published') })
    await publishing
  }

  return {
    publish,
    start () {
      timer ??= setInterval(() => { publish().catch(() => {}) }, intervalMs)
      timer.unref()
    },
    async stop () {
      clearInterval(timer)
      timer = undefined
      await publish()
    }
  }
}
