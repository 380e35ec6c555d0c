import type { Message, MessageToProduce } from '@platformatic/kafka'
import type { Codec } from '../../lib/avro.ts'
import type { Config } from '../../lib/config.ts'
import { createBatcher } from '../../lib/batcher.ts'
import { dlqMessage } from '../../lib/dlq.ts'
import { describeError, EnergyError, isEnergyError } from '../../lib/errors.ts'
import { commitBatch } from '../../lib/exactly-once.ts'
import { createConsumer, createProducer, describeKafkaErrors, isProducerFenced, isRecordRefused, type EnergyConsumer, type EnergyProducer } from '../../lib/kafka.ts'
import { isoUtc, londonDay, type LondonDay } from '../../lib/london-day.ts'
import type { Logger } from '../../lib/log.ts'
import { partitionForDate } from '../../lib/partition.ts'
import { closeQuietly, supervise, type Supervised } from '../../lib/supervisor.ts'
import { DEFAULT_SOURCE_PROCESSOR_OPTIONS, type SourceProcessorOptions } from './options.ts'
import { processorGroup, topicIn, transactionalId } from '../topology.ts'
import type { EnergyRequest, SourceDeclaration } from './types.ts'
import { createAccountTable, type AccountTable } from '../account/table.ts'
import type { Account } from '../account/types.ts'

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

/** Outcome of one request: its batch, or a dead letter. */
interface Handled { records: Outgoing[], date?: string, produced: number, missing: number }

/**
 * consume energy_processor → fetch the day → normalise → encode → produce the day's batch and
 * commit the request's offset in the same Kafka transaction, so a request is never committed
 * without its batch. A request that cannot be served goes to energy.dlq in that transaction.
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

  async function handle (message: Incoming, signal: AbortSignal, accounts: AccountTable | undefined): Promise<Handled> {
    let request: EnergyRequest | undefined
    let day: LondonDay
    try {
      if (message.value === undefined || message.value.length === 0) throw new EnergyError('ENERGY_DECODE', 'request has no value')
      request = await codec.decode<EnergyRequest>(topics.requests, message.value)
      if (request.sources.length > 0 && !request.sources.includes(source.name)) return { records: [], produced: 0, missing: 0 }
      try {
        day = londonDay(request.date)
      } catch (cause) {
        throw new EnergyError('ENERGY_BAD_DATE', (cause as Error).message, { date: request.date })
      }
      const values = await source.fetchDay(day, { config, log, signal, account: await accountFor(request, accounts) })
      // Visible per source and date (energy.dlq, /api/status), not only in a log line.
      if (values.length === 0) throw new EnergyError('ENERGY_NO_DATA', `${source.name} has no data for ${day.date} yet`, { date: day.date })
      const batchId = request.request_id
      const partition = partitionForDate(day.date, partitions)
      const records: Outgoing[] = []
      for (const v of values) {
        const record = { ...v, local_date: day.date, slot_end: v.slot_start + 30 * 60 * 1000, batch_id: batchId, batch_size: values.length }
        records.push({ topic, partition, key: isoUtc(v.slot_start), value: await codec.encode(topic, record) })
      }
      return { records, date: day.date, produced: values.length, missing: day.slots - values.length }
    } catch (err) {
      // Schema registry and broker trouble is the pipeline's, not the request's: retry the session.
      if (signal.aborted || (isEnergyError(err, 'ENERGY_SCHEMA') && err.retryable)) throw err
      return deadLettered(message, err, request?.date)
    }
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

  /** A request that cannot be served: its dead letter is its whole outcome. */
  function deadLettered (message: Incoming, err: unknown, date = message.key): Handled {
    // Not published yet, or not priceable: the upstream's state, not a fault.
    const level = isEnergyError(err, 'ENERGY_NO_DATA') || isEnergyError(err, 'ENERGY_UNPRICED') ? 'warn' : 'error'
    log[level]({ err: describeError(err), date, offset: String(message.offset) }, 'request not served, sent to energy.dlq')
    return {
      produced: 0,
      missing: 0,
      records: [dlqMessage({
        dlqTopic: topics.dlq,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        error: err,
        context: { 'dlq.processor': source.name, 'dlq.date': date ?? '' }
      })]
    }
  }

  /** One transaction for `handled` and the offsets after `batch`. */
  async function commit (handled: Handled[], batch: Incoming[], clients: Clients, owns: (partition: number) => boolean): Promise<void> {
    await commitBatch(clients.producer, clients.consumer, handled.flatMap(h => h.records), batch, owns)
  }

  async function processBatch (batch: Incoming[], clients: Clients, owns: (partition: number) => boolean, signal: AbortSignal): Promise<void> {
    await clients.accounts?.catchUp()
    const handled = await mapLimit(batch, options.fetchConcurrency, m => handle(m, signal, clients.accounts))
    try {
      await commit(handled, batch, clients, owns)
    } catch (err) {
      if (!isRecordRefused(err)) throw err
      // The broker refused records of one request (say, too large for the topic): find it by
      // committing request by request, in offset order, and dead-letter it; the rest commit.
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
          const refused = new EnergyError('ENERGY_REFUSED', `the broker refused the records of ${handled[i].date ?? 'the request'}: ${describeKafkaErrors(err).join('; ') || describeError(err)}`, { cause: err, date: handled[i].date })
          handled[i] = deadLettered(batch[i], refused, handled[i].date)
          await commit([handled[i]], [batch[i]], clients, owns)
        }
      }
    }
    for (const h of handled) {
      if (h.date === undefined) continue
      const fields = { date: h.date, records: h.produced, missing: h.missing }
      if (h.missing > 0) log.warn(fields, `day produced with ${h.missing} slots missing`)
      else log.info(fields, 'day produced')
    }
  }

  async function session (signal: AbortSignal): Promise<void> {
    const newProducer = (): EnergyProducer => createProducer(config, { clientId: group, transactionalId: transactionalId(group, instanceId) })
    const clients: Clients = {
      producer: newProducer(),
      consumer: createConsumer(config, { clientId: group, groupId: group }),
      accounts: source.accountView !== undefined && config.octopusAccount !== '' ? createAccountTable(config, codec, log) : undefined,
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
    }
  }

  return supervise({ name: `processor ${source.name}`, log, restartDelayMs: options.restartDelayMs, session, isFatal: isProducerFenced })
}

async function mapLimit<T, R> (items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
