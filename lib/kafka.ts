import {
  Admin, Consumer, Producer, stringDeserializer, stringSerializer,
  type CallbackWithPromise, type ConsumerOptions, type FetchOptions, type fetchV17, type ProducerOptions
} from '@platformatic/kafka'
import { dropAbortedBatches } from './read-committed.ts'
import type { Config } from './config.ts'

// The one place that creates Kafka clients. Keys and header values are UTF-8 strings
// (readable in Console); values stay Buffers because lib/avro.ts owns their encoding, and a
// consumer must keep the original bytes of a poison record for the dead-letter topic.

export type EnergyProducer = Producer<string, Buffer, string, string>
export type EnergyConsumer = Consumer<string, Buffer, string, string>

type Fetched = fetchV17.FetchResponse

// A tenth of the 10 s session timeout: the broker drops a member only after ~10 missed beats.
const HEARTBEAT_INTERVAL_MS = 1000

/**
 * A consumer whose read_committed fetches drop every aborted transaction
 * (lib/read-committed.ts); message streams fetch through this method. Still needed with
 * @platformatic/kafka 2.12: its own filter keeps only one aborted range per producer.
 */
class ReadCommittedConsumer extends Consumer<string, Buffer, string, string> {
  fetch (options: FetchOptions<string, Buffer, string, string>, callback: CallbackWithPromise<Fetched>): void
  fetch (options: FetchOptions<string, Buffer, string, string>): Promise<Fetched>
  fetch (options: FetchOptions<string, Buffer, string, string>, callback?: CallbackWithPromise<Fetched>): void | Promise<Fetched> {
    const readCommitted = (options.isolationLevel ?? READ_COMMITTED) === READ_COMMITTED
    if (callback === undefined) {
      return new Promise((resolve, reject) => this.fetch(options, (err, response) => err != null ? reject(err) : resolve(response as Fetched)))
    }
    super.fetch(options, (err, response) => {
      if (err == null && readCommitted && response !== undefined) dropAbortedBatches(response)
      callback(err, response as Fetched)
    })
  }
}

// Kafka's FetchIsolationLevel: 1 = READ_COMMITTED.
export const READ_COMMITTED = 1

type KafkaConfig = Pick<Config, 'kafkaBrokers'>

export interface ProducerSettings {
  clientId: string
  /** Set for producers that write in transactions (exactly-once). */
  transactionalId?: string
}

/** Transaction (and request) timeout of transactional producers, ms. */
export const TRANSACTION_TIMEOUT_MS = 30000

export function createProducer (config: KafkaConfig, settings: ProducerSettings): EnergyProducer {
  const options: ProducerOptions<string, Buffer, string, string> = {
    clientId: settings.clientId,
    bootstrapBrokers: config.kafkaBrokers,
    serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
    // acks=-1 with idempotence: a produced record survives a broker restart and is never duplicated by a retry.
    acks: -1,
    idempotent: true,
    // InitProducerId must say "no previous producer" with -1/-1 (KIP-360). The client's
    // default of 0/0 (@platformatic/kafka 1.35 and 2.12 alike) makes the broker answer
    // PRODUCER_FENCED when a transactional id is reused, i.e. on every restart of a
    // transactional processor.
    producerId: -1n,
    producerEpoch: -1,
    autocreateTopics: false,
    retries: 10,
    retryDelay: 500
  }
  if (settings.transactionalId !== undefined) {
    options.transactionalId = settings.transactionalId
    // The client sends its request timeout as the transaction timeout (InitProducerId), 5 s by
    // default: a transaction holding a span (a year of a source, ~100 sends) can outlast that on
    // a loaded box, and the broker then aborts it and bumps the epoch (INVALID_PRODUCER_EPOCH,
    // fatal). 30 s, the Java client's request.timeout.ms, and half Kafka's default
    // transaction.timeout.ms.
    options.timeout = TRANSACTION_TIMEOUT_MS
  }
  return new Producer(options)
}

/**
 * Most bytes one fetch returns. A fetch's records are all pushed into the message stream at
 * once, beyond its highWaterMark: 128 KB (~1,500 source records) rather than 1 MB keeps the ten
 * sinks' peak RSS down; the range reader found 64-128 KB fetches the fastest too (docs/bench.md).
 */
export const DEFAULT_FETCH_MAX_BYTES = 128 * 1024

export interface ConsumerSettings {
  clientId: string
  groupId: string
  /** Most bytes one fetch returns; default DEFAULT_FETCH_MAX_BYTES. */
  maxBytes?: number
}

export function createConsumer (config: KafkaConfig, settings: ConsumerSettings): EnergyConsumer {
  const options: ConsumerOptions<string, Buffer, string, string> = {
    clientId: settings.clientId,
    groupId: settings.groupId,
    bootstrapBrokers: config.kafkaBrokers,
    deserializers: { key: stringDeserializer, headerKey: stringDeserializer, headerValue: stringDeserializer },
    isolationLevel: READ_COMMITTED,
    sessionTimeout: 10000,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    rebalanceTimeout: 30000,
    maxWaitTime: 100,
    maxBytes: settings.maxBytes ?? DEFAULT_FETCH_MAX_BYTES,
    autocreateTopics: false,
    retries: 10,
    retryDelay: 500
  }
  return new ReadCommittedConsumer(options)
}

/** The last message of each topic-partition in a batch: whose offset a commit records. */
export function lastPerPartition<M extends { topic: string, partition: number }> (batch: M[]): M[] {
  const last = new Map<string, M>()
  for (const m of batch) last.set(`${m.topic}:${m.partition}`, m)
  return [...last.values()]
}

export function createAdmin (config: KafkaConfig, clientId = 'energy-admin'): Admin {
  return new Admin({ clientId, bootstrapBrokers: config.kafkaBrokers, retries: 5, retryDelay: 500 })
}

/**
 * True when a newer producer with our transactional id exists: this process is a zombie
 * (another copy runs with the same --instance), and retrying would only fence the other back.
 */
export function isProducerFenced (err: unknown): boolean {
  return hasKafkaError(err, ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH'])
}

/**
 * True when the broker refused records themselves (too large for the topic's
 * max.message.bytes, invalid): no retry helps, the request that made them must be isolated.
 */
export function isRecordRefused (err: unknown): boolean {
  return hasKafkaError(err, ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE'])
}

/** Whether a client error, or one it aggregates or wraps, is one of the Kafka error codes `ids`. */
function hasKafkaError (err: unknown, ids: readonly string[]): boolean {
  return kafkaErrors(err).some(e => ids.includes(e.apiId))
}

/**
 * The broker's errors inside a client error, as `CODE: message` (deduplicated): the client
 * wraps them in aggregates and causes.
 */
export function describeKafkaErrors (err: unknown): string[] {
  return [...new Set(kafkaErrors(err).map(e => `${e.apiId}: ${e.message}`))]
}

/** Every error with a Kafka error code that a client error aggregates or wraps. */
function kafkaErrors (err: unknown): Array<{ apiId: string, message: string }> {
  const found: Array<{ apiId: string, message: string }> = []
  const seen = new Set<unknown>()
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return
    seen.add(e)
    const o = e as { apiId?: unknown, message?: unknown, errors?: unknown[], aggregateErrors?: unknown[], cause?: unknown }
    if (typeof o.apiId === 'string') found.push({ apiId: o.apiId, message: typeof o.message === 'string' ? o.message : '' })
    for (const inner of [...(o.errors ?? []), ...(o.aggregateErrors ?? []), o.cause]) visit(inner)
  }
  visit(err)
  return found
}
