import type { fetchV17 } from '@platformatic/kafka'

// Kafka's read_committed filtering of a fetch response, as the Java consumer does it: the
// broker sends, per partition, the aborted transactions (producer id, first offset) in the
// fetched range, and the client drops those producers' batches from each first offset up to
// their ABORT marker. @platformatic/kafka keys the ranges by producer id (1.35, and still
// 2.12: Consumer #filterUncommittedMessages), so when one producer aborted twice in a fetch
// (a processor restarted after crashes) only the last range is dropped; this runs after it
// and empties the rest. Control batches and emptied batches stay: readers step their offsets
// over them.

const IS_TRANSACTIONAL = 1 << 4
const IS_CONTROL = 1 << 5
// A control record's key is int16 version + int16 type; type 0 = ABORT, 1 = COMMIT.
const ABORT = 0

type Batch = NonNullable<fetchV17.FetchResponsePartition['records']>[number]

export function dropAbortedBatches (response: fetchV17.FetchResponse): void {
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      // Both are nullable on the wire: the client (2.x) passes a null array on as null.
      if (partition.records == null || partition.abortedTransactions == null || partition.abortedTransactions.length === 0) continue
      partition.records = committedBatches(partition.records, partition.abortedTransactions)
    }
  }
}

export function committedBatches (batches: Batch[], abortedTransactions: fetchV17.FetchResponsePartitionAbortedTransaction[]): Batch[] {
  const pending = [...abortedTransactions].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0))
  const aborted = new Set<bigint>()
  let next = 0
  const kept: Batch[] = []
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta)
    if ((batch.attributes & IS_TRANSACTIONAL) !== 0) {
      while (next < pending.length && pending[next].firstOffset <= lastOffset) aborted.add(pending[next++].producerId)
    }
    if ((batch.attributes & IS_CONTROL) !== 0) {
      if (batch.records[0]?.key?.readInt16BE(2) === ABORT) aborted.delete(batch.producerId)
      kept.push(batch)
    } else if ((batch.attributes & IS_TRANSACTIONAL) === 0 || !aborted.has(batch.producerId)) {
      kept.push(batch)
    } else {
      // Emptied, not removed: readers step their offsets over it. A response holding
      // nothing but an aborted transaction would otherwise leave them fetching it forever.
      kept.push({ ...batch, records: [] })
    }
  }
  return kept
}
