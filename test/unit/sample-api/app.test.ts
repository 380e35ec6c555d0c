import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { createSampleApi } from '../../../sample-api/index.ts'
import { AUTH, CONSUMPTION, consumptionPath, FIXED, query, RATES, ratesPath, startSampleApi, tariffPath } from './helpers.ts'

const DAY = CONSUMPTION + query({ period_from: '2024-06-15T00:00:00+01:00', period_to: '2024-06-15T23:30:00+01:00', order_by: 'period' })

interface Readings {
  count: number
  results: Array<{ consumption: number, interval_start: string }>
}

test('a 500 fault with times 1 fails once, then the request succeeds', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: 'usage', date: '2024-06-15', kind: '500', times: 1 }] })
  const failed = await get(DAY, AUTH)
  assert.equal(failed.status, 500)
  assert.deepEqual(await failed.json(), { detail: 'Internal server error' })
  assert.equal((await get(DAY, AUTH)).status, 200)
})

test('a fault only hits its source and date', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: 'co2', date: '2024-06-15', kind: '500' }] })
  assert.equal((await get('/carbon/intensity/date/2024-06-14')).status, 200)
  assert.equal((await get('/carbon/generation/2024-06-14T23:00Z/2024-06-15T23:00Z')).status, 200)
  assert.equal((await get('/carbon/intensity/date/2024-06-15')).status, 500)
  assert.equal((await get('/carbon/intensity/date/2024-06-15')).status, 500)
})

test('a generation range covers the London dates of its slots\' starts', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: 'mix', date: '2024-06-15', kind: '500' }] })
  // From the first slot's end: the slots of 2024-06-15 (BST) alone.
  assert.equal((await get('/carbon/generation/2024-06-14T23:30Z/2024-06-15T23:00Z')).status, 500)
  // From local midnight: the first slot, 23:30-00:00, belongs to the day before.
  assert.equal((await get('/carbon/generation/2024-06-15T23:00Z/2024-06-16T23:00Z')).status, 500)
  assert.equal((await get('/carbon/generation/2024-06-15T23:30Z/2024-06-16T23:00Z')).status, 200)
  assert.equal((await get('/carbon/generation/2024-06-13T23:30Z/2024-06-14T23:00Z')).status, 200)
})

test('a 429 fault sends Retry-After', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: 'pricing', kind: '429', retryAfterSeconds: 3, times: 1 }] })
  const res = await get(RATES)
  assert.equal(res.status, 429)
  assert.equal(res.headers.get('retry-after'), '3')
  assert.deepEqual(await res.json(), { detail: 'Request was throttled. Expected available in 3 seconds.' })
})

test('a malformed fault answers 200 with a body that does not parse', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: '*', kind: 'malformed', times: 1 }] })
  const res = await get('/carbon/intensity/date/2024-06-15')
  assert.equal(res.status, 200)
  const text = await res.text()
  assert.ok(text.startsWith('{"data":[{"from":"2024-06-14T23:00Z"'))
  assert.throws(() => JSON.parse(text), SyntaxError)
})

test('a missing fault drops the last 2 slots of the day', async t => {
  const { json } = await startSampleApi(t, { faults: [{ source: 'usage', date: '2024-06-15', kind: 'missing', times: 1 }] })
  const short = await json<Readings>(DAY, AUTH)
  assert.equal(short.count, 46)
  assert.equal(short.results.at(-1)?.interval_start, '2024-06-15T22:30:00+01:00')
  const whole = await json<Readings>(DAY, AUTH)
  assert.equal(whole.count, 48)
  assert.deepEqual(short.results, whole.results.slice(0, 46))
})

test('a 401 fault answers like an expired key', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: 'account', kind: '401' }] })
  const res = await get('/octopus/v1/accounts/A-1234ABCD/', AUTH)
  assert.equal(res.status, 401)
  assert.deepEqual(await res.json(), { detail: 'Invalid API key.' })
})

test('a slow fault delays the answer, and a client that leaves frees its timer', async t => {
  const { get, base } = await startSampleApi(t, { faults: [{ source: 'co2', kind: 'slow', delayMs: 150, times: 1 }, { source: 'mix', kind: 'slow' }] })
  const started = performance.now()
  assert.equal((await get('/carbon/intensity/date/2024-06-15')).status, 200)
  assert.ok(performance.now() - started >= 140)
  // The client gives up during the default 30 s delay: the server drops that request and
  // keeps answering others.
  await new Promise<void>(resolve => {
    const req = request(`${base}/carbon/generation/2024-06-14T23:00Z/2024-06-15T23:00Z`)
    req.on('error', () => resolve())
    req.end()
    setTimeout(() => req.destroy(), 50)
  })
  assert.equal((await get('/carbon/intensity/date/2024-06-15')).status, 200)
})

test('admin endpoints: faults, revise, requests, reset', async t => {
  const { admin, get, json, api } = await startSampleApi(t)
  const list = [{ source: 'co2', date: '2024-06-15', kind: '500', times: 2 }]
  assert.deepEqual(await (await admin('PUT', '/faults', JSON.stringify(list))).json(), list)
  assert.equal((await get('/carbon/intensity/date/2024-06-15')).status, 500)
  assert.deepEqual(await (await admin('GET', '/faults')).json(), [{ ...list[0], times: 1 }])
  const bad = await admin('PUT', '/faults', '[{"source":"co2","kind":"teapot"}]')
  assert.equal(bad.status, 400)
  assert.match((await bad.json() as { detail: string }).detail, /^PUT \/_admin\/faults body is invalid:\n {2}\[0\] kind must be one of/)
  assert.deepEqual(await (await admin('DELETE', '/faults')).json(), [])
  assert.equal((await get('/carbon/intensity/date/2024-06-15')).status, 200)

  const before = await json<Readings>(DAY, AUTH)
  assert.deepEqual(await (await admin('POST', '/revise/2024-06-15')).json(), { date: '2024-06-15', revision: 1 })
  const after = await json<Readings>(DAY, AUTH)
  assert.notDeepEqual(after.results.map(r => r.consumption), before.results.map(r => r.consumption))
  assert.deepEqual(after.results.map(r => r.interval_start), before.results.map(r => r.interval_start))
  assert.equal((await admin('POST', '/revise/someday')).status, 400)

  assert.deepEqual(await (await admin('GET', '/requests')).json(), {
    total: 4,
    bySource: { co2: 2, usage: 2 },
    byPath: { '/carbon/intensity/date/2024-06-15': 2, [CONSUMPTION]: 2 }
  })
  assert.equal((await admin('POST', '/reset')).status, 200)
  assert.deepEqual(api.requests, { total: 0, bySource: {}, byPath: {} })
  assert.deepEqual(await json<Readings>(DAY, AUTH), before)
  assert.equal((await admin('GET', '/reset')).status, 405)
})

const EXPORT_DAY = consumptionPath('1170000000001', '21L0000002') + query({ period_from: '2024-06-15T00:00:00+01:00', period_to: '2024-06-15T23:30:00+01:00' })
const GAS_DAY = consumptionPath('3000000000001', 'G4P0000001', 'gas') + query({ period_from: '2024-06-15T00:00:00+01:00', period_to: '2024-06-15T23:30:00+01:00' })
const OUTGOING = ratesPath('OUTGOING-FIX-12M-19-05-13')
const AGILE_OUTGOING_CHARGES = ratesPath('AGILE-OUTGOING-19-05-13', 'standing-charges')
const GAS_RATES = tariffPath('VAR-22-11-01', 'G-1R-VAR-22-11-01-C', 'standard-unit-rates')
const GAS_CHARGES = tariffPath('VAR-22-11-01', 'G-1R-VAR-22-11-01-C', 'standing-charges')
const E7_DAY_RATES = tariffPath('VAR-13-06-01', 'E-2R-VAR-13-06-01-N', 'day-unit-rates')

test('an export fault hits export readings and Outgoing rates only; a gas fault gas readings and gas tariffs only', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: 'export', kind: '500' }] })
  for (const path of [EXPORT_DAY, OUTGOING, AGILE_OUTGOING_CHARGES]) assert.equal((await get(path, AUTH)).status, 500, path)
  for (const path of [DAY, RATES, FIXED, E7_DAY_RATES, GAS_DAY, GAS_RATES]) assert.equal((await get(path, AUTH)).status, 200, path)

  const gas = await startSampleApi(t, { faults: [{ source: 'gas', kind: '500' }] })
  for (const path of [GAS_DAY, GAS_RATES, GAS_CHARGES]) assert.equal((await gas.get(path, AUTH)).status, 500, path)
  for (const path of [DAY, RATES, EXPORT_DAY, OUTGOING, '/octopus/v1/accounts/A-1234ABCD/']) assert.equal((await gas.get(path, AUTH)).status, 200, path)

  // Day and night rates are import pricing, like any import tariff.
  const pricing = await startSampleApi(t, { faults: [{ source: 'pricing', kind: '500' }] })
  for (const path of [E7_DAY_RATES, FIXED]) assert.equal((await pricing.get(path)).status, 500, path)
  for (const path of [OUTGOING, GAS_RATES]) assert.equal((await pricing.get(path)).status, 200, path)
})

test('a missing fault drops export and gas readings, not their rates; counters count them as export and gas', async t => {
  const { json, get, api } = await startSampleApi(t, {
    faults: [{ source: 'export', date: '2024-06-15', kind: 'missing', missingSlots: 3, times: 1 }, { source: 'gas', date: '2024-06-15', kind: 'missing', times: 2 }]
  })
  const exported = await json<Readings>(EXPORT_DAY, AUTH)
  assert.equal(exported.count, 45)
  assert.equal(exported.results[0].interval_start, '2024-06-15T22:00:00+01:00')
  assert.equal((await json<Readings>(EXPORT_DAY, AUTH)).count, 48)
  // A gas tariff request on that date is no reading: the fault waits for the next gas reading.
  assert.equal((await get(GAS_RATES + query({ period_from: '2024-06-15T00:00:00Z' }))).status, 200)
  assert.deepStrictEqual(api.faults(), [{ source: 'gas', date: '2024-06-15', kind: 'missing', times: 2 }])
  assert.equal((await json<Readings>(GAS_DAY, AUTH)).count, 46)
  assert.deepStrictEqual(api.requests.bySource, { export: 2, gas: 2 })
})

test('hostile faults reach export and gas lists, readings and rates alike', async t => {
  const { json } = await startSampleApi(t, { faults: [{ source: 'gas', kind: 'out-of-range' }, { source: 'export', kind: 'out-of-range' }] })
  const gas = await json<Readings>(GAS_DAY, AUTH)
  assert.ok(gas.results.every(r => r.consumption === 1e308))
  const rates = await json<{ results: Array<{ value_inc_vat: number }> }>(GAS_RATES)
  assert.ok(rates.results.length > 0 && rates.results.every(r => r.value_inc_vat === 1e308))
  const outgoing = await json<{ results: Array<{ value_inc_vat: number }> }>(OUTGOING)
  assert.deepStrictEqual(outgoing.results.map(r => r.value_inc_vat), [1e308])
})

// Spans: one request covering several London days, as the processors ask for a year at a time.

interface Carbon {
  data: Array<{ from: string, to: string, intensity?: { forecast: number, index: string }, generationmix?: Array<{ fuel: string, perc: number }> }>
}
interface Rates {
  count: number
  results: Array<{ value_inc_vat: number, valid_from: string, valid_to: string | null }>
}

/** Consumption of 2024-06-14 to 2024-06-16 (BST), oldest first, one page. */
const SPAN = CONSUMPTION + query({ period_from: '2024-06-14T00:00:00+01:00', period_to: '2024-06-16T23:30:00+01:00', order_by: 'period', page_size: 25000 })
/** The carbon slots of 2024-06-14 to 2024-06-16: from the first slot's end to the last one's. */
const CARBON_SPAN = '2024-06-13T23:30Z/2024-06-16T23:00Z'
const JUNE_15 = { startMs: Date.parse('2024-06-14T23:00:00Z'), endMs: Date.parse('2024-06-15T23:00:00Z') }
const onJune15 = (iso: string): boolean => Date.parse(iso) >= JUNE_15.startMs && Date.parse(iso) < JUNE_15.endMs

test('a dated 500 fault hits a multi-day request covering its date, and none that does not', async t => {
  const { get } = await startSampleApi(t, {
    faults: [{ source: 'usage', date: '2024-06-15', kind: '500' }, { source: 'pricing', date: '2024-06-15', kind: '500' }, { source: 'co2', date: '2024-06-15', kind: '500' }]
  })
  const usage = (from: string, to: string): string => CONSUMPTION + query({ period_from: from, period_to: to, page_size: 25000 })
  // A year, a month, and spans that end or start on the date.
  for (const path of [
    usage('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),
    usage('2024-06-01T00:00:00+01:00', '2024-07-01T00:00:00+01:00'),
    usage('2024-06-10T00:00:00+01:00', '2024-06-15T00:30:00+01:00'),
    usage('2024-06-15T23:30:00+01:00', '2024-06-20T00:00:00+01:00'),
    FIXED + query({ period_from: '2024-01-01T00:00:00Z', period_to: '2024-07-01T00:00:00+01:00' }),
    '/carbon/intensity/2024-06-10T23:30Z/2024-06-20T23:00Z'
  ]) assert.equal((await get(path, AUTH)).status, 500, path)
  for (const path of [
    // period_to is exclusive: up to 2024-06-15 00:00 covers the 14th at most.
    usage('2024-06-01T00:00:00+01:00', '2024-06-15T00:00:00+01:00'),
    usage('2024-06-16T00:00:00+01:00', '2024-07-01T00:00:00+01:00'),
    FIXED + query({ period_from: '2024-06-16T00:00:00+01:00', period_to: '2024-07-01T00:00:00+01:00' }),
    '/carbon/intensity/2024-06-15T23:30Z/2024-06-29T23:00Z',
    '/carbon/intensity/2024-06-01T23:30Z/2024-06-14T23:00Z'
  ]) assert.equal((await get(path, AUTH)).status, 200, path)
})

test('a hostile fault on a span spoils the entries of its date only', async t => {
  const { json, api } = await startSampleApi(t, { faults: [{ source: 'co2', date: '2024-06-15', kind: 'out-of-range' }, { source: 'mix', date: '2024-06-15', kind: 'junk-fuels' }] })
  const clean = await startSampleApi(t)
  const { data } = await json<Carbon>(`/carbon/intensity/${CARBON_SPAN}`)
  assert.equal(data.length, 144)
  const spoilt = data.filter(d => d.intensity?.forecast === 1e308)
  assert.equal(spoilt.length, 48)
  assert.deepEqual(spoilt.map(d => d.from), data.filter(d => onJune15(d.from)).map(d => d.from))
  assert.equal(spoilt[0].from, '2024-06-14T23:00Z')
  assert.equal(spoilt[47].from, '2024-06-15T22:30Z')
  const mix = await json<Carbon>(`/carbon/generation/${CARBON_SPAN}`)
  assert.deepEqual(mix.data.map(d => d.generationmix?.length), [...Array(48).fill(9), ...Array(48).fill(29), ...Array(48).fill(9)])

  // Readings: the slots starting on the date; a DST day has 50.
  api.setFaults([{ source: 'usage', date: '2024-06-15', kind: 'out-of-range' }])
  const readings = await json<Readings>(SPAN, AUTH)
  assert.equal(readings.count, 144)
  const huge = readings.results.filter(r => r.consumption === 1e308)
  assert.equal(huge.length, 48)
  assert.ok(huge.every(r => r.interval_start.startsWith('2024-06-15T')))
  api.setFaults([{ source: 'co2', date: '2024-10-27', kind: 'control' }])
  const autumn = await json<Carbon>('/carbon/intensity/2024-10-25T23:30Z/2024-10-28T00:00Z')
  assert.equal(autumn.data.length, 98)
  assert.equal(autumn.data.filter(d => d.intensity?.index === 'lo\u0000w').length, 50)

  // Rates: every entry whose [valid_from, valid_to) overlaps the London day.
  api.setFaults([{ source: 'pricing', date: '2024-06-15', kind: 'out-of-range' }])
  const agile = await json<Rates>(RATES + query({ period_from: '2024-06-14T00:00:00+01:00', period_to: '2024-06-17T00:00:00+01:00', page_size: 1500 }))
  assert.equal(agile.count, 146)
  const dear = agile.results.filter(r => r.value_inc_vat === 1e308)
  assert.equal(dear.length, 48)
  assert.ok(dear.every(r => onJune15(r.valid_from)))
  const year = FIXED + query({ period_from: '2024-01-01T00:00:00Z', period_to: '2024-07-01T12:00:00Z' })
  for (const [date, spoiltFrom] of [['2024-06-15', '2024-03-31T23:00:00Z'], ['2024-07-01', '2024-06-30T23:00:00Z'], ['2024-01-01', '2024-01-01T00:00:00Z']]) {
    api.setFaults([{ source: 'pricing', date, kind: 'out-of-range' }])
    const { count, results } = await json<Rates>(year)
    assert.equal(count, 8, date)
    // A quarter ending at the day's midnight does not overlap it; the current one (valid_to null) is open.
    assert.deepEqual(results.filter(r => r.value_inc_vat === 1e308).map(r => r.valid_from), [spoiltFrom, spoiltFrom], date)
  }

  // An undated hostile fault spoils every entry; whatever a dated one leaves is the clean answer.
  api.setFaults([{ source: 'co2', kind: 'out-of-range' }])
  assert.ok((await json<Carbon>(`/carbon/intensity/${CARBON_SPAN}`)).data.every(d => d.intensity?.forecast === 1e308))
  api.setFaults([{ source: 'co2', date: '2024-06-15', kind: 'out-of-range' }])
  const cleanData = (await clean.json<Carbon>(`/carbon/intensity/${CARBON_SPAN}`)).data
  const spoiltAgain = (await json<Carbon>(`/carbon/intensity/${CARBON_SPAN}`)).data
  assert.equal(spoiltAgain.length, 144)
  assert.deepEqual(spoiltAgain.filter(d => !onJune15(d.from)), cleanData.filter(d => !onJune15(d.from)))
  assert.notDeepEqual(spoiltAgain, cleanData)
})

test('a missing fault on a span drops slots at the end of its date only; an undated one at the end of the last date', async t => {
  const { json, api } = await startSampleApi(t)
  const whole = await json<Readings>(SPAN, AUTH)
  assert.equal(whole.count, 144)
  const gone = (short: Readings): string[] => {
    const kept = new Set(short.results.map(r => r.interval_start))
    return whole.results.map(r => r.interval_start).filter(s => !kept.has(s))
  }
  api.setFaults([{ source: 'usage', date: '2024-06-15', kind: 'missing', missingSlots: 3, times: 1 }])
  const dated = await json<Readings>(SPAN, AUTH)
  assert.equal(dated.count, 141)
  assert.deepEqual(gone(dated), ['2024-06-15T22:30:00+01:00', '2024-06-15T23:00:00+01:00', '2024-06-15T23:30:00+01:00'])
  api.setFaults([{ source: 'usage', kind: 'missing', times: 1 }])
  const undated = await json<Readings>(SPAN, AUTH)
  assert.equal(undated.count, 142)
  assert.deepEqual(gone(undated), ['2024-06-16T23:00:00+01:00', '2024-06-16T23:30:00+01:00'])
  assert.deepEqual(await json<Readings>(SPAN, AUTH), whole)
})

test('latency delays every non-admin answer; the admin API sets it, reset restores the option', async t => {
  const { get, admin, api, base } = await startSampleApi(t, { latencyMs: 120, faults: [{ source: 'co2', kind: '500', times: 1 }] })
  const timed = async (path: string): Promise<[number, number]> => {
    const started = performance.now()
    const res = await get(path)
    await res.arrayBuffer()
    return [res.status, performance.now() - started]
  }
  // Timers may fire a few ms early against performance.now(), as the slow-fault test allows.
  const [status, ms] = await timed('/carbon/intensity/date/2024-06-15')
  assert.equal(status, 500)
  assert.ok(ms >= 110, `${ms} ms`)
  const [notFound, ms404] = await timed('/nowhere')
  assert.equal(notFound, 404)
  assert.ok(ms404 >= 110, `${ms404} ms`)
  assert.deepEqual(await (await admin('GET', '/latency')).json(), { ms: 120 })

  const put = await admin('PUT', '/latency', '{"ms":250}')
  assert.equal(put.status, 200)
  assert.deepEqual(await put.json(), { ms: 250 })
  assert.equal(api.latency(), 250)
  const [ok, slower] = await timed('/carbon/intensity/date/2024-06-15')
  assert.equal(ok, 200)
  assert.ok(slower >= 240, `${slower} ms`)

  // A client that leaves during the latency frees it and takes no fault.
  api.setLatency(30000)
  api.setFaults([{ source: 'co2', kind: '500', times: 1 }])
  await new Promise<void>(resolve => {
    const req = request(`${base}/carbon/intensity/date/2024-06-15`)
    req.on('error', () => resolve())
    req.end()
    setTimeout(() => req.destroy(), 50)
  })
  assert.deepEqual(api.faults(), [{ source: 'co2', kind: '500', times: 1 }])

  assert.equal((await admin('POST', '/reset')).status, 200)
  assert.equal(api.latency(), 120)
  for (const [body, detail] of [
    ['{"ms":-1}', 'PUT /_admin/latency body: latency must be a whole number of ms >= 0, got -1'],
    ['{"ms":1.5}', 'PUT /_admin/latency body: latency must be a whole number of ms >= 0, got 1.5'],
    ['{"ms":"150"}', 'PUT /_admin/latency body: latency must be a whole number of ms >= 0, got "150"'],
    ['{"ms":1,"jitter":2}', 'PUT /_admin/latency body must be {"ms": N}, got {"ms":1,"jitter":2}'],
    ['150', 'PUT /_admin/latency body must be {"ms": N}, got 150'],
    ['', 'PUT /_admin/latency body is not valid JSON: Unexpected end of JSON input']
  ]) {
    const res = await admin('PUT', '/latency', body)
    assert.equal(res.status, 400, body)
    assert.deepEqual(await res.json(), { detail }, body)
  }
  assert.equal(api.latency(), 120)
  const post = await admin('POST', '/latency', '{"ms":1}')
  assert.equal(post.status, 405)
  assert.equal(post.headers.get('allow'), 'GET, PUT')
  assert.throws(() => createSampleApi({ seed: 1, latencyMs: -5 }), { name: 'RangeError', message: 'latency must be a whole number of ms >= 0, got -5' })
})

test('carbon ranges are counted by path template, so the counters stay small', async t => {
  const { get, api } = await startSampleApi(t)
  for (const path of [
    '/carbon/intensity/2024-06-13T23:30Z/2024-06-16T23:00Z',
    '/carbon/intensity/2024-06-16T23:30Z/2024-06-19T23:00Z',
    '/carbon/intensity/2024-06-16T23:30Z/2024-07-19T23:00Z',
    '/carbon/generation/2024-06-13T23:30Z/2024-06-16T23:00Z',
    '/carbon/generation/tomorrow/today',
    '/carbon/intensity/date/2024-06-15',
    SPAN
  ]) await (await get(path, AUTH)).arrayBuffer()
  assert.deepEqual(api.requests, {
    total: 7,
    bySource: { co2: 4, mix: 2, usage: 1 },
    byPath: { '/carbon/intensity/{from}/{to}': 3, '/carbon/generation/{from}/{to}': 2, '/carbon/intensity/date/2024-06-15': 1, [CONSUMPTION]: 1 }
  })
})

test('regional ranges count as regional, forecasts as forecast, by path template', async t => {
  const { get, api } = await startSampleApi(t)
  for (const path of [
    '/carbon/regional/intensity/2024-06-13T23:30Z/2024-06-16T23:00Z/postcode/SW1A',
    '/carbon/regional/intensity/2024-06-16T23:30Z/2024-06-19T23:00Z/postcode/RG41',
    '/carbon/regional/intensity/2024-06-16T23:30Z/2024-06-19T23:00Z/regionid/13',
    '/carbon/regional/intensity/2024-06-16T23:30Z/2024-06-19T23:00Z/regionid/99',
    '/carbon/regional/intensity/2024-06-16T12:00Z/fw48h/postcode/SW1A',
    '/carbon/regional/intensity/2024-06-16T12:00Z/fw48h/regionid/13',
    '/carbon/regional/intensity/2024-06-17T12:00Z/fw48h/regionid/1',
    '/carbon/intensity/2024-06-16T12:00Z/fw48h',
    '/carbon/intensity/2024-06-17T12:00Z/fw48h'
  ]) await (await get(path)).arrayBuffer()
  assert.deepEqual(api.requests, {
    total: 9,
    bySource: { regional: 4, forecast: 5 },
    byPath: {
      '/carbon/regional/intensity/{from}/{to}/postcode/{postcode}': 2,
      '/carbon/regional/intensity/{from}/{to}/regionid/{regionid}': 2,
      '/carbon/regional/intensity/{from}/fw48h/postcode/{postcode}': 1,
      '/carbon/regional/intensity/{from}/fw48h/regionid/{regionid}': 2,
      '/carbon/intensity/{from}/fw48h': 2
    }
  })
})

test('regional and forecast faults match their own source and the London dates of the answered slots\' starts', async t => {
  const { get, api } = await startSampleApi(t, { faults: [{ source: 'regional', date: '2024-06-15', kind: '500' }] })
  const regional = (range: string): string => `/carbon/regional/intensity/${range}/regionid/13`
  assert.equal((await get(regional('2024-06-14T23:30Z/2024-06-15T23:00Z'))).status, 500)
  // From local midnight of the 16th: the first slot, 23:30-00:00, starts on the 15th.
  assert.equal((await get(regional('2024-06-15T23:00Z/2024-06-16T23:00Z'))).status, 500)
  assert.equal((await get(regional('2024-06-15T23:30Z/2024-06-16T23:00Z'))).status, 200)
  assert.equal((await get('/carbon/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z')).status, 200)
  assert.equal((await get('/carbon/regional/intensity/2024-06-15T12:00Z/fw48h/regionid/13')).status, 200)

  api.setFaults([{ source: 'forecast', date: '2024-06-17', kind: '429', times: 2 }])
  // 96 slots from 2024-06-15 12:00Z end 2024-06-17 11:30Z: they cover the 15th to the 17th.
  assert.equal((await get('/carbon/intensity/2024-06-15T12:00Z/fw48h')).status, 429)
  assert.equal((await get('/carbon/regional/intensity/2024-06-15T12:00Z/fw48h/postcode/SW1A')).status, 429)
  assert.equal((await get('/carbon/intensity/2024-06-15T12:00Z/fw48h')).status, 200)
  api.setFaults([{ source: 'forecast', date: '2024-06-17', kind: '500' }])
  assert.equal((await get('/carbon/intensity/2024-06-14T12:00Z/fw48h')).status, 200, 'ends on the 16th')
  assert.equal((await get('/carbon/regional/intensity/2024-06-15T23:00Z/2024-06-17T23:00Z/regionid/13')).status, 200, 'a range is regional, not forecast')
})

test('an empty fault answers 200 {"data": []} on every Carbon route and passes Octopus ones by', async t => {
  const { get, api } = await startSampleApi(t, { faults: [{ source: '*', kind: 'empty', times: 6 }] })
  for (const path of [
    '/carbon/intensity/date/2024-06-15',
    '/carbon/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z',
    '/carbon/generation/2024-06-14T23:30Z/2024-06-15T23:00Z',
    '/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/postcode/SW1A',
    '/carbon/intensity/2024-06-15T12:00Z/fw48h',
    '/carbon/regional/intensity/2024-06-15T12:00Z/fw48h/regionid/13'
  ]) {
    const res = await get(path)
    assert.equal(res.status, 200, path)
    assert.deepEqual(await res.json(), { data: [] }, path)
  }
  assert.deepEqual(api.faults(), [])
  api.setFaults([{ source: '*', kind: 'empty' }])
  const rates = await get(RATES + query({ period_from: '2024-06-15T00:00:00Z', period_to: '2024-06-15T01:00:00Z' }))
  assert.equal(rates.status, 200)
  assert.equal(((await rates.json()) as { count: number }).count, 4)
  assert.equal((await get(DAY, AUTH)).status, 200)
  // A dated one: only a request covering its date.
  api.setFaults([{ source: 'regional', date: '2024-06-15', kind: 'empty' }])
  assert.deepEqual(await (await get('/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/regionid/13')).json(), { data: [] })
  const other = await (await get('/carbon/regional/intensity/2024-06-15T23:30Z/2024-06-16T23:00Z/regionid/13')).json() as { data: { data: unknown[] } }
  assert.equal(other.data.data.length, 48)
})

test('hostile faults spoil regional and forecast slots of their date', async t => {
  const { get, api } = await startSampleApi(t, { faults: [{ source: 'regional', date: '2024-06-15', kind: 'out-of-range' }] })
  interface Slots { data: Array<{ from: string, intensity: { forecast: number, index: string }, generationmix?: unknown[] }> }
  const regional = async (path: string): Promise<Slots['data']> => ((await (await get(path)).json()) as { data: Slots }).data.data
  const slots = await regional('/carbon/regional/intensity/2024-06-13T23:30Z/2024-06-16T23:00Z/regionid/13')
  assert.equal(slots.length, 144)
  assert.deepEqual(slots.filter(d => d.intensity.forecast === 1e308).map(d => d.from), slots.slice(48, 96).map(d => d.from))
  api.setFaults([{ source: 'regional', kind: 'junk-fuels' }])
  assert.ok((await regional('/carbon/regional/intensity/2024-06-14T23:30Z/2024-06-15T23:00Z/postcode/SW1A')).every(d => d.generationmix?.length === 29))
  api.setFaults([{ source: 'forecast', date: '2024-06-16', kind: 'control' }])
  const national = ((await (await get('/carbon/intensity/2024-06-15T12:00Z/fw48h')).json()) as Slots).data
  assert.equal(national.filter(d => d.intensity.index === 'lo\u0000w').length, 48)
  const forecast = await regional('/carbon/regional/intensity/2024-06-15T12:00Z/fw48h/regionid/7')
  assert.equal(forecast.filter(d => d.intensity.index === 'lo\u0000w').length, 48)
})
