import assert from 'node:assert/strict'
import { test } from 'node:test'
import type pg from 'pg'
import { SLOT_MS } from '../../../lib/london-day.ts'
import { createForecastComponent, forecastTarget } from '../../../processors/forecast/index.ts'
import { seedAccount } from '../../../processors/ingest/seed.ts'
import { topicIn } from '../../../processors/topology.ts'
import { agileRate, forecastAt, intensityIndex, regionalIntensity, regionOfOutcode } from '../../../sample-api/index.ts'
import {
  captureLog, createTestEnvironment, defer, expectedRows, readTopic, SAMPLE_SEED, sinksCaughtUp, startPipelineChild, startSampleServer, startSinks, tableRows, testPool,
  waitFor, type TestEnvironment
} from '../../pipeline.ts'

// Issue 16, the forecast: the next 48 hours of carbon intensity (the household's region, else
// national) and import unit rates flow through energy.forecast into energy_usage.forecast, the
// latest forecast per slot winning, and leave it for settled history once their day is seeded.
// Expected values come from the sample API's own data functions at its clock.

const at = (iso: string): number => Date.parse(iso)
const iso = (ms: number): string => new Date(ms).toISOString()

interface Row {
  start: string
  intensity: number | null
  index: string | null
  region_id: number | null
  region: string | null
  price: number | null
  tariff: string | null
  fetched_at: string
}

async function forecastRows (pool: pg.Pool): Promise<Row[]> {
  const { rows } = await pool.query<{ slot_start: Date, intensity_forecast: number | null, intensity_index: string | null, region_id: number | null, region: string | null, price_inc_vat: number | null, tariff_code: string | null, fetched_at: Date }>(
    'SELECT slot_start, intensity_forecast, intensity_index, region_id, region, price_inc_vat, tariff_code, fetched_at FROM energy_usage.forecast ORDER BY slot_start')
  return rows.map(r => ({
    start: iso(r.slot_start.getTime()),
    intensity: r.intensity_forecast,
    index: r.intensity_index,
    region_id: r.region_id,
    region: r.region,
    price: r.price_inc_vat,
    tariff: r.tariff_code,
    fetched_at: iso(r.fetched_at.getTime())
  }))
}

/** The slots of the 48 hours from the half-hour holding `nowMs`. */
function horizon (nowMs: number): number[] {
  const first = Math.floor(nowMs / SLOT_MS) * SLOT_MS
  return Array.from({ length: 96 }, (_, i) => first + i * SLOT_MS)
}

/** What the sample API forecasts for a slot at `nowMs`, as a row; Agile rates up to `pricedUntil`. */
function expectedRow (start: number, nowMs: number, pricedUntil: number, region?: { id: number, name: string }, tariff = 'E-1R-AGILE-FLEX-22-11-25-C'): Row {
  const intensity = region === undefined ? forecastAt(SAMPLE_SEED, start, nowMs) : regionalIntensity(SAMPLE_SEED, region.id, start, nowMs).forecast
  return {
    start: iso(start),
    intensity,
    index: region === undefined ? intensityIndex(intensity) : regionalIntensity(SAMPLE_SEED, region.id, start, nowMs).index,
    region_id: region?.id ?? null,
    region: region?.name ?? null,
    price: start < pricedUntil ? agileRate(SAMPLE_SEED, start).value_inc_vat : null,
    tariff: start < pricedUntil ? tariff : null,
    fetched_at: iso(nowMs)
  }
}

/** The table equals the latest record per key of energy.forecast (tombstones delete). */
async function assertTableIsTopic (env: TestEnvironment, pool: pg.Pool): Promise<void> {
  const messages = await readTopic<unknown>(env, topicIn(env.config, 'energy.forecast'))
  assert.deepStrictEqual(await tableRows(pool, forecastTarget), expectedRows(forecastTarget, messages), 'energy_usage.forecast equals energy.forecast')
}

test('the regional forecast and Agile rates land per half-hour; a later fetch revises them; seeded days move to settled history', async t => {
  // 15:10 UTC (GMT): Agile rates known to midnight; at 16:40 tomorrow's are out too.
  let clock = at('2024-12-01T15:10:00Z')
  const sample = await startSampleServer(t, { now: () => clock })
  const env = await createTestEnvironment(t, 'forecast', sample, { CARBON_REGION_ID: '12' })
  const pool = testPool(t, env)
  await startSinks(t, env, pool, [forecastTarget])
  const out = captureLog('info')
  const forecast = createForecastComponent({ config: env.config, codec: env.codec, log: out.log, now: () => clock, options: { refreshMs: 300 } })
  await forecast.start()
  defer(t, () => forecast.stop())
  const south = { id: 12, name: 'South England' }

  const first = clock
  const fetchedAt = async (ms: number): Promise<Row[]> => (await forecastRows(pool)).filter(r => r.fetched_at === iso(ms))
  await waitFor('the first forecast', async () => (await fetchedAt(first)).length === 96, 30000, 200)
  const midnight = at('2024-12-02T00:00:00Z')
  assert.deepStrictEqual(await forecastRows(pool), horizon(first).map(s => expectedRow(s, first, midnight, south)))
  assert.equal((await forecastRows(pool)).filter(r => r.price !== null).length, 18, '15:00-24:00 priced')
  // One call for the forecast, one for the rates: the regional fw48h a minute into the slot.
  assert.ok(sample.requests.some(r => r.path === '/carbon/regional/intensity/2024-12-01T15:01Z/fw48h/regionid/12'), 'regional fw48h asked for')

  // 16:40: a new issue of the forecast revises the slots ahead, and tomorrow's rates are out.
  clock = at('2024-12-01T16:40:00Z')
  const second = clock
  await waitFor('the revised forecast', async () => (await fetchedAt(second)).length === 96, 30000, 200)
  const revised = horizon(second).filter(s => s < horizon(first)[95] && expectedRow(s, second, 0, south).intensity !== expectedRow(s, first, 0, south).intensity)
  assert.ok(revised.length > 10, `the sample revises most slots ahead (${revised.length})`)
  const rows = await forecastRows(pool)
  assert.deepStrictEqual(rows, [
    // 15:00-16:30 have begun: the first fetch's rows stay until their day is seeded.
    ...horizon(first).slice(0, 3).map(s => expectedRow(s, first, midnight, south)),
    ...horizon(second).map(s => expectedRow(s, second, at('2024-12-03T00:00:00Z'), south))
  ])
  assert.ok(rows.some(r => r.start === iso(revised[0]) && r.intensity === expectedRow(revised[0], second, 0, south).intensity), 'the latest forecast wins')

  // 2024-12-01 seeded (a daily_summary row): its slots that have ended leave the forecast.
  await pool.query("INSERT INTO energy_usage.daily_summary (date, kwh, cost_inc_vat, cost_exc_vat, carbon_g, mix, slots_expected, slots_joined, complete) VALUES ('2024-12-01', 1, 1, 1, 1, '{}', 48, 48, true)")
  clock = at('2024-12-01T17:10:00Z')
  const third = clock
  await waitFor('the seeded slots to leave', async () => {
    const now = await forecastRows(pool)
    return now.length === 96 && now.every(r => r.fetched_at === iso(third))
  }, 30000, 200)
  assert.equal((await forecastRows(pool))[0].start, '2024-12-01T17:00:00.000Z', '15:00-17:00 are settled history now; 17:00-17:30 is still ahead')
  await forecast.stop()
  // Tombstones on the topic: the four slots, each once (a refresh may have run between the
  // INSERT and the clock's move, tombstoning the first three at 16:40).
  const tombstones = (await readTopic<unknown>(env, topicIn(env.config, 'energy.forecast'))).filter(m => m.value === null).map(m => m.key)
  assert.deepStrictEqual(tombstones, ['2024-12-01T15:00:00.000Z', '2024-12-01T15:30:00.000Z', '2024-12-01T16:00:00.000Z', '2024-12-01T16:30:00.000Z'])
  assert.ok(out.lines().some(l => l.msg === 'forecast slots of seeded days moved to settled history'))
  await waitFor('the sink', () => sinksCaughtUp(env, pool, [forecastTarget]), 10000, 200)
  await assertTableIsTopic(env, pool)
})

test('without a region the national forecast; a failing, empty or hostile answer keeps the previous forecast and the component goes on', async t => {
  let clock = at('2024-12-01T15:10:00Z')
  const sample = await startSampleServer(t, { now: () => clock })
  const env = await createTestEnvironment(t, 'forecast_faults', sample, { HTTP_RETRIES: '0' })
  const pool = testPool(t, env)
  await startSinks(t, env, pool, [forecastTarget])
  const out = captureLog('info')
  const forecast = createForecastComponent({ config: env.config, codec: env.codec, log: out.log, now: () => clock, options: { refreshMs: 200 } })
  await forecast.start()
  defer(t, () => forecast.stop())

  const first = clock
  const midnight = at('2024-12-02T00:00:00Z')
  await waitFor('the first forecast', async () => (await forecastRows(pool)).length === 96, 30000, 200)
  assert.deepStrictEqual(await forecastRows(pool), horizon(first).map(s => expectedRow(s, first, midnight)))
  assert.ok(sample.requests.some(r => r.path === '/carbon/intensity/2024-12-01T15:01Z/fw48h'), 'national fw48h asked for')

  const warned = (msg: string, err?: RegExp): boolean => out.lines().some(l => l.level === 40 && l.msg === msg && (err === undefined || err.test(String(l.err))))
  // Each fault at a later clock: the rates move on (tomorrow's after 16:00), the intensities stay.
  const cases: Array<[kind: string, iso: string, msg: string, err?: RegExp]> = [
    ['500', '2024-12-01T16:10:00Z', 'carbon forecast not read, keeping the previous forecast', /HTTP 500/],
    ['empty', '2024-12-01T16:40:00Z', 'carbon forecast answer is empty, keeping the previous forecast'],
    ['out-of-range', '2024-12-01T17:10:00Z', 'carbon forecast not read, keeping the previous forecast', /forecast answer is malformed: data\[0\]\.intensity\.forecast is 1e\+308, outside 0\.\.2000/],
    ['malformed', '2024-12-01T17:40:00Z', 'carbon forecast not read, keeping the previous forecast']
  ]
  for (const [kind, when, msg, err] of cases) {
    sample.api.setFaults([{ source: 'forecast', kind: kind as 'empty' }])
    clock = at(when)
    const now = clock
    await waitFor(`the refresh with a ${kind} answer`, async () => (await forecastRows(pool)).some(r => r.fetched_at === iso(now)), 30000, 200)
    assert.ok(warned(msg, err), `${kind}: "${msg}" logged`)
    const rows = await forecastRows(pool)
    for (const r of rows) {
      const start = at(r.start)
      const old = expectedRow(start, first, 0)
      assert.equal(r.intensity, start < horizon(first)[95] + SLOT_MS ? old.intensity : null, `${kind}: ${r.start} keeps the first forecast's intensity`)
    }
    const priced = rows.filter(r => at(r.start) >= Math.floor(now / SLOT_MS) * SLOT_MS && r.price !== null).length
    assert.equal(priced, (at('2024-12-03T00:00:00Z') - Math.floor(now / SLOT_MS) * SLOT_MS) / SLOT_MS, `${kind}: the rates moved on`)
  }

  // Both parts failing: nothing is produced, the table stays, the component keeps refreshing.
  sample.api.setFaults([{ source: 'forecast', kind: '500' }, { source: 'pricing', kind: '500' }])
  const before = await forecastRows(pool)
  const refreshes = forecast.refreshed()
  clock = at('2024-12-01T18:10:00Z')
  await waitFor('two refreshes with both parts down', async () => forecast.refreshed() >= refreshes + 2, 30000, 100)
  assert.ok(warned('prices ahead not read, keeping the previous prices', /HTTP 500/))
  assert.deepStrictEqual(await forecastRows(pool), before, 'nothing new, nothing produced')

  // The upstream back: the forecast is whole again.
  sample.api.setFaults([])
  clock = at('2024-12-01T18:40:00Z')
  const back = clock
  await waitFor('the forecast back', async () => (await forecastRows(pool)).filter(r => r.fetched_at === iso(back)).length === 96, 30000, 200)
  assert.deepStrictEqual((await forecastRows(pool)).filter(r => r.fetched_at === iso(back)), horizon(back).map(s => expectedRow(s, back, at('2024-12-03T00:00:00Z'))))
})

test('with OCTOPUS_ACCOUNT: the region of the account\'s postcode and the rates of its import agreement', async t => {
  const clock = at('2024-12-01T16:10:00Z')
  const sample = await startSampleServer(t, { now: () => clock })
  const env = await createTestEnvironment(t, 'forecast_account', sample, { OCTOPUS_ACCOUNT: 'A-1234ABCD' })
  const pool = testPool(t, env)
  await startSinks(t, env, pool, [forecastTarget])
  await seedAccount({ config: env.config, codec: env.codec, log: captureLog().log })
  const forecast = createForecastComponent({ config: env.config, codec: env.codec, log: captureLog().log, now: () => clock })
  await forecast.start()
  defer(t, () => forecast.stop())
  await waitFor('the forecast', async () => (await forecastRows(pool)).length === 96, 30000, 200)
  // The property in force now is SW1A 1AA's (sample-api/account.ts).
  const region = regionOfOutcode('SW1A')
  assert.ok(region !== undefined)
  assert.deepStrictEqual(await forecastRows(pool), horizon(clock).map(s => expectedRow(s, clock, at('2024-12-03T00:00:00Z'), { id: region.regionid, name: region.shortname }, 'E-1R-AGILE-24-10-01-C')))
})

test('npm start -- --only forecast,sinks runs the forecast on instance 1; SIGTERM stops it promptly, exit 0', async t => {
  // The child's clock is the real one: the sample API forecasts any 48 hours, and has no rates
  // that far past its own clock (2024-12-01), so every slot has an intensity and no price.
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'forecast_child', sample)
  const pool = testPool(t, env)
  const out = captureLog()
  const child = startPipelineChild(t, env, 'forecast,sinks', out.stream)
  await waitFor('the forecast from the child', async () => (await forecastRows(pool)).length === 96, 60000, 300)
  const rows = await forecastRows(pool)
  assert.ok(rows.every(r => r.intensity !== null && r.price === null && r.region === null), 'national intensities, no rates published yet')
  // From the current half-hour (or the one before, should a boundary have passed since).
  assert.ok(at(rows[0].start) % SLOT_MS === 0 && Date.now() - at(rows[0].start) < 2 * SLOT_MS, rows[0].start)
  assert.ok(out.lines().some(l => l.msg === 'pipeline running' && JSON.stringify(l.components) === '["forecast","sinks"]'), out.text().slice(-2000))
  const stopping = performance.now()
  assert.equal(await child.stop(), 0)
  assert.ok(performance.now() - stopping < 10000, 'stopped within 10 s')
  assert.ok(out.lines().some(l => l.msg === 'forecast stopped'))
})
