import assert from 'node:assert/strict'
import { test } from 'node:test'
import { committedBatches, dropAbortedBatches } from '../../../lib/read-committed.ts'

// Hand-made record batches: attributes bit 4 = transactional, bit 5 = control; a control
// record's key is int16 version + int16 type (0 = ABORT, 1 = COMMIT).
const marker = (type: number): Buffer => Buffer.from([0, 0, 0, type])
type Batch = Parameters<typeof committedBatches>[0][number]
const batch = (firstOffset: number, producerId: number, kind: 'data' | 'plain' | 'abort' | 'commit'): Batch => ({
  firstOffset: BigInt(firstOffset),
  lastOffsetDelta: 0,
  producerId: BigInt(producerId),
  attributes: kind === 'plain' ? 0 : kind === 'data' ? 1 << 4 : (1 << 4) | (1 << 5),
  records: kind === 'abort' || kind === 'commit' ? [{ key: marker(kind === 'abort' ? 0 : 1) }] : [{ key: Buffer.from(`${firstOffset}`) }]
} as unknown as Batch)

test('every aborted transaction of one producer is dropped, not only the last (a gap @platformatic/kafka 1.35 and 2.12 share)', () => {
  const log = [
    batch(0, 7, 'data'), batch(1, 7, 'abort'),
    batch(2, 7, 'data'), batch(3, 7, 'abort'),
    batch(4, 7, 'data'), batch(5, 7, 'commit'),
    batch(6, 7, 'data'), batch(7, 7, 'abort'),
    batch(8, 9, 'plain')
  ]
  const kept = committedBatches(log, [{ producerId: 7n, firstOffset: 0n }, { producerId: 7n, firstOffset: 2n }, { producerId: 7n, firstOffset: 6n }])
  // Aborted batches stay, emptied, so that readers step their offsets over them.
  assert.deepStrictEqual(kept.map(b => [Number(b.firstOffset), b.records.length]), [[0, 0], [1, 1], [2, 0], [3, 1], [4, 1], [5, 1], [6, 0], [7, 1], [8, 1]])
})

test('another producer\'s committed records between an aborted range are kept', () => {
  const log = [batch(0, 1, 'data'), batch(1, 2, 'data'), batch(2, 2, 'commit'), batch(3, 1, 'abort')]
  assert.deepStrictEqual(committedBatches(log, [{ producerId: 1n, firstOffset: 0n }]).map(b => [Number(b.firstOffset), b.records.length]), [[0, 0], [1, 1], [2, 1], [3, 1]])
})

test('a partition without aborted transactions or records (null on the wire, as 2.x passes them on) is left as it is', () => {
  const partition = (abortedTransactions: null | [], records: null | Batch[]) => ({ partitionIndex: 0, abortedTransactions, records })
  const response = { responses: [{ topicId: 't', partitions: [partition(null, [batch(0, 7, 'data')]), partition([], null), partition(null, null)] }] }
  dropAbortedBatches(response as unknown as Parameters<typeof dropAbortedBatches>[0])
  assert.deepStrictEqual(response.responses[0].partitions, [partition(null, [batch(0, 7, 'data')]), partition([], null), partition(null, null)])
})
