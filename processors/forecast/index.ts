import { createTariffCatalogue } from '../../clients/octopus/catalogue.ts'
import { readsAccount } from '../../clients/octopus/plan.ts'
import { setTimeout as sleep } from 'node:timers/promises'
import { createPool } from '../../lib/db.ts'
import { createProducer } from '../../lib/kafka.ts'
import { closeQuietly, supervise, type Supervised } from '../../lib/supervisor.ts'
import { createCounters } from '../../lib/stream/counters.ts'
import { createAccountTable } from '../account/table.ts'
import { topicIn } from '../names.ts'
import { DEFAULT_FORECAST_OPTIONS, type ForecastOptions } from './options.ts'
import { readLatest, refreshForecast } from './refresh.ts'
import { FORECAST_TOPIC } from './sink.ts'
import type { ForecastDeps } from './types.ts'

export { DEFAULT_FORECAST_OPTIONS, type ForecastOptions } from './options.ts'
export { fetchForecast } from './fetch.ts'
export { mergeForecast } from './normalise.ts'
export { horizonOf, readLatest, refreshForecast, type RefreshReport } from './refresh.ts'
export { FORECAST_SPEC, FORECAST_TOPIC, forecastTarget } from './sink.ts'
export type * from './types.ts'

/**
 * The forecast component: at start and every FORECAST_REFRESH_MINUTES, the next 48 hours'
 * carbon intensity (the household's region, else national) and import unit rates to
 * energy.forecast, one record per half-hour, merged with the previous forecast. A part that
 * cannot be read keeps the previous values, so a failed fetch never stops it; a Kafka failure
 * restarts the session after `restartDelayMs`; stop() ends a fetch or a wait at once.
 */
export function createForecastComponent (deps: ForecastDeps): Supervised & { refreshed (): number } {
  const { config, codec } = deps
  const options: ForecastOptions = { ...DEFAULT_FORECAST_OPTIONS, ...deps.options }
  const now = deps.now ?? Date.now
  const log = deps.log.child({ component: 'forecast' })
  const topic = topicIn(config, FORECAST_TOPIC)
  let refreshes = 0
  const tariffs = createTariffCatalogue()
  // A producer on a timer, not a consumer: only the counters are the runtime's (lib/stream).
  const counters = createCounters('forecast', 'forecast', 'energy-forecast')
  const supervised = supervise({
    name: 'forecast',
    log,
    restartDelayMs: options.restartDelayMs,
    async session (signal) {
      counters.add('sessions')
      const producer = createProducer(config, { clientId: 'energy-forecast' })
      const pool = createPool(config.databaseUrl, log, 1)
      const accounts = readsAccount(config) ? createAccountTable(config, codec, log) : undefined
      try {
        const latest = await readLatest(config, codec, topic, log)
        const tombstoned = new Set<number>()
        while (!signal.aborted) {
          const report = await refreshForecast({ config, codec, log, producer, pool, accounts, tariffs, latest, tombstoned, topic, options }, now(), signal)
          counters.add('recordsOut', report.produced + report.settled)
          counters.add('commits')
          refreshes++
          await sleep(options.refreshMs ?? config.forecastRefreshMs, undefined, { signal }).catch(() => {})
        }
      } finally {
        await closeQuietly(() => accounts?.close())
        await closeQuietly(() => producer.close())
        await closeQuietly(() => pool.end())
      }
    }
  })
  return { ...supervised, refreshed: () => refreshes }
}
