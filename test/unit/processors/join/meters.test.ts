import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ExportRecord, GasRecord } from '../../../../processors/source/types.ts'
import { aggregateDay } from '../../../../processors/join/aggregate.ts'
import type { SourceEvent } from '../../../../processors/join/operator.ts'
import { applyRecord } from '../../../../processors/join/state.ts'
import type { DailyAggregate, JoinState } from '../../../../processors/join/types.ts'
import { batchOf, dayEvents, DAYS, NOW, type DaySpec, type TestDate, newJoinState } from './fixtures.ts'

// Export and gas (DESIGN.md "The account"): optional join inputs. Binary-exact values, so the
// expected figures are the exact arithmetic written out here.

const electricity: DaySpec = {
  co2: () => ({ actual: 100, forecast: 110 }),
  mix: () => [{ fuel: 'gas', perc: 50 }, { fuel: 'wind', perc: 50 }],
  pricing: () => ({ exc: 20, inc: 21, standingExc: 50, standingInc: 52.5 }),
  usage: () => 0.5
}

const exportBatch = (date: TestDate, id: string, kwh: (i: number) => number): ExportRecord[] =>
  batchOf(date, id, i => ({ kwh: kwh(i), meter_serial: 'EXP1', tariff_code: 'E-1R-OUTGOING-FIX-12M-19-05-13-C', rate: 15, read: true }))
const gasBatch = (date: TestDate, id: string, kwh: (i: number) => number | undefined): GasRecord[] =>
  batchOf(date, id, i => {
    const k = kwh(i)
    return k === undefined
      ? undefined
      : { consumption: k / 11, unit: 'm3', kwh: k, meter_serial: 'G1', tariff_code: 'G-1R-VAR-22-11-01-C', value_inc_vat: 6.25, value_exc_vat: 6, standing_charge_inc_vat: 31.5, standing_charge_exc_vat: 30, carbon_g: k * 200, read: true }
  })

function apply (state: JoinState, events: SourceEvent[]): number {
  let completions = 0
  for (const { source, record } of events) if (applyRecord(state, source, record)) completions++
  return completions
}

const aggregateOf = (state: JoinState, date: TestDate): DailyAggregate | undefined => aggregateDay(state, state.days.get(date) as NonNullable<ReturnType<JoinState['days']['get']>>, NOW)

for (const date of ['2024-03-31', '2024-06-15', '2024-10-27'] as const) {
  const slots = DAYS[date].slots
  test(`${date} (${slots} slots): export earns Σ kWh × rate, gas costs Σ kWh × rate plus its standing charge once, and the bill nets them`, () => {
    const state = newJoinState('meters')
    apply(state, [
      ...dayEvents(date, electricity),
      ...exportBatch(date, `${date}/export`, i => i % 2 === 0 ? 1 : 0).map(record => ({ source: 'export', record })),
      ...gasBatch(date, `${date}/gas`, () => 2).map(record => ({ source: 'gas', record }))
    ])
    const day = aggregateOf(state, date)
    const exported = Math.ceil(slots / 2)
    const cost = 0.5 * 21 * slots
    assert.deepStrictEqual(day && {
      kwh: day.kwh,
      cost: day.cost_inc_vat,
      export: [day.export_kwh, day.export_value],
      gas: [day.gas_kwh, day.gas_cost_inc_vat, day.gas_cost_exc_vat, day.gas_standing_charge_inc_vat, day.gas_standing_charge_exc_vat, day.gas_carbon_g],
      bill: day.bill_inc_vat,
      joined: day.slots_joined,
      complete: day.complete,
      batches: Object.keys(day.batches)
    }, {
      kwh: 0.5 * slots,
      cost,
      export: [exported, exported * 15],
      gas: [2 * slots, 2 * 6.25 * slots, 2 * 6 * slots, 31.5, 30, 400 * slots],
      bill: cost + 52.5 + 2 * 6.25 * slots + 31.5 - exported * 15,
      joined: slots,
      complete: true,
      batches: ['co2', 'mix', 'pricing', 'usage', 'export', 'gas']
    })
  })
}

test('a missing optional input (the gas meter\'s API failing): the day is emitted with the electricity figures right, no gas, incomplete; gas arriving completes it', () => {
  const date = '2024-06-15'
  const state = newJoinState('meters')
  apply(state, [...dayEvents(date, electricity), ...exportBatch(date, `${date}/export`, () => 0).map(record => ({ source: 'export', record }))])
  const without = aggregateOf(state, date)
  const alone = newJoinState()
  apply(alone, dayEvents(date, electricity))
  const electricityOnly = aggregateOf(alone, date)
  assert.ok(without !== undefined && electricityOnly !== undefined)
  assert.deepStrictEqual([without.kwh, without.cost_inc_vat, without.carbon_g, without.mix, without.standing_charge_inc_vat],
    [electricityOnly.kwh, electricityOnly.cost_inc_vat, electricityOnly.carbon_g, electricityOnly.mix, electricityOnly.standing_charge_inc_vat])
  assert.deepStrictEqual([without.gas_kwh, without.gas_standing_charge_inc_vat, without.slots_joined, without.complete, 'gas' in without.batches], [0, 0, 0, false, false])
  assert.equal(without.bill_inc_vat, electricityOnly.bill_inc_vat)

  // A gas batch with a gap: the day's gas is what it has, and the gap keeps the day incomplete.
  assert.equal(apply(state, gasBatch(date, `${date}/gas`, i => i === 47 ? undefined : 1).map(record => ({ source: 'gas', record }))), 1)
  const partial = aggregateOf(state, date)
  assert.deepStrictEqual([partial?.gas_kwh, partial?.slots_joined, partial?.complete], [47, 47, false])
  apply(state, gasBatch(date, `${date}/gas-2`, () => 1).map(record => ({ source: 'gas', record })))
  const whole = aggregateOf(state, date)
  assert.deepStrictEqual([whole?.gas_kwh, whole?.slots_joined, whole?.complete, whole?.batches.gas], [48, 48, true, `${date}/gas-2`])
})

test('pricing missing holds the day back; usage missing does not: the day lands with what it owes, the readings missing', () => {
  const date = '2024-06-15'
  const meters = [...exportBatch(date, `${date}/export`, () => 0).map(record => ({ source: 'export', record })), ...gasBatch(date, `${date}/gas`, () => 1).map(record => ({ source: 'gas', record }))]
  const unpriced = newJoinState('meters')
  apply(unpriced, [...dayEvents(date, { ...electricity, pricing: () => undefined }), ...meters])
  assert.equal(aggregateOf(unpriced, date), undefined)
  const unread = newJoinState('meters')
  apply(unread, [...dayEvents(date, { ...electricity, usage: () => undefined }), ...meters])
  const day = aggregateOf(unread, date)
  assert.deepStrictEqual([day?.kwh, day?.cost_inc_vat, day?.standing_charge_inc_vat, day?.gas_kwh, day?.bill_inc_vat, day?.bill_complete, day?.missing_readings],
    [0, 0, 52.5, 48, 52.5 + 48 * 6.25 + 31.5, false, ['usage']])
})

for (const date of ['2024-03-31', '2024-06-15', '2024-10-27'] as const) {
  const slots = DAYS[date].slots
  test(`${date} (${slots} slots): a gas agreement in force without readings owes its standing charge; the day says gas readings are missing`, () => {
    const state = newJoinState('meters')
    // No reading at all, then half a day read: the standing charge once either way.
    const unread = gasBatch(date, `${date}/gas`, () => 1).map(record => ({ ...record, consumption: 0, unit: null, kwh: 0, meter_serial: null, carbon_g: 0, read: false }))
    apply(state, [...dayEvents(date, electricity), ...exportBatch(date, `${date}/export`, () => 0).map(record => ({ source: 'export', record })), ...unread.map(record => ({ source: 'gas', record }))])
    const none = aggregateOf(state, date)
    const electricityBill = 0.5 * slots * 21 + 52.5
    assert.deepStrictEqual([none?.gas_kwh, none?.gas_cost_inc_vat, none?.gas_standing_charge_inc_vat, none?.gas_standing_charge_exc_vat, none?.bill_inc_vat, none?.bill_complete, none?.complete, none?.slots_joined, none?.missing_readings],
      [0, 0, 31.5, 30, electricityBill + 31.5, false, false, 0, ['gas']])
    const half = gasBatch(date, `${date}/gas-2`, () => 2).map((record, i) => i < slots / 2 ? record : { ...unread[i], batch_id: `${date}/gas-2` })
    apply(state, half.map(record => ({ source: 'gas', record })))
    const partly = aggregateOf(state, date)
    assert.deepStrictEqual([partly?.gas_kwh, partly?.gas_cost_inc_vat, partly?.gas_standing_charge_inc_vat, partly?.bill_inc_vat, partly?.slots_joined, partly?.missing_readings],
      [slots, slots * 6.25, 31.5, electricityBill + slots * 6.25 + 31.5, slots / 2, ['gas']])
  })
}

test('a gas meter from mid-day (moving in): the day\'s gas standing charge is its first metered slot\'s, not the no-meter slots\' none', () => {
  const date = '2024-06-15'
  const state = newJoinState('meters')
  const gas = gasBatch(date, `${date}/gas`, () => 1).map((record, i) => i < 20
    ? { ...record, consumption: 0, unit: null, kwh: 0, meter_serial: null, tariff_code: null, value_inc_vat: 0, value_exc_vat: 0, standing_charge_inc_vat: null, standing_charge_exc_vat: null, carbon_g: 0 }
    : record)
  apply(state, [...dayEvents(date, electricity), ...exportBatch(date, `${date}/export`, () => 0).map(record => ({ source: 'export', record })), ...gas.map(record => ({ source: 'gas', record }))])
  const day = aggregateOf(state, date)
  assert.deepStrictEqual([day?.gas_kwh, day?.gas_standing_charge_inc_vat, day?.gas_standing_charge_exc_vat, day?.complete], [28, 31.5, 30, true])
})
