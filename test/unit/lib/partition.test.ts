import assert from 'node:assert/strict'
import { test } from 'node:test'
import { murmur2 } from '@platformatic/kafka'
import { partitionForDate } from '../../../lib/partition.ts'

// Golden values from Java Kafka itself (kafka-clients 4.1.1, the broker's jars), produced once
// with a single-file Java program run as
//   java -cp '/work/main/.stack/kafka/libs/*' PartitionGolden.java
// that printed, for each date string d:
//   Utils.murmur2(d.getBytes(UTF_8))  and  Utils.toPositive(hash) % n  for n in PARTITION_COUNTS
// (the default partitioner's BuiltInPartitioner.partitionForKey, which gave 3 for
// "2024-10-27" with 4 partitions, agreeing with the table). Any Kafka client with a
// Java-compatible murmur2 must put a date in the same partition.
const PARTITION_COUNTS = [1, 3, 4, 6, 12, 100]
const JAVA_GOLDEN: Array<[date: string, murmur2: number, partitions: number[]]> = [
  ['1970-01-01', 411290857, [0, 1, 1, 1, 1, 57]],
  ['2000-02-29', 1411908305, [0, 2, 1, 5, 5, 5]],
  ['2023-12-31', 107111877, [0, 0, 1, 3, 9, 77]],
  ['2024-01-01', -1581119743, [0, 1, 1, 1, 1, 5]],
  ['2024-03-31', -1688635402, [0, 1, 2, 4, 10, 46]],
  ['2024-06-15', -601145860, [0, 1, 0, 4, 4, 88]],
  ['2024-10-27', 197614531, [0, 1, 3, 1, 7, 31]],
  ['2025-01-01', 2143787503, [0, 1, 3, 1, 7, 3]],
  ['2025-03-30', -1307904056, [0, 0, 0, 0, 0, 92]],
  ['2025-10-26', -518589315, [0, 2, 1, 5, 5, 33]],
  ['2040-12-31', -208393222, [0, 1, 2, 4, 10, 26]]
]

test('partitionForDate equals Java Kafka\'s default partitioner for the same date key', () => {
  for (const [date, , expected] of JAVA_GOLDEN) {
    assert.deepStrictEqual(PARTITION_COUNTS.map(n => partitionForDate(date, n)), expected, date)
  }
})

test('the murmur2 underneath is Java\'s, negative hashes included', () => {
  for (const [date, hash] of JAVA_GOLDEN) {
    // Java returns a signed int; compare as signed 32-bit.
    assert.equal(murmur2(Buffer.from(date, 'utf8'), false) | 0, hash, date)
  }
})

test('partitionForDate is always in range and stable', () => {
  for (let i = 0; i < 1000; i++) {
    const date = new Date(Date.UTC(2020, 0, 1) + i * 86400000).toISOString().slice(0, 10)
    for (const n of [1, 2, 4, 7]) {
      const p = partitionForDate(date, n)
      assert.ok(Number.isInteger(p) && p >= 0 && p < n, `${date} % ${n} = ${p}`)
      assert.equal(partitionForDate(date, n), p)
    }
  }
})
