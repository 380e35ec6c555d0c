import { EnergyError } from './errors.ts'

// The pipeline's own topics (DESIGN.md "Topology"). Their names are contract: scripts,
// dashboards and users rely on them. Each source's topic is declared with the source
// (processors/<source>/index.ts); processors/topology.ts puts them all together.
export const REQUESTS_TOPIC = 'energy_processor'
export const COMPLETION_TOPIC = 'completion'
export const DLQ_TOPIC = 'energy.dlq'
export const ACCOUNT_TOPIC = 'energy.account'
export const PRODUCTS_TOPIC = 'energy.products'

export const TOPIC_NAMES = {
  requests: REQUESTS_TOPIC,
  completion: COMPLETION_TOPIC,
  dlq: DLQ_TOPIC,
  account: ACCOUNT_TOPIC,
  products: PRODUCTS_TOPIC
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

export interface TopicSpec {
  name: string
  /** Co-partitioned topics share the configured partition count; others use their own. */
  copartitioned: boolean
  partitions?: number
  configs: Record<string, string>
}

// Source topics and completion are compacted: the latest record per slot / per date lives
// forever, so replaying a topic rebuilds its table.
export const COMPACTED = { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '60000' }

export const REQUESTS_SPEC: TopicSpec = { name: REQUESTS_TOPIC, copartitioned: true, configs: { 'cleanup.policy': 'delete', 'retention.ms': String(7 * 24 * 3600 * 1000) } }
export const COMPLETION_SPEC: TopicSpec = { name: COMPLETION_TOPIC, copartitioned: true, configs: COMPACTED }
export const DLQ_SPEC: TopicSpec = { name: DLQ_TOPIC, copartitioned: false, partitions: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * 24 * 3600 * 1000) } }

// The latest answer per Octopus account (key: the account number), read whole by every
// processor that prices or meters a day: a table, so compacted; one partition keeps it in order.
export const ACCOUNT_SPEC: TopicSpec = { name: ACCOUNT_TOPIC, copartitioned: false, partitions: 1, configs: COMPACTED }
// The product catalogue as far as the account's tariffs need it (key: the product code), read
// whole by every processor that prices: a table, like the account.
export const PRODUCTS_SPEC: TopicSpec = { name: PRODUCTS_TOPIC, copartitioned: false, partitions: 1, configs: COMPACTED }

/** Registry subject of a topic's values (Confluent TopicNameStrategy). */
export function valueSubject (topic: string): string {
  return `${topic}-value`
}

/** Checks a declared topic name: Kafka allows letters, digits, '.', '_' and '-', up to 249. */
export function checkTopicName (name: string): string {
  if (!/^[\w.-]{1,200}$/.test(name)) throw new EnergyError('ENERGY_TOPOLOGY', `topic name "${name}" may hold only letters, digits, '.', '_' and '-'`)
  return name
}
