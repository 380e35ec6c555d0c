import type { GroupPartitionsAssigner } from '@platformatic/kafka'
import type { Config } from '../config.ts'
import { createBatcher } from '../batcher.ts'
import { createConsumer, createProducer, READ_COMMITTED, type EnergyConsumer, type EnergyProducer } from '../kafka.ts'
import type { Logger } from '../log.ts'
import { closeQuietly, supervise, type Supervised } from '../supervisor.ts'
import { trackHanded, type CaughtUp, type HandedRecords } from './caught-up.ts'
import { createCounters, type Counters, type TaskKind } from './counters.ts'
import { createDeadLetters, type DeadLetters } from './dead-letters.ts'
import { createKafkaCommit, type KafkaCommit } from './kafka-commit.ts'
import { createRecordCount, keepCounts, planLag, type CountRecords, type PartitionStand } from './lag.ts'
import { createPositions, loadPositions, positionKey, type Positions } from './positions.ts'
import { createRestore, type Restore } from './restore.ts'
import type { Incoming } from './types.ts'

// One task runtime for every consumer of the pipeline (Kafka Streams' StreamThread and
// StreamTask are the model): a supervised loop of sessions, each with its consumer and
// assignment, positions, batches with backpressure, the exactly-once commit, dead letters,
// restore, a graceful stop and counters. A task's own code is only its processing step
// (StreamProcessor): init, process a batch of fresh records, punctuate on wall-clock time, close.

export interface TaskContext {
  signal: AbortSignal
  log: Logger
  consumer: EnergyConsumer
  positions: Positions
  counters: Counters
  /** Dead letters for energy.dlq: built here, sent in the task's commit or on their own. */
  deadLetters: DeadLetters
  /** The Kafka commit, when the task commits to Kafka (`commit: { kind: 'kafka' }`). */
  kafka?: KafkaCommit
  /** Reads compacted inputs up to given offsets, counting its progress. */
  restore: Restore
  /**
   * Whether the task has every record of an input partition below `end` (a last stable offset
   * it read): processed, in the batch in hand, or none left to fetch. False before consuming.
   */
  caughtUp: CaughtUp
}

/** A task's processing step, as a Kafka Streams Processor: init, process, close. */
export interface StreamProcessor {
  /** Once per session before its first batch: what the step needs (tables, metadata, state). */
  init? (context: TaskContext): Promise<void>
  /**
   * A batch of records this member owns and has not processed (in log order per partition);
   * the step commits them through context.kafka or its own Postgres transaction, and a batch
   * it returns from without throwing is taken as committed (positions move past it).
   */
  process (batch: Incoming[], context: TaskContext): Promise<void>
  /**
   * Wall-clock punctuation (Kafka Streams' PunctuationType.WALL_CLOCK_TIME): called every
   * `punctuateMs` between batches, when no batch arrives too. It may commit output through
   * context.kafka with no consumed records. It may return how long until the next one, ms (a
   * failed refresh tried again sooner); undefined: `punctuateMs`.
   */
  punctuate? (context: TaskContext): Promise<number | void>
  /** Once per session on the way out, after a failure too. */
  close? (): Promise<void>
  /** A new assignment, with the partitions lost (state kept for them is dropped). */
  assigned? (partitions: ReadonlySet<number>, lost: number[]): void
}

/** Where a task starts reading: the group's committed offsets, or positions stored elsewhere. */
export type StartPositions =
  | { kind: 'committed' }
  /** Positions the task stores itself (a sink's, in Postgres): loaded at start and after each assignment. */
  | { kind: 'stored', load (): Promise<ReadonlyMap<string, bigint>> }

export interface TaskSpec {
  /** Names the task in logs and counters ('processor co2', 'sink consumption', 'join'). */
  name: string
  kind: TaskKind
  config: Readonly<Config>
  log: Logger
  group: string
  topics: readonly string[]
  /** Partition assignment; the client's default when left out (the join's is co-partitioned). */
  assigner?: GroupPartitionsAssigner
  start: StartPositions
  /** A transactional producer and the Kafka commit (the processors and the join). */
  commit?: { kind: 'kafka', transactionalId: string, maxSendBytes?: number }
  batchSize: number
  batchWaitMs: number
  restartDelayMs: number
  isFatal?: (err: unknown) => boolean
  /** How often lag is read (from the inputs' last stable offsets), ms; 0 never. */
  lagIntervalMs?: number
  /** How often the processor's punctuate() is called, ms (required with punctuate). */
  punctuateMs?: number
  /** The first punctuation right after init, before any batch (the forecast's first refresh). */
  punctuateAtStart?: boolean
  processor: StreamProcessor
}

export interface Task extends Supervised {
  readonly counters: Counters
}

const DEFAULT_LAG_INTERVAL_MS = 5000
// Counting is a read_committed read of what a task standing still is behind (~3 µs an offset,
// docs/api.md): at most 2,000 offsets keep it to a few ms, a backlog past them is its offsets
// (inexact); a task at work is not read (lib/stream/lag.ts).
const LAG_MAX_OFFSETS = 2000
// A kept count is read afresh after this long, in case compaction removed records (as api/status.ts).
const LAG_COUNT_TTL_MS = 10 * 60 * 1000

export function createTask (spec: TaskSpec): Task {
  const { config, processor, group } = spec
  const log = spec.log
  const counters = createCounters(spec.name, spec.kind, group)
  const lagIntervalMs = spec.lagIntervalMs ?? DEFAULT_LAG_INTERVAL_MS
  const countRecords = keepCounts(createRecordCount(config), LAG_COUNT_TTL_MS)

  async function session (signal: AbortSignal): Promise<void> {
    counters.add('sessions')
    const consumer = createConsumer(config, { clientId: group, groupId: group })
    const positions = createPositions()
    // Stored positions are (re)loaded before the first batch after an assignment.
    let loaded = false
    consumer.on('consumer:group:join', ({ assignments }) => {
      const lost = positions.assign((assignments ?? []).flatMap(a => a.partitions))
      if (spec.start.kind === 'stored') {
        positions.clear()
        loaded = false
      }
      processor.assigned?.(positions.assigned, lost)
    })
    const producer = (): EnergyProducer => createProducer(config, { clientId: `${group}-dlq` })
    const kafka = spec.commit === undefined ? undefined : createKafkaCommit({ config, group, transactionalId: spec.commit.transactionalId, consumer, positions, counters, maxSendBytes: spec.commit.maxSendBytes })
    const deadLetters = createDeadLetters(config, counters, kafka === undefined ? producer : undefined)
    let handed: HandedRecords | undefined
    const caughtUp: CaughtUp = (topic, partition, end) => handed?.caughtUp(topic, partition, end) ?? false
    const context: TaskContext = { signal, log, consumer, positions, counters, deadLetters, kafka, restore: createRestore(config, counters), caughtUp }
    const punctuateMs = processor.punctuate === undefined ? undefined : spec.punctuateMs
    let lagTimer: NodeJS.Timeout | undefined
    try {
      await processor.init?.(context)
      const stream = spec.start.kind === 'committed'
        ? await consumer.consume({ topics: [...spec.topics], mode: 'committed', fallbackMode: 'earliest', autocommit: false, partitionAssigner: spec.assigner })
        : await consumer.consume({ topics: [...spec.topics], mode: 'manual', offsets: await storedStart(consumer, spec.topics, await spec.start.load()), autocommit: false, partitionAssigner: spec.assigner })
      const batcher = createBatcher<Incoming>(stream, spec.batchSize, spec.batchWaitMs)
      const tracked = handed = trackHanded(stream, positions)
      if (lagIntervalMs > 0) {
        // One read at a time: a slow count never piles up reads. A read that ends after the
        // session does is dropped; a failed one leaves no figure rather than an old one.
        let reading = false
        // Each partition's position at the previous read: one that moved is not counted.
        const readAt = new Map<string, bigint>()
        lagTimer = setInterval(() => {
          if (reading) return
          reading = true
          readLag(consumer, spec, positions, tracked, countRecords, readAt)
            .then(({ lag, exact }) => { if (lagTimer !== undefined) counters.setLag(lag, exact) }, () => { if (lagTimer !== undefined) counters.setLag({}, true) })
            .finally(() => { reading = false })
        }, lagIntervalMs)
        lagTimer.unref()
      }
      log.info({ group, topics: spec.topics }, `${spec.name} started`)
      let punctuateAt = punctuateMs === undefined ? Infinity : Date.now() + (spec.punctuateAtStart === true ? 0 : punctuateMs)
      while (!signal.aborted) {
        // A batch, or none when the next punctuation is due first.
        const batch = await batcher.next(punctuateAt === Infinity ? signal : AbortSignal.any([signal, AbortSignal.timeout(Math.max(0, punctuateAt - Date.now()))]))
        if (signal.aborted) continue
        if (batch.length > 0) {
          if (spec.start.kind === 'stored' && !loaded) {
            loadPositions(positions, await spec.start.load())
            loaded = true
          }
          const fresh = positions.fresh(batch)
          if (fresh.length > 0) {
            handed.hand(fresh)
            try {
              await processor.process(fresh, context)
              positions.advance(fresh)
            } finally {
              handed.release()
            }
          }
        }
        if (punctuateMs !== undefined && Date.now() >= punctuateAt) {
          const next = await processor.punctuate?.(context)
          punctuateAt = Date.now() + (typeof next === 'number' ? next : punctuateMs)
        }
      }
      await stream.close()
    } finally {
      clearInterval(lagTimer)
      lagTimer = undefined
      // A stopped session owns nothing: its last figures would outlive the partitions.
      counters.setLag({}, true)
      await closeQuietly(() => consumer.close(true))
      await closeQuietly(() => kafka?.close())
      await closeQuietly(() => deadLetters.close())
      await closeQuietly(() => processor.close?.())
    }
  }

  const supervised = supervise({ name: spec.name, log, restartDelayMs: spec.restartDelayMs, session, isFatal: spec.isFatal })
  return { ...supervised, counters }
}

/** A sink's stored positions, and the log start where it has none, as the consumer's offsets. */
async function storedStart (consumer: EnergyConsumer, topics: readonly string[], stored: ReadonlyMap<string, bigint>): Promise<Array<{ topic: string, partition: number, offset: bigint }>> {
  const earliest = await consumer.listOffsets({ topics: [...topics], timestamp: -2n })
  return topics.flatMap(topic => (earliest.get(topic) ?? []).map((first, partition) => ({ topic, partition, offset: stored.get(positionKey(topic, partition)) ?? first })))
}

/**
 * Lag per owned partition in records (lib/stream/lag.ts): from the task's position (its own,
 * else its stored or committed one, else the log start) to the last stable offset.
 */
async function readLag (consumer: EnergyConsumer, spec: TaskSpec, positions: Positions, handed: HandedRecords, count: CountRecords, previous: Map<string, bigint>): Promise<{ lag: Record<string, number>, exact: boolean }> {
  const topics = [...spec.topics]
  const partitions = [...positions.assigned]
  if (partitions.length === 0) return { lag: {}, exact: true }
  const unknown = topics.some(topic => partitions.some(p => positions.get(topic, p) === undefined))
  const [ends, starts, committed, stored] = await Promise.all([
    consumer.listOffsets({ topics, timestamp: -1n, isolationLevel: READ_COMMITTED }),
    consumer.listOffsets({ topics, timestamp: -2n }),
    spec.start.kind === 'committed' && unknown ? consumer.listCommittedOffsets({ topics: topics.map(topic => ({ topic, partitions })) }) : undefined,
    spec.start.kind === 'stored' && unknown ? spec.start.load() : undefined
  ])
  const stands: PartitionStand[] = []
  for (const topic of topics) {
    for (const partition of partitions) {
      const end = ends.get(topic)?.[partition]
      if (end === undefined) continue
      const group = committed?.get(topic)?.[partition]
      const start = starts.get(topic)?.[partition] ?? 0n
      let position = positions.get(topic, partition) ?? stored?.get(positionKey(topic, partition)) ?? (group !== undefined && group >= 0n ? group : start)
      if (position < start) position = start
      const key = positionKey(topic, partition)
      stands.push({ topic, partition, position, end, drained: handed.drained(topic, partition, position, end), moving: previous.get(key) !== position })
      previous.set(key, position)
    }
  }
  const plan = planLag(stands, LAG_MAX_OFFSETS)
  let exact = plan.exact
  try {
    const counted = await count(plan.count)
    plan.count.forEach((r, i) => { plan.lag[positionKey(r.topic, r.partition)] = counted[i] })
  } catch {
    // Not counted: their offsets, an upper bound.
    for (const r of plan.count) plan.lag[positionKey(r.topic, r.partition)] = Number(r.until - r.from)
    exact = false
  }
  return { lag: plan.lag, exact }
}
