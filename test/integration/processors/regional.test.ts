import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, londonSpan, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import { captureLog, createTestEnvironment, readRaw, seedDates, startPipeline, startSampleServer, startSourceProcessors, testPool, waitFor, type SampleServer } from '../../pipeline.ts'
import type { Pool } from '../../../lib/db.ts'
import { ACCOUNT, allResults, answer, covers, expectedImportUsage, type AnswerProperty } from './expected-bill.ts'
import { DEFAULTS } from '../../../lib/config.ts'
import type { Account } from '../../../clients/octopus/types.ts'
import { regionalSource } from '../../../processors/regional/index.ts'
import { silentLog, testConfig } from '../../helpers.ts'
import { spanValues } from '../../../processors/source/span-values.ts'

// Issue 16, regional carbon end to end: the regional source asks the sample API for the
// household's region (CARBON_REGION_ID, else the outward postcode of the account's property in
// force), lands 46/48/50 records a day in regional_intensity, and the join adds the day's
// regional figures. Everything expected here comes from the sample API's HTTP answers (the
// account, the regional ranges, the meters' readings), with this file's own reading of them.

const carbonTime = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'

interface RegionalSlot { from: string, to: string, intensity: { forecast: number, index: string, actual?: unknown }, generationmix: Array<{ fuel: string, perc: number }> }
interface RegionalAnswer { data: { regionid: number, shortname: string, data: RegionalSlot[] } }
interface Row { slot_start: Date, local_date: string, region_id: number, region: string, forecast: number, intensity_index: string, mix: Record<string, number> }

/**
 * The regional range of a London day, asked from its first slot's end to its last's: exactly its
 * slots. A range whose slot ends fall in two UTC years loses the second year's (the New Year
 * loss), so 31 December is asked as two ranges, split where the slot ends change year.
 */
async function regionalAnswer (sample: SampleServer, date: string, path: string): Promise<{ region: [number, string], slots: Map<number, RegionalSlot> }> {
  const ends = slotStarts(londonDay(date)).map(ms => ms + SLOT_MS)
  const years = [...new Set(ends.map(ms => new Date(ms).getUTCFullYear()))]
  const slots = new Map<number, RegionalSlot>()
  let region: [number, string] | undefined
  for (const year of years) {
    const inYear = ends.filter(ms => new Date(ms).getUTCFullYear() === year)
    const body: RegionalAnswer = await answer(`${sample.carbonApiUrl}/regional/intensity/${carbonTime(inYear[0])}/${carbonTime(inYear[inYear.length - 1])}/${path}`)
    region = [body.data.regionid, body.data.shortname]
    for (const s of body.data.data) slots.set(Date.parse(s.from), s)
  }
  assert.deepStrictEqual([...slots.keys()], slotStarts(londonDay(date)), `${date}: the answers have the day's slots`)
  return { region: region as [number, string], slots }
}

/** The rows regional_intensity should hold for the day: the answer's values as served. */
function expectedRows (date: string, region: [number, string], slots: Map<number, RegionalSlot>): unknown[] {
  return [...slots].map(([ms, s]) => {
    assert.ok(Number.isInteger(s.intensity.forecast) && s.intensity.actual === undefined, 'a regional slot is a whole forecast, without an actual')
    return { slot_start: ms, local_date: date, region_id: region[0], region: region[1], forecast: s.intensity.forecast, intensity_index: s.intensity.index, mix: Object.fromEntries(s.generationmix.map(f => [f.fuel, f.perc])) }
  })
}

async function rowsOf (pool: Pool, date: string): Promise<unknown[]> {
  const { rows } = await pool.query<Row>(`SELECT slot_start, to_char(local_date, 'YYYY-MM-DD') AS local_date, region_id, region, forecast, intensity_index, mix
    FROM energy_usage.regional_intensity WHERE local_date = $1::date ORDER BY slot_start`, [date])
  return rows.map(r => ({ ...r, slot_start: r.slot_start.getTime() }))
}

/** carbon_g_regional = Σ u·i_regional, avg = it / Σ u, over the day's slots in slot order (the contract's formula, written out). */
function regionalFigures (usage: ReadonlyMap<number, number>, slots: ReadonlyMap<number, RegionalSlot>): { carbon_g_regional: number, avg_intensity_regional: number | null } {
  let carbon = 0
  let kwh = 0
  for (const [ms, u] of usage) {
    carbon += u * (slots.get(ms) as RegionalSlot).intensity.forecast
    kwh += u
  }
  return { carbon_g_regional: carbon, avg_intensity_regional: kwh > 0 ? carbon / kwh : null }
}

async function summaries (pool: Pool): Promise<Map<string, Record<string, unknown>>> {
  const { rows } = await pool.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, carbon_g_regional, avg_intensity_regional, carbon_g, slots_expected, slots_joined, complete, bill_complete
    FROM energy_usage.daily_summary`)
  return new Map(rows.map(r => [r.date as string, r]))
}

/** The regional requests the pipeline made: [region path, from, to]. */
const regionalRequests = (sample: SampleServer): string[][] => sample.requests.flatMap(r => {
  const m = /^\/carbon\/regional\/intensity\/([^/]+)\/([^/]+)\/(.+)$/.exec(r.path)
  return m === null ? [] : [[m[3], m[1], m[2]]]
})

test('the sample account: the region of the property in force (SW1A → London), 46/48/50 records a day as served, the daily regional figures; days before the regional history (the M1 property, 2015) billed without it, never asked', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'regional', sample, { OCTOPUS_ACCOUNT: ACCOUNT })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)

  // The current property (SW1A 1AA, from 2016-01-01) on 46, 48 and 50 slots; the previous one
  // (M1 1AE) on a day of 2015 and one request of two days across the move: before the Carbon
  // Intensity history (national 2017-09-26, regional 2018-05-10), so billed without carbon.
  const single = ['2024-03-31', '2024-06-15', '2024-10-27']
  const before = ['2015-06-15', '2015-12-31', '2016-01-01']
  for (const date of [...single, before[0]]) await seedDates(env, date)
  assert.equal(await seedDates(env, before[1], before[2]), 1)
  await waitFor('every day complete with regional figures, the days before the history billed', async () => {
    const rows = await summaries(pool)
    return single.every(d => rows.get(d)?.complete === true && rows.get(d)?.carbon_g_regional !== null) && before.every(d => rows.get(d)?.bill_complete === true)
  }, 120000)
  // Nothing asked before the regional history: every range starts at 2018-05-10 or later.
  assert.deepStrictEqual(regionalRequests(sample).filter(([, from]) => from < '2018-05-10'), [])

  // Which property is in force, read from the account answer itself.
  const account: { properties: Array<AnswerProperty & { postcode: string }> } = await answer(`${sample.octopusApiUrl}/accounts/${ACCOUNT}/`)
  const outcodeOn = (date: string): string => {
    const p = account.properties.find(p => covers(p.moved_in_at, p.moved_out_at, londonDay(date).startMs))
    assert.ok(p !== undefined, date)
    return p.postcode.split(' ')[0]
  }
  const rows = await summaries(pool)
  for (const date of single) {
    assert.equal(outcodeOn(date), 'SW1A', `${date}: the property in force`)
    const { region, slots } = await regionalAnswer(sample, date, 'postcode/SW1A')
    assert.deepStrictEqual(region, [13, 'London'], `${date}: the sample's region of SW1A`)
    const landed = await rowsOf(pool, date)
    assert.equal(landed.length, londonDay(date).slots, `${date}: records`)
    assert.deepStrictEqual(landed, expectedRows(date, region, slots), `${date}: the records as served`)
    const usage = await expectedImportUsage(sample, date)
    const row = rows.get(date) as Record<string, unknown>
    assert.deepStrictEqual({ carbon_g_regional: row.carbon_g_regional, avg_intensity_regional: row.avg_intensity_regional }, regionalFigures(usage, slots), `${date}: the regional figures`)
    assert.deepStrictEqual([row.slots_expected, row.slots_joined, row.complete], [londonDay(date).slots, londonDay(date).slots, true])
    // Beside the national figure, not instead of it.
    assert.notEqual(row.carbon_g, row.carbon_g_regional)
  }
  assert.deepStrictEqual(['2024-03-31', '2024-06-15', '2024-10-27'].map(d => rows.get(d)?.slots_expected), [46, 48, 50])
  const regionalRows = await Promise.all(before.map(async d => (await rowsOf(pool, d)).length))
  assert.deepStrictEqual(before.map((d, i) => [d, outcodeOn(d), rows.get(d)?.carbon_g, rows.get(d)?.carbon_g_regional, rows.get(d)?.complete, regionalRows[i]]),
    [['2015-06-15', 'M1', null, null, false, 0], ['2015-12-31', 'M1', null, null, false, 0], ['2016-01-01', 'SW1A', null, null, false, 0]])
  // The only dead letters: carbon's, for the days before its history, each saying so.
  const letters = (await readRaw(env, env.config.topics.dlq)).map(m => Object.fromEntries([...(m.headers ?? new Map())].map(([k, v]) => [String(k), String(v)])))
  assert.deepStrictEqual(letters.map(h => `${h['dlq.processor']} ${h['dlq.date']}`).sort(), before.flatMap(d => [`co2 ${d}`, `mix ${d}`, `regional ${d}`]).sort())
  assert.ok(letters.every(h => /the Carbon Intensity (national|regional) history starts (2017-09-26|2018-05-10)/.test(h['dlq.error'])))
})

test('a span across a move is asked in the region of each property, up to the move and after it', async t => {
  const sample = await startSampleServer(t)
  // An account moving from M1 to SW1A at London midnight of 2024-06-16 (the sample's own moved in 2016, before the regional history).
  const move = londonDay('2024-06-16').startMs
  const account: Account = {
    number: 'A-1234ABCD',
    fetched_at: 1,
    properties: [
      { moved_in_at: null, moved_out_at: move, postcode: 'M1 1AE', electricity_meter_points: [], gas_meter_points: [] },
      { moved_in_at: move, moved_out_at: null, postcode: 'SW1A 1AA', electricity_meter_points: [], gas_meter_points: [] }
    ]
  }
  const config = testConfig({ ...DEFAULTS, CARBON_API_URL: sample.carbonApiUrl, OCTOPUS_API_URL: sample.octopusApiUrl, OCTOPUS_ACCOUNT: 'A-1234ABCD' })
  const values = await spanValues(regionalSource.fetchSpan(londonSpan('2024-06-15', 2), { config, log: silentLog, signal: AbortSignal.timeout(30000), account }))
  assert.deepStrictEqual(regionalRequests(sample).sort(), [
    ['postcode/M1', '2024-06-14T23:30Z', '2024-06-15T23:00Z'],
    ['postcode/SW1A', '2024-06-15T23:30Z', '2024-06-16T23:00Z']
  ])
  for (const [date, outcode] of [['2024-06-15', 'M1'], ['2024-06-16', 'SW1A']]) {
    const { region, slots } = await regionalAnswer(sample, date, `postcode/${outcode}`)
    const day = values.filter(v => v.slot_start >= londonDay(date).startMs && v.slot_start < londonDay(date).endMs)
    assert.deepStrictEqual(day.map(v => [v.slot_start, v.region_id, v.region, v.forecast]), [...slots].map(([ms, s]) => [ms, region[0], region[1], s.intensity.forecast]), date)
  }
})

test('CARBON_REGION_ID=1 without an account: North Scotland\'s records and figures, by region id, on 46, 48 and 50 slots', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'regional_id', sample, { CARBON_REGION_ID: '1' })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)
  const dates = ['2024-03-31', '2024-06-15', '2024-10-27']
  await seedDates(env, dates[0], dates[0])
  await seedDates(env, dates[1], dates[1])
  await seedDates(env, dates[2], dates[2])
  await waitFor('the three days complete with regional figures', async () => {
    const rows = await summaries(pool)
    return dates.every(d => rows.get(d)?.complete === true && rows.get(d)?.carbon_g_regional !== null)
  }, 90000)
  assert.ok(regionalRequests(sample).every(([path]) => path === 'regionid/1'), 'asked by region id only')

  const rows = await summaries(pool)
  for (const date of dates) {
    const day = londonDay(date)
    const { region, slots } = await regionalAnswer(sample, date, 'regionid/1')
    assert.deepStrictEqual(region, [1, 'North Scotland'])
    const landed = await rowsOf(pool, date)
    assert.equal(landed.length, day.slots, `${date}: records`)
    assert.deepStrictEqual(landed, expectedRows(date, region, slots), `${date}: the records as served`)
    // The single meter of OCTOPUS_MPAN / OCTOPUS_SERIAL (the defaults), as the API reads it.
    const readings = await allResults<{ consumption: number, interval_start: string }>(`${sample.octopusApiUrl}/electricity-meter-points/1900000000001/meters/21L0000001/consumption/` +
      `?period_from=${new Date(day.startMs).toISOString()}&period_to=${new Date(day.endMs).toISOString()}&page_size=25000`)
    const usage = new Map(slotStarts(day).map(ms => [ms, (readings.find(r => Date.parse(r.interval_start) === ms) as { consumption: number }).consumption]))
    const row = rows.get(date) as Record<string, unknown>
    assert.deepStrictEqual({ carbon_g_regional: row.carbon_g_regional, avg_intensity_regional: row.avg_intensity_regional }, regionalFigures(usage, slots), `${date}: the regional figures`)
    assert.deepStrictEqual([row.slots_expected, row.slots_joined, row.complete], [day.slots, day.slots, true])
  }
})

test('with no region to be known, regional is not run by default; run by name, each day is a dead letter saying what to set', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'regional_none', sample)
  const captured = captureLog('warn')
  await startSourceProcessors(t, env, captured.log, ['regional'])
  await seedDates(env, '2024-06-15', '2024-06-16', ['regional'])
  let letters: Array<Record<string, string>> = []
  await waitFor('two dead letters', async () => {
    letters = (await readRaw(env, env.config.topics.dlq)).map(m => Object.fromEntries([...(m.headers ?? new Map())].map(([k, v]) => [String(k), String(v)])))
    return letters.length >= 2
  }, 30000)
  const what = 'set CARBON_REGION_ID (1-17) or CARBON_POSTCODE (an outward code such as SW1A), or OCTOPUS_ACCOUNT with the property\'s postcode'
  assert.deepStrictEqual(letters.map(h => [h['dlq.processor'], h['dlq.date'], h['dlq.error.code'], h['dlq.error']]).sort(), ['2024-06-15', '2024-06-16'].map(d =>
    ['regional', d, 'ENERGY_NO_DATA', `ENERGY_NO_DATA: regional has no data for ${d}: no region is known; ${what}`]))
  assert.deepStrictEqual(regionalRequests(sample), [], 'nothing asked upstream')
})
