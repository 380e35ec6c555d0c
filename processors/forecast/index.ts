import { createTariffCatalogue } from '../../clients/octopus/catalogue.ts'
import { readsAccount } from '../../clients/octopus/plan.ts'
import { createPool, type Pool } from '../../lib/db.ts'
import { isoUtc } from '../../lib/london-day.ts'
import { closeQuietly } from '../../lib/supervisor.ts'
import { createChangelog, createChangelogTask } from '../../lib/stream/changelog.ts'
import { type StreamProcessor, type Task, type TaskContext } from '../../lib/stream/task.ts'
import { createAccountTable, type AccountTable } from '../account/table.ts'
import { topicIn, transactionalId } from '../names.ts'
import { DEFAULT_FORECAST_OPTIONS, type ForecastOptions } from './options.ts'
import { applyForecastRecords, planRefresh } from './refresh.ts'
import { FORECAST_TOPIC } from './sink.ts'
import type { ForecastDeps, ForecastRecord } from './types.ts'

export { DEFAULT_FORECAST_OPTIONS, type ForecastOptions } from './options.ts'
export { fetchForecast } from './fetch.ts'
export { mergeForecast } from './normalise.ts'
export { applyForecastRecords, horizonOf, planRefresh, type RefreshPlan } from './refresh.ts'
export { FORECAST_SPEC, FORECAST_TOPIC, forecastTarget } from './sink.ts'
export type * from './types.ts'

/** The forecast's consumer group and transactional id prefix. */
export function forecastGroup (namespace = ''): string {
  return `${namespace}energy-forecast`
}

/**
 * The forecast, a task on the runtime (lib/stream) like a Kafka Streams processor with a
 * wall-clock punctuator and a store: its store is the latest record per slot, restored from
 * energy.forecast (compacted, its own changelog) before the first refresh and kept up to date
 * as its output is read back. At start and every FORECAST_REFRESH_MINUTES it punctuates: the
 * next 48 hours' carbon intensity (the household's region, else national) and import unit
 * rates, merged with the store, one record per half-hour, and tombstones for the slots whose
 * day has been seeded, sent in one transaction. A part that cannot be read keeps the previous
 * values, so a failed fetch never stops it; a Kafka failure restarts the session.
 */
export function createForecastComponent (deps: ForecastDeps): Task & { refreshed (): number } {
  const { config, codec } = deps
  const options: ForecastOptions = { ...DEFAULT_FORECAST_OPTIONS, ...deps.options }
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: 'forecast' })
  const topic = topicIn(config, FORECAST_TOPIC)
  const changelog = createChangelog(topic)
  const group = forecastGroup(config.namespace)
  const tariffs = createTariffCatalogue()
  let refreshes = 0
  // Per session: the store, the slots tombstoned (the sink may not have deleted their rows yet: not sent twice).
  let latest = new Map<number, ForecastRecord>()
  let tombstoned = new Set<number>()
  let pool: Pool | undefined
  let accounts: AccountTable | undefined

  async function refresh (context: TaskContext): Promise<void> {
    const plan = await planRefresh({ config, codec, log, pool: pool as Pool, accounts, tariffs, latest, tombstoned, options }, now(), context.signal)
    const kafka = context.kafka as NonNullable<TaskContext['kafka']>
    if (plan.records.length > 0 || plan.settled.length > 0) {
      await kafka.transact([], async send => {
        for (const r of plan.records) await send({ topic, partition: 0, key: isoUtc(r.slot_start), value: await codec.encode(topic, r) })
        for (const ms of plan.settled) await send({ topic, partition: 0, key: isoUtc(ms) })
      })
    }
    for (const r of plan.records) latest.set(r.slot_start, r)
    for (const ms of plan.settled) {
      latest.delete(ms)
      tombstoned.add(ms)
    }
    if (plan.settled.length > 0) {
      log.info({ slots: plan.settled.length, first: isoUtc(plan.settled[0]), last: isoUtc(plan.settled[plan.settled.length - 1]) }, 'forecast slots of seeded days moved to settled history')
    }
    refreshes++
  }

  const processor: StreamProcessor = {
    async init (context) {
      latest = new Map()
      tombstoned = new Set()
      pool = createPool(config.databaseUrl, log, 1)
      accounts = readsAccount(config) ? createAccountTable(config, codec, log) : undefined
      await changelog.restore(context, async records => { await applyForecastRecords(records, latest, codec, topic, log) })
    },
    // Its own output read back (and anything else written since the restore).
    async process (batch) {
      await applyForecastRecords(batch, latest, codec, topic, log)
    },
    punctuate: refresh,
    async close () {
      await closeQuietly(() => accounts?.close())
      await closeQuietly(() => pool?.end())
      accounts = undefined
      pool = undefined
    }
  }

  const task = createChangelogTask({
    name: 'forecast',
    kind: 'forecast',
    config,
    log,
    group,
    changelog,
    transactionalId: transactionalId(group, '1'),
    batchSize: 500,
    restartDelayMs: options.restartDelayMs,
    punctuateMs: options.refreshMs ?? config.forecastRefreshMs,
    processor
  })
  return { ...task, refreshed: () => refreshes }
}
