import type { Message, MessageToProduce } from '@platformatic/kafka'
import { EnergyError } from './errors.ts'
import { lastPerPartition, type EnergyConsumer, type EnergyProducer } from './kafka.ts'

// The one exactly-once commit path (Kafka Streams' TaskExecutor commit is the model), shared by
// the ingest processors and the join: in one transaction, produce the batch's output, send the
// consumed offsets to the group's coordinator, commit; on any failure, abort. Read-committed
// readers then see a batch's output and its consumed position together or not at all.

type Outgoing = MessageToProduce<string, Buffer, string, string>
type Consumed = Message<string, Buffer, string, string>

/**
 * Commits `output` with the offsets after `consumed`. When a partition of `consumed` is no
 * longer the consumer's (`owns`), a rebalance during the batch gave it to another member,
 * which redoes that work from the committed offsets: the transaction is aborted and a
 * retryable ENERGY_REBALANCED thrown, so the caller's session starts again from the committed
 * offsets (the coordinator would take the offsets under the current generation whoever owns
 * the partition now, so ownership is checked here; and the client's stream does not reliably
 * hand out the kept partitions' records again, nor is state built from them trustworthy).
 */
export async function commitBatch (producer: EnergyProducer, consumer: EnergyConsumer, output: Outgoing[], consumed: Consumed[], owns: (partition: number) => boolean, maxSendBytes = MAX_SEND_BYTES): Promise<void> {
  await transact(producer, consumer, consumed, owns, maxSendBytes, async send => {
    for (const m of output) await send(m)
  })
}

/**
 * `messages` in one transaction of `producer`, with no consumed offsets (a producer that reads
 * nothing: the seed): committed, or aborted and the error thrown.
 */
export async function sendInTransaction (producer: EnergyProducer, messages: Outgoing[]): Promise<void> {
  const tx = await producer.beginTransaction()
  try {
    await tx.send({ messages })
    await tx.commit()
  } catch (err) {
    await tx.abort().catch(() => {})
    throw err
  }
}

/**
 * Where a step that consumes nothing for its output sends one transaction: the seed (a producer
 * of its own, createProducerPublisher), the account refresher and the dispatches poller (their task's
 * Kafka commit, lib/stream/kafka-commit.ts createCommitPublisher).
 */
export interface Publisher {
  /** For a topic's partition count (energy_processor's, for the requests). */
  readonly producer: EnergyProducer
  /** `messages` in one transaction: committed, or aborted and the error thrown. */
  publish (messages: Outgoing[]): Promise<void>
}

/** A transactional producer's own transactions (sendInTransaction). */
export function createProducerPublisher (producer: EnergyProducer): Publisher {
  return { producer, publish: async messages => { await sendInTransaction(producer, messages) } }
}

/** Queues a record of the open transaction; a full chunk of them is sent before it resolves. */
export type Send = (record: Outgoing) => Promise<void>

/**
 * commitBatch with the output streamed: `write` sends records as it makes them, each send
 * going out once `maxSendBytes` of them are queued, so a span's records are never held whole
 * (a year of a source is several MB). Same guarantees: the output and the offsets after
 * `consumed` commit together, or the transaction is aborted and the error thrown.
 */
export async function transact (producer: EnergyProducer, consumer: EnergyConsumer, consumed: Consumed[], owns: (partition: number) => boolean, maxSendBytes: number, write: (send: Send) => Promise<void>): Promise<void> {
  const tx = await producer.beginTransaction()
  try {
    let chunk: Outgoing[] = []
    let bytes = 0
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return
      const messages = chunk
      chunk = []
      bytes = 0
      await tx.send({ messages })
    }
    await write(async m => {
      const size = (m.key?.length ?? 0) + (m.value?.length ?? 0) + RECORD_OVERHEAD_BYTES
      if (chunk.length > 0 && bytes + size > maxSendBytes) await flush()
      chunk.push(m)
      bytes += size
    })
    await flush()
    if (consumed.some(m => !owns(m.partition))) {
      throw new EnergyError('ENERGY_REBALANCED', `a rebalance moved partitions of the batch in flight (${consumed.length} records): aborted, restarting from committed offsets`, { retryable: true })
    }
    await tx.addConsumer(consumer)
    for (const last of lastPerPartition(consumed)) await tx.addOffset(withCurrentGeneration(last, consumer))
    await tx.commit()
  } catch (err) {
    try {
      await tx.abort()
    } catch {}
    throw err
  }
}

/** Default budget of one send: half the broker's default max.message.bytes. */
export const MAX_SEND_BYTES = 512 * 1024

/** What a record takes in a batch beyond its key and value (length varints, deltas, attributes), at most. */
export const RECORD_OVERHEAD_BYTES = 32

// A send becomes one record batch per partition, and the broker refuses a batch larger than
// the topic's max.message.bytes: a span's output goes out in sends of at most `maxSendBytes`
// (keys, values and record overhead), all in the one transaction (transact above).

// Offsets commit under the consumer's current generation, not the one a message was fetched
// in: a record fetched before a rebalance that this member kept is still ours to commit, and
// the coordinator fences a commit from a generation that is no longer current.
function withCurrentGeneration (message: Consumed, consumer: EnergyConsumer): Consumed {
  return {
    ...message,
    metadata: { consumer: { groupId: consumer.groupId, memberId: consumer.memberId, generationId: consumer.generationId, coordinatorId: consumer.coordinatorId } }
  }
}
