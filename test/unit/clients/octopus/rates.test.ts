import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ClockWindow } from '../../../../lib/config.ts'
import { isNightSlot, nightWindow } from '../../../../clients/octopus/rates.ts'

// Two-register tariffs: a slot takes the night register when its start is inside the window of
// its zone's clock.

const at = (iso: string): number => Date.parse(iso)
const E7: ClockWindow = { from: 30, to: 7 * 60 + 30, zone: 'UTC' }

test('smart-meter Economy 7 is 00:30-07:30 UTC: 01:30-08:30 on the London clock in BST', () => {
  assert.deepStrictEqual(['2024-01-15T00:00:00Z', '2024-01-15T00:30:00Z', '2024-01-15T07:00:00Z', '2024-01-15T07:30:00Z'].map(t => isNightSlot(at(t), E7)),
    [false, true, true, false])
  // BST: 00:30 UTC is 01:30 London; the window does not move with the clocks.
  assert.deepStrictEqual(['2024-06-15T00:00:00Z', '2024-06-15T00:30:00Z', '2024-06-15T07:00:00Z', '2024-06-15T07:30:00Z'].map(t => isNightSlot(at(t), E7)),
    [false, true, true, false])
})

test('a London window follows the clocks, and may wrap midnight', () => {
  const night: ClockWindow = { from: 23 * 60 + 30, to: 5 * 60 + 30, zone: 'London' }
  // GMT: London = UTC.
  assert.deepStrictEqual(['2024-01-15T23:00:00Z', '2024-01-15T23:30:00Z', '2024-01-16T05:00:00Z', '2024-01-16T05:30:00Z'].map(t => isNightSlot(at(t), night)),
    [false, true, true, false])
  // BST: 23:30 London is 22:30 UTC; 05:30 London is 04:30 UTC.
  assert.deepStrictEqual(['2024-06-14T22:00:00Z', '2024-06-14T22:30:00Z', '2024-06-15T04:00:00Z', '2024-06-15T04:30:00Z'].map(t => isNightSlot(at(t), night)),
    [false, true, true, false])
})

test('the night window: override by tariff, then by product, Intelligent Go, else TWO_RATE_NIGHT', () => {
  const custom: ClockWindow = { from: 0, to: 7 * 60, zone: 'London' }
  const config = { twoRateNight: E7, nightWindows: { 'E-2R-VAR-22-11-01-A': custom, 'COSY-22-12-08': custom } }
  assert.deepStrictEqual(nightWindow({ tariff: 'E-2R-VAR-22-11-01-A', product: 'VAR-22-11-01' }, config), custom)
  assert.deepStrictEqual(nightWindow({ tariff: 'E-2R-COSY-22-12-08-A', product: 'COSY-22-12-08' }, config), custom)
  assert.deepStrictEqual(nightWindow({ tariff: 'E-1R-IOG-SMB-TOU-25-12-12-E', product: 'IOG-SMB-TOU-25-12-12' }, config), { from: 23 * 60 + 30, to: 5 * 60 + 30, zone: 'London' })
  assert.deepStrictEqual(nightWindow({ tariff: 'E-FLAT2R-VAR-22-11-01-H', product: 'VAR-22-11-01' }, config), E7)
})
