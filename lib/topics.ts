// Topic names are contract (DESIGN.md "Topology"): scripts, dashboards and users rely on them.
export const REQUESTS_TOPIC = 'energy_processor'
export const CO2_TOPIC = 'energy.co2'
export const MIX_TOPIC = 'energy.mix'
export const PRICING_TOPIC = 'energy.pricing'
export const USAGE_TOPIC = 'energy.usage'
export const COMPLETION_TOPIC = 'completion'
export const DLQ_TOPIC = 'energy.dlq'

export const SOURCES = ['co2', 'mix', 'pricing', 'usage'] as const
export type Source = typeof SOURCES[number]

export const SOURCE_TOPICS: Record<Source, string> = {
  co2: CO2_TOPIC,
  mix: MIX_TOPIC,
  pricing: PRICING_TOPIC,
  usage: USAGE_TOPIC
}

export interface TopicSpec {
  name: string
  /** Co-partitioned topics share the configured partition count; others use their own. */
  copartitioned: boolean
  partitions?: number
  configs: Record<string, string>
}

// Source topics and completion are compacted: the latest record per slot / per date lives
// forever, so replaying a topic rebuilds its table.
const compacted = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' }

export const TOPIC_SPECS: TopicSpec[] = [
  { name: REQUESTS_TOPIC, copartitioned: true, configs: { 'cleanup.policy': 'delete', 'retention.ms': String(7 * 24 * 3600 * 1000) } },
  { name: CO2_TOPIC, copartitioned: true, configs: compacted },
  { name: MIX_TOPIC, copartitioned: true, configs: compacted },
  { name: PRICING_TOPIC, copartitioned: true, configs: compacted },
  { name: USAGE_TOPIC, copartitioned: true, configs: compacted },
  { name: COMPLETION_TOPIC, copartitioned: true, configs: compacted },
  { name: DLQ_TOPIC, copartitioned: false, partitions: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * 24 * 3600 * 1000) } }
]

/** Registry subject of a topic's values (Confluent TopicNameStrategy). */
export function valueSubject (topic: string): string {
  return `${topic}-value`
}
