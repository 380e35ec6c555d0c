import assert from 'node:assert/strict'
import { test } from 'node:test'
import { billedValues } from '../../../processors/billed/index.ts'

test('billedValues: consumption and standing costs from the unlabelled statistics; every other type or label kept as given, never dropped', () => {
  const start = Date.parse('2026-01-16T13:00:00Z')
  const m = {
    start,
    end: start + 1800000,
    kwh: 3.5,
    unit: 'kWh',
    statistics: [
      { label: null, type: 'CONSUMPTION_COST', costIncTaxPence: 24.5, value: 3.5 },
      { label: null, type: 'STANDING_CHARGE_COST', costIncTaxPence: 1.3149, value: 0 },
      { label: 'EV LOW RATE', type: 'TOU_BUCKET_COST', costIncTaxPence: 24.5, value: 3.5 },
      { label: 'renamed', type: 'CONSUMPTION_COST', costIncTaxPence: 1, value: null }
    ]
  }
  assert.deepStrictEqual(billedValues('1400000000002', m), {
    slot_start: start,
    mpan: '1400000000002',
    kwh: 3.5,
    consumption_cost: 24.5,
    standing_cost: 1.3149,
    other_statistics: JSON.stringify([
      { type: 'TOU_BUCKET_COST', label: 'EV LOW RATE', value: 3.5, cost_pence: 24.5 },
      { type: 'CONSUMPTION_COST', label: 'renamed', value: null, cost_pence: 1 }
    ])
  })
  // No statistics: the costs unknown, not 0.
  assert.deepStrictEqual([billedValues('1400000000002', { ...m, statistics: [] })].map(v => [v.consumption_cost, v.standing_cost, v.other_statistics]), [[null, null, '[]']])
})
