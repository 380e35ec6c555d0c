import { from, lastValueFrom, toArray } from 'rxjs'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError, EnergyError } from '../../lib/errors.ts'
import { isProducerFenced } from '../../lib/kafka.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { createTask, type StreamProcessor, type Task, type TaskContext } from '../../lib/stream/task.ts'
import type { Incoming, Outgoing } from '../../lib/stream/types.ts'
import { joinGroup, topicIn, topology, transactionalId } from '../topology.ts'
import { AGGREGATE_INPUTS } from './aggregate.ts'
import { copartitionedAssigner } from './assigner.ts'
import { DEFAULT_JOIN_OPTIONS, type JoinOptions } from './options.ts'
import { joinByDate, type SourceEvent } from './operator.ts'
import { applyRecord, checkRecord, createJoinState, type SourceRecord } from './state.ts'
import type { DailyAggregate, JoinInputSpec, JoinState } from './types.ts'

const EMPTY = Buffer.alloc(0)

export interface JoinDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  instanceId?: string
  /** The sources it joins (default: the topology's join inputs). */
  inputs?: readonly JoinInputSpec[]
  options?: Partial<JoinOptions>
  clock?: () => number
}

/**
 * The join inputs (energy.co2/mix/pricing/usage) → completion, exactly once: each batch's aggregates, dead
 * letters and input offsets commit in one Kafka transaction. The state is a function of the
 * committed input prefix, so on first sight of a partition (start, rebalance) it is rebuilt
 * from the compacted inputs up to the group's committed offsets before anything is emitted.
 */
export function createJoinProcessor (deps: JoinDeps): Task {
  const { config, codec } = deps
  const options = { ...DEFAULT_JOIN_OPTIONS, ...deps.options }
  const clock = deps.clock ?? Date.now
  const log = deps.log.child({ processor: 'join' })
  const { topics, namespace } = config
  const group = joinGroup(namespace)
  const inputs = deps.inputs ?? topology.joinInputs
  const missing = AGGREGATE_INPUTS.filter(name => !inputs.some(i => i.name === name))
  if (missing.length > 0) throw new EnergyError('ENERGY_TOPOLOGY', `the daily figures need the join inputs ${missing.join(', ')}, which are not declared`)
  const INPUT_TOPICS = inputs.map(i => topicIn(config, i.topic))
  const SOURCE_OF = new Map<string, string>(inputs.map(i => [topicIn(config, i.topic), i.name]))

  /**
   * Decodes and checks records in log order: each gives its event, or why it is rejected.
   * One decodeMany per topic; checkRecord runs in order, as it reserves a mix batch's fuel columns.
   */
  async function decodeAll (messages: ReadonlyArray<{ topic: string, value?: Buffer }>, state: JoinState): Promise<Array<SourceEvent | Error>> {
    const byTopic = new Map<string, number[]>()
    for (let i = 0; i < messages.length; i++) {
      const indexes = byTopic.get(messages[i].topic)
      if (indexes === undefined) byTopic.set(messages[i].topic, [i])
      else indexes.push(i)
    }
    const decoded = new Array<SourceRecord | Error>(messages.length)
    for (const [topic, indexes] of byTopic) {
      const records = await codec.decodeMany<SourceRecord>(topic, indexes.map(i => messages[i].value ?? EMPTY))
      for (let k = 0; k < indexes.length; k++) decoded[indexes[k]] = records[k]
    }
    return messages.map((message, i) => {
      const record = decoded[i]
      if (message.value === undefined || message.value.length === 0) return new EnergyError('ENERGY_DECODE', 'tombstone or empty value')
      if (record instanceof Error) return record
      const source = SOURCE_OF.get(message.topic)
      if (source === undefined) return new EnergyError('ENERGY_INVALID_RECORD', `${message.topic} is not an input of the join`)
      try {
        checkRecord(state, source, record)
      } catch (err) {
        return err as Error
      }
      return { source, record }
    })
  }

  // Per session (init): after a failed transaction the in-memory state may be ahead of what
  // was committed, so it is rebuilt rather than trusted.
  let state: JoinState = createJoinState(inputs)
  let restored = new Set<number>()
  let partitionCount = 0

  /** Rebuilds the partitions' state from the compacted inputs up to the group's committed offsets. */
  async function restore (partitions: number[], context: TaskContext): Promise<void> {
    const committed = await context.consumer.listCommittedOffsets({ topics: INPUT_TOPICS.map(topic => ({ topic, partitions })) })
    const ranges = INPUT_TOPICS.flatMap(topic => partitions.map(partition => ({ topic, partition, until: committed.get(topic)?.[partition] ?? -1n })))
    const started = Date.now()
    // Rejected records were dead-lettered when first seen; restoring skips them again.
    const read = await context.restore(ranges, async records => {
      for (const event of await decodeAll(records, state)) {
        if (!(event instanceof Error)) applyRecord(state, event.source, event.record)
      }
    })
    for (const r of ranges) context.positions.set(r.topic, r.partition, r.until > 0n ? r.until : 0n)
    for (const p of partitions) restored.add(p)
    log.info({ partitions, records: read, days: state.days.size, ms: Date.now() - started, memoryMB: memoryMB() }, 'join state restored')
  }

  const processor: StreamProcessor = {
    async init (context) {
      state = createJoinState(inputs)
      restored = new Set()
      const metadata = await (context.kafka as NonNullable<TaskContext['kafka']>).producer.metadata({ topics: [...INPUT_TOPICS, topics.completion] })
      const counts = [...INPUT_TOPICS, topics.completion].map(t => metadata.topics.get(t)?.partitionsCount ?? 0)
      partitionCount = counts[0]
      if (counts.some(c => c !== partitionCount || c === 0)) {
        throw new EnergyError('ENERGY_NOT_SET_UP', `join inputs and completion must exist with equal partition counts, found ${counts.join(', ')}: run \`npm run setup\``)
      }
      log.info({ group, partitions: partitionCount }, 'join started')
    },
    assigned (partitions, lost) {
      if (lost.length > 0) {
        state = dropPartitions(state, new Set(lost), partitionCount)
        for (const p of lost) restored.delete(p)
      }
      log.info({ partitions: [...partitions].sort(), lost }, 'partitions assigned')
    },
    async process (batch, context) {
      const unrestored = [...new Set(batch.map(m => m.partition))].filter(p => context.positions.owns(p) && !restored.has(p))
      if (unrestored.length > 0) await restore(unrestored, context)
      // A rebalance rewinds the stream to committed offsets: skip what the restore applied.
      const fresh = context.positions.fresh(batch)
      if (fresh.length === 0) return
      // A rebalance during the batch throws (lib/exactly-once.ts): the state may then be
      // ahead of what was committed, and the new session rebuilds it.
      await processBatch(fresh, state, context, partitionCount)
    }
  }

  async function processBatch (batch: Incoming[], state: JoinState, context: TaskContext, partitions: number): Promise<void> {
    const events: SourceEvent[] = []
    const outgoing: Outgoing[] = []
    const decoded = await decodeAll(batch, state)
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i]
      const event = decoded[i]
      if (!(event instanceof Error)) {
        events.push(event)
      } else {
        log.error({ err: describeError(event), topic: message.topic, partition: message.partition, offset: String(message.offset) }, 'record rejected, sent to energy.dlq')
        outgoing.push(context.deadLetters.message(message, event, { 'dlq.processor': 'join' }))
      }
    }
    const aggregates = await lastValueFrom(from(events).pipe(joinByDate(state, clock), toArray()))
    // One upsert per date per transaction: the last aggregate already includes every batch.
    const latest = new Map<string, DailyAggregate>()
    for (const a of aggregates) latest.set(a.date, a)
    for (const a of latest.values()) {
      outgoing.push({ topic: topics.completion, key: a.date, partition: partitionForDate(a.date, partitions), value: await codec.encode(topics.completion, a) })
    }
    await (context.kafka as NonNullable<TaskContext['kafka']>).transact(batch, async send => {
      for (const m of outgoing) await send(m)
    })
    for (const a of latest.values()) {
      log.info({ date: a.date, kwh: a.kwh, slotsJoined: a.slots_joined, complete: a.complete }, 'day completed')
    }
  }

  return createTask({
    name: 'join',
    kind: 'join',
    config,
    log,
    group,
    topics: INPUT_TOPICS,
    assigner: copartitionedAssigner,
    start: { kind: 'committed' },
    commit: { kind: 'kafka', transactionalId: transactionalId(group, deps.instanceId ?? '1') },
    batchSize: options.batchSize,
    batchWaitMs: options.batchWaitMs,
    restartDelayMs: options.restartDelayMs,
    isFatal: isProducerFenced,
    processor
  })
}

/** Heap, buffers and RSS in MB: the state lives mostly in typed arrays, outside the heap. */
function memoryMB (): Record<string, number> {
  const m = process.memoryUsage()
  return { rss: Math.round(m.rss / 2 ** 20), heapUsed: Math.round(m.heapUsed / 2 ** 20), arrayBuffers: Math.round(m.arrayBuffers / 2 ** 20) }
}

function dropPartitions (state: JoinState, lost: Set<number>, partitions: number): JoinState {
  for (const date of state.days.keys()) {
    if (lost.has(partitionForDate(date, partitions))) state.days.delete(date)
  }
  return state
}
