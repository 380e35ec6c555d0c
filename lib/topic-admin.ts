import { ConfigResourceTypes, IncrementalAlterConfigOperationTypes, type Admin } from '@platformatic/kafka'
import { EnergyError } from './errors.ts'
import type { TopicSpec } from './topics.ts'

export interface TopicChange {
  topic: string
  action: 'created' | 'reconfigured'
  detail: string
}

/**
 * Creates missing topics and brings the configs of existing ones in line. A topic whose
 * partition count differs is refused, never repartitioned: co-partitioning by date is what
 * the join relies on, and adding partitions would move dates between partitions.
 */
export async function ensureTopics (admin: Admin, specs: TopicSpec[], partitions: number): Promise<TopicChange[]> {
  const changes: TopicChange[] = []
  const existing = new Set(await admin.listTopics())
  for (const spec of specs) {
    const wanted = spec.copartitioned ? partitions : spec.partitions ?? 1
    if (!existing.has(spec.name)) {
      await admin.createTopics({
        topics: [spec.name],
        partitions: wanted,
        replicas: 1,
        configs: Object.entries(spec.configs).map(([name, value]) => ({ name, value }))
      })
      changes.push({ topic: spec.name, action: 'created', detail: `${wanted} partitions, ${describe(spec.configs)}` })
      continue
    }
    const metadata = await admin.metadata({ topics: [spec.name], forceUpdate: true })
    const actual = metadata.topics.get(spec.name)?.partitionsCount
    if (actual !== wanted) {
      throw new EnergyError('ENERGY_CONFIG',
        `topic ${spec.name} has ${actual} partitions, the pipeline needs ${wanted} (TOPIC_PARTITIONS); ` +
        'recreate it (npm run stack -- reset) rather than repartitioning a co-partitioned topic', { topic: spec.name })
    }
    const [described] = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: spec.name, configurationKeys: Object.keys(spec.configs) }]
    })
    const current = new Map(described.configs.map(c => [c.name, c.value]))
    const drift = Object.entries(spec.configs).filter(([name, value]) => current.get(name) !== value)
    if (drift.length > 0) {
      await admin.incrementalAlterConfigs({
        resources: [{
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: spec.name,
          configs: drift.map(([name, value]) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET }))
        }]
      })
      changes.push({ topic: spec.name, action: 'reconfigured', detail: describe(Object.fromEntries(drift)) })
    }
  }
  return changes
}

function describe (configs: Record<string, string>): string {
  return Object.entries(configs).map(([k, v]) => `${k}=${v}`).join(', ')
}

/** The topic's max.message.bytes: the largest record batch the broker accepts on it. */
export async function maxMessageBytes (admin: Admin, topic: string): Promise<number> {
  const [described] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configurationKeys: ['max.message.bytes'] }]
  })
  const value = Number(described?.configs.find(c => c.name === 'max.message.bytes')?.value)
  // The broker's default (message.max.bytes) when the topic does not say.
  return Number.isInteger(value) && value > 0 ? value : 1048588
}
