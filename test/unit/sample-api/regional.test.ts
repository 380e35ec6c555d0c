import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import { FUELS, generationMix, intensityIndex, POSTCODE_AREAS, REGIONS, regionalGenerationMix, regionalIntensity, regionOfOutcode } from '../../../sample-api/index.ts'
import { NOW, startSampleApi } from './helpers.ts'

interface RegionalSlot {
  from: string
  to: string
  intensity: { forecast: number, index: string, actual?: unknown }
  generationmix: Array<{ fuel: string, perc: number }>
}
interface RegionalBody {
  data: { regionid: number, dnoregion: string, shortname: string, postcode?: string, data: RegionalSlot[] }
}

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'
const BAD = (message: string): object => ({ error: { code: '400 Bad Request', message } })

/** The entry the sample API serves for a region's slot at server time `nowMs`. */
function expectedSlot (regionId: number, start: number, nowMs = NOW): RegionalSlot {
  return { from: iso(start), to: iso(start + SLOT_MS), intensity: regionalIntensity(42, regionId, start, nowMs), generationmix: regionalGenerationMix(42, regionId, start) }
}

test('regional range by postcode: London\'s object, postcode echoed, exactly the slots whose end lies in [from, to]', async t => {
  const { json } = await startSampleApi(t)
  const body = await json<RegionalBody>('/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/postcode/SW1A')
  const starts = slotStarts(londonDay('2024-06-15'))
  assert.deepEqual(body, {
    data: { regionid: 13, dnoregion: 'UKPN London', shortname: 'London', postcode: 'SW1A', data: starts.map(s => expectedSlot(13, s)) }
  })
  assert.equal(body.data.data.length, 48)
  assert.deepEqual(body.data.data[0].intensity, { forecast: body.data.data[0].intensity.forecast, index: intensityIndex(body.data.data[0].intensity.forecast) })
  assert.ok(body.data.data.every(d => !('actual' in d.intensity)))
  assert.deepEqual(body.data.data[0].generationmix.map(g => g.fuel), FUELS)
  // From local midnight: one slot more, ending at `from`; off the half-hours, none between two ends.
  const midnight = await json<RegionalBody>('/carbon/regional/intensity/2024-06-14T23:00Z/2024-06-15T23:00Z/postcode/sw1a')
  assert.equal(midnight.data.postcode, 'SW1A')
  assert.deepEqual(midnight.data.data.map(d => d.from), [iso(starts[0] - SLOT_MS), ...starts.map(iso)])
  const odd = await json<RegionalBody>('/carbon/regional/intensity/2024-06-15T10:10Z/2024-06-15T11:00Z/postcode/M1')
  assert.deepEqual(odd.data.data.map(d => [d.from, d.to]), [['2024-06-15T10:00Z', '2024-06-15T10:30Z'], ['2024-06-15T10:30Z', '2024-06-15T11:00Z']])
  assert.equal(odd.data.shortname, 'North West England')
  const none = await json<RegionalBody>('/carbon/regional/intensity/2024-06-15T10:10Z/2024-06-15T10:20Z/postcode/M1')
  assert.deepEqual(none, { data: { regionid: 3, dnoregion: 'Electricity North West', shortname: 'North West England', postcode: 'M1', data: [] } })
})

test('regional range by region id: metadata without postcode, the same slots as the postcode form', async t => {
  const { json } = await startSampleApi(t)
  const range = '2024-06-14T23:30Z/2024-06-15T23:00Z'
  const byId = await json<RegionalBody>(`/carbon/regional/intensity/${range}/regionid/13`)
  const byPostcode = await json<RegionalBody>(`/carbon/regional/intensity/${range}/postcode/SW1A`)
  assert.deepEqual(byId, { data: { regionid: 13, dnoregion: 'UKPN London', shortname: 'London', data: byPostcode.data.data } })
  const names: Array<[number, string, string]> = []
  for (let id = 1; id <= 17; id++) {
    const { data } = await json<RegionalBody>(`/carbon/regional/intensity/2024-06-15T11:30Z/2024-06-15T12:00Z/regionid/${id}`)
    assert.deepEqual(Object.keys(data), ['regionid', 'dnoregion', 'shortname', 'data'])
    names.push([data.regionid, data.dnoregion, data.shortname])
  }
  assert.deepEqual(names, [
    [1, 'Scottish Hydro Electric Power Distribution', 'North Scotland'], [2, 'SP Distribution', 'South Scotland'],
    [3, 'Electricity North West', 'North West England'], [4, 'NPG North East', 'North East England'], [5, 'NPG Yorkshire', 'Yorkshire'],
    [6, 'SP Manweb', 'North Wales & Merseyside'], [7, 'WPD South Wales', 'South Wales'], [8, 'WPD West Midlands', 'West Midlands'],
    [9, 'WPD East Midlands', 'East Midlands'], [10, 'UKPN East', 'East England'], [11, 'WPD South West', 'South West England'],
    [12, 'SSE South', 'South England'], [13, 'UKPN London', 'London'], [14, 'UKPN South East', 'South East England'],
    [15, 'England', 'England'], [16, 'Scotland', 'Scotland'], [17, 'Wales', 'Wales']
  ])
})

test('postcode areas map to plausible regions', () => {
  const regionOf = (outcode: string): number | undefined => regionOfOutcode(outcode)?.regionid
  assert.deepEqual(
    ['IV1', 'AB10', 'EH1', 'G2', 'M1', 'L1', 'LL57', 'NE1', 'LS1', 'CF10', 'SA1', 'B1', 'NG1', 'CB1', 'EX1', 'RG41', 'SO14', 'OX1', 'SW1A', 'EC1A', 'W1A', 'N1', 'BN1', 'TN1'].map(regionOf),
    [1, 1, 2, 2, 3, 6, 6, 4, 5, 7, 7, 8, 9, 10, 11, 12, 12, 12, 13, 13, 13, 13, 14, 14]
  )
  // Outside GB, or not an outward code.
  for (const outcode of ['BT1', 'JE2', 'GY1', 'IM1', 'QQ1', 'SW1A 1AA', 'SW', '1AB', '']) assert.equal(regionOf(outcode), undefined, outcode)
  // Only DNO areas take postcodes; the nations (15-17) are asked for by id.
  assert.deepEqual([...new Set(POSTCODE_AREAS.values())].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
  assert.equal(REGIONS.size, 17)
})

test('two regions differ on the same slot: North Scotland far below South Wales, nations between their areas', async t => {
  const { json } = await startSampleApi(t)
  const range = '2024-06-14T23:30Z/2024-06-15T23:00Z'
  const forecasts = async (id: number): Promise<number[]> =>
    (await json<RegionalBody>(`/carbon/regional/intensity/${range}/regionid/${id}`)).data.data.map(d => d.intensity.forecast)
  const [north, southWales, london, scotland] = await Promise.all([1, 7, 13, 16].map(forecasts))
  for (let i = 0; i < 48; i++) {
    assert.ok(north[i] * 4 < southWales[i], `slot ${i}: ${north[i]} vs ${southWales[i]}`)
    assert.notEqual(london[i], southWales[i])
  }
  // Scotland (16) is the mean of North and South Scotland.
  const south = await forecasts(2)
  for (let i = 0; i < 48; i++) assert.ok(Math.abs(scotland[i] - (north[i] + south[i]) / 2) <= 1, `slot ${i}`)
  // Mixes: nine fuels, one decimal, summing to about 100, regional: North Scotland more hydro than GB.
  const start = slotStarts(londonDay('2024-06-15'))[24]
  for (const [id] of REGIONS) {
    const mix = regionalGenerationMix(42, id, start)
    assert.deepEqual(mix.map(m => m.fuel), FUELS)
    const sum = mix.reduce((s, m) => s + m.perc, 0)
    assert.ok(Math.abs(sum - 100) <= 0.5, `region ${id}: ${sum}`)
    assert.ok(mix.every(m => m.perc >= 0 && Math.round(m.perc * 10) === m.perc * 10))
  }
  const hydro = (mix: Array<{ fuel: string, perc: number }>): number => mix.find(m => m.fuel === 'hydro')?.perc ?? NaN
  assert.ok(hydro(regionalGenerationMix(42, 1, start)) > 5 * hydro(generationMix(42, start)))
})

test('regional DST days: 46 and 50 slots, from the first slot\'s end to local midnight', async t => {
  const { json } = await startSampleApi(t)
  for (const [date, slots] of [['2024-03-31', 46], ['2024-10-27', 50]] as const) {
    const day = londonDay(date)
    const { data } = await json<RegionalBody>(`/carbon/regional/intensity/${iso(day.startMs + SLOT_MS)}/${iso(day.endMs)}/regionid/5`)
    assert.equal(data.data.length, slots, date)
    assert.deepEqual(data.data, slotStarts(day).map(s => expectedSlot(5, s)), date)
  }
})

test('regional errors: unknown postcode, region id 18, bad or over-14-day ranges, in the API\'s 400 shape', async t => {
  const { get } = await startSampleApi(t)
  const cases: Array<[string, string]> = [
    ['/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/postcode/BT1', 'Please enter a valid outward postcode in Great Britain e.g. RG41, SW1 or TF8'],
    ['/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/postcode/SW1A%201AA', 'Please enter a valid outward postcode in Great Britain e.g. RG41, SW1 or TF8'],
    ['/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/regionid/18', 'Please enter a valid region id 1-17'],
    ['/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/regionid/0', 'Please enter a valid region id 1-17'],
    ['/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/regionid/London', 'Please enter a valid region id 1-17'],
    ['/carbon/regional/intensity/2024-06-01T00:00Z/2024-06-16T00:00Z/regionid/13', 'Please enter a date range of at most 14 days'],
    ['/carbon/regional/intensity/2024-06-01T00:00Z/2024-06-15T00:01Z/postcode/SW1A', 'Please enter a date range of at most 14 days'],
    ['/carbon/regional/intensity/2024-06-15T23:00Z/2024-06-14T23:00Z/regionid/13', 'Please enter valid ISO8601 datetimes YYYY-MM-DDThh:mmZ with from before to'],
    ['/carbon/regional/intensity/today/tomorrow/regionid/13', 'Please enter valid ISO8601 datetimes YYYY-MM-DDThh:mmZ with from before to']
  ]
  for (const [path, message] of cases) {
    const res = await get(path)
    assert.equal(res.status, 400, path)
    assert.deepEqual(await res.json(), BAD(message), path)
  }
  // 14 days exactly is answered.
  const res = await get('/carbon/regional/intensity/2024-06-01T00:00Z/2024-06-15T00:00Z/regionid/13')
  assert.equal(res.status, 200)
  assert.equal(((await res.json()) as RegionalBody).data.data.length, 14 * 48 + 1)
  assert.equal((await get('/carbon/regional/intensity/2024-06-01T00:00Z/2024-06-15T00:00Z/region/13')).status, 404)
})

test('New Year loss on the regional range too; split at the year, every slot', async t => {
  const { json } = await startSampleApi(t)
  const ends = async (range: string): Promise<string[]> => (await json<RegionalBody>(`/carbon/regional/intensity/${range}/postcode/RG41`)).data.data.map(d => d.to)
  const across = await ends('2022-12-31T00:30Z/2023-01-01T05:00Z')
  assert.equal(across.length, 47)
  assert.equal(across.at(-1), '2022-12-31T23:30Z')
  const split = [...await ends('2022-12-31T00:30Z/2022-12-31T23:30Z'), ...await ends('2023-01-01T00:00Z/2023-01-01T05:00Z')]
  assert.equal(split.length, 47 + 11)
  assert.deepEqual(split, Array.from({ length: 58 }, (_, i) => iso(Date.parse('2022-12-31T00:30Z') + i * SLOT_MS)))
})
