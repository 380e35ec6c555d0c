import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import {
  agileRate, consumption, fixedRate, SAMPLE_EXCHANGE_DATE, SAMPLE_EXPORT_AGREEMENTS, SAMPLE_GAS_AGREEMENTS, SAMPLE_GAS_SERIAL,
  SAMPLE_IMPORT_AGREEMENTS, SAMPLE_MPRN, SAMPLE_OLD_SERIAL, standingCharge, withVat
} from '../../../sample-api/index.ts'
import {
  AGILE_PRODUCT, AUTH, CONSUMPTION, EMPTY, FIXED, FIXED_PRODUCT, NOW, query, RATES, ratesPath, startSampleApi, type Paged, type Rate, type Reading
} from './helpers.ts'

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

test('Agile rates page newest first, each slot once, touching edges included', async t => {
  const { json, base } = await startSampleApi(t)
  const day = londonDay('2024-06-15')
  const expected = [day.startMs - SLOT_MS, ...slotStarts(day), day.endMs].reverse()
  const seen: Rate[] = []
  let path: string | null = RATES + query({ period_from: iso(day.startMs), period_to: iso(day.endMs), page_size: 20 })
  let pages = 0
  while (path !== null) {
    const body: Paged<Rate> = await json<Paged<Rate>>(path)
    assert.equal(body.count, 50)
    assert.equal(body.previous === null, pages === 0)
    seen.push(...body.results)
    pages++
    path = body.next === null ? null : body.next.slice(base.length)
    if (body.next !== null) assert.ok(body.next.startsWith(`${base}${RATES}?`) && body.next.includes(`page=${pages + 1}`), body.next)
  }
  assert.equal(pages, 3)
  assert.deepEqual(seen.map(r => r.valid_from), expected.map(iso))
  assert.deepEqual(seen[1], {
    ...agileRate(42, day.endMs - SLOT_MS),
    valid_from: '2024-06-15T22:30:00Z',
    valid_to: '2024-06-15T23:00:00Z',
    payment_method: null
  })
})

test('page_size is clamped to 1500 for rates; a page past the end is 404', async t => {
  const { json, get } = await startSampleApi(t)
  const body = await json<Paged<Rate>>(RATES + query({ period_from: '2024-01-01T00:00:00Z', period_to: '2024-03-01T00:00:00Z', page_size: 5000 }))
  assert.equal(body.results.length, 1500)
  assert.equal(body.count, 60 * 48 + 2)
  const past = await get(RATES + query({ period_from: '2024-06-15T00:00:00Z', period_to: '2024-06-16T00:00:00Z', page: 9 }))
  assert.equal(past.status, 404)
  assert.deepEqual(await past.json(), { detail: 'Invalid page.' })
})

test('Agile rates for tomorrow appear at 16:00 UK time', async t => {
  const before = await startSampleApi(t, { now: () => Date.parse('2024-06-15T14:59:00Z') })
  const after = await startSampleApi(t, { now: () => Date.parse('2024-06-15T15:00:00Z') })
  const path = RATES + query({ period_from: '2024-06-15T23:00:00Z', period_to: '2024-06-16T23:00:00Z' })
  // Before 16:00 only today's last rate, touching period_from, is there.
  const unpublished = await before.json<Paged<Rate>>(path)
  assert.deepEqual(unpublished.results.map(r => r.valid_from), ['2024-06-15T22:30:00Z'])
  const published = await after.json<Paged<Rate>>(path)
  assert.equal(published.count, 49)
  assert.equal(published.results[0].valid_from, '2024-06-16T22:30:00Z')
})

test('a fixed tariff lists both payment methods per quarter, the current one with valid_to null', async t => {
  const { json } = await startSampleApi(t)
  const body = await json<Paged<Rate>>(FIXED + query({ period_from: '2024-04-15T00:00:00Z', period_to: '2024-06-20T00:00:00Z' }))
  // NOW is in 2024 Q3, so Q3 is current: only Q2 overlaps the range.
  const q2 = fixedRate(42, 2024 * 4 + 1, FIXED_PRODUCT)
  const period = { valid_from: '2024-03-31T23:00:00Z', valid_to: '2024-06-30T23:00:00Z' }
  assert.deepStrictEqual(body.results, [
    { ...q2, ...period, payment_method: 'DIRECT_DEBIT' },
    { ...withVat(q2.value_exc_vat * 1.05), ...period, payment_method: 'NON_DIRECT_DEBIT' }
  ])
  assert.equal(body.count, 2)
  // From the start of Q3 (local midnight): Q2 touches it, so it comes too.
  const current = await json<Paged<Rate>>(FIXED + query({ period_from: '2024-06-30T23:00:00Z' }))
  assert.deepEqual(current.results.map(r => [r.valid_from, r.valid_to, r.payment_method]), [
    ['2024-06-30T23:00:00Z', null, 'DIRECT_DEBIT'],
    ['2024-06-30T23:00:00Z', null, 'NON_DIRECT_DEBIT'],
    ['2024-03-31T23:00:00Z', '2024-06-30T23:00:00Z', 'DIRECT_DEBIT'],
    ['2024-03-31T23:00:00Z', '2024-06-30T23:00:00Z', 'NON_DIRECT_DEBIT']
  ])
})

test('standing charges: paged newest first, per quarter and payment method (different values), the current one with valid_to null', async t => {
  const { json, get } = await startSampleApi(t)
  const path = ratesPath(AGILE_PRODUCT, 'standing-charges')
  // 2024-03-15 .. 2024-10-15 (NOW is in 2024 Q3, so Q3 is current): Q1, Q2 and Q3 overlap;
  // the charge changes at London midnight on 2024-04-01 and 2024-07-01.
  const first = await json<Paged<Rate>>(path + query({ period_from: '2024-03-15T00:00:00Z', period_to: '2024-10-15T00:00:00Z', page_size: 4 }))
  assert.equal(first.count, 6)
  assert.equal(first.previous, null)
  assert.ok(first.next !== null)
  const next = new URL(first.next as string)
  const second = await json<Paged<Rate>>(next.pathname + next.search)
  assert.equal(second.next, null)
  const quarter = (q: number, method: 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'): Rate => ({
    ...standingCharge(42, 2024 * 4 + q, AGILE_PRODUCT, method),
    valid_from: ['2024-01-01T00:00:00Z', '2024-03-31T23:00:00Z', '2024-06-30T23:00:00Z'][q] as string,
    valid_to: ['2024-03-31T23:00:00Z', '2024-06-30T23:00:00Z', null][q] as string | null,
    payment_method: method
  })
  assert.deepStrictEqual([...first.results, ...second.results], [2, 1, 0].flatMap(q => [quarter(q, 'DIRECT_DEBIT'), quarter(q, 'NON_DIRECT_DEBIT')]))
  for (const q of [0, 1, 2]) {
    const dd = standingCharge(42, 2024 * 4 + q, AGILE_PRODUCT, 'DIRECT_DEBIT')
    const ndd = standingCharge(42, 2024 * 4 + q, AGILE_PRODUCT, 'NON_DIRECT_DEBIT')
    assert.ok(dd.value_exc_vat >= 40 && dd.value_exc_vat <= 65 && ndd.value_exc_vat > dd.value_exc_vat, `Q${q + 1}: ${dd.value_exc_vat} < ${ndd.value_exc_vat}`)
  }
  assert.notDeepStrictEqual(standingCharge(42, 2024 * 4, AGILE_PRODUCT, 'DIRECT_DEBIT'), standingCharge(42, 2024 * 4 + 1, AGILE_PRODUCT, 'DIRECT_DEBIT'), 'the charge changes on 2024-04-01')
  // Another product over the same range: the same periods, its own charges.
  const variable = await json<Paged<Rate>>(ratesPath(FIXED_PRODUCT, 'standing-charges') + query({ period_from: '2024-03-15T00:00:00Z', period_to: '2024-10-15T00:00:00Z' }))
  assert.deepStrictEqual(variable.results.map(r => [r.valid_from, r.payment_method]), [...first.results, ...second.results].map(r => [r.valid_from, r.payment_method]))
  assert.deepStrictEqual(variable.results[0], { ...standingCharge(42, 2024 * 4 + 2, FIXED_PRODUCT, 'DIRECT_DEBIT'), valid_from: '2024-06-30T23:00:00Z', valid_to: null, payment_method: 'DIRECT_DEBIT' })
  assert.notEqual(variable.results[0].value_exc_vat, first.results[0].value_exc_vat)
  const unknown = await get('/octopus/v1/products/NOPE-1/electricity-tariffs/E-1R-NOPE-1-C/standing-charges/')
  assert.equal(unknown.status, 404)
})

test('a product without a launch date in its code is 404', async t => {
  const { get } = await startSampleApi(t)
  for (const product of ['NOPE-1', 'AGILE', 'VAR-22-13-01', 'VAR-2022-11-01x']) {
    for (const list of ['standard-unit-rates', 'standing-charges'] as const) {
      const res = await get(ratesPath(product, list))
      assert.equal(res.status, 404, `${product} ${list}`)
      assert.deepEqual(await res.json(), { detail: 'No EnergyProduct matches the given query.' })
    }
  }
})

// AGILE-24-10-01 launched at London midnight 2024-10-01 (BST): 2024-09-30T23:00Z.
const AFTER_AGILE_24 = (): number => Date.parse('2024-10-10T12:00:00Z')

test('Agile rates start at the product launch; a request before it is empty', async t => {
  const { json } = await startSampleApi(t, { now: AFTER_AGILE_24 })
  const agile24 = ratesPath('AGILE-24-10-01')
  assert.deepStrictEqual(await json(agile24 + query({ period_from: '2024-09-01T00:00:00Z', period_to: '2024-09-30T22:00:00Z' })), EMPTY)
  // Without the launch the range would give 19:30Z to 01:00Z; it starts at the launch instead.
  const spanning = await json<Paged<Rate>>(agile24 + query({ period_from: '2024-09-30T20:00:00Z', period_to: '2024-10-01T01:00:00Z' }))
  assert.deepStrictEqual(spanning.results.map(r => r.valid_from), ['2024-10-01T01:00:00Z', '2024-10-01T00:30:00Z', '2024-10-01T00:00:00Z', '2024-09-30T23:30:00Z', '2024-09-30T23:00:00Z'])
  const launch = Date.parse('2024-09-30T23:00:00Z')
  assert.deepStrictEqual(spanning.results[4], { ...agileRate(42, launch), valid_from: '2024-09-30T23:00:00Z', valid_to: '2024-09-30T23:30:00Z', payment_method: null })
  // Without period_from the list starts at the launch too (the history otherwise starts in 2010)
  // and runs to the end of today (before 16:00 UK time).
  const all = await json<Paged<Rate>>(agile24 + query({ page_size: 1 }))
  assert.equal(all.count, (londonDay('2024-10-10').endMs - launch) / SLOT_MS)
  // The default product (2022-11-25, GMT) is the same: nothing before 2022-11-25T00:00Z.
  const flex = await json<Paged<Rate>>(RATES + query({ period_from: '2022-11-24T22:00:00Z', period_to: '2022-11-25T01:00:00Z' }))
  assert.deepStrictEqual(flex.results.map(r => r.valid_from), ['2022-11-25T01:00:00Z', '2022-11-25T00:30:00Z', '2022-11-25T00:00:00Z'])
})

test('fixed rates and standing charges: the first quarter is clipped to start at the launch', async t => {
  const { json } = await startSampleApi(t)
  // VAR-22-11-01 launched 2022-11-01 (GMT), inside 2022 Q4 (from 2022-09-30T23:00Z).
  const q4 = 2022 * 4 + 3
  const clipped = { valid_from: '2022-11-01T00:00:00Z', valid_to: '2023-01-01T00:00:00Z' }
  for (const list of ['standard-unit-rates', 'standing-charges'] as const) {
    const path = ratesPath(FIXED_PRODUCT, list)
    assert.deepStrictEqual(await json(path + query({ period_from: '2022-06-01T00:00:00Z', period_to: '2022-10-31T23:00:00Z' })), EMPTY, list)
    const spanning = await json<Paged<Rate>>(path + query({ period_from: '2022-10-15T00:00:00Z', period_to: '2022-11-15T00:00:00Z' }))
    const [dd, ndd] = list === 'standard-unit-rates'
      ? [fixedRate(42, q4, FIXED_PRODUCT), withVat(fixedRate(42, q4, FIXED_PRODUCT).value_exc_vat * 1.05)]
      : [standingCharge(42, q4, FIXED_PRODUCT, 'DIRECT_DEBIT'), standingCharge(42, q4, FIXED_PRODUCT, 'NON_DIRECT_DEBIT')]
    assert.deepStrictEqual(spanning.results, [
      { ...dd, ...clipped, payment_method: 'DIRECT_DEBIT' },
      { ...ndd, ...clipped, payment_method: 'NON_DIRECT_DEBIT' }
    ], list)
    // The whole list: 2022 Q4 (clipped) to 2024 Q3 (current), two payment methods each.
    const all = await json<Paged<Rate>>(path)
    assert.equal(all.count, 16, list)
    const oldest = await json<Paged<Rate>>(path + query({ page: 8, page_size: 2 }))
    assert.deepStrictEqual(oldest.results.map(r => [r.valid_from, r.valid_to, r.payment_method]), [
      ['2022-11-01T00:00:00Z', '2023-01-01T00:00:00Z', 'DIRECT_DEBIT'],
      ['2022-11-01T00:00:00Z', '2023-01-01T00:00:00Z', 'NON_DIRECT_DEBIT']
    ], list)
  }
  // A launch on a quarter start needs no clipping: VAR-16-01-01's first period is 2016 Q1.
  const old = await json<Paged<Rate>>(ratesPath('VAR-16-01-01') + query({ period_from: '2015-06-01T00:00:00Z', period_to: '2016-02-01T00:00:00Z' }))
  assert.deepStrictEqual(old.results.map(r => [r.valid_from, r.valid_to, r.payment_method]), [
    ['2016-01-01T00:00:00Z', '2016-03-31T23:00:00Z', 'DIRECT_DEBIT'],
    ['2016-01-01T00:00:00Z', '2016-03-31T23:00:00Z', 'NON_DIRECT_DEBIT']
  ])
})

test('Agile standing charges start at the launch too', async t => {
  const { json } = await startSampleApi(t, { now: AFTER_AGILE_24 })
  const path = ratesPath('AGILE-24-10-01', 'standing-charges')
  assert.deepStrictEqual(await json(path + query({ period_from: '2024-07-01T00:00:00Z', period_to: '2024-09-30T22:00:00Z' })), EMPTY)
  const all = await json<Paged<Rate>>(path)
  const q4 = 2024 * 4 + 3
  assert.deepStrictEqual(all.results, [
    { ...standingCharge(42, q4, 'AGILE-24-10-01', 'DIRECT_DEBIT'), valid_from: '2024-09-30T23:00:00Z', valid_to: null, payment_method: 'DIRECT_DEBIT' },
    { ...standingCharge(42, q4, 'AGILE-24-10-01', 'NON_DIRECT_DEBIT'), valid_from: '2024-09-30T23:00:00Z', valid_to: null, payment_method: 'NON_DIRECT_DEBIT' }
  ])
})

test('two variable products have different rates in the same quarter', async t => {
  const { json } = await startSampleApi(t)
  const range = query({ period_from: '2024-04-15T00:00:00Z', period_to: '2024-06-20T00:00:00Z' })
  const [old, current] = await Promise.all([json<Paged<Rate>>(ratesPath('VAR-16-01-01') + range), json<Paged<Rate>>(FIXED + range)])
  assert.deepStrictEqual(old.results.map(r => r.valid_from), current.results.map(r => r.valid_from))
  assert.equal(old.results[0].value_exc_vat, fixedRate(42, 2024 * 4 + 1, 'VAR-16-01-01').value_exc_vat)
  assert.notEqual(old.results[0].value_exc_vat, current.results[0].value_exc_vat)
})

test('consumption uses UK local offsets: +01:00 in June, Z in January', async t => {
  const { json } = await startSampleApi(t)
  const june = await json<Paged<Reading>>(CONSUMPTION + query({ period_from: '2024-06-15T00:00:00+01:00', period_to: '2024-06-16T00:00:00+01:00' }), AUTH)
  // interval_start in [from, to] inclusive: 48 slots plus the next day's first.
  assert.equal(june.count, 49)
  assert.deepEqual(june.results[0], {
    consumption: consumption(42, londonDay('2024-06-16').startMs),
    interval_start: '2024-06-16T00:00:00+01:00',
    interval_end: '2024-06-16T00:30:00+01:00'
  })
  assert.equal(june.results[48].interval_start, '2024-06-15T00:00:00+01:00')
  const january = await json<Paged<Reading>>(CONSUMPTION + query({ period_from: '2024-01-15T00:00:00Z', period_to: '2024-01-15T23:30:00Z', order_by: 'period' }), AUTH)
  assert.equal(january.count, 48)
  assert.deepEqual(january.results.slice(0, 2).map(r => [r.interval_start, r.interval_end]), [
    ['2024-01-15T00:00:00Z', '2024-01-15T00:30:00Z'],
    ['2024-01-15T00:30:00Z', '2024-01-15T01:00:00Z']
  ])
  const spring = await json<Paged<Reading>>(CONSUMPTION + query({ period_from: '2024-03-31T00:00:00Z', period_to: '2024-03-31T22:30:00Z', order_by: 'period' }), AUTH)
  assert.equal(spring.count, 46)
  assert.deepEqual([spring.results[1].interval_end, spring.results[2].interval_start], ['2024-03-31T02:00:00+01:00', '2024-03-31T02:00:00+01:00'])
})

test('consumption arrives late: only slots that ended 24 h ago exist', async t => {
  const { json } = await startSampleApi(t)
  const body = await json<Paged<Reading>>(CONSUMPTION + query({ period_from: '2024-06-30T00:00:00Z', page_size: 25000 }), AUTH)
  assert.equal(body.results[0].interval_end, '2024-06-30T13:00:00+01:00')
  assert.equal(Date.parse(body.results[0].interval_end), NOW - 24 * 60 * 60 * 1000)
})

test('consumption needs the API key as Basic user and a known meter', async t => {
  const { get } = await startSampleApi(t, { apiKeys: ['sk_live_other'] })
  const path = CONSUMPTION + query({ period_from: '2024-06-15T00:00:00Z' })
  const missing = await get(path)
  assert.equal(missing.status, 401)
  assert.deepEqual(await missing.json(), { detail: 'Authentication credentials were not provided.' })
  const wrong = await get(path, { authorization: 'Basic ' + Buffer.from('sk_live_wrong:').toString('base64') })
  assert.equal(wrong.status, 401)
  assert.deepEqual(await wrong.json(), { detail: 'Invalid API key.' })
  const other = await get(path, { authorization: 'Basic ' + Buffer.from('sk_live_other:').toString('base64') })
  assert.equal(other.status, 200)
  const unknown = await get('/octopus/v1/electricity-meter-points/1900000000009/meters/X/consumption/', AUTH)
  assert.equal(unknown.status, 404)
  assert.deepEqual(await unknown.json(), { detail: 'Not found.' })
})

test('the account has every meter: a previous property (Economy 7), then export, an exchanged import meter and gas', async t => {
  const { json, get } = await startSampleApi(t)
  const registers = [{ identifier: '1', rate: 'STANDARD', is_settlement_register: true }]
  assert.deepStrictEqual(await json('/octopus/v1/accounts/A-1234ABCD/', AUTH), {
    number: 'A-1234ABCD',
    properties: [
      {
        id: 2,
        moved_in_at: '2013-06-01T00:00:00+01:00',
        moved_out_at: '2016-01-01T00:00:00Z',
        address_line_1: '13 Example Road',
        town: 'Manchester',
        postcode: 'M1 1AE',
        electricity_meter_points: [{
          mpan: '1013000000001',
          profile_class: 2,
          consumption_standard: 3300,
          meters: [{
            serial_number: '13E7000001',
            registers: [{ identifier: '1', rate: 'DAY', is_settlement_register: true }, { identifier: '2', rate: 'NIGHT', is_settlement_register: true }]
          }],
          agreements: [{ tariff_code: 'E-2R-VAR-13-06-01-N', valid_from: '2013-06-01T00:00:00+01:00', valid_to: '2016-01-01T00:00:00Z' }],
          is_export: false
        }],
        gas_meter_points: []
      },
      {
        id: 1,
        moved_in_at: '2016-01-01T00:00:00Z',
        moved_out_at: null,
        address_line_1: '1 Sample Street',
        town: 'London',
        postcode: 'SW1A 1AA',
        electricity_meter_points: [
          {
            mpan: '1170000000001',
            profile_class: 8,
            consumption_standard: 0,
            meters: [{ serial_number: '21L0000002', registers }],
            agreements: [
              { tariff_code: 'E-1R-OUTGOING-FIX-12M-19-05-13-C', valid_from: '2020-01-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' },
              { tariff_code: 'E-1R-AGILE-OUTGOING-19-05-13-C', valid_from: '2024-10-01T00:00:00+01:00', valid_to: null }
            ],
            is_export: true
          },
          {
            mpan: '1900000000001',
            profile_class: 1,
            consumption_standard: 2900,
            meters: [{ serial_number: '21L0000001', registers }, { serial_number: '19E0000001', registers }],
            agreements: [
              { tariff_code: 'E-1R-VAR-16-01-01-C', valid_from: '2016-01-01T00:00:00Z', valid_to: '2022-11-01T00:00:00Z' },
              { tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' },
              { tariff_code: 'E-1R-AGILE-24-10-01-C', valid_from: '2024-10-01T00:00:00+01:00', valid_to: null }
            ],
            is_export: false
          }
        ],
        gas_meter_points: [{
          mprn: '3000000000001',
          meters: [{ serial_number: 'G4P0000001' }],
          agreements: [
            { tariff_code: 'G-1R-VAR-16-01-01-C', valid_from: '2016-01-01T00:00:00Z', valid_to: '2022-11-01T00:00:00Z' },
            { tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: null }
          ]
        }]
      }
    ]
  })
  assert.deepStrictEqual([...SAMPLE_IMPORT_AGREEMENTS], [
    { tariff_code: 'E-1R-VAR-16-01-01-C', valid_from: '2016-01-01T00:00:00Z', valid_to: '2022-11-01T00:00:00Z' },
    { tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' },
    { tariff_code: 'E-1R-AGILE-24-10-01-C', valid_from: '2024-10-01T00:00:00+01:00', valid_to: null }
  ])
  assert.deepStrictEqual([...SAMPLE_EXPORT_AGREEMENTS], [
    { tariff_code: 'E-1R-OUTGOING-FIX-12M-19-05-13-C', valid_from: '2020-01-01T00:00:00Z', valid_to: '2024-10-01T00:00:00+01:00' },
    { tariff_code: 'E-1R-AGILE-OUTGOING-19-05-13-C', valid_from: '2024-10-01T00:00:00+01:00', valid_to: null }
  ])
  assert.deepStrictEqual([SAMPLE_MPRN, SAMPLE_GAS_SERIAL, SAMPLE_EXCHANGE_DATE, SAMPLE_OLD_SERIAL], ['3000000000001', 'G4P0000001', '2019-03-14', '19E0000001'])
  assert.deepStrictEqual([...SAMPLE_GAS_AGREEMENTS], [
    { tariff_code: 'G-1R-VAR-16-01-01-C', valid_from: '2016-01-01T00:00:00Z', valid_to: '2022-11-01T00:00:00Z' },
    { tariff_code: 'G-1R-VAR-22-11-01-C', valid_from: '2022-11-01T00:00:00Z', valid_to: null }
  ])
  assert.equal((await get('/octopus/v1/accounts/A-1234ABCD/')).status, 401)
  assert.equal((await get('/octopus/v1/accounts/A-0000/', AUTH)).status, 404)
})
