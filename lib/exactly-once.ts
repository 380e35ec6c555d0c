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
  const tx = await producer.beginTransaction()
  try {
    for (const messages of sendChunks(output, maxSendBytes)) await tx.send({ messages })
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

/**
 * A send becomes one record batch per partition, and the broker refuses a batch larger than the
 * topic's max.message.bytes: a span's output (a year of a source is several MB) goes out in
 * sends of at most `maxBytes` (keys, values and record overhead), all in the one transaction.
 */
function * sendChunks (output: Outgoing[], maxBytes: number): Generator<Outgoing[]> {
  let chunk: Outgoing[] = []
  let bytes = 0
  for (const m of output) {
    const size = (m.key?.length ?? 0) + (m.value?.length ?? 0) + RECORD_OVERHEAD_BYTES
    if (chunk.length > 0 && bytes + size > maxBytes) {
      yield chunk
      chunk = []
      bytes = 0
    }
    chunk.push(m)
    bytes += size
  }
  if (chunk.length > 0) yield chunk
}

// Offsets commit under the consumer's current generation, not the one a message was fetched
// in: a record fetched before a rebalance that this member kept is still ours to commit, and
// the coordinator fences a commit from a generation that is no longer current.
function withCurrentGeneration (message: Consumed, consumer: EnergyConsumer): Consumed {
  return {
    ...message,
    metadata: { consumer: { groupId: consumer.groupId, memberId: consumer.memberId, generationId: consumer.generationId, coordinatorId: consumer.coordinatorId } }
  }
}
