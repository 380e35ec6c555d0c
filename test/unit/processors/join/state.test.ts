import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EnergyError } from '../../../../lib/errors.ts'
import type { MixRecord, PricingRecord } from '../../../../processors/source/types.ts'
import { aggregateDay } from '../../../../processors/join/aggregate.ts'
import type { SourceEvent } from '../../../../processors/join/operator.ts'
import { applyRecord, checkRecord } from '../../../../processors/join/state.ts'
import { MAX_FUELS } from '../../../../processors/source/join-input.ts'
import type { DailyAggregate, JoinState } from '../../../../processors/join/types.ts'
import { batchesOf, batchId, co2Batch, dayEvents, mixBatch, NOW, pricingBatch, slotStart, usageBatch, newJoinState, type DaySpec, type TestDate } from './fixtures.ts'

// The join's table side (processors/join/state.ts): per date and source the latest whole batch,
// whole = batch_size distinct slots of one batch id; checkRecord guards the slot/date contract.

const FLAT: DaySpec = {
  co2: () => ({ actual: 100, forecast: 100 }),
  mix: () => [{ fuel: 'gas', perc: 60 }, { fuel: 'wind', perc: 40 }],
  pricing: () => ({ exc: 10, inc: 10.5 }),
  usage: () => 1
}

function apply (state: JoinState, events: SourceEvent[]): boolean[] {
  return events.map(({ source, record }) => applyRecord(state, source, record))
}

function aggregateOf (state: JoinState, date: TestDate): DailyAggregate | undefined {
  const day = state.days.get(date)
  assert.ok(day !== undefined, `state has ${date}`)
  return aggregateDay(state, day, NOW)
}

/** A state holding FLAT's whole batches (tag b1) for 2024-06-15, and its aggregate. */
function joinedFlat (): { state: JoinState, before: DailyAggregate } {
  const state = newJoinState()
  apply(state, dayEvents('2024-06-15', FLAT))
  const before = aggregateOf(state, '2024-06-15')
  assert.ok(before !== undefined)
  assert.equal(before.kwh, 48)
  return { state, before }
}

test('a re-delivered record of the whole batch changes nothing: applyRecord returns false, the figures stay', () => {
  const { state, before } = joinedFlat()
  const usage = usageBatch('2024-06-15', batchId('2024-06-15', 'usage'), FLAT.usage)
  assert.equal(applyRecord(state, 'usage', usage[7]), false)
  assert.deepStrictEqual(aggregateOf(state, '2024-06-15'), before)
  // The whole day again, every source (a consumer rewound to the start): nothing completes.
  assert.deepStrictEqual(apply(state, dayEvents('2024-06-15', FLAT)), new Array(4 * 48).fill(false))
  assert.deepStrictEqual(aggregateOf(state, '2024-06-15'), before)
})

test('a newer batch replaces the whole one only once it is whole itself', () => {
  const { state, before } = joinedFlat()
  // Re-read meter: batch b2 says 2 kWh per slot.
  const b2 = usageBatch('2024-06-15', batchId('2024-06-15', 'usage', 'b2'), () => 2)
  assert.deepStrictEqual(apply(state, b2.slice(0, 47).map(record => ({ source: 'usage', record }))), new Array(47).fill(false))
  assert.deepStrictEqual(aggregateOf(state, '2024-06-15'), before, '47 of 48 slots of b2: still b1')
  assert.equal(applyRecord(state, 'usage', b2[47]), true)
  assert.deepStrictEqual(aggregateOf(state, '2024-06-15'), {
    ...before,
    kwh: 96,
    cost_inc_vat: 1008,
    cost_exc_vat: 960,
    carbon_g: 9600,
    batches: { ...batchesOf('2024-06-15'), usage: batchId('2024-06-15', 'usage', 'b2') }
  })
})

test('a slot re-delivered inside a batch still arriving is counted once', () => {
  const { state, before } = joinedFlat()
  const b2 = usageBatch('2024-06-15', batchId('2024-06-15', 'usage', 'b2'), () => 2)
  // 47 distinct slots plus slot 0 three more times: 50 records, 47 slots, not whole.
  const records = [...b2.slice(0, 47), b2[0], b2[0], b2[0]]
  assert.deepStrictEqual(apply(state, records.map(record => ({ source: 'usage', record }))), new Array(50).fill(false))
  assert.deepStrictEqual(aggregateOf(state, '2024-06-15'), before)
  assert.equal(applyRecord(state, 'usage', b2[47]), true)
  assert.equal(aggregateOf(state, '2024-06-15')?.kwh, 96)
})

test('a newer whole batch with fewer slots replaces a fuller one: the latest batch wins, gaps and all', () => {
  const { state, before } = joinedFlat()
  const b2 = usageBatch('2024-06-15', batchId('2024-06-15', 'usage', 'b2'), i => i < 46 ? 1 : undefined)
  assert.deepStrictEqual(apply(state, b2.map(record => ({ source: 'usage', record }))).lastIndexOf(true), 45)
  assert.deepStrictEqual(aggregateOf(state, '2024-06-15'), {
    ...before,
    kwh: 46,
    cost_inc_vat: 483,
    cost_exc_vat: 460,
    carbon_g: 4600,
    slots_joined: 46,
    complete: false,
    carbon_slots: 46,
    bill_complete: false,
    missing_readings: ['usage'],
    batches: { ...batchesOf('2024-06-15'), usage: batchId('2024-06-15', 'usage', 'b2') }
  })
})

test('batches of different dates and sources do not interfere', () => {
  const state = newJoinState()
  // 2024-06-15 and 2024-06-16 interleaved record by record.
  const a = dayEvents('2024-06-15', FLAT)
  const b = dayEvents('2024-06-16', { ...FLAT, usage: () => 0.5 })
  const interleaved = a.flatMap((e, i) => [e, b[i]])
  assert.equal(apply(state, interleaved).filter(Boolean).length, 8)
  assert.equal(aggregateOf(state, '2024-06-15')?.kwh, 48)
  assert.equal(aggregateOf(state, '2024-06-16')?.kwh, 24)
})

test('checkRecord rejects a record whose slot lies outside its local_date, naming both dates', () => {
  const cases: Array<[string, TestDate, number, string]> = [
    // BST: 2024-06-15 ends at 23:00Z; that slot is the 16th's first.
    ['the next day (BST)', '2024-06-15', Date.parse('2024-06-15T23:00:00Z'), '2024-06-16'],
    ['the day before (BST)', '2024-06-15', Date.parse('2024-06-14T22:30:00Z'), '2024-06-14'],
    // 2024-03-31 is 46 slots: 23:00Z is already 00:00 BST on 1 April.
    ['the 47th half-hour of the short day', '2024-03-31', slotStart('2024-03-31', 46), '2024-04-01'],
    // 2024-10-27 starts at 23:00Z on the 26th (still BST).
    ['before the long day', '2024-10-27', Date.parse('2024-10-26T22:30:00Z'), '2024-10-26'],
    ['the 51st half-hour of the long day', '2024-10-27', slotStart('2024-10-27', 50), '2024-10-28']
  ]
  for (const [what, date, slot, belongs] of cases) {
    const [record] = co2Batch(date, 'b1', i => i === 0 ? { actual: 100, forecast: 100 } : undefined)
    record.slot_start = slot
    record.slot_end = slot + 30 * 60 * 1000
    assert.throws(() => checkRecord(newJoinState(), 'co2', record), (err: unknown) => {
      assert.ok(err instanceof EnergyError, what)
      assert.deepStrictEqual({ code: err.code, message: err.message, date: err.date }, {
        code: 'ENERGY_INVALID_RECORD',
        message: `slot ${new Date(slot).toISOString()} belongs to ${belongs}, not to local_date ${date}`,
        date
      }, what)
      return true
    })
  }
})

test('checkRecord accepts every slot of a day, first to last, on the DST days too', () => {
  for (const date of ['2024-03-31', '2024-06-15', '2024-10-27'] as const) {
    for (const { source, record } of dayEvents(date, FLAT)) assert.doesNotThrow(() => checkRecord(newJoinState(), source, record), `${source} ${date} ${record.slot_start}`)
  }
})

test('checkRecord rejects impossible envelopes: off the half-hour, a non-date, a batch_size the day cannot have, too many fuels', () => {
  const [co2] = co2Batch('2024-06-15', 'b1', i => i === 0 ? { actual: 1, forecast: 1 } : undefined)
  const rejects = (source: SourceEvent['source'], record: SourceEvent['record'], message: string): void => {
    assert.throws(() => checkRecord(newJoinState(), source, record), { name: 'EnergyError', code: 'ENERGY_INVALID_RECORD', message })
  }
  rejects('co2', { ...co2, slot_start: co2.slot_start + 60_000 }, `slot_start ${co2.slot_start + 60_000} is not on a half-hour`)
  rejects('co2', { ...co2, local_date: '2024-02-30' }, 'local_date "2024-02-30" is not a date')
  rejects('co2', { ...co2, batch_size: 0 }, 'batch_size 0 is impossible for 2024-06-15 (48 slots)')
  rejects('co2', { ...co2, batch_size: 49 }, 'batch_size 49 is impossible for 2024-06-15 (48 slots)')
  const [long] = co2Batch('2024-10-27', 'b1', i => i === 0 ? { actual: 1, forecast: 1 } : undefined)
  assert.doesNotThrow(() => checkRecord(newJoinState(), 'co2', { ...long, batch_size: 50 }))
  const [mix] = mixBatch('2024-06-15', 'b1', i => i === 0 ? Array.from({ length: MAX_FUELS + 1 }, (_, f) => ({ fuel: `f${f}`, perc: 1 })) : undefined)
  rejects('mix', mix, `slot 0 lists more than ${MAX_FUELS} fuels`)
})

test('a mix record checkRecord accepted never makes applyRecord throw (it would stop the join instead of being dead-lettered)', () => {
  const state = newJoinState()
  apply(state, dayEvents('2024-06-15', FLAT))
  // Sixteen names fill a batch's columns: a record naming one more in the same batch is dead-lettered.
  const [odd, next] = mixBatch('2024-06-16', 'b1', i => i < 2 ? Array.from({ length: MAX_FUELS }, (_, f) => ({ fuel: `junk${f + i}`, perc: 1 })) : undefined) as MixRecord[]
  assert.doesNotThrow(() => checkRecord(state, 'mix', odd))
  assert.doesNotThrow(() => applyRecord(state, 'mix', odd))
  assert.throws(() => checkRecord(state, 'mix', next), { name: 'EnergyError', code: 'ENERGY_INVALID_RECORD', message: `fuels junk16 would exceed the ${MAX_FUELS} fuel columns of batch b1 (known: ${Array.from({ length: MAX_FUELS }, (_, f) => `junk${f}`).join(', ')})` })
  const fits = { ...next, generationmix: next.generationmix.slice(0, MAX_FUELS - 1) }
  assert.doesNotThrow(() => checkRecord(state, 'mix', fits))
  assert.doesNotThrow(() => applyRecord(state, 'mix', fits))
})

test('fuel names are a batch\'s own: junk names on some days never take another day\'s columns; a new fuel lands the day it appears', () => {
  const state = newJoinState()
  // Three days of sixteen plausible but junk names each (48 in all, three times the columns).
  for (const date of ['2024-03-31', '2024-06-16', '2024-10-27'] as const) {
    for (const record of mixBatch(date, `junk-${date}`, () => Array.from({ length: MAX_FUELS }, (_, f) => ({ fuel: `fuel${date.slice(5, 7)}${date.slice(-2)}x${f}`, perc: 1 })))) {
      checkRecord(state, 'mix', record)
      applyRecord(state, 'mix', record)
    }
  }
  // A later day whose mix has the nine real fuels and a new one (storage): every record is taken.
  const real = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind', 'storage'].map((fuel, f) => ({ fuel, perc: f + 1 }))
  const spec: DaySpec = { ...FLAT, mix: () => real }
  for (const { source, record } of dayEvents('2024-06-15', spec)) {
    assert.doesNotThrow(() => checkRecord(state, source, record))
    applyRecord(state, source, record)
  }
  const day = aggregateOf(state, '2024-06-15')
  assert.deepStrictEqual(Object.keys(day?.mix ?? {}).sort(), real.map(f => f.fuel).sort())
  assert.equal(day?.mix.storage, 10)
})

test('a mix batch holds the columns its records named, not MAX_FUELS; a fuel first named mid-batch widens it and keeps the slots before', () => {
  const state = newJoinState()
  // Slots 0-9 name two fuels, later slots a third one: the batch widens from 2 to 3 columns at slot 10.
  const shares = (i: number) => i < 10 ? [{ fuel: 'gas', perc: 60 }, { fuel: 'wind', perc: 40 }] : [{ fuel: 'gas', perc: 50 }, { fuel: 'wind', perc: 30 }, { fuel: 'solar', perc: 20 }]
  for (const { source, record } of dayEvents('2024-06-15', { ...FLAT, mix: shares })) {
    checkRecord(state, source, record)
    applyRecord(state, source, record)
  }
  const mix = state.days.get('2024-06-15')?.whole[state.index.get('mix') ?? -1]
  assert.deepStrictEqual([mix?.width, mix?.values.length, mix?.columns], [3, 48 * 3, ['gas', 'wind', 'solar']])
  const pricing = state.days.get('2024-06-15')?.whole[state.index.get('pricing') ?? -1]
  assert.equal(pricing?.width, 4)
  // One kWh a slot: each fuel's share is the mean over the 48 slots, computed here.
  const day = aggregateOf(state, '2024-06-15')
  assert.deepStrictEqual(day?.mix, { gas: (10 * 60 + 38 * 50) / 48, wind: (10 * 40 + 38 * 30) / 48, solar: 38 * 20 / 48 })
})

test('a pricing record whose tariff code is overlong or holds a control character is refused: it would become the day\'s import_tariff_code', () => {
  const state = newJoinState()
  const [good] = pricingBatch('2024-06-15', 'p1', () => ({ inc: 10.5, exc: 10 }))
  const bad = (change: Partial<PricingRecord>): PricingRecord => ({ ...good, ...change })
  checkRecord(state, 'pricing', good)
  for (const [tariff, message] of [['E'.repeat(65), 'tariff_code is 65 characters long, more than 64'], ['E-1R-\u0000', 'tariff_code holds the control character U+0000']]) {
    assert.throws(() => checkRecord(state, 'pricing', bad({ tariff_code: tariff })), { name: 'EnergyError', code: 'ENERGY_INVALID_RECORD', message })
  }
  assert.throws(() => checkRecord(state, 'pricing', bad({ standing_charge_inc_vat: -1 })),
    { name: 'EnergyError', code: 'ENERGY_INVALID_RECORD', message: 'standing_charge_inc_vat -1 is outside 0..1000' })
})
