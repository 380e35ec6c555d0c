import assert from 'node:assert/strict'
import { test } from 'node:test'
import { from, lastValueFrom, Subject, toArray } from 'rxjs'
import { joinDays, type JoinStep, type Settled, type SourceEvent } from '../../../../processors/join/operator.ts'
import { daySignature } from '../../../../processors/join/state.ts'
import type { DailyAggregate, DayState } from '../../../../processors/join/types.ts'
import { batchesOf, batchId, dayEvents, NOW, UNKNOWN_STANDING_CHARGE, usageBatch, type DaySpec, newJoinState } from './fixtures.ts'

// joinDays: the RxJS operator over source events and batch boundaries. At a boundary, a date
// whose whole batches changed goes out once its pricing is whole and every input it lacks is
// settled (nothing pending for it), at most once per batch; it goes out again when a later
// input or a newer batch of any input becomes whole.

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

const boundary = (settled: Settled = () => true, now = NOW): JoinStep<number> => ({ boundary: true, now, settled, context: 0 })

/** Each batch's events then its boundary, through one joinDays: the aggregates of each batch. */
async function run (batches: Array<{ events: SourceEvent[], settled?: Settled }>, state = newJoinState()): Promise<DailyAggregate[][]> {
  const steps = batches.flatMap(b => [...b.events, boundary(b.settled)])
  const outputs = await lastValueFrom(from(steps).pipe(joinDays<number>(state), toArray()))
  return outputs.map(o => o.aggregates)
}

test('a backfill with every input on the topics: one aggregate per date, the whole day, at the batch boundary', async () => {
  const day = dayEvents('2024-06-15', FLAT)
  // The first batch ends inside usage: its partition still has records past the join's position.
  assert.deepStrictEqual(await run([{ events: day.slice(0, 150), settled: () => false }, { events: day.slice(150) }]), [[], [flatAggregate('2024-06-15')]])
})

test('a day lacking an input that is not settled waits; it goes out once settled, and again when the input arrives late', async () => {
  const day = dayEvents('2024-06-15', FLAT)
  const priced = day.filter(e => e.source !== 'usage')
  const usage = day.filter(e => e.source === 'usage')
  const asked: Array<[string, string, number]> = []
  const pending: Settled = (input, date, since) => { asked.push([input, date, since]); return false }
  assert.deepStrictEqual(await run([
    { events: priced, settled: pending },
    { events: [], settled: () => true },
    { events: usage }
  ]), [[], [pricedAggregate('2024-06-15')], [flatAggregate('2024-06-15')]])
  assert.deepStrictEqual(asked, [['usage', '2024-06-15', NOW]])
})

test('a held day reports how many wait, and settled is asked with when it was first held', async () => {
  const state = newJoinState()
  const priced = dayEvents('2024-06-15', FLAT).filter(e => e.source !== 'usage')
  const since: number[] = []
  const steps: Array<JoinStep<number>> = [...priced, boundary(() => false, NOW), boundary((_i, _d, s) => { since.push(s); return false }, NOW + 500)]
  const outputs = await lastValueFrom(from(steps).pipe(joinDays<number>(state), toArray()))
  assert.deepStrictEqual(outputs.map(o => [o.aggregates.length, o.waiting]), [[0, 1], [0, 1]])
  assert.deepStrictEqual(since, [NOW])
})

test('a newer batch completing emits the day again with the new figures; a re-delivered record does not', async () => {
  const day = dayEvents('2024-06-15', FLAT)
  assert.deepStrictEqual(await run([{ events: day }, { events: day.slice(100, 110) }, { events: usageB2('2024-06-15') }]), [
    [flatAggregate('2024-06-15')],
    [],
    [{
      ...flatAggregate('2024-06-15'),
      kwh: 24,
      cost_inc_vat: 252,
      cost_exc_vat: 240,
      carbon_g: 2400,
      batches: { ...batchesOf('2024-06-15'), usage: batchId('2024-06-15', 'usage', 'b2') }
    }]
  ])
})

test('dates interleaved in one batch: one aggregate each; a date never read still lands with what it owes once usage is settled', async () => {
  const a = dayEvents('2024-06-15', FLAT)
  const b = dayEvents('2024-06-16', FLAT)
  const interleaved = a.flatMap((e, i) => [b[i], e])
  const short = dayEvents('2024-03-31', { ...FLAT, usage: () => undefined })
  const [aggregates] = await run([{ events: [...short, ...interleaved] }])
  assert.deepStrictEqual(aggregates.sort((x, y) => x.date.localeCompare(y.date)), [pricedAggregate('2024-03-31', 46), flatAggregate('2024-06-15'), flatAggregate('2024-06-16')])
})

test('the fold: a date\'s scan starts from the store\'s day in each batch; a day a rebalance dropped between batches starts afresh', async () => {
  const state = newJoinState()
  const steps = new Subject<JoinStep<number>>()
  const out: DailyAggregate[][] = []
  steps.pipe(joinDays<number>(state)).subscribe(o => out.push(o.aggregates))
  const day = dayEvents('2024-06-15', FLAT)
  for (const e of day.slice(0, 100)) steps.next(e)
  steps.next(boundary(() => false))
  // A rebalance drops the date: its group must not keep writing into the dropped state.
  state.days.delete('2024-06-15')
  state.held.delete('2024-06-15')
  for (const e of day) steps.next(e)
  steps.next(boundary())
  steps.complete()
  assert.deepStrictEqual(out, [[], [flatAggregate('2024-06-15')]])
  assert.equal(state.days.get('2024-06-15')?.emitted, daySignature(state.days.get('2024-06-15') as DayState))
})
