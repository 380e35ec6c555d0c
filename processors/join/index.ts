import type { Message, MessageToProduce } from '@platformatic/kafka'
import { from, lastValueFrom, toArray } from 'rxjs'
import type { Codec } from '../../lib/avro.ts'
import { createBatcher } from '../../lib/batcher.ts'
import type { Config } from '../../lib/config.ts'
import { dlqMessage } from '../../lib/dlq.ts'
import { describeError, EnergyError } from '../../lib/errors.ts'
import { commitBatch } from '../../lib/exactly-once.ts'
import { createConsumer, createProducer, isProducerFenced, type EnergyConsumer, type EnergyProducer } from '../../lib/kafka.ts'
import { readRanges } from '../../lib/range-reader.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { closeQuietly, supervise, type Supervised } from '../../lib/supervisor.ts'
import { joinGroup, topicIn, transactionalId } from '../names.ts'
import { topology } from '../topology.ts'
import { AGGREGATE_INPUTS } from './aggregate.ts'
import { copartitionedAssigner } from './assigner.ts'
import { DEFAULT_JOIN_OPTIONS, type JoinOptions } from './options.ts'
import { joinByDate, type SourceEvent } from './operator.ts'
import { applyRecord, checkRecord, createJoinState, type SourceRecord } from './state.ts'
import type { DailyAggregate, JoinInputSpec, JoinState } from './types.ts'

type Incoming = Message<string, Buffer, string, string>
type Outgoing = MessageToProduce<string, Buffer, string, string>

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
export function createJoinProcessor (deps: JoinDeps): Supervised {
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

  async function session (signal: AbortSignal): Promise<void> {
    // Fresh per session: after a failed transaction the in-memory state may be ahead of what
    // was committed, so it is rebuilt rather than trusted.
    let state: JoinState = createJoinState(inputs)
    const positions = new Map<string, bigint>()
    const restored = new Set<number>()
    let assigned = new Set<number>()
    const producer = createProducer(config, { clientId: group, transactionalId: transactionalId(group, deps.instanceId ?? '1') })
    const consumer = createConsumer(config, { clientId: group, groupId: group })

    consumer.on('consumer:group:join', ({ assignments }) => {
      const next = new Set((assignments ?? []).flatMap(a => a.partitions))
      const lost = [...assigned].filter(p => !next.has(p))
      if (lost.length > 0) {
        state = dropPartitions(state, new Set(lost), partitionCount)
        for (const p of lost) restored.delete(p)
        for (const key of positions.keys()) if (lost.includes(Number(key.split(':').pop()))) positions.delete(key)
      }
      assigned = next
      log.info({ partitions: [...next].sort(), lost }, 'partitions assigned')
    })

    let partitionCount = 0
    try {
      const metadata = await producer.metadata({ topics: [...INPUT_TOPICS, topics.completion] })
      const counts = [...INPUT_TOPICS, topics.completion].map(t => metadata.topics.get(t)?.partitionsCount ?? 0)
      partitionCount = counts[0]
      if (counts.some(c => c !== partitionCount || c === 0)) {
        throw new EnergyError('ENERGY_NOT_SET_UP', `join inputs and completion must exist with equal partition counts, found ${counts.join(', ')}: run \`npm run setup\``)
      }
      const stream = await consumer.consume({
        topics: INPUT_TOPICS, mode: 'committed', fallbackMode: 'earliest', autocommit: false, partitionAssigner: copartitionedAssigner
      })
      const batcher = createBatcher<Incoming>(stream, options.batchSize, options.batchWaitMs)
      log.info({ group, partitions: partitionCount }, 'join started')

      const restore = async (partitions: number[]): Promise<void> => {
        const committed = await consumer.listCommittedOffsets({ topics: INPUT_TOPICS.map(topic => ({ topic, partitions })) })
        const ranges = INPUT_TOPICS.flatMap(topic => partitions.map(partition => ({ topic, partition, until: committed.get(topic)?.[partition] ?? -1n })))
        const started = Date.now()
        // Rejected records were dead-lettered when first seen; restoring skips them again.
        const read = await readRanges(config, ranges, async records => {
          for (const event of await decodeAll(records, state)) {
            if (!(event instanceof Error)) applyRecord(state, event.source, event.record)
          }
        })
        for (const r of ranges) positions.set(`${r.topic}:${r.partition}`, r.until > 0n ? r.until : 0n)
        for (const p of partitions) restored.add(p)
        log.info({ partitions, records: read, days: state.days.size, ms: Date.now() - started, memoryMB: memoryMB() }, 'join state restored')
      }

      while (!signal.aborted) {
        const batch = await batcher.next(signal)
        if (batch.length === 0 || signal.aborted) continue
        const unrestored = [...new Set(batch.map(m => m.partition))].filter(p => assigned.has(p) && !restored.has(p))
        if (unrestored.length > 0) await restore(unrestored)
        // A rebalance rewinds the stream to committed offsets: skip what is already applied,
        // and anything from partitions this member no longer owns.
        const fresh = batch.filter(m => assigned.has(m.partition) && m.offset >= (positions.get(`${m.topic}:${m.partition}`) ?? 0n))
        if (fresh.length === 0) continue
        // A rebalance during the batch throws (lib/exactly-once.ts): the state may then be
        // ahead of what was committed, and the new session rebuilds it.
        await processBatch(fresh, state, producer, consumer, partitionCount, p => assigned.has(p))
        for (const m of fresh) positions.set(`${m.topic}:${m.partition}`, m.offset + 1n)
      }
      await stream.close()
    } finally {
      await closeQuietly(() => consumer.close(true))
      await closeQuietly(() => producer.close())
    }
  }

  async function processBatch (batch: Incoming[], state: JoinState, producer: EnergyProducer, consumer: EnergyConsumer, partitions: number, owns: (partition: number) => boolean): Promise<void> {
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
        outgoing.push(dlqMessage({ dlqTopic: topics.dlq, topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, value: message.value, error: event, context: { 'dlq.processor': 'join' } }))
      }
    }
    const aggregates = await lastValueFrom(from(events).pipe(joinByDate(state, clock), toArray()))
    // One upsert per date per transaction: the last aggregate already includes every batch.
    const latest = new Map<string, DailyAggregate>()
    for (const a of aggregates) latest.set(a.date, a)
    for (const a of latest.values()) {
      outgoing.push({ topic: topics.completion, key: a.date, partition: partitionForDate(a.date, partitions), value: await codec.encode(topics.completion, a) })
    }
    await commitBatch(producer, consumer, outgoing, batch, owns)
    for (const a of latest.values()) {
      log.info({ date: a.date, kwh: a.kwh, slotsJoined: a.slots_joined, complete: a.complete }, 'day completed')
    }
  }

  return supervise({ name: 'join', log, restartDelayMs: options.restartDelayMs, session, isFatal: isProducerFenced })
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
