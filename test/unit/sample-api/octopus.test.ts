import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import { agileRate, consumption, standingCharge } from '../../../sample-api/index.ts'
import { AUTH, CONSUMPTION, FIXED, NOW, query, RATES, startSampleApi } from './helpers.ts'

interface Paged<T> {
  count: number
  next: string | null
  previous: string | null
  results: T[]
}
interface Rate {
  value_exc_vat: number
  value_inc_vat: number
  valid_from: string
  valid_to: string | null
  payment_method: string | null
}
interface Reading {
  consumption: number
  interval_start: string
  interval_end: string
}

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
  assert.equal(body.count, 2)
  const [dd, ndd] = body.results
  assert.deepEqual([dd.payment_method, ndd.payment_method], ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'])
  assert.deepEqual([dd.valid_from, dd.valid_to], ['2024-03-31T23:00:00Z', '2024-06-30T23:00:00Z'])
  assert.equal(ndd.value_exc_vat, Math.round(dd.value_exc_vat * 105) / 100)
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
  const path = RATES.replace('standard-unit-rates', 'standing-charges')
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
    ...standingCharge(42, 2024 * 4 + q, true, method),
    valid_from: ['2024-01-01T00:00:00Z', '2024-03-31T23:00:00Z', '2024-06-30T23:00:00Z'][q] as string,
    valid_to: ['2024-03-31T23:00:00Z', '2024-06-30T23:00:00Z', null][q] as string | null,
    payment_method: method
  })
  assert.deepStrictEqual([...first.results, ...second.results], [2, 1, 0].flatMap(q => [quarter(q, 'DIRECT_DEBIT'), quarter(q, 'NON_DIRECT_DEBIT')]))
  for (const q of [0, 1, 2]) {
    const dd = standingCharge(42, 2024 * 4 + q, true, 'DIRECT_DEBIT')
    const ndd = standingCharge(42, 2024 * 4 + q, true, 'NON_DIRECT_DEBIT')
    assert.ok(dd.value_exc_vat >= 40 && dd.value_exc_vat <= 65 && ndd.value_exc_vat > dd.value_exc_vat, `Q${q + 1}: ${dd.value_exc_vat} < ${ndd.value_exc_vat}`)
    assert.notDeepStrictEqual(dd, standingCharge(42, 2024 * 4 + q, false, 'DIRECT_DEBIT'), 'Agile and the variable tariff differ')
  }
  assert.notDeepStrictEqual(standingCharge(42, 2024 * 4, true, 'DIRECT_DEBIT'), standingCharge(42, 2024 * 4 + 1, true, 'DIRECT_DEBIT'), 'the charge changes on 2024-04-01')
  const unknown = await get('/octopus/v1/products/NOPE-1/electricity-tariffs/E-1R-NOPE-1-C/standing-charges/')
  assert.equal(unknown.status, 404)
})

test('an unknown product is 404', async t => {
  const { get } = await startSampleApi(t)
  const res = await get('/octopus/v1/products/NOPE-1/electricity-tariffs/E-1R-NOPE-1-C/standard-unit-rates/')
  assert.equal(res.status, 404)
  assert.deepEqual(await res.json(), { detail: 'No EnergyProduct matches the given query.' })
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

test('the account lists the export and the import meter with their agreements', async t => {
  const { json, get } = await startSampleApi(t)
  const account = await json<{ number: string, properties: Array<{ electricity_meter_points: Array<{ mpan: string, is_export: boolean, agreements: Array<{ tariff_code: string, valid_to: string | null }> }> }> }>('/octopus/v1/accounts/A-1234ABCD/', AUTH)
  assert.equal(account.number, 'A-1234ABCD')
  const points = account.properties[0].electricity_meter_points
  assert.deepEqual(points.map(p => p.is_export), [true, false])
  assert.deepEqual(points[1].agreements.map(a => [a.tariff_code, a.valid_to]), [
    ['E-1R-VAR-22-11-01-C', '2024-10-01T00:00:00+01:00'],
    ['E-1R-AGILE-24-10-01-C', null]
  ])
  assert.equal((await get('/octopus/v1/accounts/A-1234ABCD/')).status, 401)
  assert.equal((await get('/octopus/v1/accounts/A-0000/', AUTH)).status, 404)
})
