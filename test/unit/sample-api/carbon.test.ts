import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay } from '../../../lib/london-day.ts'
import { carbonIntensity, generationMix, intensityIndex } from '../../../sample-api/index.ts'
import { startSampleApi } from './helpers.ts'

interface IntensityBody {
  data: Array<{ from: string, to: string, intensity: { forecast: number, actual: number | null, index: string } }>
}
interface GenerationBody {
  data: Array<{ from: string, to: string, generationmix: Array<{ fuel: string, perc: number }> }>
}

test('/intensity/date answers the UK local day: 46, 48 and 50 half-hours', async t => {
  const { json } = await startSampleApi(t)
  for (const [date, slots] of [['2024-03-31', 46], ['2024-06-15', 48], ['2024-10-27', 50]] as const) {
    const { data } = await json<IntensityBody>(`/carbon/intensity/date/${date}`)
    assert.equal(data.length, slots, date)
  }
  const { data } = await json<IntensityBody>('/carbon/intensity/date/2024-06-15')
  const first = Date.parse('2024-06-14T23:00:00Z')
  assert.deepEqual(data[0], { from: '2024-06-14T23:00Z', to: '2024-06-14T23:30Z', intensity: carbonIntensity(42, first) })
  assert.equal(data[47].to, '2024-06-15T23:00Z')
})

test('actual is null for slots ending in the future or in the last 3 hours', async t => {
  // 2024-06-15 12:00 UTC: slots ending by 09:00 UTC have actuals.
  const { json } = await startSampleApi(t, { now: () => Date.parse('2024-06-15T12:00:00Z') })
  const { data } = await json<IntensityBody>('/carbon/intensity/date/2024-06-15')
  const known = data.filter(d => d.intensity.actual !== null)
  assert.equal(known.length, 20)
  assert.equal(known.at(-1)?.to, '2024-06-15T09:00Z')
  const unknown = data[20]
  const expected = carbonIntensity(42, Date.parse('2024-06-15T09:00:00Z'))
  assert.deepEqual(unknown.intensity, { forecast: expected.forecast, actual: null, index: intensityIndex(expected.forecast) })
})

test('a bad date is a 400 in the API\'s error shape', async t => {
  const { get } = await startSampleApi(t)
  for (const date of ['2024-02-30', 'yesterday', '2024-6-1']) {
    const res = await get(`/carbon/intensity/date/${date}`)
    assert.equal(res.status, 400)
    assert.deepEqual(await res.json(), { error: { code: '400 Bad Request', message: 'Please enter a valid date in ISO8601 format YYYY-MM-DD' } })
  }
})

test('/generation returns every slot whose end lies in [from, to]: 49 for a local day', async t => {
  const { json, get } = await startSampleApi(t)
  const day = londonDay('2024-06-15')
  const { data } = await json<GenerationBody>('/carbon/generation/2024-06-14T23:00Z/2024-06-15T23:00Z')
  assert.equal(data.length, 49)
  assert.equal(data[0].from, '2024-06-14T22:30Z')
  assert.equal(data[0].to, '2024-06-14T23:00Z')
  assert.equal(data[48].to, '2024-06-15T23:00Z')
  assert.deepEqual(data[1].generationmix, generationMix(42, day.startMs))
  const withSeconds = await json<GenerationBody>('/carbon/generation/2024-06-14T23:00:00Z/2024-06-15T23:00:00Z')
  assert.deepEqual(withSeconds, { data })
  const dst = await json<GenerationBody>('/carbon/generation/2024-10-26T23:00Z/2024-10-28T00:00Z')
  assert.equal(dst.data.length, 51)
  assert.equal((await get('/carbon/generation/2024-06-15T23:00Z/2024-06-14T23:00Z')).status, 400)
  assert.equal((await get('/carbon/generation/today/tomorrow')).status, 400)
})

test('the same seed gives the same body; another seed another', async t => {
  const a = await startSampleApi(t)
  const b = await startSampleApi(t)
  const c = await startSampleApi(t, { seed: 7 })
  const path = '/carbon/intensity/date/2024-01-10'
  const body = await (await a.get(path)).text()
  assert.equal(await (await b.get(path)).text(), body)
  assert.notEqual(await (await c.get(path)).text(), body)
})

test('/intensity/{from}/{to} returns exactly the slots whose end lies in [from, to], shaped like /intensity/date', async t => {
  // Actuals of the last hours are still null, in both endpoints alike.
  const { json } = await startSampleApi(t, { now: () => Date.parse('2024-06-15T12:00:00Z') })
  const day = await json<IntensityBody>('/carbon/intensity/date/2024-06-15')
  const range = await json<IntensityBody>('/carbon/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z')
  assert.deepEqual(range, day)
  assert.equal(range.data.filter(d => d.intensity.actual === null).length, 28)
  // Local midnight to local midnight: one slot more, ending at `from`.
  const midnight = await json<IntensityBody>('/carbon/intensity/2024-06-14T23:00Z/2024-06-15T23:00Z')
  assert.deepEqual(midnight.data.slice(1), day.data)
  assert.deepEqual(midnight.data[0], {
    from: '2024-06-14T22:30Z',
    to: '2024-06-14T23:00Z',
    intensity: carbonIntensity(42, Date.parse('2024-06-14T22:30:00Z'))
  })
  // Off the half-hours: the slots ending 10:30 and 11:00; none between two ends.
  const odd = await json<IntensityBody>('/carbon/intensity/2024-06-15T10:10Z/2024-06-15T11:00:00Z')
  assert.deepEqual(odd.data.map(d => [d.from, d.to]), [['2024-06-15T10:00Z', '2024-06-15T10:30Z'], ['2024-06-15T10:30Z', '2024-06-15T11:00Z']])
  assert.deepEqual(await json<IntensityBody>('/carbon/intensity/2024-06-15T10:10Z/2024-06-15T10:20Z'), { data: [] })
})

test('a range over 14 days is a 400 on both range endpoints; 14 days exactly is answered', async t => {
  const { get, json } = await startSampleApi(t)
  for (const endpoint of ['intensity', 'generation']) {
    const { data } = await json<IntensityBody>(`/carbon/${endpoint}/2024-06-01T00:00Z/2024-06-15T00:00Z`)
    assert.equal(data.length, 14 * 48 + 1, endpoint)
    for (const range of ['2024-06-01T00:00Z/2024-06-16T00:00Z', '2024-06-01T00:00Z/2024-06-15T00:01Z']) {
      const res = await get(`/carbon/${endpoint}/${range}`)
      assert.equal(res.status, 400, `${endpoint} ${range}`)
      assert.deepEqual(await res.json(), { error: { code: '400 Bad Request', message: 'Please enter a date range of at most 14 days' } })
    }
    const reversed = await get(`/carbon/${endpoint}/2024-06-15T23:00Z/2024-06-14T23:00Z`)
    assert.equal(reversed.status, 400)
    assert.deepEqual(await reversed.json(), { error: { code: '400 Bad Request', message: 'Please enter valid ISO8601 datetimes YYYY-MM-DDThh:mmZ with from before to' } })
  }
})

test('New Year: a range across two UTC years stops at the end of the first; ranges split there give every slot', async t => {
  const { json, get, api } = await startSampleApi(t)
  const ends = (body: IntensityBody | GenerationBody): string[] => body.data.map(d => d.to)
  const halfHours = (from: string, to: string): string[] => {
    const list = []
    for (let ms = Date.parse(from); ms <= Date.parse(to); ms += 30 * 60 * 1000) list.push(new Date(ms).toISOString().slice(0, 16) + 'Z')
    return list
  }
  for (const endpoint of ['intensity', 'generation']) {
    const across = await json<IntensityBody>(`/carbon/${endpoint}/2022-12-31T00:30Z/2023-01-01T05:00Z`)
    // Ends with 23:00-23:30: 23:30-00:00 (ending in 2023) and all of January 1st are lost.
    assert.deepEqual(ends(across), halfHours('2022-12-31T00:30Z', '2022-12-31T23:30Z'), endpoint)
    assert.equal(across.data.at(-1)?.from, '2022-12-31T23:00Z')
    const before = await json<IntensityBody>(`/carbon/${endpoint}/2022-12-31T00:30Z/2022-12-31T23:30Z`)
    const after = await json<IntensityBody>(`/carbon/${endpoint}/2023-01-01T00:00Z/2023-01-01T05:00Z`)
    assert.deepEqual([...ends(before), ...ends(after)], halfHours('2022-12-31T00:30Z', '2023-01-01T05:00Z'), endpoint)
    assert.equal(after.data[0].from, '2022-12-31T23:30Z')
  }
  // The lost day is not covered: a fault dated January 1st leaves the lossy range alone.
  api.setFaults([{ source: 'co2', date: '2023-01-01', kind: '500' }])
  assert.equal((await get('/carbon/intensity/2022-12-31T00:30Z/2023-01-01T05:00Z')).status, 200)
  assert.equal((await get('/carbon/intensity/2023-01-01T00:00Z/2023-01-01T05:00Z')).status, 500)
})
