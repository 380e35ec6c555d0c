import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
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

test('a generation range is about the local date 30 minutes after from', async t => {
  const { get } = await startSampleApi(t, { faults: [{ source: 'mix', date: '2024-06-15', kind: '500' }] })
  assert.equal((await get('/carbon/generation/2024-06-14T23:00Z/2024-06-15T23:00Z')).status, 500)
  assert.equal((await get('/carbon/generation/2024-06-14T22:30Z/2024-06-15T22:30Z')).status, 500)
  assert.equal((await get('/carbon/generation/2024-06-14T22:00Z/2024-06-15T22:00Z')).status, 200)
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
