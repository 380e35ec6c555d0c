import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fnv1a } from '../../../lib/hash.ts'
import { createSeenKeys } from '../../../sinks/seen-keys.ts'

test('seen keys: a key is new once, then met, across growth of the table', () => {
  const seen = createSeenKeys(4)
  const keys = Array.from({ length: 20000 }, (_, i) => new Date(Date.UTC(2016, 0, 1) + i * 1_800_000).toISOString())
  assert.deepStrictEqual(keys.filter(k => seen.add(k)), [], 'ten-odd months of distinct slot keys are all new')
  assert.deepStrictEqual(keys.filter(k => !seen.add(k)), [], 'and all met the second time')
  assert.equal(seen.add('2099-01-01T00:00:00.000Z'), false)
  assert.equal(seen.add('2099-01-01T00:00:00.000Z'), true)
})

test('seen keys: two keys with the same hash count as met (the safe direction)', () => {
  // Find a real FNV-1a collision among short keys.
  const byHash = new Map<number, string>()
  let pair: [string, string] | undefined
  for (let i = 0; pair === undefined; i++) {
    const key = `k${i}`
    const h = (fnv1a(key) | 0) || 1
    const other = byHash.get(h)
    if (other !== undefined) pair = [other, key]
    byHash.set(h, key)
  }
  const seen = createSeenKeys()
  assert.equal(seen.add(pair[0]), false)
  assert.equal(seen.add(pair[1]), true, `${pair[1]} collides with ${pair[0]}`)
})

test('fnv1a matches the published FNV-1a 32-bit values', () => {
  assert.equal(fnv1a(''), 0x811c9dc5)
  assert.equal(fnv1a('a'), 0xe40c292c)
  assert.equal(fnv1a('foobar'), 0xbf9cf968)
})
