import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BinaryCopyEncoder, type ColumnType, type CopyValue } from '../../../lib/copy-binary.ts'

const TYPES: ColumnType[] = ['timestamptz', 'date', 'text', 'float8', 'int2', 'jsonb']

test('a staging row is the row with its seq (int4) and tombstone flag (bool) after it, byte for byte', () => {
  const values: CopyValue[] = [Date.UTC(2024, 2, 31, 0, 30), '2024-03-31', 'gas', 12.5, 3, '{"a":1}']
  const staging = new BinaryCopyEncoder(TYPES)
  const plain = new BinaryCopyEncoder([...TYPES, 'int4', 'bool'])
  assert.equal(staging.stagingRow(values, 7, false), undefined)
  assert.equal(staging.stagingRow([null, null, null, null, null, null], 8, true), undefined)
  plain.row([...values, 7, false])
  plain.row([null, null, null, null, null, null, 8, true])
  const got = staging.flush()
  assert.deepEqual(got, plain.flush())
  // Field count 8, then the first field: 8-byte timestamp.
  assert.equal(got?.readInt16BE(0), 8)
  assert.equal(got?.readInt32BE(2), 8)
  // The second row ends with int4 8 and bool true.
  assert.deepEqual([...(got ?? Buffer.alloc(0)).subarray(-13)], [0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 1, 1])
})

test('rows come out in chunks of about 64 KiB, nothing lost between them', () => {
  const encoder = new BinaryCopyEncoder(['text'])
  const text = 'x'.repeat(1000)
  const chunks: Buffer[] = []
  for (let i = 0; i < 200; i++) {
    const chunk = encoder.stagingRow([text], i, false)
    if (chunk !== undefined) chunks.push(chunk)
  }
  const rest = encoder.flush()
  if (rest !== undefined) chunks.push(rest)
  // A row: 2 (field count) + 4 + 1000 (text) + 4 + 4 (int4) + 4 + 1 (bool) bytes.
  assert.equal(chunks.reduce((n, c) => n + c.length, 0), 200 * 1019)
  assert.ok(chunks.length >= 3 && chunks.slice(0, -1).every(c => c.length >= 64 * 1024 && c.length < 64 * 1024 + 1019), String(chunks.map(c => c.length)))
})
