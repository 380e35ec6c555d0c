import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, SLOT_MS } from '../../../lib/london-day.ts'
import {
  consumption, gasConsumption, REAL_ACCOUNT, REAL_EXPORT_AGREEMENTS, REAL_EXPORT_FROM_DATE, REAL_EXPORT_MPAN, REAL_EXPORT_SERIAL,
  REAL_GAS_AGREEMENTS, REAL_GAS_EXCHANGE_DATE, REAL_GAS_GAP, REAL_GAS_SMETS1_SERIAL, REAL_GAS_SMETS2_SERIAL, REAL_IMPORT_AGREEMENTS,
  REAL_IMPORT_GAP, REAL_LEGACY_SERIAL, REAL_MOVED_IN_AT, REAL_MPAN, REAL_MPRN, REAL_SERIAL, SAMPLE_MPAN, smets1GasConsumption
} from '../../../sample-api/index.ts'
import { AUTH, consumptionPath, EMPTY, query, startSampleApi, type Paged, type Reading } from './helpers.ts'

const ACCOUNT = `/octopus/v1/accounts/${REAL_ACCOUNT}/`
const STANDARD = [{ identifier: '1', rate: 'STANDARD', is_settlement_register: true }]

interface MeterPoint { mpan?: string, mprn?: string, meters: Array<{ serial_number: string }>, [key: string]: unknown }
interface Account { number: string, properties: Array<{ electricity_meter_points: MeterPoint[], gas_meter_points: MeterPoint[], [key: string]: unknown }> }

const day = (date: string): string => query({ period_from: new Date(londonDay(date).startMs).toISOString(), period_to: new Date(londonDay(date).endMs - SLOT_MS).toISOString(), order_by: 'period' })

test('A-REAL2026: one region E property, Basic auth, the real field shapes', async t => {
  const { get, json } = await startSampleApi(t)
  assert.equal((await get(ACCOUNT)).status, 401)
  assert.deepStrictEqual(await json(ACCOUNT, AUTH), {
    number: 'A-REAL2026',
    properties: [{
      id: 3,
      moved_in_at: '2017-06-01T00:00:00+01:00',
      moved_out_at: null,
      address_line_1: '7 Real Street',
      address_line_2: '',
      address_line_3: '',
      town: 'BIRMINGHAM',
      county: '',
      postcode: 'B1 1AA',
      electricity_meter_points: [
        {
          mpan: REAL_MPAN,
          profile_class: 1,
          consumption_standard: 3100,
          meters: [{ serial_number: REAL_SERIAL, registers: STANDARD }, { serial_number: REAL_LEGACY_SERIAL, registers: [] }],
          agreements: REAL_IMPORT_AGREEMENTS,
          is_export: false
        },
        {
          mpan: REAL_EXPORT_MPAN,
          profile_class: 8,
          consumption_standard: 0,
          meters: [{ serial_number: REAL_EXPORT_SERIAL, registers: STANDARD }],
          agreements: REAL_EXPORT_AGREEMENTS,
          is_export: true
        }
      ],
      gas_meter_points: [{
        mprn: REAL_MPRN,
        consumption_standard: 11500,
        meters: [{ serial_number: REAL_GAS_SMETS2_SERIAL }, { serial_number: REAL_GAS_SMETS1_SERIAL }],
        agreements: REAL_GAS_AGREEMENTS
      }]
    }]
  })
  assert.equal(REAL_MPAN.length, 13)
  assert.deepStrictEqual(REAL_IMPORT_AGREEMENTS.map(a => a.tariff_code), [
    'E1R-AEVAR-1201-E', 'E-1R-GONE-19-06-01-E', 'E-1R-VAR-19-07-01-E', 'E-FLAT2R-VAR-22-11-01-E', 'E-1R-COSY-22-12-08-E', 'E-1R-SILVER-24-12-31-E',
    'E-1R-IOG-SMB-TOU-25-12-12-E'
  ])
  // Each agreement ends where the next begins; the last is open-ended.
  for (const list of [REAL_IMPORT_AGREEMENTS, REAL_EXPORT_AGREEMENTS, REAL_GAS_AGREEMENTS]) {
    for (let i = 1; i < list.length; i++) assert.equal(Date.parse(list[i - 1].valid_to as string), Date.parse(list[i].valid_from))
    assert.equal(list[list.length - 1].valid_to, null)
  }
  assert.equal((await get('/octopus/v1/accounts/A-NOPE0000/', AUTH)).status, 404)
})

test('the legacy import meter is 404 for every request; the smart one reads from move-in with a three-day gap', async t => {
  const { get, json } = await startSampleApi(t)
  for (const q of ['', day('2018-01-10'), day('2024-02-11')]) {
    const res = await get(consumptionPath(REAL_MPAN, REAL_LEGACY_SERIAL) + q, AUTH)
    assert.deepStrictEqual([res.status, await res.json()], [404, { detail: 'Not found.' }], q)
  }
  const meter = consumptionPath(REAL_MPAN, REAL_SERIAL)
  const first = await json<Paged<Reading>>(meter + query({ order_by: 'period', page_size: 1 }), AUTH)
  assert.equal(first.results[0].interval_start, REAL_MOVED_IN_AT)
  const gapFrom = londonDay(REAL_IMPORT_GAP.from).startMs
  const gapTo = londonDay(REAL_IMPORT_GAP.to).endMs
  const around = await json<Paged<Reading>>(meter + query({ period_from: new Date(gapFrom - SLOT_MS).toISOString(), period_to: new Date(gapTo).toISOString(), order_by: 'period' }), AUTH)
  assert.deepStrictEqual(around.results.map(r => [r.interval_start, r.consumption]), [
    ['2024-02-09T23:30:00Z', consumption(42, gapFrom - SLOT_MS)],
    ['2024-02-13T00:00:00Z', consumption(42, gapTo)]
  ])
  for (const date of ['2024-02-10', '2024-02-11', '2024-02-12']) assert.deepStrictEqual(await json(meter + day(date), AUTH), EMPTY, date)
  assert.equal((await json<Paged<Reading>>(meter + day('2024-02-13'), AUTH)).count, 48)
})

test('export readings from 2023-01-01 on the shared smart meter, solar shaped', async t => {
  const { json } = await startSampleApi(t)
  const exported = consumptionPath(REAL_EXPORT_MPAN, REAL_EXPORT_SERIAL)
  assert.deepStrictEqual(await json(exported + day('2022-12-31'), AUTH), EMPTY)
  const june = await json<Paged<Reading>>(exported + day('2023-06-21'), AUTH)
  assert.equal(june.count, 48)
  assert.equal(june.results[0].consumption, 0)
  assert.ok(june.results.reduce((s, r) => s + r.consumption, 0) > 1)
  const first = await json<Paged<Reading>>(exported + query({ order_by: 'period', page_size: 1 }), AUTH)
  assert.equal(first.results[0].interval_start, `${REAL_EXPORT_FROM_DATE}T00:00:00Z`)
})

test('gas exchange: SMETS1 in kWh until 12:00, SMETS2 in m³ from 10:00 (BST), both empty over the gas gap', async t => {
  const { json } = await startSampleApi(t)
  const smets1 = consumptionPath(REAL_MPRN, REAL_GAS_SMETS1_SERIAL, 'gas')
  const smets2 = consumptionPath(REAL_MPRN, REAL_GAS_SMETS2_SERIAL, 'gas')
  const old = await json<Paged<Reading>>(smets1 + day(REAL_GAS_EXCHANGE_DATE), AUTH)
  const fresh = await json<Paged<Reading>>(smets2 + day(REAL_GAS_EXCHANGE_DATE), AUTH)
  assert.deepStrictEqual([old.count, old.results[0].interval_start, old.results[old.count - 1].interval_end], [24, '2023-06-15T00:00:00+01:00', '2023-06-15T12:00:00+01:00'])
  assert.deepStrictEqual([fresh.count, fresh.results[0].interval_start], [28, '2023-06-15T10:00:00+01:00'])
  // The overlap 10:00-12:00: the same gas, m³ on one meter, kWh (× 1.02264 × 40 / 3.6) on the other.
  const overlap = fresh.results.slice(0, 4)
  assert.deepStrictEqual(old.results.slice(20).map(r => r.interval_start), overlap.map(r => r.interval_start))
  for (const [i, r] of overlap.entries()) {
    const slot = Date.parse(r.interval_start)
    assert.equal(r.consumption, gasConsumption(42, slot))
    assert.equal(old.results[20 + i].consumption, smets1GasConsumption(42, slot))
  }
  const winter = await json<Paged<Reading>>(smets1 + day('2018-01-10'), AUTH)
  assert.ok(winter.results.reduce((s, r) => s + r.consumption, 0) > 20, 'a January day in kWh')
  for (const date of [REAL_GAS_GAP.from, REAL_GAS_GAP.to]) assert.deepStrictEqual(await json(smets2 + day(date), AUTH), EMPTY, date)
  assert.equal((await json<Paged<Reading>>(smets2 + day('2024-02-22'), AUTH)).count, 48)
})

test('POST /_admin/account drops a meter point or a meter from the answers of either account; restore puts them back', async t => {
  const { json, admin, api } = await startSampleApi(t)
  const post = async (body: unknown): Promise<Response> => await admin('POST', '/account', JSON.stringify(body))
  const before = await json<Account>(ACCOUNT, AUTH)
  let res = await post({ drop: { mpan: REAL_EXPORT_MPAN } })
  assert.deepStrictEqual([res.status, await res.json()], [200, { dropped: [{ mpan: REAL_EXPORT_MPAN }] }])
  res = await post({ drop: { mprn: REAL_MPRN, serial: REAL_GAS_SMETS1_SERIAL } })
  assert.equal(res.status, 200)
  res = await post({ drop: { mpan: SAMPLE_MPAN } })
  assert.equal(res.status, 200)
  const after = await json<Account>(ACCOUNT, AUTH)
  assert.deepStrictEqual(after.properties[0].electricity_meter_points.map(p => p.mpan), [REAL_MPAN])
  assert.deepStrictEqual(after.properties[0].gas_meter_points[0].meters, [{ serial_number: REAL_GAS_SMETS2_SERIAL }])
  const first = await json<Account>('/octopus/v1/accounts/A-1234ABCD/', AUTH)
  assert.deepStrictEqual(first.properties[1].electricity_meter_points.map(p => p.mpan), ['1170000000001'])
  assert.deepStrictEqual(await (await admin('GET', '/account')).json(), {
    dropped: [{ mpan: REAL_EXPORT_MPAN }, { mprn: REAL_MPRN, serial: REAL_GAS_SMETS1_SERIAL }, { mpan: SAMPLE_MPAN }]
  })
  res = await post({ restore: true })
  assert.deepStrictEqual([res.status, await res.json()], [200, { dropped: [] }])
  assert.deepStrictEqual(await json(ACCOUNT, AUTH), before)
  // Reset restores too.
  await post({ drop: { mpan: REAL_MPAN, serial: REAL_LEGACY_SERIAL } })
  api.reset()
  assert.deepStrictEqual(await json(ACCOUNT, AUTH), before)
  const bad: Array<[unknown, string]> = [
    [{ drop: { mpan: '1' } }, 'POST /_admin/account body: mpan "1" is not a meter point of any account'],
    [{ drop: { mprn: REAL_MPAN } }, `POST /_admin/account body: mprn "${REAL_MPAN}" is not a meter point of any account`],
    [{ drop: { mpan: REAL_MPAN, serial: 'X' } }, `POST /_admin/account body: serial "X" is not a meter of ${REAL_MPAN} (${REAL_SERIAL}, ${REAL_LEGACY_SERIAL})`],
    [{ drop: { mpan: REAL_MPAN, mprn: REAL_MPRN } }, 'POST /_admin/account body: drop needs mpan (electricity) or mprn (gas), one of them'],
    [{ drop: { mpan: REAL_MPAN, colour: 'red' } }, 'POST /_admin/account body: drop has unknown field "colour"'],
    [{ restore: false }, 'POST /_admin/account body must be {"drop": {"mpan"|"mprn": "…", "serial"?: "…"}} or {"restore": true}, got {"restore":false}']
  ]
  for (const [body, detail] of bad) {
    res = await post(body)
    assert.deepStrictEqual([res.status, await res.json()], [400, { detail }], JSON.stringify(body))
  }
  assert.equal((await admin('DELETE', '/account')).status, 405)
  assert.deepStrictEqual(api.accountDrops(), [])
})
