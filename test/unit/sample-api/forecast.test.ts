import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SLOT_MS } from '../../../lib/london-day.ts'
import { carbonIntensity, forecastAt, intensityIndex, regionalGenerationMix, regionalIntensity } from '../../../sample-api/index.ts'
import { startSampleApi } from './helpers.ts'

interface Slot {
  from: string
  to: string
  intensity: { forecast: number, actual?: number | null, index: string }
  generationmix?: Array<{ fuel: string, perc: number }>
}
interface NationalBody { data: Slot[] }
interface RegionalBody { data: { regionid: number, dnoregion: string, shortname: string, postcode?: string, data: Slot[] } }

const HOUR_MS = 60 * 60 * 1000
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16) + 'Z'
const halfHours = (first: string, count: number): string[] => Array.from({ length: count }, (_, i) => iso(Date.parse(first) + i * SLOT_MS))

test('national fw48h: 96 slots from the slot containing from (on a half-hour: the one ending at it), actual null, revised forecast', async t => {
  const nowMs = Date.parse('2024-06-15T12:10:00Z')
  const { json } = await startSampleApi(t, { now: () => nowMs })
  const off = await json<NationalBody>('/carbon/intensity/2024-06-15T12:10Z/fw48h')
  assert.equal(off.data.length, 96)
  assert.deepEqual(off.data.map(d => d.from), halfHours('2024-06-15T12:00Z', 96))
  assert.equal(off.data[95].to, '2024-06-17T12:00Z')
  assert.deepEqual(off.data, off.data.map(d => {
    const forecast = forecastAt(42, Date.parse(d.from), nowMs)
    return { from: d.from, to: d.to, intensity: { forecast, actual: null, index: intensityIndex(forecast) } }
  }))
  // The slot in progress has its settled forecast; the ones ahead are forecasts of this issue.
  assert.equal(off.data[0].intensity.forecast, carbonIntensity(42, Date.parse('2024-06-15T12:00:00Z')).forecast)
  const settled = off.data.filter(d => d.intensity.forecast === carbonIntensity(42, Date.parse(d.from)).forecast)
  assert.ok(settled.length < 30, `${settled.length} slots unrevised`)
  // As the real API answers fw24h asked on a half-hour: first the slot ending at from.
  const on = await json<NationalBody>('/carbon/intensity/2024-06-15T12:00Z/fw48h')
  assert.deepEqual(on.data.map(d => d.from), halfHours('2024-06-15T11:30Z', 96))
  assert.deepEqual(await json<NationalBody>('/carbon/intensity/2024-06-15T12:00:00Z/fw48h'), on)
})

test('national fw48h from the past publishes actuals like the range endpoint', async t => {
  const { json } = await startSampleApi(t, { now: () => Date.parse('2024-06-15T12:00:00Z') })
  const { data } = await json<NationalBody>('/carbon/intensity/2024-06-14T00:10Z/fw48h')
  const range = await json<NationalBody>('/carbon/intensity/2024-06-14T00:30Z/2024-06-16T00:00Z')
  assert.deepEqual(data, range.data)
  assert.equal(data.filter(d => d.intensity.actual !== null).length, 66)
  assert.equal(data[65].to, '2024-06-15T09:00Z')
})

test('forecasts are revised: two server times give different values for the same slot, converging as it nears', async t => {
  let nowMs = Date.parse('2024-06-14T12:00:00Z')
  const { json } = await startSampleApi(t, { now: () => nowMs })
  const path = '/carbon/intensity/2024-06-15T12:00Z/fw48h'
  const early = (await json<NationalBody>(path)).data
  assert.deepEqual(await json<NationalBody>(path), { data: early }, 'the same issue answers the same')
  nowMs = Date.parse('2024-06-14T12:29:59Z')
  assert.deepEqual((await json<NationalBody>(path)).data, early, 'a forecast issue lasts half an hour')
  nowMs = Date.parse('2024-06-15T06:00:00Z')
  const late = (await json<NationalBody>(path)).data
  const differing = early.filter((d, i) => d.intensity.forecast !== late[i].intensity.forecast)
  assert.ok(differing.length > 80, `${differing.length} of 96 revised`)
  for (const d of late) assert.equal(d.intensity.forecast, forecastAt(42, Date.parse(d.from), nowMs), d.from)
  // The error shrinks with the lead: within ±20% × lead / 48 h of the settled forecast.
  for (const d of late) {
    const start = Date.parse(d.from)
    const settled = carbonIntensity(42, start).forecast
    const bound = 0.2 * Math.min(1, (start - nowMs) / (48 * HOUR_MS)) * settled + 0.5 // nowMs starts its issue
    assert.ok(Math.abs(d.intensity.forecast - settled) <= bound, `${d.from}: ${d.intensity.forecast} vs settled ${settled}`)
  }
  // The date endpoint serves the same forecasts for its future slots.
  const day = await json<NationalBody>('/carbon/intensity/date/2024-06-16')
  assert.deepEqual(day.data, late.filter(d => d.from >= '2024-06-15T23:00Z' && d.from < '2024-06-16T23:00Z'))
  // Once the slot has started, every issue gives the settled value.
  nowMs = Date.parse('2024-06-15T12:00:00Z')
  assert.equal((await json<NationalBody>(path)).data[1].intensity.forecast, carbonIntensity(42, Date.parse('2024-06-15T12:00:00Z')).forecast)
})

test('regional fw48h by postcode and by id: the region object, 96 slots, forecast and mix, no actual, revised', async t => {
  let nowMs = Date.parse('2024-06-15T12:10:00Z')
  const { json } = await startSampleApi(t, { now: () => nowMs })
  const byPostcode = await json<RegionalBody>('/carbon/regional/intensity/2024-06-15T12:10Z/fw48h/postcode/CF10')
  const starts = Array.from({ length: 96 }, (_, i) => Date.parse('2024-06-15T12:00:00Z') + i * SLOT_MS)
  const slots = starts.map(s => ({ from: iso(s), to: iso(s + SLOT_MS), intensity: regionalIntensity(42, 7, s, nowMs), generationmix: regionalGenerationMix(42, 7, s) }))
  assert.deepEqual(byPostcode, { data: { regionid: 7, dnoregion: 'WPD South Wales', shortname: 'South Wales', postcode: 'CF10', data: slots } })
  assert.ok(slots.every(d => !('actual' in d.intensity)))
  const byId = await json<RegionalBody>('/carbon/regional/intensity/2024-06-15T12:10Z/fw48h/regionid/7')
  assert.deepEqual(byId, { data: { regionid: 7, dnoregion: 'WPD South Wales', shortname: 'South Wales', data: slots } })
  const onBoundary = await json<RegionalBody>('/carbon/regional/intensity/2024-06-15T12:00Z/fw48h/regionid/7')
  assert.equal(onBoundary.data.data[0].from, '2024-06-15T11:30Z')
  assert.equal(onBoundary.data.data.length, 96)

  nowMs = Date.parse('2024-06-16T00:00:00Z')
  const later = await json<RegionalBody>('/carbon/regional/intensity/2024-06-15T12:10Z/fw48h/regionid/7')
  const revised = later.data.data.filter((d, i) => d.intensity.forecast !== slots[i].intensity.forecast)
  assert.ok(revised.length > 60, `${revised.length} of 96 revised`)
  // Slots now started or past keep their settled value; the mix is not revised.
  assert.deepEqual(later.data.data.map(d => d.generationmix), slots.map(d => d.generationmix))
  assert.deepEqual(later.data.data.slice(0, 24).map(d => d.intensity), starts.slice(0, 24).map(s => regionalIntensity(42, 7, s, s)))
})

test('fw48h errors: a bad from or region is a 400 in the API\'s shape', async t => {
  const { get } = await startSampleApi(t)
  const bad = { error: { code: '400 Bad Request', message: 'Please enter a valid datetime in ISO8601 format YYYY-MM-DDThh:mmZ e.g. 2017-08-25T12:35Z' } }
  for (const path of ['/carbon/intensity/now/fw48h', '/carbon/intensity/2024-06-15/fw48h', '/carbon/regional/intensity/2024-06-15T12:00/fw48h/regionid/13']) {
    const res = await get(path)
    assert.equal(res.status, 400, path)
    assert.deepEqual(await res.json(), bad, path)
  }
  const region = await get('/carbon/regional/intensity/2024-06-15T12:00Z/fw48h/regionid/18')
  assert.equal(region.status, 400)
  assert.deepEqual(await region.json(), { error: { code: '400 Bad Request', message: 'Please enter a valid region id 1-17' } })
  const postcode = await get('/carbon/regional/intensity/2024-06-15T12:00Z/fw48h/postcode/ZZ9')
  assert.equal(postcode.status, 400)
  // A forecast across the New Year keeps all its slots (the loss is the ranges').
  const res = await get('/carbon/intensity/2022-12-31T12:00Z/fw48h')
  assert.equal(((await res.json()) as NationalBody).data.at(-1)?.from, '2023-01-02T11:00Z')
})
