import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { EnergyError } from '../../lib/errors.ts'
import type { Logger } from '../../lib/log.ts'
import { SOURCES } from '../../lib/topics.ts'
import { createSourceProcessor, SOURCE_DEFINITIONS } from '../../processors/index.ts'
import { createJoinProcessor } from '../../processors/join/index.ts'

export const COMPONENT_NAMES = [...SOURCES, 'join'] as const

export interface Component {
  name: string
  start (): Promise<void>
  stop (): Promise<void>
}

export interface ComponentDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  instanceId: string
  /** Comma list from --only; undefined means every component. */
  only?: string
}

export function createComponents ({ config, codec, log, instanceId, only }: ComponentDeps): Component[] {
  const names = only === undefined ? [...COMPONENT_NAMES] : only.split(',').map(s => s.trim()).filter(Boolean)
  const unknown = names.filter(n => !(COMPONENT_NAMES as readonly string[]).includes(n))
  if (unknown.length > 0 || names.length === 0) {
    throw new EnergyError('ENERGY_CONFIG', `--only takes ${COMPONENT_NAMES.join(', ')}; got "${only ?? ''}"`)
  }
  const components: Component[] = []
  for (const source of SOURCES) {
    if (!names.includes(source)) continue
    const processor = createSourceProcessor({ config, source: SOURCE_DEFINITIONS[source], codec, log, instanceId })
    components.push({ name: source, start: processor.start, stop: processor.stop })
  }
  if (names.includes('join')) {
    const join = createJoinProcessor({ config, codec, log, instanceId })
    components.push({ name: 'join', start: join.start, stop: join.stop })
  }
  return components
}
