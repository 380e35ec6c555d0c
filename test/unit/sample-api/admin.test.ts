import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SAMPLE_EXPORT_AGREEMENTS, SAMPLE_IMPORT_AGREEMENTS, type Agreement } from '../../../sample-api/index.ts'
import { AUTH, startSampleApi, type Started } from './helpers.ts'

interface Account {
  properties: Array<{ electricity_meter_points: Array<{ mpan: string, agreements: Agreement[] }> }>
}

const [OLD, MID, AGILE] = SAMPLE_IMPORT_AGREEMENTS
const EXPORT_MPAN = '1170000000001'

async function post (started: Started, change: object | string): Promise<Response> {
  return await started.admin('POST', '/agreements', typeof change === 'string' ? change : JSON.stringify(change))
}

/** The agreements the account endpoint lists, by mpan. */
async function accountAgreements ({ json }: Started): Promise<Record<string, Agreement[]>> {
  const account = await json<Account>('/octopus/v1/accounts/A-1234ABCD/', AUTH)
  return Object.fromEntries(account.properties[0].electricity_meter_points.map(p => [p.mpan, p.agreements]))
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
  assert.deepStrictEqual(await accountAgreements(started), { [EXPORT_MPAN]: SAMPLE_EXPORT_AGREEMENTS, 1900000000001: SAMPLE_IMPORT_AGREEMENTS })
})

test('mpan picks the export meter point; the import one is left as it is', async t => {
  const started = await startSampleApi(t)
  const fix = { tariff_code: 'E-1R-OUTGOING-VAR-24-10-26-C', valid_from: '2024-10-26T00:00:00+01:00', valid_to: null, mpan: EXPORT_MPAN }
  const expected = [
    { ...SAMPLE_EXPORT_AGREEMENTS[0], valid_to: '2024-10-26T00:00:00+01:00' },
    { tariff_code: 'E-1R-OUTGOING-VAR-24-10-26-C', valid_from: '2024-10-26T00:00:00+01:00', valid_to: null }
  ]
  assert.deepStrictEqual(await (await post(started, fix)).json(), expected)
  assert.deepStrictEqual(await accountAgreements(started), { [EXPORT_MPAN]: expected, 1900000000001: SAMPLE_IMPORT_AGREEMENTS })
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
    [{ ...good, mpan: '1900000000009' }, 'mpan "1900000000009" is not a meter point of account A-1234ABCD (1170000000001, 1900000000001)']
  ]
  for (const [body, detail] of cases) {
    const res = await post(started, body)
    assert.equal(res.status, 400, JSON.stringify(body))
    assert.deepStrictEqual(await res.json(), { detail })
  }
  assert.deepStrictEqual(started.api.agreements(), SAMPLE_IMPORT_AGREEMENTS, 'nothing changed')
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
  assert.throws(() => api.agreements('1'), { name: 'RangeError', message: 'mpan "1" is not a meter point of account A-1234ABCD (1170000000001, 1900000000001)' })
})
