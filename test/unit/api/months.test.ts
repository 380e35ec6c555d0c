import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addMonths, monthParam, monthsIn } from '../../../api/months.ts'

test('addMonths crosses years both ways; monthsIn counts both ends', () => {
  assert.deepStrictEqual([addMonths('2024-01', -1), addMonths('2024-12', 1), addMonths('2024-03', -12), addMonths('2024-03', -27)], ['2023-12', '2025-01', '2023-03', '2021-12'])
  assert.deepStrictEqual([monthsIn('2024-01', '2024-01'), monthsIn('2023-11', '2024-02'), monthsIn('2014-01', '2023-12')], [1, 4, 120])
})

test('monthParam takes YYYY-MM of a served year and names the parameter otherwise', () => {
  assert.equal(monthParam('from', '2024-02'), '2024-02')
  assert.throws(() => monthParam('to', '2024-00'), { code: 'ENERGY_BAD_DATE', message: 'to "2024-00" is not a month (YYYY-MM)' })
  assert.throws(() => monthParam('from', 'x'.repeat(100)), { code: 'ENERGY_BAD_DATE', message: `from "${'x'.repeat(60)}…" is not a month (YYYY-MM)` })
  assert.throws(() => monthParam('from', '2101-01'), { code: 'ENERGY_BAD_DATE', message: 'from "2101-01": year 2101 is out of range (1996-2100)' })
})
