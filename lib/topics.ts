// Topic names are contract (DESIGN.md "Topology"): scripts, dashboards and users rely on them.
export const REQUESTS_TOPIC = 'energy_processor'
export const CO2_TOPIC = 'energy.co2'
export const MIX_TOPIC = 'energy.mix'
export const PRICING_TOPIC = 'energy.pricing'
export const USAGE_TOPIC = 'energy.usage'
export const COMPLETION_TOPIC = 'completion'
export const DLQ_TOPIC = 'energy.dlq'

export const TOPIC_NAMES = {
  requests: REQUESTS_TOPIC,
  co2: CO2_TOPIC,
  mix: MIX_TOPIC,
  pricing: PRICING_TOPIC,
  usage: USAGE_TOPIC,
  completion: COMPLETION_TOPIC,
  dlq: DLQ_TOPIC
} as const
export type TopicKey = keyof typeof TOPIC_NAMES
export type Topics = Record<TopicKey, string>

/**
 * The topic names of a namespace (PIPELINE_NAMESPACE): a prefix that gives tests and the
 * benchmark their own topics, consumer groups and transactional ids on a shared broker.
 * The default, empty namespace is the contract names.
 */
export function topicsFor (namespace: string): Topics {
  return Object.fromEntries(Object.entries(TOPIC_NAMES).map(([k, v]) => [k, namespace + v])) as Topics
}

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

/** The specs of a namespace's topics. */
export function topicSpecsFor (namespace: string): TopicSpec[] {
  return TOPIC_SPECS.map(spec => ({ ...spec, name: namespace + spec.name }))
}

/** Registry subject of a topic's values (Confluent TopicNameStrategy). */
export function valueSubject (topic: string): string {
  return `${topic}-value`
}
