import assert from 'node:assert/strict'
import { test } from 'node:test'
import { from, lastValueFrom, Subject, toArray } from 'rxjs'
import { joinByDate, type SourceEvent } from '../../../../processors/join/operator.ts'
import type { DailyAggregate } from '../../../../processors/join/types.ts'
import { batchesOf, batchId, dayEvents, NOW, UNKNOWN_STANDING_CHARGE, usageBatch, type DaySpec, newJoinState } from './fixtures.ts'

// joinByDate: the RxJS operator over source events. One aggregate per date when its pricing
// batch becomes whole (money never waits for carbon or readings), and one more each time
// another input's batch, or a newer batch of any input, becomes whole.

const FLAT: DaySpec = {
  co2: () => ({ actual: 100, forecast: 100 }),
  mix: () => [{ fuel: 'gas', perc: 60 }, { fuel: 'wind', perc: 40 }],
  pricing: () => ({ exc: 10, inc: 10.5 }),
  usage: () => 1
}

/** FLAT's aggregate for a date (1 kWh a slot at 10p / 10.5p, 100 g, gas 60 / wind 40). */
const flatAggregate = (date: string): DailyAggregate => ({
  date,
  kwh: 48,
  cost_inc_vat: 504,
  cost_exc_vat: 480,
  carbon_g: 4800,
  avg_intensity: 100,
  mix: { gas: 60, wind: 40 },
  slots_expected: 48,
  slots_joined: 48,
  complete: true,
  forecast_slots: 0,
  batches: batchesOf(date),
  computed_at: NOW,
  ...UNKNOWN_STANDING_CHARGE,
  bill_complete: true,
  carbon_slots: 48,
  missing_readings: []
})

/** FLAT's day once co2, mix and pricing are whole and usage is not in yet: priced, nothing read. */
const pricedAggregate = (date: string, slots = 48): DailyAggregate => {
  const { usage, ...batches } = batchesOf(date)
  return {
    ...flatAggregate(date),
    kwh: 0,
    cost_inc_vat: 0,
    cost_exc_vat: 0,
    carbon_g: 0,
    avg_intensity: null,
    mix: {},
    slots_expected: slots,
    slots_joined: 0,
    complete: false,
    batches,
    bill_complete: false,
    carbon_slots: 0,
    missing_readings: ['usage']
  }
}

const usageB2 = (date: '2024-06-15' | '2024-06-16'): SourceEvent[] =>
  usageBatch(date, batchId(date, 'usage', 'b2'), () => 0.5).map(record => ({ source: 'usage', record }))

async function run (events: SourceEvent[]): Promise<DailyAggregate[]> {
  return await lastValueFrom(from(events).pipe(joinByDate(newJoinState(), () => NOW), toArray()))
}

test('one day from([...events]): the bill when pricing completes, the whole day when usage completes', async () => {
  assert.deepStrictEqual(await run(dayEvents('2024-06-15', FLAT)), [pricedAggregate('2024-06-15'), flatAggregate('2024-06-15')])
})

test('a newer batch completing emits the day again with the new figures; nothing else does', async () => {
  const events = [...dayEvents('2024-06-15', FLAT), ...usageB2('2024-06-15')]
  assert.deepStrictEqual(await run(events), [
    pricedAggregate('2024-06-15'),
    flatAggregate('2024-06-15'),
    {
      ...flatAggregate('2024-06-15'),
      kwh: 24,
      cost_inc_vat: 252,
      cost_exc_vat: 240,
      carbon_g: 2400,
      batches: { ...batchesOf('2024-06-15'), usage: batchId('2024-06-15', 'usage', 'b2') }
    }
  ])
})

test('emissions happen at the record that completes a batch, not at the end of the stream', () => {
  const source = new Subject<SourceEvent>()
  const emittedAt: number[] = []
  let i = 0
  const out: DailyAggregate[] = []
  source.pipe(joinByDate(newJoinState(), () => NOW)).subscribe(a => {
    out.push(a)
    emittedAt.push(i)
  })
  const day = dayEvents('2024-06-15', FLAT)
  const redelivered = day.slice(100, 110)
  const b2 = usageB2('2024-06-15')
  for (const event of [...day, ...redelivered, ...b2.slice(0, 47), ...b2.slice(0, 5), b2[47]]) {
    source.next(event)
    i++
  }
  // Index 143 is the 48th pricing record, 191 the 48th usage record; b2's last record is the last event.
  assert.deepStrictEqual(emittedAt, [143, 191, 4 * 48 + 10 + 47 + 5])
  assert.deepStrictEqual(out.map(a => [a.kwh, a.batches.usage]), [[0, undefined], [48, batchId('2024-06-15', 'usage')], [24, batchId('2024-06-15', 'usage', 'b2')]])
  source.complete()
})

test('dates interleaved: each date emitted as its batches complete, in that order; a date never read still lands with what it owes', async () => {
  const a = dayEvents('2024-06-15', FLAT)
  const b = dayEvents('2024-06-16', FLAT)
  // 2024-06-16 goes first by one record; 2024-03-31 never gets its usage: it lands priced, the readings missing.
  const interleaved = a.flatMap((e, i) => [b[i], e])
  const short = dayEvents('2024-03-31', { ...FLAT, usage: () => undefined })
  assert.deepStrictEqual(await run([...short, ...interleaved]), [
    pricedAggregate('2024-03-31', 46), pricedAggregate('2024-06-16'), pricedAggregate('2024-06-15'), flatAggregate('2024-06-16'), flatAggregate('2024-06-15')
  ])
})

test('a day with gaps is emitted again once its usage batch is whole, complete false, the readings missing', async () => {
  const [priced, aggregate, ...rest] = await run(dayEvents('2024-06-15', { ...FLAT, usage: i => i < 46 ? 1 : undefined }))
  assert.deepStrictEqual([priced, rest], [pricedAggregate('2024-06-15'), []])
  assert.deepStrictEqual(aggregate, {
    ...flatAggregate('2024-06-15'), kwh: 46, cost_inc_vat: 483, cost_exc_vat: 460, carbon_g: 4600, slots_joined: 46, complete: false, carbon_slots: 46, bill_complete: false, missing_readings: ['usage']
  })
})
