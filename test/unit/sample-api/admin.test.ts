import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  SAMPLE_EXPORT_AGREEMENTS, SAMPLE_GAS_AGREEMENTS, SAMPLE_IMPORT_AGREEMENTS, SAMPLE_PREVIOUS_AGREEMENTS, type Agreement
} from '../../../sample-api/index.ts'
import { AUTH, startSampleApi, type Started } from './helpers.ts'

interface Account {
  properties: Array<{ electricity_meter_points: Array<{ mpan: string, agreements: Agreement[] }> }>
}

const [OLD, MID, AGILE] = SAMPLE_IMPORT_AGREEMENTS
const EXPORT_MPAN = '1170000000001'
const PREVIOUS_MPAN = '1013000000001'
const MPRN = '3000000000001'
const POINTS = '(1013000000001, 1170000000001, 1900000000001)'

async function post (started: Started, change: object | string): Promise<Response> {
  return await started.admin('POST', '/agreements', typeof change === 'string' ? change : JSON.stringify(change))
}

/** The agreements the account endpoint lists, by mpan (every property's). */
async function accountAgreements ({ json }: Started): Promise<Record<string, Agreement[]>> {
  const account = await json<Account>('/octopus/v1/accounts/A-1234ABCD/', AUTH)
  return Object.fromEntries(account.properties.flatMap(p => p.electricity_meter_points).map(p => [p.mpan, p.agreements]))
}

test('GET /_admin/agreements answers the import agreements', async t => {
  const started = await startSampleApi(t)
  const res = await started.admin('GET', '/agreements')
  assert.equal(res.status, 200)
  assert.deepStrictEqual(await res.json(), SAMPLE_IMPORT_AGREEMENTS)
  assert.deepStrictEqual(started.api.agreements(EXPORT_MPAN), SAMPLE_EXPORT_AGREEMENTS)
})

test('POST /_admin/agreements splits, trims and removes; the account lists the result; reset restores it', async t => {
  const started = await startSampleApi(t)
  // Inside the first agreement: it is split in two around the new one.
  const inside = { tariff_code: 'E-1R-AGILE-18-02-21-C', valid_from: '2019-04-01T00:00:00+01:00', valid_to: '2020-04-01T00:00:00+01:00' }
  const split = [
    { ...OLD, valid_to: '2019-04-01T00:00:00+01:00' },
    inside,
    { ...OLD, valid_from: '2020-04-01T00:00:00+01:00' },
    MID,
    AGILE
  ]
  const res = await post(started, inside)
  assert.equal(res.status, 200)
  assert.deepStrictEqual(await res.json(), split)
  assert.deepStrictEqual((await accountAgreements(started))['1900000000001'], split)

  // Over the split's tail, all of MID and the start of AGILE: trimmed at both edges, MID removed.
  const across = { tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C', valid_from: '2021-06-01T00:00:00+01:00', valid_to: '2024-12-01T00:00:00Z' }
  const trimmed = [
    split[0],
    inside,
    { ...OLD, valid_from: '2020-04-01T00:00:00+01:00', valid_to: '2021-06-01T00:00:00+01:00' },
    across,
    { ...AGILE, valid_from: '2024-12-01T00:00:00Z' }
  ]
  assert.deepStrictEqual(await (await post(started, across)).json(), trimmed)

  // Open-ended, from 2025: the current agreement ends where it starts.
  const open = { tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C', valid_from: '2025-01-01T00:00:00Z', valid_to: null }
  const ended = [...trimmed.slice(0, 4), { ...AGILE, valid_from: '2024-12-01T00:00:00Z', valid_to: '2025-01-01T00:00:00Z' }, open]
  assert.deepStrictEqual(await (await post(started, open)).json(), ended)
  assert.deepStrictEqual(await (await started.admin('GET', '/agreements')).json(), ended)

  assert.equal((await started.admin('POST', '/reset')).status, 200)
  assert.deepStrictEqual(await (await started.admin('GET', '/agreements')).json(), SAMPLE_IMPORT_AGREEMENTS)
  assert.deepStrictEqual(await accountAgreements(started), { [PREVIOUS_MPAN]: SAMPLE_PREVIOUS_AGREEMENTS, [EXPORT_MPAN]: SAMPLE_EXPORT_AGREEMENTS, 1900000000001: SAMPLE_IMPORT_AGREEMENTS })
})

test('mpan picks the export meter point; the import one is left as it is', async t => {
  const started = await startSampleApi(t)
  const fix = { tariff_code: 'E-1R-OUTGOING-VAR-24-10-26-C', valid_from: '2024-10-26T00:00:00+01:00', valid_to: null, mpan: EXPORT_MPAN }
  const expected = [
    SAMPLE_EXPORT_AGREEMENTS[0],
    { ...SAMPLE_EXPORT_AGREEMENTS[1], valid_to: '2024-10-26T00:00:00+01:00' },
    { tariff_code: 'E-1R-OUTGOING-VAR-24-10-26-C', valid_from: '2024-10-26T00:00:00+01:00', valid_to: null }
  ]
  assert.deepStrictEqual(await (await post(started, fix)).json(), expected)
  assert.deepStrictEqual(await accountAgreements(started), { [PREVIOUS_MPAN]: SAMPLE_PREVIOUS_AGREEMENTS, [EXPORT_MPAN]: expected, 1900000000001: SAMPLE_IMPORT_AGREEMENTS })
  const res = await started.admin('GET', `/agreements?mpan=${EXPORT_MPAN}`)
  assert.equal(res.status, 200)
  assert.deepStrictEqual(await res.json(), expected)
})

test('admin agreement requests are never faulted nor counted', async t => {
  const started = await startSampleApi(t, { faults: [{ source: '*', kind: '500' }] })
  const res = await post(started, { tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C', valid_from: '2025-01-01T00:00:00Z', valid_to: null })
  assert.equal(res.status, 200)
  assert.equal((await started.admin('GET', '/agreements')).status, 200)
  assert.deepStrictEqual(started.api.requests, { total: 0, bySource: {}, byPath: {} })
})

test('a bad agreement is a 400 naming every problem; other methods are 405', async t => {
  const started = await startSampleApi(t)
  const time = 'an ISO 8601 time with offset, like 2024-10-01T00:00:00+01:00'
  const invalid = (...problems: string[]): string => `POST /_admin/agreements body is invalid:\n  ${problems.join('\n  ')}`
  const good = { tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C', valid_from: '2025-01-01T00:00:00Z', valid_to: null }
  const cases: Array<[object | string, string]> = [
    ['nope', 'POST /_admin/agreements body is not valid JSON: Unexpected token \'o\', "nope" is not valid JSON'],
    ['', 'POST /_admin/agreements body is not valid JSON: Unexpected end of JSON input'],
    ['[]', 'POST /_admin/agreements body must be a JSON object'],
    ['null', 'POST /_admin/agreements body must be a JSON object'],
    [{}, invalid('tariff_code is required', `valid_from is required (${time})`, `valid_to is required (${time}, or null)`)],
    [{ ...good, tariff_code: 'AGILE-24-10-01' }, invalid('tariff_code must look like E-1R-AGILE-24-10-01-C (/^[EG]-[12]R-.+-[A-P]$/), got "AGILE-24-10-01"')],
    [{ ...good, tariff_code: 'E-1R-AGILE-24-10-01-Q' }, invalid('tariff_code must look like E-1R-AGILE-24-10-01-C (/^[EG]-[12]R-.+-[A-P]$/), got "E-1R-AGILE-24-10-01-Q"')],
    [{ ...good, tariff_code: 7 }, invalid('tariff_code must look like E-1R-AGILE-24-10-01-C (/^[EG]-[12]R-.+-[A-P]$/), got 7')],
    [{ ...good, valid_from: '2025-01-01' }, invalid(`valid_from must be ${time}, got "2025-01-01"`)],
    [{ ...good, valid_from: '2025-01-01T00:00:00' }, invalid(`valid_from must be ${time}, got "2025-01-01T00:00:00"`)],
    [{ ...good, valid_from: '2025-02-30T00:00:00Z' }, invalid(`valid_from must be ${time}, got "2025-02-30T00:00:00Z"`)],
    [{ ...good, valid_to: 'soon' }, invalid(`valid_to must be ${time}, or null, got "soon"`)],
    [{ ...good, valid_to: '2025-01-01T00:00:00+00:00' }, invalid('valid_to (2025-01-01T00:00:00+00:00) must be after valid_from (2025-01-01T00:00:00Z)')],
    [{ ...good, valid_to: '2024-12-31T23:00:00Z' }, invalid('valid_to (2024-12-31T23:00:00Z) must be after valid_from (2025-01-01T00:00:00Z)')],
    [{ ...good, mpan: 1900000000001 }, invalid('mpan must be a string, got 1900000000001')],
    [{ ...good, region: 'C' }, invalid('unknown field "region"')],
    [{ ...good, mpan: '1900000000009' }, `mpan "1900000000009" is not a meter point of account A-1234ABCD ${POINTS}`],
    [{ ...good, mprn: 3000000000001 }, invalid('mprn must be a string, got 3000000000001', 'tariff_code of a gas meter point must start with G-, got "E-1R-AGILE-FLEX-22-11-25-C"')],
    [{ ...good, mpan: '1900000000001', mprn: MPRN }, invalid('give mpan (electricity) or mprn (gas), not both')],
    [{ ...good, mprn: MPRN }, invalid('tariff_code of a gas meter point must start with G-, got "E-1R-AGILE-FLEX-22-11-25-C"')],
    [{ ...good, tariff_code: 'G-1R-VAR-22-11-01-C' }, invalid('tariff_code of an electricity meter point must start with E-, got "G-1R-VAR-22-11-01-C"')],
    [{ ...good, tariff_code: 'G-1R-VAR-22-11-01-C', mprn: '3000000000009' }, 'mprn "3000000000009" is not a meter point of account A-1234ABCD (3000000000001)']
  ]
  for (const [body, detail] of cases) {
    const res = await post(started, body)
    assert.equal(res.status, 400, JSON.stringify(body))
    assert.deepStrictEqual(await res.json(), { detail })
  }
  assert.deepStrictEqual(started.api.agreements(), SAMPLE_IMPORT_AGREEMENTS, 'nothing changed')
  assert.deepStrictEqual(started.api.gasAgreements(), SAMPLE_GAS_AGREEMENTS, 'nothing changed')
  for (const method of ['PUT', 'DELETE']) {
    const res = await started.admin(method, '/agreements', method === 'PUT' ? JSON.stringify(good) : undefined)
    assert.equal(res.status, 405)
    assert.equal(res.headers.get('allow'), 'GET, POST')
    assert.deepStrictEqual(await res.json(), { detail: `Method "${method}" not allowed.` })
  }
})

test('addAgreement checks its change like the endpoint', async t => {
  const { api } = await startSampleApi(t)
  assert.throws(() => api.addAgreement({ tariff_code: 'E-1R-X-C', valid_from: '2025-01-01T00:00:00Z', valid_to: '2024-01-01T00:00:00Z' }), {
    name: 'RangeError',
    message: 'agreement is invalid:\n  valid_to (2024-01-01T00:00:00Z) must be after valid_from (2025-01-01T00:00:00Z)'
  })
  assert.throws(() => api.agreements('1'), { name: 'RangeError', message: `mpan "1" is not a meter point of account A-1234ABCD ${POINTS}` })
  assert.throws(() => api.agreements(MPRN), { name: 'RangeError', message: `mpan "${MPRN}" is not a meter point of account A-1234ABCD ${POINTS}` })
  assert.throws(() => api.gasAgreements('1900000000001'), { name: 'RangeError', message: 'mprn "1900000000001" is not a meter point of account A-1234ABCD (3000000000001)' })
})

test('mprn picks the gas meter point: POST and GET ?mprn=, the account lists it, reset restores it', async t => {
  const started = await startSampleApi(t)
  const gas = await started.admin('GET', `/agreements?mprn=${MPRN}`)
  assert.equal(gas.status, 200)
  assert.deepStrictEqual(await gas.json(), SAMPLE_GAS_AGREEMENTS)
  // A fixed gas tariff inside the first variable one: split around it.
  const fixed = { tariff_code: 'G-1R-FIX-12M-18-04-01-C', valid_from: '2018-04-01T00:00:00+01:00', valid_to: '2019-04-01T00:00:00+01:00', mprn: MPRN }
  const expected = [
    { tariff_code: 'G-1R-VAR-16-01-01-C', valid_from: '2016-01-01T00:00:00Z', valid_to: '2018-04-01T00:00:00+01:00' },
    { tariff_code: 'G-1R-FIX-12M-18-04-01-C', valid_from: '2018-04-01T00:00:00+01:00', valid_to: '2019-04-01T00:00:00+01:00' },
    { tariff_code: 'G-1R-VAR-16-01-01-C', valid_from: '2019-04-01T00:00:00+01:00', valid_to: '2022-11-01T00:00:00Z' },
    { tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: null }
  ]
  const res = await post(started, fixed)
  assert.equal(res.status, 200)
  assert.deepStrictEqual(await res.json(), expected)
  assert.deepStrictEqual(await (await started.admin('GET', `/agreements?mprn=${MPRN}`)).json(), expected)
  assert.deepStrictEqual(started.api.agreements(), SAMPLE_IMPORT_AGREEMENTS, 'electricity is left as it is')
  const account = await started.json<{ properties: Array<{ gas_meter_points: Array<{ mprn: string, agreements: Agreement[] }> }> }>('/octopus/v1/accounts/A-1234ABCD/', AUTH)
  assert.deepStrictEqual(account.properties[1].gas_meter_points.map(p => [p.mprn, p.agreements]), [[MPRN, expected]])
  // The previous property's meter point is on the account too.
  assert.deepStrictEqual(await (await started.admin('GET', `/agreements?mpan=${PREVIOUS_MPAN}`)).json(), SAMPLE_PREVIOUS_AGREEMENTS)

  for (const [path, detail] of [
    ['/agreements?mpan=1900000000001&mprn=3000000000001', 'give mpan (electricity) or mprn (gas), not both'],
    ['/agreements?mprn=1900000000001', 'mprn "1900000000001" is not a meter point of account A-1234ABCD (3000000000001)'],
    ['/agreements?mpan=3000000000001', `mpan "3000000000001" is not a meter point of account A-1234ABCD ${POINTS}`]
  ]) {
    const bad = await started.admin('GET', path)
    assert.equal(bad.status, 400, path)
    assert.deepStrictEqual(await bad.json(), { detail }, path)
  }

  assert.equal((await started.admin('POST', '/reset')).status, 200)
  assert.deepStrictEqual(started.api.gasAgreements(), SAMPLE_GAS_AGREEMENTS)
})
