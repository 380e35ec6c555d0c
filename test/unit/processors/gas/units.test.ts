import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gasKwh, gasUnitOf, unitDoubts } from '../../../../processors/gas/index.ts'
import type { GasValues } from '../../../../processors/source/types.ts'

// A gas meter's unit is the meter's (SMETS2 m³, SMETS1 kWh: Octopus's consumption docs).

const reading = (i: number, meter: string, unit: 'm3' | 'kWh', consumption: number): GasValues => ({
  slot_start: i * 1800000, consumption, unit, kwh: 0, meter_serial: meter, tariff_code: 'G-1R-VAR-22-11-01-C', value_inc_vat: 6, value_exc_vat: 5.7, standing_charge_inc_vat: 30, standing_charge_exc_vat: 28.6, carbon_g: 0, read: true
})

test('each meter in its own unit: GAS_METER_UNITS by serial, else GAS_UNIT; m³ become kWh as the bill does', () => {
  const config = { gasUnit: 'm3' as const, gasMeterUnits: { G4P1: 'kWh' as const }, gasCalorificValue: 39.5 }
  assert.deepStrictEqual([gasUnitOf('G4P1', config), gasUnitOf('E6S2', config), gasUnitOf(null, config)], ['kWh', 'm3', 'm3'])
  assert.equal(gasKwh(2, 'm3', config), 2 * 1.02264 * 39.5 / 3.6)
  assert.equal(gasKwh(2, 'kWh', config), 2)
})

test('readings that look like the other unit are doubted, by meter; plausible ones are not', () => {
  const week = Array.from({ length: 7 * 48 }, (_, i) => i)
  const values = [
    ...week.map(i => reading(i, 'M3-BUT-KWH', 'm3', i === 40 ? 12.5 : 1)),
    ...week.map(i => reading(i, 'KWH-BUT-M3', 'kWh', i % 48 === 20 ? 0.3 : 0.05)),
    ...week.map(i => reading(i, 'FINE-M3', 'm3', i % 48 === 20 ? 0.4 : 0.02)),
    ...week.map(i => reading(i, 'FINE-KWH', 'kWh', i % 48 === 20 ? 4.5 : 0.2)),
    // A day is too little to doubt kWh.
    ...week.slice(0, 48).map(i => reading(i, 'SHORT-KWH', 'kWh', 0.1))
  ]
  assert.deepStrictEqual(unitDoubts(values).map(d => [d.meter, d.unit]), [['M3-BUT-KWH', 'm3'], ['KWH-BUT-M3', 'kWh']])
  assert.match(unitDoubts(values)[0].why, /^a half-hour of 12\.5 m³ is more than a home burns: it looks like kWh \(GAS_METER_UNITS=M3-BUT-KWH=kWh\)$/)
})
