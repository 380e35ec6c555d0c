import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addDays, londonDay, slotStarts } from '../../../lib/london-day.ts'
import type { CompareResult } from '../../../api/compare/index.ts'
import { startSampleServer } from '../../pipeline.ts'
import { createApiFixture, insertHousehold, kwhOf } from './fixtures.ts'

// GET /api/compare against the sample Octopus API: each candidate's figure is recomputed here
// from the rates the API answers (its JSON, paged, read by this test) and the readings the
// test wrote, over a quarter that crosses the October clock change (a 50-slot day).

const FROM = '2024-09-01'
const TO = '2024-11-30'

/** Every date from..to inclusive. */
function datesOf (from: string, to: string): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d)
  return out
}

interface Row { value_inc_vat: number, valid_from: string, valid_to: string | null, payment_method: string | null }

/** Every row of a paged Octopus list, read with fetch. */
async function pages (url: string): Promise<Row[]> {
  const rows: Row[] = []
  for (let next: string | null = url; next !== null;) {
    const body = await (await fetch(next)).json() as { results: Row[], next: string | null }
    rows.push(...body.results)
    next = body.next
  }
  return rows
}

/** What a tariff would have cost over the dates: Σ kWh × the unit rate in force at each slot, plus the standing charge at each day's first slot. */
async function recompute (octopus: string, product: string, tariff: string, dates: readonly string[]): Promise<{ value: number, days: number }> {
  const start = londonDay(dates[0]).startMs
  const end = londonDay(dates[dates.length - 1]).endMs
  const query = `?period_from=${new Date(start).toISOString()}&period_to=${new Date(end).toISOString()}&page_size=1500`
  const base = `${octopus}/products/${product}/electricity-tariffs/${tariff}`
  const inForce = (rows: Row[], ms: number): number | undefined =>
    rows.find(r => Date.parse(r.valid_from) <= ms && (r.valid_to === null || ms < Date.parse(r.valid_to)) && (r.payment_method === null || r.payment_method === 'DIRECT_DEBIT'))?.value_inc_vat
  const units = await pages(`${base}/standard-unit-rates/${query}`)
  const standing = await pages(`${base}/standing-charges/${query}`)
  let value = 0
  let days = 0
  for (const date of dates) {
    const starts = slotStarts(londonDay(date))
    const rates = starts.map(ms => inForce(units, ms))
    const charge = inForce(standing, starts[0])
    if (rates.some(r => r === undefined) || charge === undefined) continue
    days++
    value += starts.reduce((s, ms, i) => s + kwhOf(ms) * (rates[i] as number), 0) + charge
  }
  return { value, days }
}

test('GET /api/compare prices the household\'s half-hours on Agile and on a flat tariff as a recomputation from the rates does, across a clock change', async t => {
  const sample = await startSampleServer(t)
  const { app, pool } = await createApiFixture(t, { rows: false, env: { OCTOPUS_API_URL: sample.octopusApiUrl, OCTOPUS_TARIFF: 'E-1R-AGILE-FLEX-22-11-25-C' } })
  const dates = datesOf(FROM, TO)
  await insertHousehold(pool, dates)
  const res = await app.inject(`/api/compare?from=${FROM}&to=${TO}&tariffs=AGILE-FLEX-22-11-25,VAR-22-11-01`)
  assert.equal(res.statusCode, 200, res.body)
  const body: CompareResult = res.json()
  assert.deepStrictEqual([body.from, body.to, body.region], [FROM, TO, 'C'])
  const actual = dates.reduce((s, date) => s + slotStarts(londonDay(date)).reduce((k, ms) => k + kwhOf(ms), 0) * 20 + 50, 0)
  for (const [product, tariff] of [['AGILE-FLEX-22-11-25', 'E-1R-AGILE-FLEX-22-11-25-C'], ['VAR-22-11-01', 'E-1R-VAR-22-11-01-C']]) {
    const c = body.candidates.find(x => x.product === product)
    assert.ok(c !== undefined, product)
    const expected = await recompute(sample.octopusApiUrl, product, tariff, dates)
    assert.equal(expected.days, dates.length, `${product}: the sample has rates for every day`)
    assert.equal(c.tariff_code, tariff)
    assert.deepStrictEqual([c.days_with_readings, c.days_compared, c.first_compared, c.last_compared], [91, 91, FROM, TO])
    assert.ok(Math.abs(c.value_inc_vat - expected.value) <= 1e-9 * expected.value, `${product}: ${c.value_inc_vat} vs ${expected.value}`)
    assert.ok(Math.abs(c.actual_inc_vat - actual) <= 1e-9 * actual)
    assert.ok(Math.abs(c.better_by - (actual - expected.value)) <= 1e-6)
    assert.equal(c.note, 'compared over all 91 days with readings')
  }
  // Ranked: the one that would have saved more first (per compared day).
  assert.ok(body.candidates[0].better_by >= body.candidates[1].better_by)

  // Asked again, the rates are kept: no upstream request at all.
  const before = sample.requests.length
  const again = (await app.inject(`/api/compare?from=${FROM}&to=${TO}&tariffs=AGILE-FLEX-22-11-25,VAR-22-11-01`)).json() as CompareResult
  assert.equal(sample.requests.length, before)
  assert.deepStrictEqual(again, body)
})

test('a candidate without rates for part of the period says over how many days it compared, never pricing the rest at zero', async t => {
  const sample = await startSampleServer(t)
  const { app, pool } = await createApiFixture(t, { rows: false, env: { OCTOPUS_API_URL: sample.octopusApiUrl, OCTOPUS_TARIFF: 'E-1R-AGILE-FLEX-22-11-25-C' } })
  // AGILE-24-10-01 launched on 2024-10-01: September has no rates.
  await insertHousehold(pool, datesOf('2024-09-21', '2024-10-10'))
  const body = (await app.inject('/api/compare?from=2024-09-21&to=2024-10-10&tariffs=AGILE-24-10-01')).json() as CompareResult
  const [c] = body.candidates
  assert.deepStrictEqual([c.days_with_readings, c.days_compared, c.first_compared, c.note], [20, 10, '2024-10-01', 'no rates before 2024-10-01; compared over 10 of 20 days with readings'])
  const expected = await recompute(sample.octopusApiUrl, 'AGILE-24-10-01', 'E-1R-AGILE-24-10-01-C', datesOf('2024-10-01', '2024-10-10'))
  assert.ok(Math.abs(c.value_inc_vat - expected.value) <= 1e-9 * expected.value, `${c.value_inc_vat} vs ${expected.value}`)
})

test('GET /api/compare refuses bad periods and tariff lists with a 400 naming the parameter, and never asks upstream for them', async t => {
  const sample = await startSampleServer(t)
  const { app } = await createApiFixture(t, { rows: false, env: { OCTOPUS_API_URL: sample.octopusApiUrl } })
  const many = Array.from({ length: 300 }, (_, i) => `P${i}-24-01-01`).join(',')
  const cases: Array<[string, string]> = [
    ['/api/compare?from=2024-10-05&to=2024-10-01', 'from 2024-10-05 is after to 2024-10-01'],
    ['/api/compare?from=1996-01-01&to=2024-10-01', 'from 1996-01-01 to 2024-10-01 is 10502 days; at most 1100 per comparison'],
    ['/api/compare?from=2024-02-30', 'from "2024-02-30" is not a date (YYYY-MM-DD)'],
    [`/api/compare?tariffs=${many}`, 'tariffs names 300 candidates; at most 20 per request'],
    ['/api/compare?tariffs=agile,cheapest', 'tariffs: "cheapest" is neither a family (agile, go, intelligent_go, cosy, flux, tracker, flexible, fixed, outgoing_fixed, agile_outgoing, flux_export, flexible_gas, fixed_gas, tracker_gas) nor a product code such as AGILE-24-10-01']
  ]
  for (const [url, error] of cases) {
    const res = await app.inject(url)
    assert.deepStrictEqual([res.statusCode, res.json()], [400, { error }], url)
  }
  assert.equal(sample.requests.length, 0)
})

test('families resolve to the products on sale (Agile, a 12-month fixed, Go with its windows) and price a spring quarter with a 46-slot day as the rates do', async t => {
  const sample = await startSampleServer(t, { now: () => Date.parse('2025-06-01T12:00:00Z') })
  const { app, pool } = await createApiFixture(t, { rows: false, env: { OCTOPUS_API_URL: sample.octopusApiUrl, OCTOPUS_TARIFF: 'E-1R-AGILE-FLEX-22-11-25-C' } })
  const dates = datesOf('2025-02-01', '2025-04-30')
  await insertHousehold(pool, dates)
  const res = await app.inject('/api/compare?from=2025-02-01&to=2025-04-30&tariffs=agile,fixed,go')
  assert.equal(res.statusCode, 200, res.body)
  const body: CompareResult = res.json()
  assert.deepStrictEqual(body.candidates.map(c => [c.name, c.product]).sort(), [['agile', 'AGILE-24-10-01'], ['fixed', 'OE-FIX-12M-24-12-14'], ['go', 'GO-VAR-22-10-14']])
  for (const c of body.candidates) {
    const expected = await recompute(sample.octopusApiUrl, c.product as string, c.tariff_code as string, dates)
    assert.equal(expected.days, 89, `${c.name}: rates every day`)
    assert.deepStrictEqual([c.days_with_readings, c.days_compared], [89, 89], c.name)
    assert.ok(Math.abs(c.value_inc_vat - expected.value) <= 1e-9 * expected.value, `${c.name}: ${c.value_inc_vat} vs ${expected.value}`)
  }
})
