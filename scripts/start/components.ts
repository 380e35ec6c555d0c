import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { createPool } from '../../lib/db.ts'
import type { Logger } from '../../lib/log.ts'
import type { Supervised } from '../../lib/supervisor.ts'
import { availableSources, configuredSources, createJoinProcessor, createSourceProcessor, joinInputsOf, selectComponents, topology as defaultTopology, type Topology } from '../../processors/index.ts'
import { createSink } from '../../sinks/index.ts'
import { createDayBudget } from '../../processors/ingest/limiter.ts'
import { PROCESS_DAYS_IN_FLIGHT } from '../../processors/ingest/options.ts'
import { createAccountRefresher } from '../../processors/ingest/account-refresher.ts'
import { createForecastComponent } from '../../processors/forecast/index.ts'
import { createDispatchPoller } from '../../processors/dispatches/index.ts'

export interface Component extends Supervised { name: string }

export interface ComponentDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  instanceId: string
  /** Comma list from --only; undefined means the configured sources, the join, the sinks, the forecast and the dispatches poller. */
  only?: string
  topology?: Topology
}

/** The components --only selects, built from the topology (processors/topology.ts). */
export function createComponents ({ config, codec, log, instanceId, only, topology = defaultTopology }: ComponentDeps): Component[] {
  const selection = selectComponents(topology, only, config.sources, availableSources(topology, config))
  // One budget of days in flight for every source of the process: its memory does not grow with the sources.
  const budget = createDayBudget(PROCESS_DAYS_IN_FLIGHT)
  const components: Component[] = selection.sources.map(source => ({ name: source.name, ...createSourceProcessor({ config, source, codec, log, instanceId, budget }) }))
  // The account is re-read where its readers run, by one instance (each would re-request).
  if (config.octopusAccount !== '' && instanceId === '1' && selection.sources.some(s => s.accountView !== undefined)) {
    components.push({ name: 'account', ...createAccountRefresher({ config, codec, log, accountSources: topology.accountSources }) })
  }
  // The next 48 hours, fetched by one instance (every copy would produce the same forecast).
  if (selection.forecast && instanceId === '1') components.push({ name: 'forecast', ...createForecastComponent({ config, codec, log }) })
  // Dispatch snapshots, polled by one instance (two would produce the same snapshots), for an account only.
  if (selection.dispatchesPoller && instanceId === '1') {
    if (config.octopusAccount === '') log.info('dispatches poller not started: no OCTOPUS_ACCOUNT (Intelligent Octopus dispatches are the account\'s, over GraphQL)')
    else if (!configuredSources(topology, config).includes('dispatches')) log.info('dispatches poller not started: the dispatches source is not in SOURCES (it is opt-in)')
    else components.push({ name: 'dispatches-poller', ...createDispatchPoller({ config, codec, log }) })
  }
  if (selection.join) components.push({ name: 'join', ...createJoinProcessor({ config, codec, log, instanceId, inputs: joinInputsOf(topology, configuredSources(topology, config)) }) })
  if (selection.sinks) components.push(createSinks(config, codec, log, topology))
  return components
}

function createSinks (config: Readonly<Config>, codec: Codec, log: Logger, topology: Topology): Component {
  const pool = createPool(config.databaseUrl, log, topology.sinkTargets.length + 1)
  const sinks = topology.sinkTargets.map(target => createSink({ config, codec, log, pool, target }))
  return {
    name: 'sinks',
    async start () {
      for (const s of sinks) await s.start()
    },
    async done () {
      await Promise.all(sinks.map(s => s.done()))
    },
    async stop () {
      await Promise.all(sinks.map(s => s.stop()))
      await pool.end()
    }
  }
}
