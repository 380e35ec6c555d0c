import type { Message, MessageToProduce } from '@platformatic/kafka'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { createBatcher } from '../../lib/batcher.ts'
import { dlqMessage } from '../../lib/dlq.ts'
import { describeError, EnergyError, isEnergyError } from '../../lib/errors.ts'
import { commitBatch, MAX_SEND_BYTES, RECORD_OVERHEAD_BYTES } from '../../lib/exactly-once.ts'
import { maxMessageBytes as maxMessageBytesOf } from '../../lib/topic-admin.ts'
import { createAdmin, createConsumer, createProducer, describeKafkaErrors, isProducerFenced, isRecordRefused, type EnergyConsumer, type EnergyProducer } from '../../lib/kafka.ts'
import { isoUtc, localDateOf, londonSpan, SLOT_MS, spanOf, type DaySpan, type LondonDay } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { closeQuietly, supervise, type Supervised } from '../../lib/supervisor.ts'
import { DEFAULT_SOURCE_PROCESSOR_OPTIONS, type SourceProcessorOptions } from './options.ts'
import { processorGroup, topicIn, transactionalId } from '../names.ts'
import type { FetchContext, SlotValues, SourceDeclaration } from '../source/types.ts'
import type { EnergyRequest } from '../source/types.ts'
import { createAccountTable, type AccountTable } from '../account/table.ts'
import { MAX_SPAN_DAYS } from './spans.ts'
import type { Account } from '../../clients/octopus/types.ts'
import { createTariffCatalogue, type ProductRecord } from '../../clients/octopus/catalogue.ts'
import { createGlobalTable, type GlobalTable } from '../../lib/global-table.ts'

type Outgoing = MessageToProduce<string, Buffer, string, string>

/** A session's clients; the producer is replaced after the broker refused records. */
interface Clients {
  producer: EnergyProducer
  consumer: EnergyConsumer
  /** energy.account, for a source that reads the account when OCTOPUS_ACCOUNT is set. */
  accounts?: AccountTable
  renewProducer (): Promise<void>
}
type Incoming = Message<string, Buffer, string, string>

export interface SourceProcessorDeps {
  config: Readonly<Config>
  source: SourceDeclaration
  codec: Codec
  log: Logger
  /** Distinguishes instances of the same processor: part of the transactional id. */
  instanceId?: string
  options?: Partial<SourceProcessorOptions>
}

/** A request as decoded from its message, or why it could not be. */
type Decoded = { request: EnergyRequest } | { error: unknown }

/** A day of a request's span: its values, or why it has none. */
type DayOutcome<V> = { day: Readonly<LondonDay>, values: V[] } | { day: Readonly<LondonDay>, error: unknown }

/** Outcome of one request: its days' batches and dead letters. */
interface Handled { records: Outgoing[], days: Array<DayOutcome<SlotValues>>, error?: unknown }

/**
 * consume energy_processor → fetch the request's span of days → split it into per-day batches →
 * encode → produce them and commit the request's offset in the same Kafka transaction, so a
 * request is never committed without its batches. A day that cannot be served goes to
 * energy.dlq in that transaction; the others of its span are produced.
 */
export function createSourceProcessor (deps: SourceProcessorDeps): Supervised {
  const { config, source, codec } = deps
  const options = { ...DEFAULT_SOURCE_PROCESSOR_OPTIONS, ...deps.options }
  const log = deps.log.child({ processor: source.name })
  const { topics, namespace } = config
  const topic = topicIn(config, source.topic)
  const group = processorGroup(source.name, namespace)
  const instanceId = deps.instanceId ?? '1'
  let partitions = 0
  // The topic's max.message.bytes, read when a session starts.
  let maxMessageBytes = 1048588
  // energy.products as a table (with OCTOPUS_ACCOUNT), per session; tariffs resolved from it or
  // from the catalogue, kept between requests and sessions.
  let products: GlobalTable<ProductRecord> | undefined
  const tariffs = createTariffCatalogue({ products: () => products?.values() ?? [] })

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

  async function handle (message: Incoming, decoded: Decoded, signal: AbortSignal, accounts: AccountTable | undefined): Promise<Handled> {
    let request: EnergyRequest | undefined
    try {
      if ('error' in decoded) throw decoded.error
      request = decoded.request
      if (request.sources.length > 0 && !request.sources.includes(source.name)) return { records: [], days: [] }
      const span = requestSpan(request)
      const context: FetchContext = { config, log, signal, account: await accountFor(request, accounts), tariffs }
      const days = await fetchDays(span, context)
      const records: Outgoing[] = []
      for (const [i, outcome] of days.entries()) {
        let error = 'error' in outcome ? outcome.error : undefined
        if ('values' in outcome) {
          const batch = await encodeDay(outcome.day, outcome.values, request.request_id)
          if (Array.isArray(batch)) {
            records.push(...batch)
            continue
          }
          error = batch
          days[i] = { day: outcome.day, error }
        }
        records.push(deadLetter(message, error, outcome.day.date, span))
      }
      return { records, days }
    } catch (err) {
      // Schema registry and broker trouble is the pipeline's, not the request's: retry the session.
      if (signal.aborted || (isEnergyError(err, 'ENERGY_SCHEMA') && err.retryable)) throw err
      return { records: [deadLetter(message, err, request?.date)], days: [], error: err }
    }
  }

  /**
   * A day's batch as records for its partition; a record the broker would refuse (larger than
   * the topic's max.message.bytes) fails the day here, before it can fail the transaction.
   */
  async function encodeDay (day: Readonly<LondonDay>, values: SlotValues[], batchId: string): Promise<Outgoing[] | EnergyError> {
    const partition = partitionForDate(day.date, partitions)
    const records: Outgoing[] = []
    for (const v of values) {
      const record = { ...v, local_date: day.date, slot_end: v.slot_start + SLOT_MS, batch_id: batchId, batch_size: values.length }
      const key = isoUtc(v.slot_start)
      const value = await codec.encode(topic, record)
      const size = key.length + value.length + RECORD_OVERHEAD_BYTES + BATCH_OVERHEAD_BYTES
      if (size > maxMessageBytes) {
        return new EnergyError('ENERGY_REFUSED', `${day.date}: a record of ${size} bytes (slot ${key}) is larger than ${topic}'s max.message.bytes (${maxMessageBytes}); the broker would refuse it`, { date: day.date, topic })
      }
      records.push({ topic, partition, key, value })
    }
    return records
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
   * The span's days, each with its values or why it has none. A failed fetch is retried on the
   * two halves of the span, down to single days, so a day the upstream answers badly (a
   * malformed slot, a 500 on one date) costs only itself; when both halves fail to reach the
   * upstream (down, refusing the key, rate limiting), every day fails at once rather than
   * trying each day of a year.
   */
  async function fetchDays (span: DaySpan, context: FetchContext): Promise<Array<DayOutcome<SlotValues>>> {
    const first = await attempt(span, context)
    return 'values' in first ? perDay(span, first.values, context) : await isolate(span, first.error, context)
  }

  async function isolate (span: DaySpan, error: unknown, context: FetchContext): Promise<Array<DayOutcome<SlotValues>>> {
    if (span.days.length === 1) return [{ day: span.days[0], error }]
    const middle = Math.ceil(span.days.length / 2)
    const halves = [spanOf(span.days.slice(0, middle)), spanOf(span.days.slice(middle))]
    log.debug({ from: span.from, to: span.to, err: describeError(error) }, 'span failed, fetching its halves apart')
    const attempts = await Promise.all(halves.map(async half => await attempt(half, context)))
    const errors = attempts.flatMap(a => 'error' in a ? [a.error] : [])
    if (errors.length === 2 && errors.every(isUnreachable)) return span.days.map(day => ({ day, error: errors[0] }))
    const outcomes = await Promise.all(halves.map(async (half, i) => {
      const a = attempts[i]
      return 'values' in a ? perDay(half, a.values, context) : await isolate(half, a.error, context)
    }))
    return outcomes.flat()
  }

  async function attempt (span: DaySpan, context: FetchContext): Promise<{ values: SlotValues[] } | { error: unknown }> {
    try {
      return { values: await source.fetchSpan(span, context) }
    } catch (error) {
      if (context.signal.aborted || (isEnergyError(error, 'ENERGY_SCHEMA') && error.retryable)) throw error
      return { error }
    }
  }

  /** The span's values split by day; a day without any says why (visible in energy.dlq and /api/status). */
  function perDay (span: DaySpan, values: SlotValues[], context: FetchContext): Array<DayOutcome<SlotValues>> {
    const byDate = new Map<string, SlotValues[]>()
    for (const v of values) {
      const date = localDateOf(v.slot_start)
      const list = byDate.get(date)
      if (list === undefined) byDate.set(date, [v])
      else list.push(v)
    }
    return span.days.map(day => {
      const dayValues = byDate.get(day.date)
      if (dayValues !== undefined) return { day, values: dayValues }
      return { day, error: source.whyMissing?.(day, context) ?? new EnergyError('ENERGY_NO_DATA', `${source.name} has no data for ${day.date} yet`, { date: day.date }) }
    })
  }

  /**
   * The account to serve a request by: at least the version it was made with. The seed
   * publishes a changed account and its requests in one transaction, whose markers reach the
   * two topics one after the other, so the table may need a moment to hold it; after 10 s the
   * latest one serves (a request can never hold its partition).
   */
  async function accountFor (request: EnergyRequest, accounts: AccountTable | undefined): Promise<Account | undefined> {
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
  function deadLetter (message: Incoming, err: unknown, date = message.key, span?: DaySpan): Outgoing {
    const context: Record<string, string> = { 'dlq.processor': source.name, 'dlq.date': date ?? '' }
    if (span !== undefined && span.days.length > 1) context['dlq.span'] = `${span.from}..${span.to}`
    return dlqMessage({ dlqTopic: topics.dlq, topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, value: message.value, error: err, context })
  }

  /** One transaction for `handled` and the offsets after `batch`. */
  async function commit (handled: Handled[], batch: Incoming[], clients: Clients, owns: (partition: number) => boolean): Promise<void> {
    await commitBatch(clients.producer, clients.consumer, handled.flatMap(h => h.records), batch, owns, Math.min(MAX_SEND_BYTES, Math.floor(maxMessageBytes / 2)))
  }

  /**
   * Fetches the batch's requests `fetchConcurrency` at a time and commits them in consume order
   * as they are ready: each transaction takes every request ready after the last committed one,
   * so a span's records go out while later spans are still being fetched, and memory holds only
   * what is waiting for an earlier request.
   */
  async function processBatch (batch: Incoming[], clients: Clients, owns: (partition: number) => boolean, signal: AbortSignal): Promise<void> {
    await clients.accounts?.catchUp()
    await products?.catchUp()
    const decoded = await Promise.all(batch.map(decodeRequest))
    const results = startLimited(batch.map((m, i) => ({ m, d: decoded[i] })), options.fetchConcurrency, options.daysInFlight,
      ({ d }) => weightOf(d), async ({ m, d }) => await handle(m, d, signal, clients.accounts))
    const handled: Array<Handled | undefined> = new Array(batch.length)
    results.forEach((p, i) => { p.then(h => { handled[i] = h }, () => {}) })
    for (let next = 0; next < batch.length;) {
      await results[next]
      let end = next + 1
      while (end < batch.length && handled[end] !== undefined) end++
      const group = handled.slice(next, end) as Handled[]
      await commitGroup(group, batch.slice(next, end), clients, owns)
      for (let i = 0; i < group.length; i++) {
        logOutcome(group[i], batch[next + i])
        handled[next + i] = undefined
      }
      next = end
    }
  }

  async function commitGroup (handled: Handled[], batch: Incoming[], clients: Clients, owns: (partition: number) => boolean): Promise<void> {
    try {
      await commit(handled, batch, clients, owns)
    } catch (err) {
      if (!isRecordRefused(err)) throw err
      // The broker refused records of one request (say, too large for the topic): find it by
      // committing request by request, in offset order, and dead-letter its days; the rest commit.
      // After a refused produce the idempotent producer's sequence numbers no longer match the
      // broker's (the next send fails OUT_OF_ORDER_SEQUENCE_NUMBER): a new producer starts clean.
      log.warn({ err: describeError(err), requests: batch.length }, 'the broker refused records of the batch, committing its requests one by one')
      await clients.renewProducer()
      for (let i = 0; i < batch.length; i++) {
        try {
          await commit([handled[i]], [batch[i]], clients, owns)
        } catch (err) {
          if (!isRecordRefused(err)) throw err
          await clients.renewProducer()
          handled[i] = refusedOutcome(handled[i], batch[i], err)
          await commit([handled[i]], [batch[i]], clients, owns)
        }
      }
    }
  }

  /** A request whose records the broker refused: each day it produced becomes a dead letter saying so. */
  function refusedOutcome ({ days }: Handled, message: Incoming, err: unknown): Handled {
    const what = days.length === 0 ? 'the request' : days.length === 1 ? days[0].day.date : `${days[0].day.date}..${days[days.length - 1].day.date}`
    const refused = new EnergyError('ENERGY_REFUSED', `the broker refused the records of ${what}: ${describeKafkaErrors(err).join('; ') || describeError(err)}`, { cause: err, date: days[0]?.day.date })
    if (days.length === 0) return { records: [deadLetter(message, refused)], days, error: refused }
    const span = spanOf(days.map(d => d.day))
    const failed = days.map(d => 'error' in d ? d : { day: d.day, error: refused })
    return { records: failed.map(d => deadLetter(message, d.error, d.day.date, span)), days: failed }
  }

  /** One line per request: the days produced (and slots missing), and the days dead-lettered per reason. */
  function logOutcome ({ days, error }: Handled, message: Incoming): void {
    if (error !== undefined) log.error({ err: describeError(error), date: message.key, offset: String(message.offset) }, 'request not served, sent to energy.dlq')
    const produced = days.flatMap(d => 'values' in d ? [d] : [])
    if (produced.length > 0) {
      const missing = produced.reduce((n, d) => n + d.day.slots - d.values.length, 0)
      const records = produced.reduce((n, d) => n + d.values.length, 0)
      const fields = produced.length === 1 ? { date: produced[0].day.date, records, missing } : { from: produced[0].day.date, to: produced[produced.length - 1].day.date, days: produced.length, records, missing }
      if (missing > 0) log.warn(fields, `${produced.length === 1 ? 'day' : 'days'} produced with ${missing} slots missing`)
      else log.info(fields, produced.length === 1 ? 'day produced' : 'days produced')
    }
    const failed = new Map<string, { dates: string[], err: unknown }>()
    for (const d of days) {
      if (!('error' in d)) continue
      const why = describeError(d.error)
      const entry = failed.get(why) ?? { dates: [], err: d.error }
      entry.dates.push(d.day.date)
      failed.set(why, entry)
    }
    for (const { dates, err } of failed.values()) {
      // Not published yet, or not priceable: the upstream's state, not a fault.
      const level = isEnergyError(err, 'ENERGY_NO_DATA') || isEnergyError(err, 'ENERGY_UNPRICED') ? 'warn' : 'error'
      const which = dates.length === 1 ? { date: dates[0] } : { from: dates[0], to: dates[dates.length - 1], days: dates.length }
      log[level]({ err: describeError(err), ...which, offset: String(message.offset) }, `${dates.length === 1 ? 'day' : 'days'} not served, sent to energy.dlq`)
    }
  }

  async function session (signal: AbortSignal): Promise<void> {
    const reads = source.accountView !== undefined && config.octopusAccount !== ''
    products = reads ? createGlobalTable<ProductRecord>(config, codec, log, topics.products) : undefined
    const newProducer = (): EnergyProducer => createProducer(config, { clientId: group, transactionalId: transactionalId(group, instanceId) })
    const clients: Clients = {
      producer: newProducer(),
      consumer: createConsumer(config, { clientId: group, groupId: group }),
      accounts: reads ? createAccountTable(config, codec, log) : undefined,
      async renewProducer () {
        await closeQuietly(() => clients.producer.close())
        clients.producer = newProducer()
      }
    }
    const { consumer } = clients
    // Partitions this member owns, and the next offset of each as last committed by it: a
    // rebalance rewinds the stream to the committed offsets, so what was already committed
    // comes again and is skipped.
    let assigned = new Set<number>()
    const positions = new Map<number, bigint>()
    consumer.on('consumer:group:join', ({ assignments }) => {
      assigned = new Set((assignments ?? []).flatMap(a => a.partitions))
      for (const p of positions.keys()) if (!assigned.has(p)) positions.delete(p)
    })
    const owns = (partition: number): boolean => assigned.has(partition)
    try {
      const metadata = await clients.producer.metadata({ topics: [topic] })
      partitions = metadata.topics.get(topic)?.partitionsCount ?? 0
      if (partitions === 0) throw new EnergyError('ENERGY_NOT_SET_UP', `topic ${topic} does not exist: run \`npm run setup\``)
      const admin = createAdmin(config, group)
      try {
        maxMessageBytes = await maxMessageBytesOf(admin, topic)
      } finally {
        await closeQuietly(() => admin.close())
      }
      const stream = await consumer.consume({ topics: [topics.requests], mode: 'committed', fallbackMode: 'earliest', autocommit: false })
      const batcher = createBatcher<Incoming>(stream, options.requestsPerTransaction, options.batchWaitMs)
      log.info({ group, topic, partitions }, 'processor started')
      while (!signal.aborted) {
        const batch = (await batcher.next(signal)).filter(m => owns(m.partition) && m.offset >= (positions.get(m.partition) ?? 0n))
        if (batch.length === 0 || signal.aborted) continue
        await processBatch(batch, clients, owns, signal)
        for (const m of batch) positions.set(m.partition, m.offset + 1n)
      }
      await stream.close()
    } finally {
      await closeQuietly(() => consumer.close(true))
      await closeQuietly(() => clients.producer.close())
      const { accounts } = clients
      if (accounts !== undefined) await closeQuietly(() => accounts.close())
      const held = products
      if (held !== undefined) await closeQuietly(() => held.close())
    }
  }

  return supervise({ name: `processor ${source.name}`, log, restartDelayMs: options.restartDelayMs, session, isFatal: isProducerFenced })
}

/** A record batch's header (v2: base offset, length, epoch, magic, CRC, attributes, deltas, timestamps, ids, count). */
const BATCH_OVERHEAD_BYTES = 61

/**
 * The upstream could not be reached or refused to serve at all (down, throttling, credentials):
 * not one day's fault, so a span is not split further for it.
 */
function isUnreachable (err: unknown): boolean {
  if (isEnergyError(err, 'ENERGY_RATE_LIMITED') || isEnergyError(err, 'ENERGY_AUTH')) return true
  return isEnergyError(err, 'ENERGY_FETCH') && (err.status === undefined || err.status === 429 || (err.status as number) >= 500)
}

/**
 * Runs `fn` on every item, in item order, at most `limit` at a time and at most `budget` of
 * weight at a time (an item weighs at most the budget, so it runs alone at worst); one promise
 * per item, in item order.
 */
function startLimited<T, R> (items: T[], limit: number, budget: number, weightOf: (item: T) => number, fn: (item: T) => Promise<R>): Array<Promise<R>> {
  let running = 0
  let weight = 0
  const queue: Array<{ weight: number, start: () => void }> = []
  const fits = (w: number): boolean => running < limit && (running === 0 || weight + w <= budget)
  const pump = (): void => {
    while (queue.length > 0 && fits(queue[0].weight)) {
      const next = queue.shift() as { weight: number, start: () => void }
      running++
      weight += next.weight
      next.start()
    }
  }
  return items.map(async item => {
    const w = Math.min(weightOf(item), budget)
    await new Promise<void>(resolve => {
      queue.push({ weight: w, start: resolve })
      pump()
    })
    try {
      return await fn(item)
    } finally {
      running--
      weight -= w
      pump()
    }
  })
}
