import { describeError } from '../../lib/errors.ts'
import { applyToTable } from '../../lib/global-table.ts'
import type { RangeRecord } from '../../lib/range-reader.ts'
import { createChangelog, createChangelogTask } from '../../lib/stream/changelog.ts'
import { createCommitPublisher } from '../../lib/stream/kafka-commit.ts'
import { type StreamProcessor, type Task, type TaskContext } from '../../lib/stream/task.ts'
import type { Account } from '../../clients/octopus/types.ts'
import { transactionalId } from '../names.ts'
import { seedAccount, type SeedDeps } from './seed.ts'

// A running pipeline re-reads the account at start and every ACCOUNT_REFRESH_HOURS, so a
// switch made at Octopus (a back-dated one included) re-prices its days without anyone seeding.
// A failed read is logged and tried again at the next interval, at most an hour later: never
// a tight loop against the API.

const MAX_RETRY_MS = 60 * 60 * 1000

/** The task whose counters say which account facts GraphQL could not check (api/status.ts). */
export const ACCOUNT_REFRESHER_TASK = 'account-refresher'

/** The account refresher's consumer group and transactional id prefix. */
export function accountRefresherGroup (namespace = ''): string {
  return `${namespace}energy-account-refresher`
}

/**
 * The account refresher, a task on the runtime (lib/stream) with a store and a wall-clock
 * punctuator, as the forecast: its store is the latest account per number, restored from
 * energy.account (compacted, one partition) and kept up to date as it is read back; each
 * refresh compares Octopus's answer with the store and, when it changed, sends the account,
 * its products, the requests for the days the change moves and its dead letters in one
 * transaction of its own. What GraphQL could not check goes to its counters (/api/status).
 */
export function createAccountRefresher (deps: SeedDeps): Task {
  const { config, codec } = deps
  const log = deps.log.child({ component: 'account' })
  const topic = config.topics.account
  const changelog = createChangelog(topic)
  const group = accountRefresherGroup(config.namespace)
  let accounts = new Map<string, Account>()

  const apply = async (records: ReadonlyArray<Pick<RangeRecord, 'key' | 'value' | 'offset'>>): Promise<void> => { await applyToTable(accounts, records, codec, topic, log) }

  async function refresh (context: TaskContext): Promise<number | undefined> {
    const kafka = context.kafka as NonNullable<TaskContext['kafka']>
    try {
      const refreshed = await seedAccount({ ...deps, log }, context.signal, {
        previous: accounts.get(config.octopusAccount),
        publisher: createCommitPublisher(kafka)
      })
      if (refreshed !== undefined) {
        context.counters.setUnchecked(refreshed.graphql.reason, refreshed.graphql.unchecked)
        if (refreshed.changed) accounts.set(refreshed.account.number, refreshed.account)
      }
      return undefined
    } catch (err) {
      if (context.signal.aborted) return undefined
      const retryMs = Math.min(config.accountRefreshMs, MAX_RETRY_MS)
      log.error({ err: describeError(err), retryInS: retryMs / 1000 }, 'account not read, trying again later')
      return retryMs
    }
  }

  const processor: StreamProcessor = {
    async init (context) {
      accounts = new Map()
      await changelog.restore(context, apply)
    },
    // What it published, and what a seed published, read back.
    process: apply,
    punctuate: refresh
  }

  return createChangelogTask({
    name: ACCOUNT_REFRESHER_TASK,
    kind: 'poller',
    config,
    log,
    group,
    changelog,
    transactionalId: transactionalId(group, '1'),
    restartDelayMs: 5000,
    punctuateMs: config.accountRefreshMs,
    processor
  })
}
