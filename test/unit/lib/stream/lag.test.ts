import assert from 'node:assert/strict'
import { test } from 'node:test'
import { keepCounts, planLag, type LagRange, type PartitionStand } from '../../../../lib/stream/lag.ts'

// The pure half of a task's lag in records: which partitions need no read, which are counted,
// which are past the bound; and counts kept while a range stands still.

const stand = (partition: number, position: bigint, end: bigint, drained = false, moving = false): PartitionStand => ({ topic: 'in', partition, position, end, drained, moving })

test('planLag: at the end or drained, 0 without a read; behind, read smallest first within the bound; past it, offsets and inexact', () => {
  assert.deepStrictEqual(planLag([
    stand(0, 9n, 9n),
    // Idle on a transactional input: 1 offset behind (the commit marker), the consumer has
    // fetched past it and handed everything out.
    stand(1, 12n, 13n, true),
    // The same offset gap with a record not yet processed: counted.
    stand(2, 12n, 13n),
    stand(3, 0n, 9n),
    stand(4, 100n, 400n)
  ], 20), {
    lag: { 'in:0': 0, 'in:1': 0, 'in:4': 300 },
    count: [{ topic: 'in', partition: 2, from: 12n, until: 13n }, { topic: 'in', partition: 3, from: 0n, until: 9n }],
    exact: false
  })
  // Within the bound every figure is records.
  assert.deepStrictEqual(planLag([stand(0, 0n, 9n), stand(1, 3n, 4n)], 10), {
    lag: {},
    count: [{ topic: 'in', partition: 1, from: 3n, until: 4n }, { topic: 'in', partition: 0, from: 0n, until: 9n }],
    exact: true
  })
  assert.deepStrictEqual(planLag([], 10), { lag: {}, count: [], exact: true })
})

test('planLag: a task at work (its position moved since the last read) is given its offsets, inexact, and read nothing; at the end it is 0 all the same', () => {
  assert.deepStrictEqual(planLag([stand(0, 3n, 9n, false, true), stand(1, 5n, 6n, true, true), stand(2, 4n, 4n, false, true), stand(3, 1n, 2n)], 100), {
    lag: { 'in:0': 6, 'in:1': 0, 'in:2': 0 },
    count: [{ topic: 'in', partition: 3, from: 1n, until: 2n }],
    exact: false
  })
})

test('keepCounts: a range that stands still is not read again until the kept count is too old; a moved one is', async () => {
  let now = 0
  const reads: string[] = []
  const count = keepCounts(async ranges => {
    reads.push(ranges.map(r => `${r.partition}:${r.from}-${r.until}`).join(' '))
    return ranges.map(r => Number(r.until - r.from) - 1)
  }, 1000, () => now)
  const range = (partition: number, from: bigint, until: bigint): LagRange => ({ topic: 'in', partition, from, until })
  assert.deepStrictEqual(await count([range(0, 0n, 9n), range(1, 5n, 13n)]), [8, 7])
  assert.deepStrictEqual(await count([range(0, 0n, 9n), range(1, 6n, 13n)]), [8, 6])
  now = 1000
  assert.deepStrictEqual(await count([range(0, 0n, 9n)]), [8])
  assert.deepStrictEqual(await count([]), [])
  assert.deepStrictEqual(reads, ['0:0-9 1:5-13', '1:6-13', '0:0-9'])
})
