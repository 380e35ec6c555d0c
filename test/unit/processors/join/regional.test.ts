import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RegionalRecord } from '../../../../processors/source/types.ts'
import { AGGREGATE_INPUTS, aggregateDay } from '../../../../processors/join/aggregate.ts'
import type { SourceEvent } from '../../../../processors/join/operator.ts'
import { applyRecord, createJoinState } from '../../../../processors/join/state.ts'
import type { DailyAggregate, JoinState } from '../../../../processors/join/types.ts'
import { topology } from '../../../../processors/topology.ts'
import { batchOf, dayEvents, DAYS, NOW, type DaySpec, type TestDate } from './fixtures.ts'

// Regional carbon (issue 16): an optional join input of one double a slot, the regional
// forecast. carbon_g_regional = Σ u·i_regional and avg_intensity_regional = carbon_g_regional /
// Σ u over the slots of the electricity figures that regional has; null without regional data.
// Binary-exact values (quarters of a kWh, whole gCO2/kWh), so the sums are exact.

const usage = (i: number): number => (i % 4) * 0.25
const electricity: DaySpec = {
  co2: () => ({ actual: 200, forecast: 210 }),
  mix: () => [{ fuel: 'gas', perc: 50 }, { fuel: 'wind', perc: 50 }],
  pricing: () => ({ exc: 20, inc: 21, standingExc: 50, standingInc: 52.5 }),
  usage
}
const regionalBatch = (date: TestDate, id: string, forecast: (i: number) => number | undefined): RegionalRecord[] =>
  batchOf(date, id, i => {
    const f = forecast(i)
    return f === undefined ? undefined : { region_id: 13, region: 'London', forecast: f, index: 'moderate', generationmix: [{ fuel: 'gas', perc: 100 }] }
  })
const events = (records: RegionalRecord[]): SourceEvent[] => records.map(record => ({ source: 'regional', record }))

const newState = (): JoinState => createJoinState(topology.joinInputs.filter(i => [...AGGREGATE_INPUTS, 'regional'].includes(i.name)))
function apply (state: JoinState, list: SourceEvent[]): number {
  let completions = 0
  for (const { source, record } of list) if (applyRecord(state, source, record)) completions++
  return completions
}
const aggregateOf = (state: JoinState, date: TestDate): DailyAggregate => aggregateDay(state, state.days.get(date) as NonNullable<ReturnType<JoinState['days']['get']>>, NOW) as DailyAggregate

/** Σ u·r and Σ u over the slots `has` keeps, written out. */
function expected (slots: number, forecast: (i: number) => number, has: (i: number) => boolean = () => true): { carbon: number, kwh: number } {
  let carbon = 0
  let kwh = 0
  for (let i = 0; i < slots; i++) {
    if (!has(i)) continue
    carbon += usage(i) * forecast(i)
    kwh += usage(i)
  }
  return { carbon, kwh }
}

for (const date of ['2024-03-31', '2024-06-15', '2024-10-27'] as const) {
  const slots = DAYS[date].slots
  test(`${date} (${slots} slots): carbon_g_regional = Σ u·i_regional, avg = it / Σ u, beside the national figures`, () => {
    const state = newState()
    const forecast = (i: number): number => 100 + 3 * i
    apply(state, [...dayEvents(date, electricity), ...events(regionalBatch(date, `${date}/regional`, forecast))])
    const day = aggregateOf(state, date)
    const { carbon, kwh } = expected(slots, forecast)
    assert.deepStrictEqual([day.carbon_g_regional, day.avg_intensity_regional, day.carbon_g, day.avg_intensity, day.kwh, day.slots_joined, day.complete, day.batches.regional],
      [carbon, carbon / kwh, 200 * kwh, 200, kwh, slots, true, `${date}/regional`])
  })
}

test('without regional the day is computed with null regional figures and incomplete; regional arriving emits it again, complete', () => {
  const date = '2024-06-15'
  const state = newState()
  // Each of the four electricity batches completes in turn.
  assert.equal(apply(state, dayEvents(date, electricity)), 4)
  const without = aggregateOf(state, date)
  assert.deepStrictEqual([without.carbon_g_regional, without.avg_intensity_regional, without.slots_joined, without.complete, 'regional' in without.batches], [null, null, 0, false, false])
  const national = [without.kwh, without.carbon_g, without.avg_intensity, without.cost_inc_vat, without.bill_inc_vat]
  assert.equal(apply(state, events(regionalBatch(date, `${date}/regional`, () => 150))), 1)
  const whole = aggregateOf(state, date)
  assert.deepStrictEqual([whole.kwh, whole.carbon_g, whole.avg_intensity, whole.cost_inc_vat, whole.bill_inc_vat], national)
  assert.deepStrictEqual([whole.carbon_g_regional, whole.avg_intensity_regional, whole.slots_joined, whole.complete], [150 * whole.kwh, 150, 48, true])
})

test('a partial regional day: the figures of the slots it has, those slots alone joined, incomplete', () => {
  const date = '2024-06-15'
  const state = newState()
  const forecast = (i: number): number => 300 - i
  const has = (i: number): boolean => i >= 10
  apply(state, [...dayEvents(date, electricity), ...events(regionalBatch(date, `${date}/regional`, i => has(i) ? forecast(i) : undefined))])
  const day = aggregateOf(state, date)
  const { carbon, kwh } = expected(48, forecast, has)
  assert.deepStrictEqual([day.carbon_g_regional, day.avg_intensity_regional, day.slots_joined, day.complete], [carbon, carbon / kwh, 38, false])
  // The national figures still cover every slot.
  assert.equal(day.kwh, expected(48, forecast).kwh)
})

test('regional only where the electricity figures are not computed (no usage there): null; a day of zero usage: 0 g, no average', () => {
  const date = '2024-06-15'
  const gap = newState()
  apply(gap, [...dayEvents(date, { ...electricity, usage: i => i < 24 ? usage(i) : undefined }), ...events(regionalBatch(date, `${date}/regional`, i => i >= 24 ? 100 : undefined))])
  const apart = aggregateOf(gap, date)
  assert.deepStrictEqual([apart.carbon_g_regional, apart.avg_intensity_regional, apart.slots_joined], [null, null, 0])

  const idle = newState()
  apply(idle, [...dayEvents(date, { ...electricity, usage: () => 0 }), ...events(regionalBatch(date, `${date}/regional`, () => 100))])
  const zero = aggregateOf(idle, date)
  assert.deepStrictEqual([zero.carbon_g_regional, zero.avg_intensity_regional, zero.avg_intensity, zero.complete], [0, null, null, true])
})

test('a regional record with a forecast outside 0..2000 is refused by the join\'s check', () => {
  const [record] = regionalBatch('2024-06-15', 'bad', i => i === 0 ? 1e9 : undefined)
  const input = topology.joinInputs.find(i => i.name === 'regional')
  assert.throws(() => input?.join.check?.(record), { code: 'ENERGY_INVALID_RECORD', message: 'forecast 1000000000 is outside 0..2000' })
})
