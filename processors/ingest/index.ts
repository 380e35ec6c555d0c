import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { describeError, EnergyError, isEnergyError } from '../../lib/errors.ts'
import { MAX_SEND_BYTES, RECORD_OVERHEAD_BYTES, type Send } from '../../lib/exactly-once.ts'
import { maxMessageBytes as maxMessageBytesOf } from '../../lib/topic-admin.ts'
import { createAdmin, describeKafkaErrors, isProducerFenced, isRecordRefused } from '../../lib/kafka.ts'
import { isoUtc, londonSpan, SLOT_MS, spanOf, type DaySpan, type LondonDay } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { closeQuietly } from '../../lib/supervisor.ts'
import { createTask, type StreamProcessor, type Task, type TaskContext } from '../../lib/stream/task.ts'
import type { Incoming, Outgoing } from '../../lib/stream/types.ts'
import { DEFAULT_SOURCE_PROCESSOR_OPTIONS, type SourceProcessorOptions } from './options.ts'
import { processorGroup, topicIn, transactionalId } from '../names.ts'
import type { EnergyRequest, FetchContext, SlotValues, SourceDeclaration } from '../source/types.ts'
import { createAccountTable, type AccountTable } from '../account/table.ts'
import { MAX_SPAN_DAYS } from './spans.ts'
import type { Account } from '../../clients/octopus/types.ts'
import { createTariffCatalogue, type ProductRecord } from '../../clients/octopus/catalogue.ts'
import { createGlobalTable, type GlobalTable } from '../../lib/global-table.ts'
import { fetchDays, type DayOutcome } from './days.ts'
import { createDayBudget, startLimited, type DayBudget } from './limiter.ts'
import { logOutcome, type Handled } from './outcome.ts'

export interface SourceProcessorDeps {
  config: Readonly<Config>
  source: SourceDeclaration
  codec: Codec
  log: Logger
  /** Distinguishes instances of the same processor: part of the transactional id. */
  instanceId?: string
  options?: Partial<SourceProcessorOptions>
  /** Days in flight, shared by the source processors of a process; default: this processor's own, of options.daysInFlight. */
  budget?: DayBudget
}

/** A request as decoded from its message, or why it could not be. */
type Decoded = { request: EnergyRequest } | { error: unknown }

/**
 * consume energy_processor → fetch the request's span of days → split it into per-day batches →
 * encode → produce them and commit the request's offset in the same Kafka transaction, so a
 * request is never committed without its batches. A day that cannot be served goes to
 * energy.dlq in that transaction; the others of its span are produced. The runtime
 * (lib/stream) owns the loop and the transaction; each day's records are encoded and sent
 * into the open transaction one day at a time, so a span's records are never held whole.
 */
export function createSourceProcessor (deps: SourceProcessorDeps): Task {
  const { config, source, codec } = deps
  const options = { ...DEFAULT_SOURCE_PROCESSOR_OPTIONS, ...deps.options }
  const log = deps.log.child({ processor: source.name })
  const { topics, namespace } = config
  const topic = topicIn(config, source.topic)
  const group = processorGroup(source.name, namespace)
  let partitions = 0
  // The topic's max.message.bytes, read when a session starts.
  let maxMessageBytes = 1048588
  // energy.account and energy.products as tables (with OCTOPUS_ACCOUNT), per session; tariffs
  // resolved from the products or from the catalogue, kept between requests and sessions.
  let accounts: AccountTable | undefined
  let products: GlobalTable<ProductRecord> | undefined
  const tariffs = createTariffCatalogue({ products: () => products?.values() ?? [] })
  const budget = deps.budget ?? createDayBudget(options.daysInFlight)

  /** The request a message holds, or why it holds none; registry trouble is thrown (the session retries). */
  async function decodeRequest (message: Incoming): Promise<Decoded> {
    try {
      if (message.value === undefined || message.value.length === 0) throw new EnergyError('ENERGY_DECODE', 'request has no value')
      return { request: await codec.decode<EnergyRequest>(topics.requests, message.value) }
    } catch (error) {
      if (isEnergyError(error, 'ENERGY_SCHEMA') && error.retryable) throw error
      return { error }
    }
  }

  /** Days a request asks of this source: what it weighs against daysInFlight. */
  function weightOf (decoded: Decoded): number {
    if (!('request' in decoded)) return 0
    const { request } = decoded
    if (request.sources.length > 0 && !request.sources.includes(source.name)) return 0
    return Number.isInteger(request.days) ? Math.min(Math.max(request.days, 1), options.daysInFlight) : 1
  }

  async function handle (message: Incoming, decoded: Decoded, signal: AbortSignal): Promise<Handled> {
    let request: EnergyRequest | undefined
    try {
      if ('error' in decoded) throw decoded.error
      request = decoded.request
      if (request.sources.length > 0 && !request.sources.includes(source.name)) return { message, days: [] }
      const span = requestSpan(request)
      const context: FetchContext = { config, log, signal, account: await accountFor(request), tariffs }
      const batchId = request.request_id
      return { message, batchId, span, days: await fetchDays(source, span, context, log, async (day, values) => await encodeDay(day, values, batchId)) }
    } catch (err) {
      // Schema registry and broker trouble is the pipeline's, not the request's: retry the session.
      if (signal.aborted || (isEnergyError(err, 'ENERGY_SCHEMA') && err.retryable)) throw err
      return { message, date: request?.date, days: [], error: err }
    }
  }

  /** Sends a request's output into the open transaction, a day at a time: its records, or its dead letter. */
  async function write ({ message, date, span, days, error }: Handled, send: Send, context: TaskContext): Promise<void> {
    if (error !== undefined) return await send(deadLetter(context, message, error, date))
    for (const outcome of days) {
      if ('records' in outcome) {
        for (const r of outcome.records) await send(r)
      } else {
        await send(deadLetter(context, message, outcome.error, outcome.day.date, span))
      }
    }
  }

  /**
   * A day's values as records for its partition, encoded as soon as the day is whole (the
   * values are then dropped: a span in flight is held as encoded records). A day with a record
   * the broker would refuse (larger than the topic's max.message.bytes) is a dead letter
   * instead, before it can fail the transaction.
   */
  async function encodeDay (day: Readonly<LondonDay>, values: SlotValues[], batchId: string): Promise<DayOutcome> {
    const partition = partitionForDate(day.date, partitions)
    const records: Outgoing[] = []
    for (const v of values) {
      const record = { ...v, local_date: day.date, slot_end: v.slot_start + SLOT_MS, batch_id: batchId, batch_size: values.length }
      const key = isoUtc(v.slot_start)
      const value = await codec.encode(topic, record)
      const size = key.length + value.length + RECORD_OVERHEAD_BYTES + BATCH_OVERHEAD_BYTES
      if (size > maxMessageBytes) {
        return { day, error: new EnergyError('ENERGY_REFUSED', `${day.date}: a record of ${size} bytes (slot ${key}) is larger than ${topic}'s max.message.bytes (${maxMessageBytes}); the broker would refuse it`, { date: day.date, topic }) }
      }
      records.push({ topic, partition, key, value })
    }
    return { day, records }
  }

  /** The request's days; a bad date or length is the request's fault (ENERGY_BAD_DATE). */
  function requestSpan (request: EnergyRequest): DaySpan {
    const days = request.days ?? 1
    if (!Number.isInteger(days) || days < 1 || days > MAX_SPAN_DAYS) {
      throw new EnergyError('ENERGY_BAD_DATE', `a request covers 1 to ${MAX_SPAN_DAYS} days, this one ${days}`, { date: request.date })
    }
    try {
      return londonSpan(request.date, days)
    } catch (cause) {
      throw new EnergyError('ENERGY_BAD_DATE', (cause as Error).message, { date: request.date })
    }
  }

  /**
   * The account to serve a request by: at least the version it was made with. The seed
   * publishes a changed account and its requests in one transaction, whose markers reach the
   * two topics one after the other, so the table may need a moment to hold it; after 10 s the
   * latest one serves (a request can never hold its partition).
   */
  async function accountFor (request: EnergyRequest): Promise<Account | undefined> {
    if (accounts === undefined) return undefined
    const version = request.account_version ?? null
    if (version === null) return accounts.get(config.octopusAccount)
    const account = await accounts.atLeast(config.octopusAccount, version)
    if ((account?.fetched_at ?? -Infinity) < version) {
      log.warn({ date: request.date, version: new Date(version).toISOString() }, 'the account this request was made with is not on energy.account after 10 s, serving it by the latest one')
    }
    return account
  }

  /** The dead letter of a request, or of one day of its span (dlq.date; dlq.span for a multi-day request). */
  function deadLetter (context: TaskContext, message: Incoming, err: unknown, date = message.key, span?: DaySpan): Outgoing {
    const headers: Record<string, string> = { 'dlq.processor': source.name, 'dlq.date': date ?? '' }
    if (span !== undefined && span.days.length > 1) headers['dlq.span'] = `${span.from}..${span.to}`
    return context.deadLetters.message(message, err, headers)
  }

  /** One transaction for `handled`, streamed, with the offsets after their requests. */
  async function commit (handled: Handled[], context: TaskContext): Promise<void> {
    const kafka = context.kafka as NonNullable<TaskContext['kafka']>
    await kafka.transact(handled.map(h => h.message), async send => {
      for (const h of handled) await write(h, send, context)
    }, Math.min(MAX_SEND_BYTES, Math.floor(maxMessageBytes / 2)))
  }

  /**
   * Fetches the batch's requests `fetchConcurrency` at a time and commits them in consume order
   * as they are ready: each transaction takes every request ready after the last committed one,
   * so a span's records go out while later spans are still being fetched. A request holds its
   * days against daysInFlight until it is committed, so memory holds at most that many days of
   * values, whether being fetched or waiting for an earlier request.
   */
  async function processBatch (batch: Incoming[], context: TaskContext): Promise<void> {
    await accounts?.catchUp()
    await products?.catchUp()
    const decoded = await Promise.all(batch.map(decodeRequest))
    // Ends the batch's asks for days when it fails or stops, and frees every day it holds.
    const abort = new AbortController()
    const stop = (): void => { abort.abort(context.signal.reason) }
    context.signal.addEventListener('abort', stop, { once: true })
    const limited = startLimited(batch.map((m, i) => ({ m, d: decoded[i] })), options.fetchConcurrency, budget, abort.signal,
      ({ d }) => weightOf(d), async ({ m, d }) => await handle(m, d, context.signal))
    const handled: Array<Handled | undefined> = new Array(batch.length)
    limited.forEach(({ result }, i) => { result.then(h => { handled[i] = h }, () => {}) })
    try {
      for (let next = 0; next < batch.length;) {
        await limited[next].result
        let end = next + 1
        while (end < batch.length && handled[end] !== undefined) end++
        const group = handled.slice(next, end) as Handled[]
        await commitGroup(group, context)
        for (let i = next; i < end; i++) {
          const committed = handled[i] as Handled
          logOutcome(log, committed)
          // Its records are on the broker: dropped now, not when the batch ends (the batch's
          // promises still refer to this outcome, and a batch can hold years of spans).
          committed.days = []
          handled[i] = undefined
          limited[i].release()
        }
        next = end
      }
    } finally {
      context.signal.removeEventListener('abort', stop)
      abort.abort()
      for (const l of limited) l.release()
    }
  }

  async function commitGroup (handled: Handled[], context: TaskContext): Promise<void> {
    const kafka = context.kafka as NonNullable<TaskContext['kafka']>
    try {
      await commit(handled, context)
    } catch (err) {
      if (!isRecordRefused(err)) throw err
      // The broker refused records of one request (say, too large for the topic): find it by
      // committing request by request, in offset order, and dead-letter its days; the rest commit.
      // After a refused produce the idempotent producer's sequence numbers no longer match the
      // broker's (the next send fails OUT_OF_ORDER_SEQUENCE_NUMBER): a new producer starts clean.
      log.warn({ err: describeError(err), requests: handled.length }, 'the broker refused records of the batch, committing its requests one by one')
      await kafka.renew()
      for (let i = 0; i < handled.length; i++) {
        try {
          await commit([handled[i]], context)
        } catch (err) {
          if (!isRecordRefused(err)) throw err
          await kafka.renew()
          handled[i] = refusedOutcome(handled[i], err)
          await commit([handled[i]], context)
        }
      }
    }
  }

  /** A request whose records the broker refused: each day it produced becomes a dead letter saying so. */
  function refusedOutcome (h: Handled, err: unknown): Handled {
    const { days } = h
    const what = days.length === 0 ? 'the request' : days.length === 1 ? days[0].day.date : `${days[0].day.date}..${days[days.length - 1].day.date}`
    const refused = new EnergyError('ENERGY_REFUSED', `the broker refused the records of ${what}: ${describeKafkaErrors(err).join('; ') || describeError(err)}`, { cause: err, date: days[0]?.day.date })
    if (days.length === 0) return { message: h.message, days, error: refused }
    return { message: h.message, span: spanOf(days.map(d => d.day)), days: days.map(d => 'error' in d ? d : { day: d.day, error: refused }) }
  }

  const processor: StreamProcessor = {
    async init (context) {
      const reads = source.accountView !== undefined && config.octopusAccount !== ''
      products = reads ? createGlobalTable<ProductRecord>(config, codec, log, topics.products) : undefined
      accounts = reads ? createAccountTable(config, codec, log) : undefined
      const producer = (context.kafka as NonNullable<TaskContext['kafka']>).producer
      const metadata = await producer.metadata({ topics: [topic] })
      partitions = metadata.topics.get(topic)?.partitionsCount ?? 0
      if (partitions === 0) throw new EnergyError('ENERGY_NOT_SET_UP', `topic ${topic} does not exist: run \`npm run setup\``)
      const admin = createAdmin(config, group)
      try {
        maxMessageBytes = await maxMessageBytesOf(admin, topic)
      } finally {
        await closeQuietly(() => admin.close())
      }
      log.info({ group, topic, partitions }, 'processor started')
    },
    process: processBatch,
    async close () {
      const held = [accounts, products]
      accounts = undefined
      products = undefined
      for (const table of held) if (table !== undefined) await closeQuietly(() => table.close())
    }
  }

  return createTask({
    name: `processor ${source.name}`,
    kind: 'processor',
    config,
    log,
    group,
    topics: [topics.requests],
    start: { kind: 'committed' },
    commit: { kind: 'kafka', transactionalId: transactionalId(group, deps.instanceId ?? '1') },
    batchSize: options.requestsPerTransaction,
    batchWaitMs: options.batchWaitMs,
    restartDelayMs: options.restartDelayMs,
    isFatal: isProducerFenced,
    processor
  })
}

/** A record batch's header (v2: base offset, length, epoch, magic, CRC, attributes, deltas, timestamps, ids, count). */
const BATCH_OVERHEAD_BYTES = 61
