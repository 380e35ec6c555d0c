import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BilledResponse, MonthsResponse } from '../../../api/types.ts'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import { billedCost, insertPlan, planOf, PEAK, PLANS, STANDING, summaryOf, SWITCHED, type DayPlan, type SlotPlan } from './billed-rows.ts'
import { createApiFixture } from './fixtures.ts'

// GET /api/billed and the billed sums of GET /api/months against a throwaway Postgres holding the
// rows the pipeline would land (billed-rows.ts: readings, unit rates, smart-charge half-hours,
// Octopus's measurements, the day's summary). Every expected figure is computed here, half-hour
// by half-hour, from the values written — each reason's pence from the half-hours it names —
// never by the code under test.

const near = (actual: number | null | undefined, expected: number, label: string): void => {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${label}: ${String(actual)} ≠ ${expected}`)
}

const dayOf = (body: BilledResponse, date: string): BilledResponse['days'][number] => {
  const day = body.days.find(d => d.date === date)
  assert.ok(day !== undefined, `${date} listed`)
  return day
}
/** Σ over the plan's half-hours of f(slot, its index); slots where f is null count 0. */
const over = (plan: DayPlan, f: (s: SlotPlan, i: number) => number | null): number => plan.slots.reduce((sum, s, i) => sum + (f(s, i) ?? 0), 0)
const pence = (day: BilledResponse['days'][number], code: string): number | null | undefined => day.reasons.find(r => r.code === code)?.pence

test('GET /api/billed lists the days whose billed and computed figures differ by more than 1p, each with its likely reasons', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false })
  for (const plan of PLANS) await insertPlan(pool, plan)

  const res = await app.inject('/api/billed?from=2025-10-01&to=2026-03-31')
  assert.equal(res.statusCode, 200)
  const body: BilledResponse = res.json()
  const sums = PLANS.map(p => ({ date: p.date, ...summaryOf(p) }))
  const compared = sums.filter(s => s.difference !== null)
  const differing = compared.filter(s => Math.abs(s.difference as number) > 1)
  // The clock-change day Octopus agrees on stays within the 46 half-hours' rounding; the day without a standing charge is not compared.
  assert.ok(Math.abs(sums[0].difference as number) <= 46 * 0.005 + 0.0025)
  assert.deepStrictEqual(body.days.map(d => d.date), differing.map(s => s.date).sort().reverse())
  assert.deepStrictEqual([body.from, body.to, body.tolerance_pence, body.days_billed, body.days_compared, body.days_differing],
    ['2025-10-01', '2026-03-31', 1, PLANS.length, PLANS.length - 1, differing.length])
  near(body.billed_inc_vat, compared.reduce((s, d) => s + d.billed, 0), 'billed total')
  near(body.computed_inc_vat, compared.reduce((s, d) => s + d.cost + (d.standing as number), 0), 'computed total')
  near(body.difference, compared.reduce((s, d) => s + (d.difference as number), 0), 'difference total')
  assert.deepStrictEqual(body.source, { running: true, in_sources: false, note: null })

  for (const s of differing) {
    const day = dayOf(body, s.date)
    near(day.billed_inc_vat, s.billed, `${s.date} billed`)
    near(day.computed_inc_vat, s.cost + (s.standing as number), `${s.date} computed`)
    near(day.difference, s.difference as number, `${s.date} difference`)
    const plan = planOf(s.date)
    assert.deepStrictEqual([day.slots_expected, day.usage_slots, day.billed_slots],
      [plan.slots.length, plan.slots.filter(x => x.usage !== null).length, plan.slots.filter(x => x.billed !== null).length], s.date)
  }
  const codes = (date: string): string[] => dayOf(body, date).reasons.map(r => r.code)

  // 50 half-hours, two unread: what Octopus billed for them.
  const autumn = planOf('2025-10-26')
  assert.deepStrictEqual(codes('2025-10-26'), ['readings_missing'])
  near(pence(dayOf(body, '2025-10-26'), 'readings_missing'), over(autumn, s => s.usage === null ? billedCost(s.billed as NonNullable<SlotPlan['billed']>) : null), 'unread cost')
  assert.match(dayOf(body, '2025-10-26').reasons[0].text, /^readings missing: usage has 48 of 50 half-hours; Octopus billed \d+\.\d\dp for the 2 half-hours/)

  // Not measured yet: the pipeline's price of the two half-hours and their share of the standing charge, taken off.
  const unmeasured = planOf('2026-01-13')
  assert.deepStrictEqual(codes('2026-01-13'), ['not_measured'])
  near(pence(dayOf(body, '2026-01-13'), 'not_measured'), -over(unmeasured, s => s.billed === null ? (s.usage as number) * s.rate + STANDING / 48 : null), 'unmeasured cost')

  // The smart charge: the re-pricing's saving; the dispatch half-hours are not "priced differently".
  assert.deepStrictEqual(codes('2026-01-14'), ['dispatch'])
  const dispatch = sums.find(s => s.date === '2026-01-14') as (typeof sums)[number]
  near(pence(dayOf(body, '2026-01-14'), 'dispatch'), dispatch.dispatchSaving, 'dispatch saving')
  assert.ok(Math.abs((dispatch.difference as number) - dispatch.dispatchSaving) < 48 * 0.005 + 0.0025, 'the saving explains the day')
  assert.equal(dayOf(body, '2026-01-14').dispatch_kwh, dispatch.dispatchKwh)

  // Octopus's other rate: the half-hours' difference at the billed kWh, and the worst one named.
  const repriced = planOf('2026-01-15')
  assert.deepStrictEqual(codes('2026-01-15'), ['priced_differently'])
  near(pence(dayOf(body, '2026-01-15'), 'priced_differently'), over(repriced, (s, i) => i >= 30 && i < 36 ? (billedCost(s.billed as NonNullable<SlotPlan['billed']>) as number) - (s.billed as { kwh: number }).kwh * s.rate : null), 'repriced pence')
  const worst = [30, 31, 32, 33, 34, 35].sort((a, b) => {
    const gap = (i: number): number => { const s = repriced.slots[i]; return Math.abs((billedCost(s.billed as NonNullable<SlotPlan['billed']>) as number) - (s.billed as { kwh: number }).kwh * s.rate) }
    return gap(b) - gap(a) || a - b
  })[0]
  // Named by its London time (GMT in January: the UTC hour and minute).
  const worstStart = new Date(slotStarts(londonDay('2026-01-15'))[worst]).toISOString().slice(11, 16)
  assert.ok(dayOf(body, '2026-01-15').reasons[0].text.includes(`e.g. ${worstStart}: billed`), dayOf(body, '2026-01-15').reasons[0].text)

  // The switch the pipeline applied: both the switch and the afternoon priced otherwise.
  assert.deepStrictEqual(codes('2026-01-16'), ['tariff_switch', 'priced_differently'])
  // In the order they came into force.
  assert.deepStrictEqual(dayOf(body, '2026-01-16').tariffs, [PEAK, SWITCHED])
  assert.equal(dayOf(body, '2026-01-16').reasons[0].text, `tariff switch that day: ${PEAK} → ${SWITCHED}`)

  // No standing charge from Octopus: the pipeline's, taken off.
  assert.deepStrictEqual(codes('2026-01-17'), ['standing_missing'])
  assert.equal(pence(dayOf(body, '2026-01-17'), 'standing_missing'), -STANDING)

  // A revised reading, at the unit rate, and the unknown statistic kept and shown.
  const revised = planOf('2026-01-18')
  assert.deepStrictEqual(codes('2026-01-18'), ['readings_differ', 'other_statistics'])
  near(pence(dayOf(body, '2026-01-18'), 'readings_differ'), 0.5 * revised.slots[40].rate, 'revised reading')
  assert.deepStrictEqual(dayOf(body, '2026-01-18').other_statistics, [{ type: 'TOU_BUCKET_COST', label: 'EV LOW RATE', slots: 4, cost_pence: 12 }])
  assert.match(dayOf(body, '2026-01-18').reasons[1].text, /TOU_BUCKET_COST "EV LOW RATE" 12\.00p/)

  // Nothing in the rows explains the stale summary.
  assert.deepStrictEqual(codes('2026-01-19'), ['unexplained'])
})

test('GET /api/months sums the billed figures per month beside the computed ones over the same days', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false })
  for (const plan of PLANS) await insertPlan(pool, plan)
  const body: MonthsResponse = (await app.inject('/api/months?from=2025-10&to=2026-03')).json()
  for (const m of body.months) {
    const sums = PLANS.filter(p => p.date.startsWith(m.month)).map(summaryOf)
    const compared = sums.filter(s => s.difference !== null)
    assert.deepStrictEqual([m.billed_days, m.billed_compared_days], [sums.length, compared.length], m.month)
    near(m.billed_inc_vat, sums.reduce((s, d) => s + d.billed, 0), `${m.month} billed`)
    near(m.billed_computed_inc_vat, compared.reduce((s, d) => s + d.cost + (d.standing as number), 0), `${m.month} computed`)
    near(m.billed_difference, compared.reduce((s, d) => s + (d.difference as number), 0), `${m.month} difference`)
  }
  // January: eight billed days, one (the 20th) without a computed bill to compare.
  const january = body.months.find(m => m.month === '2026-01')
  assert.deepStrictEqual([january?.billed_days, january?.billed_compared_days], [8, 7])
  const year = body.years.find(y => y.year === '2026')
  near(year?.billed_difference, body.months.filter(m => m.month.startsWith('2026')).reduce((s, m) => s + m.billed_difference, 0), '2026 difference')
})

test('GET /api/billed says plainly when the billed source does not run, defaults to the 30 days up to the newest billed day, and refuses bad ranges with a 400 naming the parameter', async t => {
  const { app } = await createApiFixture(t)
  const empty: BilledResponse = (await app.inject('/api/billed')).json()
  // No billed figures: the range ends at the newest day the pipeline has (the known rows' 2024-10-27).
  assert.deepStrictEqual([empty.from, empty.to, empty.days_billed, empty.days, empty.source],
    ['2024-09-28', '2024-10-27', 0, [], { running: false, in_sources: false, note: 'billed source not running: add billed to SOURCES' }])
  const cases: Array<[string, string]> = [
    ['/api/billed?from=2024-13-01', 'from "2024-13-01" is not a date (YYYY-MM-DD)'],
    ['/api/billed?to=2024-02-30', 'to "2024-02-30" is not a date (YYYY-MM-DD)'],
    ['/api/billed?from=1900-01-01&to=1900-01-02', 'from "1900-01-01": year 1900 is out of range (1996-2100)'],
    ['/api/billed?from=2024-10-28&to=2024-10-01', 'from 2024-10-28 is after to 2024-10-01'],
    ['/api/billed?from=2023-01-01&to=2024-01-02', 'from 2023-01-01 to 2024-01-02 is 367 days; at most 366 per request']
  ]
  for (const [url, error] of cases) {
    const res = await app.inject(url)
    assert.deepStrictEqual([res.statusCode, res.json()], [400, { error }], url)
  }
})

test('GET /api/billed: with billed in SOURCES but nothing landed it says what it needs; with rows, the default range ends at the newest billed day', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false, env: { SOURCES: 'co2,mix,pricing,usage,billed' } })
  const before: BilledResponse = (await app.inject('/api/billed')).json()
  assert.deepStrictEqual([before.source.running, before.source.in_sources], [false, true])
  assert.match(before.source.note as string, /^billed is in SOURCES but nothing has landed yet: it needs OCTOPUS_ACCOUNT and OCTOPUS_API_KEY/)
  for (const plan of PLANS) await insertPlan(pool, plan)
  const after: BilledResponse = (await app.inject('/api/billed')).json()
  // The newest billed day is the summer clock change, 2026-03-29: Octopus agrees, nothing listed.
  assert.deepStrictEqual([after.from, after.to, after.days_billed, after.days.length, after.source], ['2026-02-28', '2026-03-29', 1, 0, { running: true, in_sources: true, note: null }])
})
