import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { createPool } from '../../lib/db.ts'
import { EnergyError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import type { Supervised } from '../../lib/supervisor.ts'
import { SOURCES } from '../../lib/topics.ts'
import { createSourceProcessor, SOURCE_DEFINITIONS } from '../../processors/index.ts'
import { createJoinProcessor } from '../../processors/join/index.ts'
import { createSink, SINK_TARGETS } from '../../sinks/index.ts'

export const COMPONENT_NAMES = [...SOURCES, 'join', 'sinks'] as const

export interface Component extends Supervised { name: string }

export interface ComponentDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  instanceId: string
  /** Comma list from --only; undefined means every component. */
  only?: string
}

export function createComponents ({ config, codec, log, instanceId, only }: ComponentDeps): Component[] {
  // By default: the sources SOURCES names, the join and the sinks.
  const names = only === undefined ? [...config.sources, 'join', 'sinks'] : only.split(',').map(s => s.trim()).filter(Boolean)
  const unknown = names.filter(n => !(COMPONENT_NAMES as readonly string[]).includes(n))
  if (unknown.length > 0 || names.length === 0) {
    throw new EnergyError('ENERGY_CONFIG', `--only takes ${COMPONENT_NAMES.join(', ')}; got "${only ?? ''}"`)
  }
  const components: Component[] = []
  for (const source of SOURCES) {
    if (names.includes(source)) {
      components.push({ name: source, ...createSourceProcessor({ config, source: SOURCE_DEFINITIONS[source], codec, log, instanceId }) })
    }
  }
  if (names.includes('join')) components.push({ name: 'join', ...createJoinProcessor({ config, codec, log, instanceId }) })
  if (names.includes('sinks')) components.push(createSinks(config, codec, log))
  return components
}

function createSinks (config: Readonly<Config>, codec: Codec, log: Logger): Component {
  const pool = createPool(config.databaseUrl, log, SINK_TARGETS.length + 1)
  const sinks = SINK_TARGETS.map(target => createSink({ config, codec, log, pool, target }))
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
