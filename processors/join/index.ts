import type { Message, MessageToProduce } from '@platformatic/kafka'
import { BehaviorSubject, concatMap, lastValueFrom, mergeMap, Subject, takeWhile, tap } from 'rxjs'
import type { Codec } from '../../lib/avro.ts'
import { createBatcher } from '../../lib/batcher.ts'
import type { Config } from '../../lib/config.ts'
import { dlqMessage } from '../../lib/dlq.ts'
import { describeError, EnergyError } from '../../lib/errors.ts'
import { commitBatch } from '../../lib/exactly-once.ts'
import { createAdmin, createConsumer, createProducer, isProducerFenced, READ_COMMITTED, type EnergyConsumer, type EnergyProducer } from '../../lib/kafka.ts'
import { readRanges } from '../../lib/range-reader.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { closeQuietly, supervise, type Supervised } from '../../lib/supervisor.ts'
import { joinGroup, topicIn, transactionalId } from '../names.ts'
import { topology } from '../topology.ts'
import { AGGREGATE_INPUTS } from './aggregate.ts'
import { copartitionedAssigner } from './assigner.ts'
import { DEFAULT_JOIN_OPTIONS, type JoinOptions } from './options.ts'
import { joinDays, type JoinOutput, type JoinStep, type Settled, type SourceEvent } from './operator.ts'
import { createSourceWorkProbe } from './source-work.ts'
import { applyRecord, batchesSignature, checkRecord, createJoinState, daySignature, type SourceRecord } from './state.ts'
import type { DailyAggregate, JoinInputSpec, JoinState } from './types.ts'

type Incoming = Message<string, Buffer, string, string>
type Outgoing = MessageToProduce<string, Buffer, string, string>
/** What a batch commits besides its aggregates: the records consumed, the dead letters. */
interface Consumed { consumed: Incoming[], deadLetters: Outgoing[] }

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
  const TOPIC_OF = new Map<string, string>(inputs.map(i => [i.name, topicIn(config, i.topic)]))

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
    const state: JoinState = createJoinState(inputs)
    const positions = new Map<string, bigint>()
    // Past the last record of each partition handed out by the stream (the batcher may hold it).
    const seen = new Map<string, bigint>()
    const restored = new Set<number>()
    const lost$ = new Subject<void>()
    let assigned = new Set<number>()
    const producer = createProducer(config, { clientId: group, transactionalId: transactionalId(group, deps.instanceId ?? '1') })
    const consumer = createConsumer(config, { clientId: group, groupId: group })
    const admin = createAdmin(config, group)

    consumer.on('consumer:group:join', ({ assignments }) => {
      const next = new Set((assignments ?? []).flatMap(a => a.partitions))
      const lost = [...assigned].filter(p => !next.has(p))
      if (lost.length > 0) {
        dropPartitions(state, new Set(lost), partitionCount)
        lost$.next()
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
      stream.on('data', (m: Incoming) => { seen.set(`${m.topic}:${m.partition}`, m.offset + 1n) })
      const batcher = createBatcher<Incoming>(stream, options.batchSize, options.batchWaitMs)
      const work = createSourceWorkProbe(config, codec, admin, consumer, inputs.map(i => i.name), options.holdCheckMs)
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
        // What completion holds (written with those offsets) says which days went out; a day
        // whose batches differ from it was held when the last member stopped: held again.
        const ends = await consumer.listOffsets({ topics: [topics.completion], timestamp: -1n, isolationLevel: READ_COMMITTED })
        await readRanges(config, partitions.map(partition => ({ topic: topics.completion, partition, until: ends.get(topics.completion)?.[partition] ?? 0n })), async records => {
          for (const a of await codec.decodeMany<DailyAggregate>(topics.completion, records.map(r => r.value ?? EMPTY))) {
            const day = a instanceof Error ? undefined : state.days.get(a.date)
            if (day !== undefined && !(a instanceof Error)) day.emitted = batchesSignature(state, a.batches)
          }
        })
        const now = clock()
        for (const day of state.days.values()) {
          if (partitions.includes(partitionForDate(day.date, partitionCount)) && daySignature(day) !== day.emitted) state.held.set(day.date, now)
        }
        for (const r of ranges) positions.set(`${r.topic}:${r.partition}`, r.until > 0n ? r.until : 0n)
        for (const p of partitions) restored.add(p)
        log.info({ partitions, records: read, days: state.days.size, held: state.held.size, ms: Date.now() - started, memoryMB: memoryMB() }, 'join state restored')
      }

      /**
       * Whether the join has applied everything on `topic`'s partition up to its last stable
       * offset (`ends`): its position is there, or only transaction markers lie between.
       */
      const caughtUp = (ends: Map<string, bigint[]>, topic: string, partition: number): boolean => {
        const key = `${topic}:${partition}`
        const end = ends.get(topic)?.[partition] ?? 0n
        const position = positions.get(key) ?? 0n
        if (position >= end) return true
        return position >= (seen.get(key) ?? 0n) && (stream.offsetsToFetch.get(key) ?? 0n) >= end && stream.readableLength === 0
      }

      /** The inputs settled now: nothing left to apply up to their last stable offset, and no request pending for the date (bounded). */
      const settledNow = async (): Promise<Settled> => {
        const pending = await work.snapshot()
        const ends = await consumer.listOffsets({ topics: INPUT_TOPICS, timestamp: -1n, isolationLevel: READ_COMMITTED })
        const now = clock()
        return (input, date, heldSince) => caughtUp(ends, TOPIC_OF.get(input) as string, partitionForDate(date, partitionCount)) &&
          (now - heldSince >= options.maxHoldMs || !pending(input, date))
      }

      /** One pulled batch as join steps: restore first sight, skip what is applied, decode, then the boundary. */
      const stepsOf = async (batch: Incoming[]): Promise<Array<JoinStep<Consumed>>> => {
        const unrestored = [...new Set(batch.map(m => m.partition))].filter(p => assigned.has(p) && !restored.has(p))
        if (unrestored.length > 0) await restore(unrestored)
        // A rebalance rewinds the stream to committed offsets: skip what is already applied,
        // and anything from partitions this member no longer owns.
        const fresh = batch.filter(m => assigned.has(m.partition) && m.offset >= (positions.get(`${m.topic}:${m.partition}`) ?? 0n))
        const { events, deadLetters } = await decodeBatch(fresh, state)
        for (const m of fresh) positions.set(`${m.topic}:${m.partition}`, m.offset + 1n)
        const settled = events.length > 0 || state.held.size > 0 ? await settledNow() : () => false
        return [...events, { boundary: true, now: clock(), settled, context: { consumed: fresh, deadLetters } }]
      }

      // Pulled one batch at a time: the next is fetched once the previous one committed. A day
      // held for an input is looked at again after holdCheckMs even when nothing arrives.
      let waiting = 0
      const pull = async (): Promise<Incoming[]> =>
        await batcher.next(waiting > 0 ? AbortSignal.any([signal, AbortSignal.timeout(options.holdCheckMs)]) : signal)
      const pulls$ = new BehaviorSubject<void>(undefined)
      await lastValueFrom(pulls$.pipe(
        concatMap(pull),
        takeWhile(() => !signal.aborted),
        concatMap(stepsOf),
        mergeMap(steps => steps),
        joinDays<Consumed>(state, lost$),
        // A rebalance during the batch throws (lib/exactly-once.ts): the state may then be
        // ahead of what was committed, and the new session rebuilds it.
        concatMap(async output => { await commitOutput(output, producer, consumer, partitionCount, p => assigned.has(p)); return output }),
        tap(output => { waiting = output.waiting; pulls$.next() })
      ), { defaultValue: undefined })
      await stream.close()
    } finally {
      await closeQuietly(() => consumer.close(true))
      await closeQuietly(() => producer.close())
      await closeQuietly(() => admin.close())
    }
  }

  /** Decodes a batch: its events, and a dead letter for each record rejected. */
  async function decodeBatch (batch: Incoming[], state: JoinState): Promise<{ events: SourceEvent[], deadLetters: Outgoing[] }> {
    const events: SourceEvent[] = []
    const deadLetters: Outgoing[] = []
    const decoded = await decodeAll(batch, state)
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i]
      const event = decoded[i]
      if (!(event instanceof Error)) {
        events.push(event)
      } else {
        log.error({ err: describeError(event), topic: message.topic, partition: message.partition, offset: String(message.offset) }, 'record rejected, sent to energy.dlq')
        deadLetters.push(dlqMessage({ dlqTopic: topics.dlq, topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, value: message.value, error: event, context: { 'dlq.processor': 'join' } }))
      }
    }
    return { events, deadLetters }
  }

  /** A batch's aggregates, dead letters and consumed offsets in one transaction (none: nothing to do). */
  async function commitOutput ({ aggregates, context }: JoinOutput<Consumed>, producer: EnergyProducer, consumer: EnergyConsumer, partitions: number, owns: (partition: number) => boolean): Promise<void> {
    const outgoing = [...context.deadLetters]
    for (const a of aggregates) {
      outgoing.push({ topic: topics.completion, key: a.date, partition: partitionForDate(a.date, partitions), value: await codec.encode(topics.completion, a) })
    }
    if (outgoing.length === 0 && context.consumed.length === 0) return
    await commitBatch(producer, consumer, outgoing, context.consumed, owns)
    for (const a of aggregates) {
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

function dropPartitions (state: JoinState, lost: Set<number>, partitions: number): void {
  for (const date of state.days.keys()) {
    if (lost.has(partitionForDate(date, partitions))) {
      state.days.delete(date)
      state.held.delete(date)
    }
  }
}
