import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRecordCounter, rangeKey, type CountRange } from '../../../api/record-counter.ts'

// The bounded, incremental record counter behind /api/status, over a stand-in reader: a log
// where every third offset (2, 5, 8, …) is a transaction marker and the rest are records.

const isMarker = (offset: bigint): boolean => offset % 3n === 2n

function fakeLog (): { read: (ranges: CountRange[]) => Promise<number[]>, reads: CountRange[][] } {
  const reads: CountRange[][] = []
  const read = async (ranges: CountRange[]): Promise<number[]> => {
    reads.push(ranges.map(r => ({ ...r })))
    return ranges.map(r => {
      let n = 0
      for (let o = r.from; o < r.until; o++) if (!isMarker(o)) n++
      return n
    })
  }
  return { read, reads }
}

const range = (topic: string, partition: number, from: bigint, until: bigint): CountRange => ({ topic, partition, from, until })

test('counts each range once, keeps the counts, and reads only what was added since', async () => {
  const log = fakeLog()
  const counter = createRecordCounter({ read: log.read, maxOffsets: 1000, ttlMs: 60000 })
  const atRest = [range('a', 0, 2n, 3n), range('a', 1, 0n, 3n), range('a', 1, 0n, 3n), range('b', 0, 4n, 4n)]
  assert.deepStrictEqual(await counter.count(atRest, 0), new Map([[rangeKey(atRest[0]), 0], [rangeKey(atRest[1]), 2]]))
  // The duplicate and the empty range are not read.
  assert.deepStrictEqual(log.reads, [[range('a', 0, 2n, 3n), range('a', 1, 0n, 3n)]])

  // Nothing new: nothing read.
  assert.deepStrictEqual(await counter.count(atRest, 1000), new Map([[rangeKey(atRest[0]), 0], [rangeKey(atRest[1]), 2]]))
  assert.equal(log.reads.length, 1)

  // The end moved on: only the new offsets are read, added to what was counted.
  const grown = [range('a', 1, 0n, 9n)]
  assert.deepStrictEqual(await counter.count(grown, 2000), new Map([[rangeKey(grown[0]), 6]]))
  assert.deepStrictEqual(log.reads[1], [range('a', 1, 3n, 9n)])

  // a[0] was not asked about last time: forgotten, read again.
  await counter.count([atRest[0], grown[0]], 3000)
  assert.deepStrictEqual(log.reads[2], [range('a', 0, 2n, 3n)])

  // Counts older than ttlMs are read afresh.
  await counter.count(grown, 70000)
  assert.deepStrictEqual(log.reads.at(-1), [range('a', 1, 0n, 9n)])
})

test('reads at most maxOffsets per call, smallest ranges first, and finishes a large range over later calls', async () => {
  const log = fakeLog()
  const counter = createRecordCounter({ read: log.read, maxOffsets: 10, ttlMs: 60000 })
  const ranges = [range('big', 0, 0n, 30n), range('small', 0, 0n, 3n), range('mid', 0, 0n, 6n)]
  const first = await counter.count(ranges, 0)
  // small and mid counted; big only partly (its first 1 offset), so it has no count.
  assert.deepStrictEqual(first, new Map([[rangeKey(ranges[1]), 2], [rangeKey(ranges[2]), 4]]))
  assert.deepStrictEqual(log.reads[0], [range('small', 0, 0n, 3n), range('mid', 0, 0n, 6n), range('big', 0, 0n, 1n)])

  const second = await counter.count(ranges, 1)
  assert.deepStrictEqual(second, new Map([[rangeKey(ranges[1]), 2], [rangeKey(ranges[2]), 4]]))
  assert.deepStrictEqual(log.reads[1], [range('big', 0, 1n, 11n)])
  await counter.count(ranges, 2)
  const fourth = await counter.count(ranges, 3)
  assert.equal(fourth.get(rangeKey(ranges[0])), 20)
  assert.deepStrictEqual(log.reads.slice(2), [[range('big', 0, 11n, 21n)], [range('big', 0, 21n, 30n)]])
})

test('concurrent calls over the same offsets never add them twice', async () => {
  const log = fakeLog()
  const counter = createRecordCounter({ read: log.read, maxOffsets: 100, ttlMs: 60000 })
  const ranges = [range('a', 0, 0n, 9n)]
  const both = await Promise.all([counter.count(ranges, 0), counter.count(ranges, 0)])
  assert.deepStrictEqual(both, [new Map([[rangeKey(ranges[0]), 6]]), new Map([[rangeKey(ranges[0]), 6]])])
  const later = [range('a', 0, 0n, 12n)]
  assert.deepStrictEqual(await counter.count(later, 1), new Map([[rangeKey(later[0]), 8]]))
  assert.deepStrictEqual(log.reads.at(-1), [range('a', 0, 9n, 12n)])
})

test('an end below what was counted (the topic was recreated) counts afresh; a failed read counts nothing', async () => {
  const log = fakeLog()
  const counter = createRecordCounter({ read: log.read, maxOffsets: 100, ttlMs: 60000 })
  await counter.count([range('a', 0, 0n, 9n)], 0)
  assert.deepStrictEqual(await counter.count([range('a', 0, 0n, 4n)], 1), new Map([[rangeKey(range('a', 0, 0n, 4n)), 3]]))
  assert.deepStrictEqual(log.reads.at(-1), [range('a', 0, 0n, 4n)])

  const failing = createRecordCounter({ read: async () => { throw new Error('broker gone') }, maxOffsets: 100, ttlMs: 60000 })
  await assert.rejects(failing.count([range('a', 0, 0n, 4n)]), /broker gone/)
})
