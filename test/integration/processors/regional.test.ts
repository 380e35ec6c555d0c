import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import { captureLog, createTestEnvironment, readRaw, seedDates, startPipeline, startSampleServer, startSourceProcessors, testPool, waitFor, type SampleServer } from '../../pipeline.ts'
import type { Pool } from '../../../lib/db.ts'
import { ACCOUNT, allResults, answer, covers, expectedImportUsage, type AnswerProperty } from './expected-bill.ts'

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
  const { rows } = await pool.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, carbon_g_regional, avg_intensity_regional, carbon_g, slots_expected, slots_joined, complete
    FROM energy_usage.daily_summary`)
  return new Map(rows.map(r => [r.date as string, r]))
}

/** The regional requests the pipeline made: [region path, from, to]. */
const regionalRequests = (sample: SampleServer): string[][] => sample.requests.flatMap(r => {
  const m = /^\/carbon\/regional\/intensity\/([^/]+)\/([^/]+)\/(.+)$/.exec(r.path)
  return m === null ? [] : [[m[3], m[1], m[2]]]
})

test('the sample account: the region of the property in force (SW1A → London, M1 → North West England), 46/48/50 records a day as served, a span across the move asked in two regions, and the daily regional figures', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'regional', sample, { OCTOPUS_ACCOUNT: ACCOUNT })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)

  // The current property (SW1A 1AA, from 2016-01-01) on 46, 48 and 50 slots; the previous one
  // (M1 1AE) on a day of 2015; and one request of two days across the move.
  const single = ['2024-03-31', '2024-06-15', '2024-10-27', '2015-06-15']
  const acrossMove = ['2015-12-31', '2016-01-01']
  for (const date of single) await seedDates(env, date)
  assert.equal(await seedDates(env, acrossMove[0], acrossMove[1]), 1)
  const dates = [...single, ...acrossMove]
  await waitFor('every day complete, regional figures in', async () => {
    const rows = await summaries(pool)
    return dates.every(d => rows.get(d)?.complete === true && rows.get(d)?.carbon_g_regional !== null)
  }, 120000)

  // The span across the move: M1 up to the move (its New Year slot in a range of its own), SW1A after.
  assert.deepStrictEqual(regionalRequests(sample).filter(([, from]) => from.startsWith('2015-12') || from.startsWith('2016-01')).sort(), [
    ['postcode/M1', '2015-12-31T00:30Z', '2015-12-31T23:30Z'],
    ['postcode/M1', '2016-01-01T00:00Z', '2016-01-01T00:00Z'],
    ['postcode/SW1A', '2016-01-01T00:30Z', '2016-01-02T00:00Z']
  ])

  // Which property is in force, read from the account answer itself.
  const account: { properties: Array<AnswerProperty & { postcode: string }> } = await answer(`${sample.octopusApiUrl}/accounts/${ACCOUNT}/`)
  const outcodeOn = (date: string): string => {
    const p = account.properties.find(p => covers(p.moved_in_at, p.moved_out_at, londonDay(date).startMs))
    assert.ok(p !== undefined, date)
    return p.postcode.split(' ')[0]
  }
  const regions: Record<string, [string, number, string]> = {
    '2024-03-31': ['SW1A', 13, 'London'],
    '2024-06-15': ['SW1A', 13, 'London'],
    '2024-10-27': ['SW1A', 13, 'London'],
    '2015-06-15': ['M1', 3, 'North West England'],
    '2015-12-31': ['M1', 3, 'North West England'],
    '2016-01-01': ['SW1A', 13, 'London']
  }
  const rows = await summaries(pool)
  for (const date of dates) {
    const [outcode, id, name] = regions[date]
    assert.equal(outcodeOn(date), outcode, `${date}: the property in force`)
    const { region, slots } = await regionalAnswer(sample, date, `postcode/${outcode}`)
    assert.deepStrictEqual(region, [id, name], `${date}: the sample's region of ${outcode}`)
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
  assert.deepStrictEqual((await readRaw(env, env.config.topics.dlq)).length, 0, 'no dead letters')
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
