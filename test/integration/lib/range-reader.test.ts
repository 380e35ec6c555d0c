import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createProducer } from '../../../lib/kafka.ts'
import { readRanges, readTopic, type RangeRecord } from '../../../lib/range-reader.ts'
import { createTestTopic, produceMessages, testConfig, uniqueName } from '../../helpers.ts'

// The bulk reader behind replay and the join's restore: exact offset ranges, committed
// records only (every aborted transaction dropped, markers stepped over), log order per
// partition, and the same records whatever the fetch size.

const byPosition = (a: RangeRecord, b: RangeRecord): number => a.partition - b.partition || (a.offset < b.offset ? -1 : 1)
const summary = (r: RangeRecord): unknown[] => [r.partition, r.offset, r.key, r.value?.toString() ?? null, Object.fromEntries(r.headers)]

async function collect (read: (onRecords: (records: RangeRecord[]) => Promise<void>) => Promise<number>): Promise<{ records: RangeRecord[], calls: number, count: number }> {
  const records: RangeRecord[] = []
  let calls = 0
  const count = await read(async batch => { calls++; records.push(...batch) })
  return { records, calls, count }
}

test('readRanges returns committed records within the ranges, in log order, stepping over aborted transactions and markers', async t => {
  const config = testConfig()
  const topic = await createTestTopic(t, { partitions: 2 })
  const producer = createProducer(config, { clientId: 'energy-test-range-reader', transactionalId: uniqueName('test-range-reader-tx') })
  try {
    // Partition 0: a0 (0), commit (1), two aborted transactions (2, 3 and 4, 5), b0 (6), commit (7).
    const send = async (key: string, partition: number, commit: boolean, headers?: Record<string, string>): Promise<void> => {
      const tx = await producer.beginTransaction()
      await tx.send({ messages: [{ topic, key, value: Buffer.from(`v-${key}`), partition, headers }] })
      if (commit) await tx.commit()
      else await tx.abort()
    }
    await send('a0', 0, true, { source: 'test' })
    await send('x0', 0, false)
    await send('y0', 0, false)
    await send('b0', 0, true)
  } finally {
    await producer.close()
  }
  // Partition 1: plain records 0..4, one of them a tombstone.
  await produceMessages(topic, [0, 1, 2, 3].map(i => ({ key: `p1-${i}`, value: Buffer.from(`v-p1-${i}`), partition: 1 })), config)
  await produceMessages(topic, [{ key: 'p1-0', value: Buffer.alloc(0), partition: 1 }], config)

  const all = await collect(on => readTopic(config, topic, on))
  assert.deepStrictEqual(all.records.sort(byPosition).map(summary), [
    [0, 0n, 'a0', 'v-a0', { source: 'test' }],
    [0, 6n, 'b0', 'v-b0', {}],
    [1, 0n, 'p1-0', 'v-p1-0', {}],
    [1, 1n, 'p1-1', 'v-p1-1', {}],
    [1, 2n, 'p1-2', 'v-p1-2', {}],
    [1, 3n, 'p1-3', 'v-p1-3', {}],
    [1, 4n, 'p1-0', '', {}]
  ])
  assert.equal(all.count, 7)

  // A middle slice of partition 1 and partition 0 from its start up to (not including) b0.
  const part = await collect(on => readRanges(config, [
    { topic, partition: 1, from: 1n, until: 3n },
    { topic, partition: 0, until: 6n }
  ], on))
  assert.deepStrictEqual(part.records.sort(byPosition).map(r => [r.partition, r.offset]), [[0, 0n], [1, 1n], [1, 2n]])

  // Empty and inverted ranges read nothing and send no fetch.
  assert.equal(await readRanges(config, [{ topic, partition: 1, from: 3n, until: 3n }], async () => { assert.fail('no records expected') }), 0)
})

test('readRanges gives the same records with the smallest fetches as with large ones', async t => {
  const config = testConfig()
  const topic = await createTestTopic(t, { partitions: 3 })
  const messages = Array.from({ length: 3000 }, (_, i) => ({ key: `k-${i}`, value: Buffer.alloc(200, i % 251), partition: i % 3 }))
  for (let i = 0; i < messages.length; i += 500) await produceMessages(topic, messages.slice(i, i + 500), config)
  const ends = [1000n, 1000n, 1000n]
  const read = async (maxBytes: number): Promise<{ records: RangeRecord[], calls: number }> =>
    await collect(on => readRanges(config, ends.map((until, partition) => ({ topic, partition, until })), on, { maxBytes }))
  const small = await read(1024)
  const large = await read(8 * 1048576)
  assert.equal(small.records.length, 3000)
  assert.deepStrictEqual(small.records.map(r => `${r.partition}:${r.offset}:${r.key}`).sort(), large.records.map(r => `${r.partition}:${r.offset}:${r.key}`).sort())
  // Log order within each partition.
  for (const p of [0, 1, 2]) {
    const offsets = small.records.filter(r => r.partition === p).map(r => r.offset)
    assert.deepStrictEqual(offsets, [...offsets].sort((a, b) => (a < b ? -1 : 1)))
  }
  assert.ok(small.calls > large.calls, `1 KB fetches (${small.calls} responses) take more round trips than 8 MB ones (${large.calls})`)
})

test('readRanges names the partition when a range ends past what the log holds', async t => {
  const config = testConfig()
  const topic = await createTestTopic(t, { partitions: 1 })
  await produceMessages(topic, [{ key: 'only', value: Buffer.from('one'), partition: 0 }], config)
  await assert.rejects(readRanges(config, [{ topic, partition: 0, until: 5n }], async () => {}), {
    code: 'ENERGY_RANGE', message: `${topic}[0] has nothing to read past offset 1, short of 5`
  })
  await assert.rejects(readRanges(config, [{ topic, partition: 3, until: 1n }], async () => {}), {
    code: 'ENERGY_NOT_SET_UP', message: `cannot read ${topic}[3]: no such topic partition`
  })
})

test('readRanges gets past an aborted transaction larger than one fetch', { timeout: 30000 }, async t => {
  const config = testConfig()
  const topic = await createTestTopic(t, { partitions: 1 })
  const producer = createProducer(config, { clientId: 'energy-test-range-reader', transactionalId: uniqueName('test-range-reader-big-abort') })
  try {
    // ~40 KB aborted in batches of 20 records, then one committed record.
    const aborted = await producer.beginTransaction()
    for (let i = 0; i < 200; i += 20) {
      await aborted.send({ messages: Array.from({ length: 20 }, (_, k) => ({ topic, key: `x-${i + k}`, value: Buffer.alloc(200, 1), partition: 0 })) })
    }
    await aborted.abort()
    const committed = await producer.beginTransaction()
    await committed.send({ messages: [{ topic, key: 'kept', value: Buffer.from('v-kept'), partition: 0 }] })
    await committed.commit()
  } finally {
    await producer.close()
  }
  const read = await collect(on => readTopic(config, topic, on))
  assert.deepStrictEqual(read.records.map(r => [r.offset, r.key]), [[201n, 'kept']])
  const small = await collect(on => readRanges(config, [{ topic, partition: 0, until: 203n }], on, { maxBytes: 1024 }))
  assert.deepStrictEqual(small.records.map(r => [r.offset, r.key]), [[201n, 'kept']])
})
