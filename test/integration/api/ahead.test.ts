import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WEIGHTING } from '../../../api/ahead.ts'
import type { AheadResponse } from '../../../api/routes/ahead.ts'
import type { Pool } from '../../../lib/db.ts'
import { localDateOf, SLOT_MS } from '../../../lib/london-day.ts'
import { createApiFixture } from './fixtures.ts'

// GET /api/ahead against a throwaway database holding forecast rows written here, at a fixed
// clock: the next 48 hours from the current half-hour, and the best windows among them.

const at = (iso: string): number => Date.parse(iso)
const iso = (ms: number): string => new Date(ms).toISOString()
const FETCHED = '2024-06-15T10:00:00.000Z'

interface ForecastSlot { price: number | null, intensity: number | null, index?: string, tariff?: string }

/** Rows of energy_usage.forecast from `first`, one per slot, as the forecast sink writes them. */
async function insertForecast (pool: Pool, first: string, slots: ForecastSlot[], region: string | null = 'South England'): Promise<void> {
  for (const [i, s] of slots.entries()) {
    const start = at(first) + i * SLOT_MS
    await pool.query(`INSERT INTO energy_usage.forecast (slot_start, slot_end, local_date, fetched_at, intensity_forecast, intensity_index,
        region_id, region, price_inc_vat, price_exc_vat, tariff_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [new Date(start), new Date(start + SLOT_MS), localDateOf(start), FETCHED, s.intensity, s.intensity === null ? null : s.index ?? 'moderate',
      region === null ? null : 12, region, s.price, s.price === null ? null : s.price / 1.05, s.price === null ? null : s.tariff ?? 'E-1R-AGILE-FLEX-22-11-25-C'])
  }
}

const slotsOf = (prices: Array<number | null>, intensities: Array<number | null>): ForecastSlot[] => prices.map((price, i) => ({ price, intensity: intensities[i] }))

test('GET /api/ahead: the slots from the current half-hour to +48 h and the best windows of a known forecast', async t => {
  const now = at('2024-06-15T10:10:00Z')
  const { app, pool } = await createApiFixture(t, { rows: false, now: () => now })
  // 09:30Z has begun before now's half-hour: history, not ahead. Then 10:00Z on, as in
  // test/unit/api/ahead.test.ts (hand-computed there), and one slot 48 h on: beyond the horizon.
  await insertForecast(pool, '2024-06-15T09:30:00Z', slotsOf([0.5], [5]))
  await insertForecast(pool, '2024-06-15T10:00:00Z', slotsOf([10, 20, 5, 5, 30, 8, 8, 2, null, 1], [100, 50, 200, 180, 40, 60, 70, 300, 5, 10]))
  await insertForecast(pool, '2024-06-17T10:00:00Z', slotsOf([0.1], [1]))

  const res = await app.inject('/api/ahead?hours=1')
  assert.equal(res.statusCode, 200)
  assert.equal(res.headers['cache-control'], 'no-store')
  const body: AheadResponse = res.json()
  assert.deepStrictEqual(body.slots.slice(0, 2), [
    { start: '2024-06-15T10:00:00.000Z', end: '2024-06-15T10:30:00.000Z', price_inc_vat: 10, intensity: 100, index: 'moderate' },
    { start: '2024-06-15T10:30:00.000Z', end: '2024-06-15T11:00:00.000Z', price_inc_vat: 20, intensity: 50, index: 'moderate' }
  ])
  assert.deepStrictEqual(body.slots[8], { start: '2024-06-15T14:00:00.000Z', end: '2024-06-15T14:30:00.000Z', price_inc_vat: null, intensity: 5, index: 'moderate' })
  assert.deepStrictEqual({ ...body, slots: body.slots.length }, {
    now: '2024-06-15T10:10:00.000Z',
    hours: 1,
    from: '2024-06-15T10:00:00.000Z',
    to: '2024-06-17T10:00:00.000Z',
    region: 'South England',
    tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C',
    fetched_at: FETCHED,
    slots: 10,
    best: {
      cheapest: { start: '2024-06-15T11:00:00.000Z', end: '2024-06-15T12:00:00.000Z', avg_price_inc_vat: 5, avg_intensity: 190 },
      greenest: { start: '2024-06-15T12:00:00.000Z', end: '2024-06-15T13:00:00.000Z', avg_price_inc_vat: 19, avg_intensity: 50 },
      balanced: { start: '2024-06-15T12:30:00.000Z', end: '2024-06-15T13:30:00.000Z', avg_price_inc_vat: 8, avg_intensity: 65 }
    },
    reason: null,
    weighting: WEIGHTING
  })
  assert.match(body.weighting, /50\/50/)
  // Default: 2 hours; the whole known run is 4 hours, so 4.5 has no window and says why.
  assert.equal((await app.inject('/api/ahead')).json().hours, 2)
  const long: AheadResponse = (await app.inject('/api/ahead?hours=4.5')).json()
  assert.deepStrictEqual([long.best, long.reason], [{ cheapest: null, greenest: null, balanced: null },
    'no run of 4.5 h (9 consecutive half-hours) with both a price and a carbon intensity in the forecast: 9 of its 10 half-hours have both'])
})

test('GET /api/ahead with an empty forecast: no slots, no windows, and the reason', async t => {
  const { app } = await createApiFixture(t, { rows: false, now: () => at('2024-06-15T10:10:00Z') })
  const body: AheadResponse = (await app.inject('/api/ahead?hours=3')).json()
  assert.deepStrictEqual(body, {
    now: '2024-06-15T10:10:00.000Z',
    hours: 3,
    from: '2024-06-15T10:00:00.000Z',
    to: '2024-06-17T10:00:00.000Z',
    region: null,
    tariff_code: null,
    fetched_at: null,
    slots: [],
    best: { cheapest: null, greenest: null, balanced: null },
    reason: 'no forecast from the current half-hour on: energy_usage.forecast is empty (is the forecast component running? npm start runs it)',
    weighting: WEIGHTING
  })
})

test('GET /api/ahead on a fixed tariff: the earliest window is the cheapest, balanced is the greenest', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false, now: () => at('2024-06-15T10:00:00Z') })
  await insertForecast(pool, '2024-06-15T10:00:00Z', [300, 200, 100, 150, 100, 250].map(intensity => ({ price: 24.5, intensity, tariff: 'E-1R-VAR-22-11-01-C' })), null)
  const body: AheadResponse = (await app.inject('/api/ahead?hours=1')).json()
  const greenest = { start: '2024-06-15T11:00:00.000Z', end: '2024-06-15T12:00:00.000Z', avg_price_inc_vat: 24.5, avg_intensity: 125 }
  assert.deepStrictEqual(body.best, {
    cheapest: { start: '2024-06-15T10:00:00.000Z', end: '2024-06-15T11:00:00.000Z', avg_price_inc_vat: 24.5, avg_intensity: 250 },
    greenest,
    balanced: greenest
  })
  assert.deepStrictEqual([body.region, body.tariff_code], [null, 'E-1R-VAR-22-11-01-C'])
})

test('GET /api/ahead across London midnight and the autumn change: windows are runs of UTC half-hours', async t => {
  // 23:40 BST on 26 October 2024: London midnight is 23:00Z, the clocks go back at 01:00Z.
  const { app, pool } = await createApiFixture(t, { rows: false, now: () => at('2024-10-26T22:40:00Z') })
  // 22:30Z (23:30 BST) to 03:00Z (03:00 GMT): 9 slots. Cheapest 2 h: 22:30Z-00:30Z (23:30 BST to
  // 01:30 BST, over midnight); greenest 2 h: 00:30Z-02:30Z (01:30 BST to 02:30 GMT, over the change).
  await insertForecast(pool, '2024-10-26T22:30:00Z', slotsOf([1, 2, 3, 4, 20, 20, 20, 20, 20], [300, 300, 300, 300, 10, 20, 30, 40, 300]))
  const body: AheadResponse = (await app.inject('/api/ahead?hours=2')).json()
  assert.deepStrictEqual(body.best, {
    cheapest: { start: '2024-10-26T22:30:00.000Z', end: '2024-10-27T00:30:00.000Z', avg_price_inc_vat: 2.5, avg_intensity: 300 },
    greenest: { start: '2024-10-27T00:30:00.000Z', end: '2024-10-27T02:30:00.000Z', avg_price_inc_vat: 20, avg_intensity: 25 },
    balanced: { start: '2024-10-27T00:30:00.000Z', end: '2024-10-27T02:30:00.000Z', avg_price_inc_vat: 20, avg_intensity: 25 }
  })
  // The rows' London dates as the sink writes them: the 26th, then seven of the 27th (a 50-slot day).
  assert.deepStrictEqual(body.slots.map(s => localDateOf(at(s.start))), ['2024-10-26', ...Array(8).fill('2024-10-27')])
  assert.deepStrictEqual(body.slots.map(s => at(s.end) - at(s.start)), Array(9).fill(SLOT_MS))
})

test('GET /api/ahead?hours=… outside half-hour steps from 0.5 to 24 is a 400 saying what it takes; a stored NaN reads as null', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false, now: () => at('2024-06-15T10:00:00Z') })
  for (const bad of ['abc', '0', '0.25', '25', '-1', '1e1', '']) {
    const res = await app.inject(`/api/ahead?hours=${encodeURIComponent(bad)}`)
    assert.equal(res.statusCode, 400, bad)
    assert.deepStrictEqual(res.json(), { error: `hours "${bad}" is not a run length: give hours from 0.5 to 24 in half-hour steps (e.g. 2 or 1.5)` })
  }
  await insertForecast(pool, '2024-06-15T10:00:00Z', slotsOf([Number.NaN, 10], [100, 100]))
  const body: AheadResponse = (await app.inject('/api/ahead?hours=0.5')).json()
  assert.deepStrictEqual(body.slots.map(s => s.price_inc_vat), [null, 10])
  assert.equal(body.best.cheapest?.start, iso(at('2024-06-15T10:30:00Z')))
})
