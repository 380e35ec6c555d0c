import type { Admin } from '@platformatic/kafka'
import { concatMap, Subject, type Subscription } from 'rxjs'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError, EnergyError } from '../../lib/errors.ts'
import { createAdmin, isProducerFenced, READ_COMMITTED } from '../../lib/kafka.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { closeQuietly } from '../../lib/supervisor.ts'
import type { KafkaCommit } from '../../lib/stream/kafka-commit.ts'
import { createTask, type StreamProcessor, type Task, type TaskContext } from '../../lib/stream/task.ts'
import type { Incoming, Outgoing } from '../../lib/stream/types.ts'
import { joinGroup, topicIn, transactionalId } from '../names.ts'
import { AGGREGATE_INPUTS } from './aggregate.ts'
import { copartitionedAssigner } from './assigner.ts'
import { DEFAULT_JOIN_OPTIONS, type JoinOptions } from './options.ts'
import { joinDays, type JoinOutput, type JoinStep, type Settled, type SourceEvent } from './operator.ts'
import { createSourceWorkProbe, type SourceWorkProbe } from './source-work.ts'
import { applyRecord, batchesSignature, checkRecord, createJoinState, daySignature, type SourceRecord } from './state.ts'
import type { DailyAggregate, JoinInputSpec, JoinState } from './types.ts'

/**
 * What a boundary commits besides its aggregates: the records consumed, the dead letters, and
 * the promise its process() or punctuate() waits on until the transaction committed.
 */
interface Consumed { consumed: Incoming[], deadLetters: Outgoing[], committed: PromiseWithResolvers<void> }

/** A session's dataflow: the day state, the steps fed to joinDays, and what it holds open. */
interface JoinSession {
  state: JoinState
  steps$: Subject<JoinStep<Consumed>>
  subscription: Subscription
  admin: Admin
  work: SourceWorkProbe
  restored: Set<number>
  flow: {
    /** The boundary whose output is being decided or committed. */
    waiting?: PromiseWithResolvers<void>
    /** Why the dataflow ended (a day that cannot be aggregated): the session fails with it. */
    failure?: unknown
  }
}

const EMPTY = Buffer.alloc(0)

export interface JoinDeps {
  config: Readonly<Config>
  codec: Codec
  log: Logger
  instanceId?: string
  /** The sources it joins (processors/topology.ts joinInputsOf: the caller composes the graph). */
  inputs: readonly JoinInputSpec[]
  options?: Partial<JoinOptions>
  clock?: () => number
}

/**
 * The join inputs (energy.co2/mix/pricing/usage) → completion, exactly once, as a task of the
 * runtime (lib/stream: consumer, co-partitioned assignment, positions, batches, transaction,
 * restore, supervision, counters). Its step is an RxJS dataflow per session: each batch's
 * records, then a boundary, into joinDays (operator.ts); the aggregates decided at the boundary
 * commit with its dead letters and input offsets in one Kafka transaction, as a concatMap step.
 * A day held for an input is looked at again by a wall-clock punctuation every holdCheckMs,
 * which commits what it emits with no consumed offsets. The state is a function of the
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
  const { inputs } = deps
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

  // Per session (init): after a failed transaction the in-memory state may be ahead of what
  // was committed, so it is rebuilt rather than trusted.
  let session: JoinSession | undefined
  let partitionCount = 0

  const current = (): JoinSession => {
    // init opens it before the runtime hands over a batch or punctuates.
    if (session === undefined) throw new Error('the join stepped outside a session')
    return session
  }
  const kafkaOf = (context: TaskContext): KafkaCommit => context.kafka as KafkaCommit

  function openSession (context: TaskContext): JoinSession {
    const state = createJoinState(inputs)
    const steps$ = new Subject<JoinStep<Consumed>>()
    const admin = createAdmin(config, group)
    const work = createSourceWorkProbe(config, codec, admin, context.consumer, inputs.map(i => i.name), options.holdCheckMs)
    const flow: JoinSession['flow'] = {}
    // A rebalance during the transaction throws (lib/exactly-once.ts): the waiting step fails,
    // and so the session, as the state may be ahead of what was committed.
    const subscription = steps$.pipe(
      joinDays<Consumed>(state),
      concatMap(async output => {
        try {
          await commitOutput(output, context)
          output.context.committed.resolve()
        } catch (err) {
          output.context.committed.reject(err)
        }
      })
    ).subscribe({
      error: err => {
        flow.failure = err
        flow.waiting?.reject(err)
      }
    })
    return { state, steps$, subscription, admin, work, restored: new Set(), flow }
  }

  /** Rebuilds the partitions' state from the compacted inputs up to the group's committed offsets, then reads which days went out. */
  async function restore (partitions: number[], context: TaskContext): Promise<void> {
    const { state, restored } = current()
    const { consumer, positions } = context
    const committed = await consumer.listCommittedOffsets({ topics: INPUT_TOPICS.map(topic => ({ topic, partitions })) })
    const ranges = INPUT_TOPICS.flatMap(topic => partitions.map(partition => ({ topic, partition, until: committed.get(topic)?.[partition] ?? -1n })))
    const started = Date.now()
    // Rejected records were dead-lettered when first seen; restoring skips them again.
    const read = await context.restore(ranges, async records => {
      for (const event of await decodeAll(records, state)) {
        if (!(event instanceof Error)) applyRecord(state, event.source, event.record)
      }
    }, {
      // What completion holds (written with those offsets) says which days went out; a day
      // whose batches differ from it was held when the last member stopped: held again.
      ranges: async () => {
        const ends = await consumer.listOffsets({ topics: [topics.completion], timestamp: -1n, isolationLevel: READ_COMMITTED })
        return partitions.map(partition => ({ topic: topics.completion, partition, until: ends.get(topics.completion)?.[partition] ?? 0n }))
      },
      onRecords: async records => {
        for (const a of await codec.decodeMany<DailyAggregate>(topics.completion, records.map(r => r.value ?? EMPTY))) {
          const day = a instanceof Error ? undefined : state.days.get(a.date)
          if (day !== undefined && !(a instanceof Error)) day.emitted = batchesSignature(state, a.batches)
        }
      }
    })
    const now = clock()
    for (const day of state.days.values()) {
      if (partitions.includes(partitionForDate(day.date, partitionCount)) && daySignature(day) !== day.emitted) state.held.set(day.date, now)
    }
    for (const r of ranges) positions.set(r.topic, r.partition, r.until > 0n ? r.until : 0n)
    for (const p of partitions) restored.add(p)
    log.info({ partitions, records: read, days: state.days.size, held: state.held.size, ms: Date.now() - started, memoryMB: memoryMB() }, 'join state restored')
  }

  /** The inputs settled now: nothing left to apply up to their last stable offset, and no request pending for the date (bounded). */
  async function settledNow (context: TaskContext): Promise<Settled> {
    const pending = await current().work.snapshot()
    const ends = await context.consumer.listOffsets({ topics: INPUT_TOPICS, timestamp: -1n, isolationLevel: READ_COMMITTED })
    const now = clock()
    return (input, date, heldSince) => {
      const topic = TOPIC_OF.get(input) as string
      const partition = partitionForDate(date, partitionCount)
      return context.caughtUp(topic, partition, ends.get(topic)?.[partition] ?? 0n) &&
        (now - heldSince >= options.maxHoldMs || !pending(input, date))
    }
  }

  /** A boundary after `events` (none: a punctuation), decided in joinDays; resolves once its output committed. */
  async function step (events: SourceEvent[], consumed: Incoming[], deadLetters: Outgoing[], context: TaskContext): Promise<void> {
    const { state, steps$, flow } = current()
    const settled = events.length > 0 || state.held.size > 0 ? await settledNow(context) : () => false
    if (flow.failure !== undefined) throw flow.failure
    const committed = Promise.withResolvers<void>()
    flow.waiting = committed
    for (const event of events) steps$.next(event)
    steps$.next({ boundary: true, now: clock(), settled, context: { consumed, deadLetters, committed } })
    await committed.promise
  }

  const processor: StreamProcessor = {
    async init (context) {
      const metadata = await kafkaOf(context).producer.metadata({ topics: [...INPUT_TOPICS, topics.completion] })
      const counts = [...INPUT_TOPICS, topics.completion].map(t => metadata.topics.get(t)?.partitionsCount ?? 0)
      partitionCount = counts[0]
      if (counts.some(c => c !== partitionCount || c === 0)) {
        throw new EnergyError('ENERGY_NOT_SET_UP', `join inputs and completion must exist with equal partition counts, found ${counts.join(', ')}: run \`npm run setup\``)
      }
      session = openSession(context)
      log.info({ group, partitions: partitionCount }, 'join started')
    },
    assigned (partitions, lost) {
      if (lost.length > 0 && session !== undefined) {
        dropPartitions(session.state, new Set(lost), partitionCount)
        for (const p of lost) session.restored.delete(p)
      }
      log.info({ partitions: [...partitions].sort(), lost }, 'partitions assigned')
    },
    async process (batch, context) {
      const { state, restored } = current()
      const unrestored = [...new Set(batch.map(m => m.partition))].filter(p => context.positions.owns(p) && !restored.has(p))
      if (unrestored.length > 0) await restore(unrestored, context)
      // A rebalance rewinds the stream to committed offsets: skip what the restore applied.
      const fresh = context.positions.fresh(batch)
      const { events, deadLetters } = await decodeBatch(fresh, state, context)
      await step(events, fresh, deadLetters, context)
      context.counters.store(state.days.size)
    },
    // Days held for an input are looked at again even when nothing arrives.
    async punctuate (context) {
      if (current().state.held.size > 0) await step([], [], [], context)
    },
    async close () {
      if (session === undefined) return
      const { subscription, steps$, admin } = session
      session = undefined
      subscription.unsubscribe()
      steps$.complete()
      await closeQuietly(() => admin.close())
    }
  }

  /** Decodes a batch: its events, and a dead letter for each record rejected. */
  async function decodeBatch (batch: Incoming[], state: JoinState, context: TaskContext): Promise<{ events: SourceEvent[], deadLetters: Outgoing[] }> {
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
        deadLetters.push(context.deadLetters.message(message, event, { 'dlq.processor': 'join' }))
      }
    }
    return { events, deadLetters }
  }

  /** A boundary's dead letters, aggregates and consumed offsets in one transaction (none: nothing to do). */
  async function commitOutput ({ aggregates, context: batch }: JoinOutput<Consumed>, context: TaskContext): Promise<void> {
    if (aggregates.length === 0 && batch.deadLetters.length === 0 && batch.consumed.length === 0) return
    await kafkaOf(context).transact(batch.consumed, async send => {
      for (const m of batch.deadLetters) await send(m)
      for (const a of aggregates) {
        await send({ topic: topics.completion, key: a.date, partition: partitionForDate(a.date, partitionCount), value: await codec.encode(topics.completion, a) })
      }
    })
    for (const a of aggregates) {
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
    punctuateMs: options.holdCheckMs,
    processor
  })
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
