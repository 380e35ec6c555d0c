import assert from 'node:assert/strict'
import { test } from 'node:test'
import { londonDay, slotStarts, SLOT_MS } from '../../../lib/london-day.ts'
import {
  agileOutgoingRate, agileRate, dayRate, fixedRate, gasRate, gasStandingCharge, nightRate, standingCharge, withVat
} from '../../../sample-api/index.ts'
import { EMPTY, query, RATES, ratesPath, startSampleApi, tariffPath, type Paged, type Rate } from './helpers.ts'

const E7 = 'E-2R-VAR-13-06-01-N'
const E7_PRODUCT = 'VAR-13-06-01'
const OUTGOING_FIX = 'OUTGOING-FIX-12M-19-05-13'
const AGILE_OUTGOING = 'AGILE-OUTGOING-19-05-13'
const GAS_PRODUCT = 'VAR-22-11-01'
const GAS = `G-1R-${GAS_PRODUCT}-C`

// VAR-13-06-01 launched 2013-06-01 (BST): its first quarter is clipped to 2013-05-31T23:00Z.
const E7_Q2 = { valid_from: '2013-05-31T23:00:00Z', valid_to: '2013-06-30T23:00:00Z' }
const E7_Q3 = { valid_from: '2013-06-30T23:00:00Z', valid_to: '2013-09-30T23:00:00Z' }

test('an E-2R tariff has day and night unit rates: quarterly, both payment methods, from the launch, newest first', async t => {
  const { json } = await startSampleApi(t)
  const range = query({ period_from: '2013-05-01T00:00:00Z', period_to: '2013-08-15T00:00:00Z' })
  for (const [list, rateOf] of [['day-unit-rates', dayRate], ['night-unit-rates', nightRate]] as const) {
    const body = await json<Paged<Rate>>(tariffPath(E7_PRODUCT, E7, list) + range)
    const [q2, q3] = [2013 * 4 + 1, 2013 * 4 + 2].map(q => rateOf(42, q, E7_PRODUCT))
    assert.deepStrictEqual(body.results, [
      { ...q3, ...E7_Q3, payment_method: 'DIRECT_DEBIT' },
      { ...withVat(q3.value_exc_vat * 1.05), ...E7_Q3, payment_method: 'NON_DIRECT_DEBIT' },
      { ...q2, ...E7_Q2, payment_method: 'DIRECT_DEBIT' },
      { ...withVat(q2.value_exc_vat * 1.05), ...E7_Q2, payment_method: 'NON_DIRECT_DEBIT' }
    ], list)
    assert.deepStrictEqual(await json(tariffPath(E7_PRODUCT, E7, list) + query({ period_from: '2013-01-01T00:00:00Z', period_to: '2013-05-31T22:00:00Z' })), EMPTY, list)
    // 2013 Q2 to 2024 Q3 (current), two payment methods each, paged.
    const all = await json<Paged<Rate>>(tariffPath(E7_PRODUCT, E7, list) + query({ page_size: 90 }))
    assert.equal(all.count, 92, list)
    assert.equal(all.results[0].valid_to, null, list)
    const last = await json<Paged<Rate>>(tariffPath(E7_PRODUCT, E7, list) + query({ page_size: 90, page: 2 }))
    assert.deepStrictEqual(last.results.map(r => [r.valid_from, r.payment_method]), [[E7_Q2.valid_from, 'DIRECT_DEBIT'], [E7_Q2.valid_from, 'NON_DIRECT_DEBIT']], list)
  }
  // Day about 1.15 ×, night about 0.5 × the product's fixed rate, every quarter.
  for (let q = 2013 * 4 + 1; q <= 2024 * 4 + 2; q++) {
    const fixed = fixedRate(42, q, E7_PRODUCT).value_exc_vat
    const day = dayRate(42, q, E7_PRODUCT).value_exc_vat
    const night = nightRate(42, q, E7_PRODUCT).value_exc_vat
    assert.ok(day >= fixed * 1.1 - 0.005 && day <= fixed * 1.2 + 0.005, `quarter ${q}: day ${day} vs ${fixed}`)
    assert.ok(night >= fixed * 0.45 - 0.005 && night <= fixed * 0.55 + 0.005, `quarter ${q}: night ${night} vs ${fixed}`)
  }
})

test('standard-unit-rates of an E-2R tariff and day/night rates of an E-1R one are 400s; E-2R standing charges are as usual', async t => {
  const { get, json } = await startSampleApi(t)
  const twoRates = await get(tariffPath(E7_PRODUCT, E7, 'standard-unit-rates'))
  assert.equal(twoRates.status, 400)
  assert.deepStrictEqual(await twoRates.json(), { detail: 'This tariff has day and night rates, not standard.' })
  for (const list of ['day-unit-rates', 'night-unit-rates']) {
    const oneRate = await get(tariffPath(E7_PRODUCT, `E-1R-${E7_PRODUCT}-N`, list))
    assert.equal(oneRate.status, 400, list)
    assert.deepStrictEqual(await oneRate.json(), { detail: 'This tariff has a standard unit rate: ask for standard-unit-rates.' }, list)
  }
  // An unknown product stays a 404, whatever the tariff.
  assert.equal((await get(tariffPath('NOPE-1', 'E-2R-NOPE-1-N', 'standard-unit-rates'))).status, 404)
  const charges = await json<Paged<Rate>>(tariffPath(E7_PRODUCT, E7, 'standing-charges') + query({ period_from: '2013-06-15T00:00:00Z', period_to: '2013-06-16T00:00:00Z' }))
  assert.deepStrictEqual(charges.results, [
    { ...standingCharge(42, 2013 * 4 + 1, E7_PRODUCT, 'DIRECT_DEBIT'), ...E7_Q2, payment_method: 'DIRECT_DEBIT' },
    { ...standingCharge(42, 2013 * 4 + 1, E7_PRODUCT, 'NON_DIRECT_DEBIT'), ...E7_Q2, payment_method: 'NON_DIRECT_DEBIT' }
  ])
})

test('Outgoing Fixed pays one flat 15p from its launch, no VAT, no payment method, open-ended', async t => {
  const { json } = await startSampleApi(t)
  const path = ratesPath(OUTGOING_FIX)
  const flat = { value_exc_vat: 15, value_inc_vat: 15, valid_from: '2019-05-12T23:00:00Z', valid_to: null, payment_method: null }
  assert.deepStrictEqual(await json(path), { ...EMPTY, count: 1, results: [flat] })
  assert.deepStrictEqual((await json<Paged<Rate>>(path + query({ period_from: '2024-06-15T00:00:00Z', period_to: '2024-06-16T00:00:00Z' }))).results, [flat])
  assert.deepStrictEqual(await json(path + query({ period_from: '2019-01-01T00:00:00Z', period_to: '2019-05-12T22:00:00Z' })), EMPTY)
})

test('Agile Outgoing has one rate per slot like Agile, about half of it, inc VAT = exc VAT', async t => {
  const { json } = await startSampleApi(t)
  const day = londonDay('2024-06-15')
  const range = query({ period_from: '2024-06-14T23:00:00Z', period_to: '2024-06-15T23:00:00Z' })
  const body = await json<Paged<Rate>>(ratesPath(AGILE_OUTGOING) + range)
  const starts = [day.startMs - SLOT_MS, ...slotStarts(day), day.endMs].reverse()
  assert.equal(body.count, 50)
  assert.deepStrictEqual(body.results, starts.map(s => ({
    ...agileOutgoingRate(42, s),
    valid_from: new Date(s).toISOString().replace('.000Z', 'Z'),
    valid_to: new Date(s + SLOT_MS).toISOString().replace('.000Z', 'Z'),
    payment_method: null
  })))
  for (const [i, r] of body.results.entries()) {
    assert.equal(r.value_inc_vat, r.value_exc_vat)
    const agile = agileRate(42, starts[i]).value_exc_vat
    assert.ok(Math.abs(r.value_exc_vat - agile / 2) <= 0.51, `${r.valid_from}: ${r.value_exc_vat} vs Agile ${agile}`)
  }
  assert.deepStrictEqual(await json(ratesPath(AGILE_OUTGOING) + query({ period_from: '2019-01-01T00:00:00Z', period_to: '2019-05-12T22:00:00Z' })), EMPTY)
})

test('Agile Outgoing is published until the same horizon as Agile', async t => {
  for (const now of ['2024-06-15T14:59:00Z', '2024-06-15T15:00:00Z']) {
    const { json } = await startSampleApi(t, { now: () => Date.parse(now) })
    const range = query({ period_from: '2024-06-15T23:00:00Z', page_size: 1 })
    const [outgoing, agile] = await Promise.all([json<Paged<Rate>>(ratesPath(AGILE_OUTGOING) + range), json<Paged<Rate>>(ratesPath('AGILE-24-04-03') + range)])
    assert.equal(outgoing.count, now.endsWith('14:59:00Z') ? 1 : 49, now)
    assert.equal(outgoing.count, agile.count, now)
    assert.equal(outgoing.results[0].valid_from, agile.results[0].valid_from, now)
  }
})

test('Agile: tomorrow\'s rates appear at 16:00 London time; now to now+48h answers the published ones only', async t => {
  const utc = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')
  // [server clock, first slot, last published slot]: BST (16:00 = 15:00Z) and GMT (16:00 = 16:00Z).
  const cases = [
    ['2024-06-15T14:59:59Z', '2024-06-15T14:30:00Z', '2024-06-15T22:30:00Z'],
    ['2024-06-15T15:00:00Z', '2024-06-15T14:30:00Z', '2024-06-16T22:30:00Z'],
    ['2024-01-15T15:59:00Z', '2024-01-15T15:30:00Z', '2024-01-15T23:30:00Z'],
    ['2024-01-15T16:00:00Z', '2024-01-15T15:30:00Z', '2024-01-16T23:30:00Z']
  ] as const
  for (const [now, first, last] of cases) {
    const nowMs = Date.parse(now)
    const { json } = await startSampleApi(t, { now: () => nowMs })
    const body = await json<Paged<Rate>>(RATES + query({ period_from: utc(nowMs), period_to: utc(nowMs + 48 * 3600 * 1000), page_size: 1500 }))
    const starts: number[] = []
    for (let s = Date.parse(last); s >= Date.parse(first); s -= SLOT_MS) starts.push(s)
    // The slot in progress (or the one ending at now) first, newest first, nothing past the published horizon.
    assert.deepStrictEqual(body, {
      ...EMPTY,
      count: starts.length,
      results: starts.map(s => ({ ...agileRate(42, s), valid_from: utc(s), valid_to: utc(s + SLOT_MS), payment_method: null }))
    }, now)
  }
})

test('export products have no standing charge: an empty list', async t => {
  const { json } = await startSampleApi(t)
  for (const product of [OUTGOING_FIX, AGILE_OUTGOING]) {
    assert.deepStrictEqual(await json(ratesPath(product, 'standing-charges')), EMPTY, product)
    assert.deepStrictEqual(await json(ratesPath(product, 'standing-charges') + query({ period_from: '2024-06-15T00:00:00Z' })), EMPTY, product)
  }
})

test('gas tariffs: quarterly unit rates and standing charges, both payment methods, clipped at the launch, in range', async t => {
  const { json, get } = await startSampleApi(t)
  // VAR-22-11-01 launched 2022-11-01 (GMT), inside 2022 Q4.
  const q4 = 2022 * 4 + 3
  const clipped = { valid_from: '2022-11-01T00:00:00Z', valid_to: '2023-01-01T00:00:00Z' }
  for (const list of ['standard-unit-rates', 'standing-charges'] as const) {
    const path = tariffPath(GAS_PRODUCT, GAS, list)
    assert.deepStrictEqual(await json(path + query({ period_from: '2022-06-01T00:00:00Z', period_to: '2022-10-31T23:00:00Z' })), EMPTY, list)
    const [dd, ndd] = list === 'standard-unit-rates'
      ? [gasRate(42, q4, GAS_PRODUCT), withVat(gasRate(42, q4, GAS_PRODUCT).value_exc_vat * 1.05)]
      : [gasStandingCharge(42, q4, GAS_PRODUCT, 'DIRECT_DEBIT'), gasStandingCharge(42, q4, GAS_PRODUCT, 'NON_DIRECT_DEBIT')]
    const spanning = await json<Paged<Rate>>(path + query({ period_from: '2022-10-15T00:00:00Z', period_to: '2022-11-15T00:00:00Z' }))
    assert.deepStrictEqual(spanning.results, [{ ...dd, ...clipped, payment_method: 'DIRECT_DEBIT' }, { ...ndd, ...clipped, payment_method: 'NON_DIRECT_DEBIT' }], list)
    // 2022 Q4 to 2024 Q3 (current), paged newest first.
    const all = await json<Paged<Rate>>(path + query({ page_size: 10 }))
    assert.equal(all.count, 16, list)
    assert.ok(all.next?.includes('page=2'), list)
    assert.deepStrictEqual(all.results.slice(0, 2).map(r => [r.valid_from, r.valid_to, r.payment_method]), [
      ['2024-06-30T23:00:00Z', null, 'DIRECT_DEBIT'],
      ['2024-06-30T23:00:00Z', null, 'NON_DIRECT_DEBIT']
    ], list)
    const [low, high] = list === 'standard-unit-rates' ? [4, 8] : [25, 35]
    for (const r of all.results) {
      assert.ok(r.value_exc_vat >= low && r.value_exc_vat <= high, `${list} ${r.valid_from}: ${r.value_exc_vat}`)
      assert.deepStrictEqual(withVat(r.value_exc_vat), { value_exc_vat: r.value_exc_vat, value_inc_vat: r.value_inc_vat })
    }
  }
  // Gas has its own rates, not the electricity tariff's of the same product.
  const electricity = await json<Paged<Rate>>(ratesPath(GAS_PRODUCT) + query({ period_from: '2024-07-01T00:00:00Z' }))
  const gas = await json<Paged<Rate>>(tariffPath(GAS_PRODUCT, GAS, 'standard-unit-rates') + query({ period_from: '2024-07-01T00:00:00Z' }))
  assert.deepStrictEqual(gas.results[0], { ...gasRate(42, 2024 * 4 + 2, GAS_PRODUCT), valid_from: '2024-06-30T23:00:00Z', valid_to: null, payment_method: 'DIRECT_DEBIT' })
  assert.notEqual(gas.results[0].value_exc_vat, electricity.results[0].value_exc_vat)
  assert.equal((await get(tariffPath('NOPE-1', 'G-1R-NOPE-1-C', 'standard-unit-rates'))).status, 404)
  assert.equal((await get(tariffPath(GAS_PRODUCT, GAS, 'day-unit-rates'))).status, 404, 'gas has no day rates')
})
