import type { Admin } from '@platformatic/kafka'
import type { Config } from '../lib/config.ts'
import type { Pool } from '../lib/db.ts'
import { describeError } from '../lib/errors.ts'
import { createAdmin, READ_COMMITTED } from '../lib/kafka.ts'
import type { Logger } from '../lib/log.ts'
import { SOURCES } from '../lib/topics.ts'
import { processorGroup } from '../processors/ingest/index.ts'
import { JOIN_GROUP } from '../processors/join/index.ts'
import { SINK_TARGETS, sinkGroup } from '../sinks/index.ts'
import { pipelineProgress, type PipelineProgress } from './queries.ts'
import type { GroupLag, ProbeReport, StatusResponse } from './types.ts'

// GET /api/status: three probes (broker, registry, Postgres), each bounded by a timeout so a
// dead dependency shows as ok:false instead of hanging or failing the request. The probes do
// the I/O; summariseStatus() is pure and turns their results into the response.

/** Offsets of one topic, by partition. */
export interface TopicOffsets {
  earliest: bigint[]
  /** Last stable offset (read_committed): what a read-committed consumer can reach. */
  latest: bigint[]
}

export interface KafkaSnapshot {
  /** Topics that exist, with their offsets. */
  topics: Map<string, TopicOffsets>
  /** group → topic → committed offset by partition (-1n: nothing committed). */
  committed: Map<string, Map<string, bigint[]>>
}

export interface StatusProbes {
  kafka (): Promise<KafkaSnapshot>
  registry (): Promise<void>
  postgres (): Promise<PipelineProgress>
  close? (): Promise<void>
}

export interface WatchedGroup {
  group: string
  kind: GroupLag['kind']
  topics: string[]
  /** Sinks keep their position in sink_offsets (sink name), not in Kafka. */
  sink?: string
}

type GroupConfig = Pick<Config, 'namespace' | 'topics' | 'sources'>

/**
 * Every consumer the pipeline runs, in the configured namespace: the ingest processors of the
 * configured sources read energy_processor (group named as processors/ingest/index.ts names
 * it), the join reads the four source topics, and each sink reads its topic.
 */
export function watchedGroups (config: GroupConfig): WatchedGroup[] {
  const { namespace, topics } = config
  return [
    ...config.sources.map(s => ({ group: processorGroup(s, namespace), kind: 'processor' as const, topics: [topics.requests] })),
    { group: namespace + JOIN_GROUP, kind: 'join', topics: SOURCES.map(s => topics[s]) },
    ...SINK_TARGETS.map(t => ({ group: sinkGroup(t, namespace), kind: 'sink' as const, topics: [topics[t.topic]], sink: t.name }))
  ]
}

export interface StatusProbeDeps {
  config: Pick<Config, 'kafkaBrokers' | 'schemaRegistryUrl'> & GroupConfig
  pool: Pool
  log: Logger
  /** Bounds the registry request; the caller bounds every probe as a whole too. */
  timeoutMs: number
}

/** The real probes. One admin client is kept between calls and replaced after a failure. */
export function createStatusProbes (deps: StatusProbeDeps): StatusProbes {
  const { config, pool, timeoutMs } = deps
  const groups = watchedGroups(config)
  const wanted = [...new Set([...groups.flatMap(g => g.topics), config.topics.dlq])]
  let admin: Admin | undefined

  /** Closes `which` (default: the current client) and forgets it if it is still the current one. */
  async function dropAdmin (which = admin): Promise<void> {
    if (which === admin) admin = undefined
    await which?.close().catch(() => {})
  }

  async function kafka (): Promise<KafkaSnapshot> {
    const client = admin ??= createAdmin(config, 'energy-api-status')
    try {
      return await readKafka(client, groups, wanted)
    } catch (err) {
      // A failed client may still be retrying other calls: the next probe starts afresh. A
      // later probe may already have replaced it, so only this client is closed.
      await dropAdmin(client)
      throw err
    }
  }

  async function registry (): Promise<void> {
    const res = await fetch(`${config.schemaRegistryUrl}/subjects`, { signal: AbortSignal.timeout(timeoutMs) })
    await res.arrayBuffer()
    if (!res.ok) throw new Error(`registry answered ${res.status}`)
  }

  return { kafka, registry, postgres: () => pipelineProgress(pool), close: () => dropAdmin() }
}

async function readKafka (admin: Admin, groups: WatchedGroup[], wanted: string[]): Promise<KafkaSnapshot> {
  const existing = new Set(await admin.listTopics())
  const names = wanted.filter(t => existing.has(t))
  const metadata = await admin.metadata({ topics: names })
  const partitionsOf = (topic: string): number[] => {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0
    return Array.from({ length: count }, (_, p) => p)
  }
  // ListOffsets timestamps: -1 = latest, -2 = earliest.
  const request = (timestamp: bigint) => names.map(name => ({ name, partitions: partitionsOf(name).map(partitionIndex => ({ partitionIndex, timestamp })) }))
  const kafkaGroups = groups.filter(g => g.sink === undefined)
  const [latest, earliest, committed] = await Promise.all([
    admin.listOffsets({ topics: request(-1n), isolationLevel: READ_COMMITTED }),
    admin.listOffsets({ topics: request(-2n) }),
    admin.listConsumerGroupOffsets({
      groups: kafkaGroups.map(g => ({
        groupId: g.group,
        topics: g.topics.filter(t => existing.has(t)).map(name => ({ name, partitionIndexes: partitionsOf(name) }))
      }))
    })
  ])
  const byPartition = (partitions: Array<{ partitionIndex: number, offset: bigint }>, count: number, fill: bigint): bigint[] => {
    const out = new Array<bigint>(count).fill(fill)
    for (const p of partitions) out[p.partitionIndex] = p.offset
    return out
  }
  const topics = new Map<string, TopicOffsets>()
  for (const name of names) {
    const count = partitionsOf(name).length
    topics.set(name, {
      earliest: byPartition(earliest.find(t => t.name === name)?.partitions ?? [], count, 0n),
      latest: byPartition(latest.find(t => t.name === name)?.partitions ?? [], count, 0n)
    })
  }
  const committedMap = new Map<string, Map<string, bigint[]>>()
  for (const g of committed) {
    const perTopic = new Map<string, bigint[]>()
    for (const t of g.topics) {
      const count = partitionsOf(t.name).length
      const out = new Array<bigint>(count).fill(-1n)
      for (const p of t.partitions) out[p.partitionIndex] = p.committedOffset
      perTopic.set(t.name, out)
    }
    committedMap.set(g.groupId, perTopic)
  }
  return { topics, committed: committedMap }
}

export type Outcome<T> = { ok: true, value: T } | { ok: false, error: string }

/** Settles a probe within `ms`: its value, or the reason it failed or took too long. */
export async function settle<T> (probe: () => Promise<T>, ms: number, what: string): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
  })
  try {
    return { ok: true, value: await Promise.race([probe(), timeout]) }
  } catch (err) {
    return { ok: false, error: describeError(err) }
  } finally {
    clearTimeout(timer)
  }
}

/** Runs the three probes concurrently, each within `timeoutMs`, and summarises them. */
export async function readStatus (probes: StatusProbes, groups: WatchedGroup[], dlqTopic: string, timeoutMs: number,
  log: Logger, now = Date.now()): Promise<StatusResponse> {
  const [kafka, registry, postgres] = await Promise.all([
    settle(() => probes.kafka(), timeoutMs, 'Kafka'),
    settle(() => probes.registry(), timeoutMs, 'the schema registry'),
    settle(() => probes.postgres(), timeoutMs, 'Postgres')
  ])
  for (const [probe, outcome] of [['broker', kafka], ['registry', registry], ['postgres', postgres]] as const) {
    if (!outcome.ok) log.warn({ probe, error: outcome.error }, 'status probe failed')
  }
  return summariseStatus({ kafka, registry, postgres }, groups, dlqTopic, now)
}

const report = (outcome: Outcome<unknown>): ProbeReport => outcome.ok ? { ok: true } : { ok: false, error: outcome.error }

/** Offsets from each partition's position to its end, summed; no position (-1) counts from the earliest offset. */
function behind (offsets: TopicOffsets, positions: Array<bigint | undefined>): bigint {
  let lag = 0n
  offsets.latest.forEach((end, p) => {
    const position = positions[p] ?? -1n
    const start = position < 0n || position < offsets.earliest[p] ? offsets.earliest[p] : position
    if (end > start) lag += end - start
  })
  return lag
}

/** The status response from the probes' outcomes. Pure. */
export function summariseStatus (outcomes: { kafka: Outcome<KafkaSnapshot>, registry: Outcome<void>, postgres: Outcome<PipelineProgress> },
  groups: WatchedGroup[], dlqTopic: string, now = Date.now()): StatusResponse {
  const { kafka, registry, postgres } = outcomes
  const lagOf = (g: WatchedGroup): number | null => {
    if (!kafka.ok) return null
    let lag = 0n
    for (const topic of g.topics) {
      const offsets = kafka.value.topics.get(topic)
      if (offsets === undefined) return null
      let positions: Array<bigint | undefined>
      if (g.sink === undefined) {
        positions = kafka.value.committed.get(g.group)?.get(topic) ?? []
      } else {
        if (!postgres.ok) return null
        positions = []
        for (const row of postgres.value.sinkOffsets) {
          if (row.sink === g.sink && row.topic === topic) positions[row.partition] = row.nextOffset
        }
      }
      lag += behind(offsets, positions)
    }
    return Number(lag)
  }
  let dlqRecords: number | null = null
  const dlq = kafka.ok ? kafka.value.topics.get(dlqTopic) : undefined
  if (dlq !== undefined) dlqRecords = Number(behind(dlq, []))
  return {
    broker: report(kafka),
    registry: report(registry),
    postgres: report(postgres),
    groups: groups.map(g => ({ group: g.group, kind: g.kind, topics: g.topics, lag: lagOf(g) })),
    newest_complete_date: postgres.ok ? postgres.value.newestCompleteDate : null,
    dlq_records: dlqRecords,
    checked_at: new Date(now).toISOString()
  }
}
