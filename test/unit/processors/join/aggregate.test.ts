import assert from 'node:assert/strict'
import { test } from 'node:test'
import { aggregateDay } from '../../../../processors/join/aggregate.ts'
import { applyRecord } from '../../../../processors/join/state.ts'
import type { DailyAggregate } from '../../../../processors/join/types.ts'
import type { SourceEvent } from '../../../../processors/join/operator.ts'
import { AGILE, batchesOf, dayEvents, NOW, slotStart, UNKNOWN_STANDING_CHARGE, type DaySpec, type TestDate, newJoinState } from './fixtures.ts'
import { NO_EXPORT_OR_GAS, NO_REGIONAL } from '../../../helpers.ts'

// The daily figures (DESIGN.md "The join", contract) on hand-made days. Every input value is a
// binary-exact number (quarters, halves, whole numbers), so each sum is exact whatever the
// order of summation and the expected figures below are the exact arithmetic written out by
// hand; only the final divisions (avg_intensity, mix) are left as the one division they are.

interface Joined {
  aggregate: DailyAggregate | undefined
  /** How many applyRecord calls said "a batch became whole". */
  completions: number
}

/** Applies the day's records through applyRecord, then aggregates it at NOW. */
function joinDay (date: TestDate, events: SourceEvent[]): Joined {
  const state = newJoinState()
  let completions = 0
  for (const { source, record } of events) if (applyRecord(state, source, record)) completions++
  const day = state.days.get(date)
  assert.ok(day !== undefined, `state has ${date}`)
  return { aggregate: aggregateDay(state, day, NOW), completions }
}

test('2024-03-31 (clocks go forward): 46 slots, every figure exact', () => {
  // u cycles 0.25, 0.5, 0.75, 1 kWh. Slots 0-22 cost 20p exc / 21p inc, slots 23-45 10p / 10.5p.
  // Even slots: actual 100 g, mix gas 40 / wind 60; odd slots: actual 300 g, gas 80 / wind 20;
  // nuclear is listed at 0% everywhere. The forecasts are decoys: actual is always there.
  const spec: DaySpec = {
    co2: i => i % 2 === 0 ? { actual: 100, forecast: 999 } : { actual: 300, forecast: 1 },
    mix: i => i % 2 === 0
      ? [{ fuel: 'gas', perc: 40 }, { fuel: 'wind', perc: 60 }, { fuel: 'nuclear', perc: 0 }]
      : [{ fuel: 'gas', perc: 80 }, { fuel: 'wind', perc: 20 }, { fuel: 'nuclear', perc: 0 }],
    pricing: i => i < 23 ? { exc: 20, inc: 21 } : { exc: 10, inc: 10.5 },
    usage: i => 0.25 * (1 + i % 4)
  }
  const events = dayEvents('2024-03-31', spec)
  assert.equal(events.length, 4 * 46)
  // The last slot starts 22:30Z: local midnight after the change is 23:00Z (BST).
  assert.equal(events.at(-1)?.record.slot_start, Date.parse('2024-03-31T22:30:00Z'))
  const { aggregate, completions } = joinDay('2024-03-31', events)
  assert.equal(completions, 4)
  // Σu: slots i%4 = 0,1,2,3 occur 12, 12, 11, 11 times: 3 + 6 + 8.25 + 11 = 28.25 kWh.
  // Slots 0-22 use 1.5 + 3 + 4.5 + 5 = 14 kWh, slots 23-45 the other 14.25 kWh:
  //   cost_exc = 14·20 + 14.25·10 = 422.5, cost_inc = 14·21 + 14.25·10.5 = 443.625.
  // Even slots use 12·0.25 + 11·0.75 = 11.25 kWh, odd slots 12·0.5 + 11·1 = 17 kWh:
  //   carbon_g = 11.25·100 + 17·300 = 6225; Σu·gas = 11.25·40 + 17·80 = 1810; Σu·wind = 11.25·60 + 17·20 = 1015.
  assert.deepStrictEqual(aggregate, {
    date: '2024-03-31',
    kwh: 28.25,
    cost_inc_vat: 443.625,
    cost_exc_vat: 422.5,
    carbon_g: 6225,
    avg_intensity: 6225 / 28.25,
    mix: { gas: 1810 / 28.25, wind: 1015 / 28.25, nuclear: 0 },
    slots_expected: 46,
    slots_joined: 46,
    complete: true,
    forecast_slots: 0,
    batches: batchesOf('2024-03-31'),
    computed_at: NOW,
    ...UNKNOWN_STANDING_CHARGE,
    bill_complete: true,
    carbon_slots: 46,
    missing_readings: []
  })
})

test('2024-10-27 (clocks go back): 50 slots, the repeated hour counted twice, every figure exact', () => {
  // Slots 0-24: 0.5 kWh at 12p exc / 12.5p inc, 200 g, solar 10 / gas 90.
  // Slots 25-49: 1.5 kWh at 24p / 25p, 100 g, wind 50 / gas 50.
  const spec: DaySpec = {
    co2: i => i < 25 ? { actual: 200, forecast: 200 } : { actual: 100, forecast: 100 },
    mix: i => i < 25 ? [{ fuel: 'solar', perc: 10 }, { fuel: 'gas', perc: 90 }] : [{ fuel: 'wind', perc: 50 }, { fuel: 'gas', perc: 50 }],
    pricing: i => i < 25 ? { exc: 12, inc: 12.5 } : { exc: 24, inc: 25 },
    usage: i => i < 25 ? 0.5 : 1.5
  }
  const events = dayEvents('2024-10-27', spec)
  // Local 01:00-02:00 happens twice: 00:00Z and 00:30Z (BST), then 01:00Z and 01:30Z (GMT),
  // four distinct UTC slots (indexes 2-5 after local midnight at 23:00Z).
  assert.deepStrictEqual([2, 3, 4, 5].map(i => new Date(slotStart('2024-10-27', i)).toISOString()),
    ['2024-10-27T00:00:00.000Z', '2024-10-27T00:30:00.000Z', '2024-10-27T01:00:00.000Z', '2024-10-27T01:30:00.000Z'])
  const { aggregate, completions } = joinDay('2024-10-27', events)
  assert.equal(completions, 4)
  // kwh = 25·0.5 + 25·1.5 = 12.5 + 37.5 = 50; cost_exc = 12.5·12 + 37.5·24 = 150 + 900 = 1050;
  // cost_inc = 12.5·12.5 + 37.5·25 = 156.25 + 937.5 = 1093.75; carbon_g = 12.5·200 + 37.5·100 = 6250;
  // mix: solar 12.5·10/50 = 2.5, gas (12.5·90 + 37.5·50)/50 = 60, wind 37.5·50/50 = 37.5.
  assert.deepStrictEqual(aggregate, {
    date: '2024-10-27',
    kwh: 50,
    cost_inc_vat: 1093.75,
    cost_exc_vat: 1050,
    carbon_g: 6250,
    avg_intensity: 125,
    mix: { solar: 2.5, gas: 60, wind: 37.5 },
    slots_expected: 50,
    slots_joined: 50,
    complete: true,
    forecast_slots: 0,
    batches: batchesOf('2024-10-27'),
    computed_at: NOW,
    ...UNKNOWN_STANDING_CHARGE,
    bill_complete: true,
    carbon_slots: 50,
    missing_readings: []
  })
})

test('null actuals: the forecast is used for those slots and counted in forecast_slots', () => {
  // 1 kWh per slot; actual null on slots 0-9, 100 g elsewhere; the forecast is 150 g everywhere.
  const spec: DaySpec = {
    co2: i => ({ actual: i < 10 ? null : 100, forecast: 150 }),
    mix: () => [{ fuel: 'gas', perc: 100 }],
    pricing: () => ({ exc: 10, inc: 10.5 }),
    usage: () => 1
  }
  const { aggregate } = joinDay('2024-06-15', dayEvents('2024-06-15', spec))
  // carbon_g = 10·150 (forecast) + 38·100 (actual) = 5300.
  assert.deepStrictEqual(aggregate, {
    date: '2024-06-15',
    kwh: 48,
    cost_inc_vat: 504,
    cost_exc_vat: 480,
    carbon_g: 5300,
    avg_intensity: 5300 / 48,
    mix: { gas: 100 },
    slots_expected: 48,
    slots_joined: 48,
    complete: true,
    forecast_slots: 10,
    batches: batchesOf('2024-06-15'),
    computed_at: NOW,
    ...UNKNOWN_STANDING_CHARGE,
    bill_complete: true,
    carbon_slots: 48,
    missing_readings: []
  })
})

test('negative prices reduce the cost, down to a negative day total', () => {
  // 1 kWh per slot; slots 0-23 at -8p exc / -8.5p inc (paid to use), slots 24-47 at 4p / 4.25p.
  const spec: DaySpec = {
    co2: () => ({ actual: 50, forecast: 60 }),
    mix: () => [{ fuel: 'wind', perc: 100 }],
    pricing: i => i < 24 ? { exc: -8, inc: -8.5 } : { exc: 4, inc: 4.25 },
    usage: () => 1
  }
  const { aggregate } = joinDay('2024-06-15', dayEvents('2024-06-15', spec))
  // cost_exc = 24·-8 + 24·4 = -96; cost_inc = 24·-8.5 + 24·4.25 = -102.
  assert.deepStrictEqual(aggregate, {
    date: '2024-06-15',
    kwh: 48,
    cost_inc_vat: -102,
    cost_exc_vat: -96,
    carbon_g: 2400,
    avg_intensity: 50,
    mix: { wind: 100 },
    slots_expected: 48,
    slots_joined: 48,
    complete: true,
    forecast_slots: 0,
    batches: batchesOf('2024-06-15'),
    computed_at: NOW,
    ...UNKNOWN_STANDING_CHARGE,
    bill_complete: true,
    carbon_slots: 48,
    missing_readings: []
  })
})

test('kwh = 0: avg_intensity is null and mix is empty (no usage to weight by), the day is still complete', () => {
  const spec: DaySpec = {
    co2: () => ({ actual: 100, forecast: 100 }),
    mix: () => [{ fuel: 'gas', perc: 50 }, { fuel: 'wind', perc: 50 }],
    pricing: () => ({ exc: 10, inc: 10.5 }),
    usage: () => 0
  }
  const { aggregate } = joinDay('2024-06-15', dayEvents('2024-06-15', spec))
  assert.deepStrictEqual(aggregate, {
    date: '2024-06-15',
    kwh: 0,
    cost_inc_vat: 0,
    cost_exc_vat: 0,
    carbon_g: 0,
    avg_intensity: null,
    mix: {},
    slots_expected: 48,
    slots_joined: 48,
    complete: true,
    forecast_slots: 0,
    batches: batchesOf('2024-06-15'),
    computed_at: NOW,
    ...UNKNOWN_STANDING_CHARGE,
    bill_complete: true,
    carbon_slots: 48,
    missing_readings: []
  })
})

test('two usage slots missing: a batch of 46 is whole, the day is emitted with slots_joined 46 of 48, complete false', () => {
  // The meter has no reading for the last two slots (as the sample API's `missing` fault does):
  // the usage batch has 46 records, each saying batch_size 46.
  const spec: DaySpec = {
    co2: () => ({ actual: 200, forecast: 180 }),
    mix: () => [{ fuel: 'gas', perc: 100 }],
    pricing: () => ({ exc: 20, inc: 21 }),
    usage: i => i < 46 ? 0.5 : undefined
  }
  const events = dayEvents('2024-06-15', spec)
  const usage = events.filter(e => e.source === 'usage')
  assert.equal(usage.length, 46)
  assert.ok(usage.every(e => e.record.batch_size === 46))

  const state = newJoinState()
  const whole = events.map(({ source, record }) => applyRecord(state, source, record))
  // Each source's batch becomes whole on its own last record, usage on its 46th.
  assert.deepStrictEqual(whole.flatMap((w, i) => w ? [i] : []), [47, 95, 143, 143 + 46])
  const day = state.days.get('2024-06-15')
  assert.ok(day !== undefined)
  // kwh = 46·0.5 = 23 over the joined slots only; cost and carbon likewise.
  assert.deepStrictEqual(aggregateDay(state, day, NOW), {
    date: '2024-06-15',
    kwh: 23,
    cost_inc_vat: 483,
    cost_exc_vat: 460,
    carbon_g: 4600,
    avg_intensity: 200,
    mix: { gas: 100 },
    slots_expected: 48,
    slots_joined: 46,
    complete: false,
    forecast_slots: 0,
    batches: batchesOf('2024-06-15'),
    computed_at: NOW,
    ...UNKNOWN_STANDING_CHARGE,
    // Two priced slots without a reading: the bill is not final.
    bill_complete: false,
    carbon_slots: 46,
    missing_readings: ['usage']
  })
})

test('a slot missing from another source also leaves the day incomplete: slots_joined counts slots with all four values', () => {
  // co2 lacks slot 0, pricing lacks slot 47: 46 slots have all four values. Money never waits
  // for carbon: kWh and cost sum the 47 priced slots with usage, carbon the 46 of those with carbon.
  const spec: DaySpec = {
    co2: i => i === 0 ? undefined : { actual: 100, forecast: 100 },
    mix: () => [{ fuel: 'gas', perc: 100 }],
    pricing: i => i === 47 ? undefined : { exc: 10, inc: 10.5 },
    usage: () => 1
  }
  const { aggregate, completions } = joinDay('2024-06-15', dayEvents('2024-06-15', spec))
  assert.equal(completions, 4)
  assert.deepStrictEqual(aggregate, {
    date: '2024-06-15',
    kwh: 47,
    cost_inc_vat: 493.5,
    cost_exc_vat: 470,
    carbon_g: 4600,
    avg_intensity: 100,
    mix: { gas: 100 },
    slots_expected: 48,
    slots_joined: 46,
    complete: false,
    forecast_slots: 0,
    batches: batchesOf('2024-06-15'),
    computed_at: NOW,
    ...UNKNOWN_STANDING_CHARGE,
    // Pricing lacks a slot: the bill is not final, though no reading is missing.
    bill_complete: false,
    carbon_slots: 46,
    missing_readings: []
  })
})

test('money never waits for carbon or usage: no aggregate until pricing is whole; then each input whole re-derives the day', () => {
  const spec: DaySpec = {
    co2: () => ({ actual: 100, forecast: 100 }),
    mix: () => [{ fuel: 'gas', perc: 100 }],
    pricing: () => ({ exc: 10, inc: 10.5, standingExc: 50, standingInc: 52.5 }),
    usage: () => 1
  }
  const events = dayEvents('2024-06-15', spec)
  const state = newJoinState()
  const apply = (source: string): void => { for (const e of events.filter(e => e.source === source)) applyRecord(state, e.source, e.record) }
  const day = (): DailyAggregate | undefined => aggregateDay(state, state.days.get('2024-06-15') as NonNullable<ReturnType<typeof state.days.get>>, NOW)
  apply('usage')
  apply('co2')
  assert.equal(day(), undefined)
  // Pricing whole: the bill lands without carbon (no mix yet): standing charge and cost.
  apply('pricing')
  assert.deepStrictEqual(pick(day()), { kwh: 48, cost_inc_vat: 504, carbon_g: null, avg_intensity: null, mix: {}, bill_inc_vat: 504 + 52.5, bill_complete: true, carbon_slots: 0, complete: false, missing_readings: [] })
  apply('mix')
  assert.deepStrictEqual(pick(day()), { kwh: 48, cost_inc_vat: 504, carbon_g: 4800, avg_intensity: 100, mix: { gas: 100 }, bill_inc_vat: 504 + 52.5, bill_complete: true, carbon_slots: 48, complete: true, missing_readings: [] })
  // A day priced but not read yet (no usage at all): its standing charge, the readings missing.
  const unread = newJoinState()
  for (const e of events.filter(e => e.source === 'pricing')) applyRecord(unread, e.source, e.record)
  const bare = aggregateDay(unread, unread.days.get('2024-06-15') as NonNullable<ReturnType<typeof state.days.get>>, NOW)
  assert.deepStrictEqual(pick(bare), { kwh: 0, cost_inc_vat: 0, carbon_g: null, avg_intensity: null, mix: {}, bill_inc_vat: 52.5, bill_complete: false, carbon_slots: 0, complete: false, missing_readings: ['usage'] })
})

const pick = (a: DailyAggregate | undefined): Partial<DailyAggregate> | undefined => a === undefined
  ? undefined
  : { kwh: a.kwh, cost_inc_vat: a.cost_inc_vat, carbon_g: a.carbon_g, avg_intensity: a.avg_intensity, mix: a.mix, bill_inc_vat: a.bill_inc_vat, bill_complete: a.bill_complete, carbon_slots: a.carbon_slots, complete: a.complete, missing_readings: a.missing_readings }

// The bill (DESIGN.md "The account", contract): standing charge and tariff of the day's first
// slot, bill_inc_vat = cost_inc_vat + standing_charge_inc_vat + gas_cost_inc_vat +
// gas_standing_charge_inc_vat − export_value (no gas or export meter yet: 0).

/** 1 kWh a slot, 10p / 10.5p, 100 g, gas 100%, and the given per-slot standing charge. */
const billSpec = (pricing: DaySpec['pricing']): DaySpec => ({
  co2: () => ({ actual: 100, forecast: 100 }),
  mix: () => [{ fuel: 'gas', perc: 100 }],
  pricing,
  usage: () => 1
})

for (const [date, slots] of [['2024-03-31', 46], ['2024-06-15', 48], ['2024-10-27', 50]] as const) {
  test(`${date} (${slots} slots): the standing charge is added once to the bill, whatever the number of slots`, () => {
    const { aggregate } = joinDay(date, dayEvents(date, billSpec(() => ({ exc: 10, inc: 10.5, standingExc: 50, standingInc: 52.5 }))))
    assert.deepStrictEqual(aggregate, {
      date,
      kwh: slots,
      cost_inc_vat: 10.5 * slots,
      cost_exc_vat: 10 * slots,
      carbon_g: 100 * slots,
      avg_intensity: 100,
      mix: { gas: 100 },
      slots_expected: slots,
      slots_joined: slots,
      complete: true,
      forecast_slots: 0,
      batches: batchesOf(date),
      computed_at: NOW,
      import_tariff_code: AGILE,
      standing_charge_inc_vat: 52.5,
      standing_charge_exc_vat: 50,
      ...NO_EXPORT_OR_GAS,
      ...NO_REGIONAL,
      bill_inc_vat: 10.5 * slots + 52.5,
      bill_complete: true,
      carbon_slots: slots,
      missing_readings: []
    })
  })
}

test('a standing charge and a tariff that change during the day: the first slot\'s are the day\'s, whatever order the records came in', () => {
  const pricing: DaySpec['pricing'] = i => i < 10
    ? { exc: 10, inc: 10.5, standingExc: 40, standingInc: 42, tariff: 'E-1R-VAR-22-11-01-C' }
    : { exc: 20, inc: 21, standingExc: 60, standingInc: 63 }
  const events = dayEvents('2024-06-15', billSpec(pricing))
  // Pricing records newest first: the tariff code kept is still the earliest slot's.
  const reordered = [...events.filter(e => e.source !== 'pricing'), ...events.filter(e => e.source === 'pricing').reverse()]
  const { aggregate } = joinDay('2024-06-15', reordered)
  const cost = 10 * 10.5 + 38 * 21
  assert.deepStrictEqual(
    [aggregate?.import_tariff_code, aggregate?.standing_charge_inc_vat, aggregate?.standing_charge_exc_vat, aggregate?.cost_inc_vat, aggregate?.bill_inc_vat],
    ['E-1R-VAR-22-11-01-C', 42, 40, cost, cost + 42])
})

test('a pricing batch lacking the day\'s first slot: its first slot gives the standing charge and the tariff; complete is false', () => {
  const { aggregate } = joinDay('2024-06-15', dayEvents('2024-06-15', billSpec(i => i < 2 ? undefined : { exc: 10, inc: 10.5, standingExc: 50, standingInc: 52.5, tariff: 'E-1R-LATE-C' })))
  assert.deepStrictEqual(
    [aggregate?.slots_joined, aggregate?.complete, aggregate?.import_tariff_code, aggregate?.standing_charge_inc_vat, aggregate?.bill_inc_vat],
    [46, false, 'E-1R-LATE-C', 52.5, 46 * 10.5 + 52.5])
})

test('an unknown standing charge at the first slot (null: none listed, or a version 1 record) gives a null bill, never a bill without it', () => {
  const { aggregate } = joinDay('2024-06-15', dayEvents('2024-06-15', billSpec(i => i === 0 ? { exc: 10, inc: 10.5 } : { exc: 10, inc: 10.5, standingExc: 50, standingInc: 52.5 })))
  assert.deepStrictEqual(
    [aggregate?.cost_inc_vat, aggregate?.standing_charge_inc_vat, aggregate?.standing_charge_exc_vat, aggregate?.bill_inc_vat],
    [504, null, null, null])
})
