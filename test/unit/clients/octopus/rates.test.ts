import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isNightSlot } from '../../../../clients/octopus/rates.ts'

// Economy 7: a slot takes the night register when its London clock start is inside the window.

const at = (iso: string): number => Date.parse(iso)

test('the night window is London clock time, in GMT and in BST, and may wrap midnight', () => {
  const night = { from: 30, to: 7 * 60 + 30 }
  // GMT: London = UTC.
  assert.deepStrictEqual(['2024-01-15T00:00:00Z', '2024-01-15T00:30:00Z', '2024-01-15T07:00:00Z', '2024-01-15T07:30:00Z'].map(t => isNightSlot(at(t), night)),
    [false, true, true, false])
  // BST: 00:30 London is 23:30 UTC the evening before; 07:30 London is 06:30 UTC.
  assert.deepStrictEqual(['2024-06-14T23:00:00Z', '2024-06-14T23:30:00Z', '2024-06-15T06:00:00Z', '2024-06-15T06:30:00Z'].map(t => isNightSlot(at(t), night)),
    [false, true, true, false])
  const wrapping = { from: 23 * 60, to: 6 * 60 }
  assert.deepStrictEqual(['2024-01-15T22:30:00Z', '2024-01-15T23:00:00Z', '2024-01-16T05:30:00Z', '2024-01-16T06:00:00Z'].map(t => isNightSlot(at(t), wrapping)),
    [false, true, true, false])
})
