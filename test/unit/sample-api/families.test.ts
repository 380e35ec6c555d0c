import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  fixedRate, gasRate, GSP_OF_REGION, GSP_REGIONS, gspOfPostcode, POSTCODE_AREAS, standingCharge, timeOfUseRate, trackerGasRate, withoutVat
} from '../../../sample-api/index.ts'
import { londonDay } from '../../../lib/london-day.ts'
import { EMPTY, startSampleApi, type Paged, type Rate } from './helpers.ts'

// The product families of a tariff comparison (issue 24): list, details, banded rates, GSP lookup.

const LATER = Date.parse('2026-01-15T12:00:00Z')
const PRODUCTS = '/octopus/v1/products/'
const GSP = '/octopus/v1/industry/grid-supply-points/'

interface ListItem { code: string, direction: string, available_from: string, available_to: string | null, is_variable: boolean }
type Groups = Record<string, Record<string, { code: string, links: Array<{ rel: string }> }>>

const rates = (product: string, tariff: string, from: string, to: string, list = 'standard-unit-rates', fuel = 'electricity'): string =>
  `${PRODUCTS}${product}/${fuel}-tariffs/${tariff}/${list}/?period_from=${from}&period_to=${to}`
/** London wall-clock HH:MM of a UTC time. */
const local = (iso: string): string => new Date(iso).toLocaleTimeString('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' })
const rows = (page: Paged<Rate>): Array<[string, string | null]> => page.results.map(r => [r.valid_from, r.valid_to])
const quarter = (date: string): number => Number(date.slice(0, 4)) * 4 + Math.floor((Number(date.slice(5, 7)) - 1) / 3)

test('GET /products/ lists every family a household can choose, with its direction, and filters them', async t => {
  const { json } = await startSampleApi(t, { now: () => LATER })
  const list = async (q: string): Promise<ListItem[]> => (await json<Paged<ListItem>>(PRODUCTS + q)).results
  const now = await list('')
  const direction = Object.fromEntries(now.map(p => [p.code, p.direction]))
  const expected: Record<string, string> = {
    'AGILE-24-10-01': 'IMPORT',
    'GO-VAR-22-10-14': 'IMPORT',
    'INTELLI-VAR-24-10-29': 'IMPORT',
    'COSY-22-12-08': 'IMPORT',
    'FLUX-IMPORT-23-02-14': 'IMPORT',
    'SILVER-24-12-31': 'IMPORT',
    'VAR-22-11-01': 'IMPORT',
    'OE-FIX-12M-24-12-14': 'IMPORT',
    'OUTGOING-FIX-12M-19-05-13': 'EXPORT',
    'AGILE-OUTGOING-19-05-13': 'EXPORT',
    'FLUX-EXPORT-23-02-14': 'EXPORT'
  }
  for (const [code, dir] of Object.entries(expected)) assert.equal(direction[code], dir, code)
  // The first Intelligent Go product was withdrawn when its successor came.
  assert.equal(direction['INTELLI-VAR-22-10-14'], undefined)
  const mid2024 = (await list('?available_at=2024-06-01T00:00:00Z')).map(p => p.code)
  assert.equal(mid2024.includes('INTELLI-VAR-22-10-14'), true)
  assert.equal(mid2024.includes('INTELLI-VAR-24-10-29'), false)
  assert.equal(mid2024.includes('OE-FIX-12M-24-12-14'), false)
  const go = now.find(p => p.code === 'GO-VAR-22-10-14')
  assert.deepStrictEqual([go?.available_from, go?.available_to], ['2022-10-14T00:00:00+01:00', null])
  const flux = now.find(p => p.code === 'FLUX-EXPORT-23-02-14')
  assert.deepStrictEqual([flux?.available_from, flux?.is_variable], ['2023-02-14T00:00:00Z', true])
  // Before Flux launched, neither Flux product is on sale.
  assert.equal((await list('?available_at=2023-02-13T12:00:00Z')).some(p => p.code.startsWith('FLUX-')), false)
  // Paged like every list.
  const first = await json<Paged<ListItem>>(PRODUCTS + '?page_size=5')
  assert.equal(first.count, now.length)
  const second = await json<Paged<ListItem>>(PRODUCTS + '?page_size=5&page=2')
  assert.deepStrictEqual([...first.results, ...second.results].map(p => p.code), now.slice(0, 10).map(p => p.code))
})

test('product details: each family lists its tariffs in 14 regions, gas for the fixed and the tracker', async t => {
  const { json } = await startSampleApi(t, { now: () => LATER })
  const groups = async (code: string): Promise<Record<string, Groups>> => json(`${PRODUCTS}${code}/`)
  const go = await groups('GO-VAR-22-10-14')
  assert.deepStrictEqual(Object.keys(go.single_register_electricity_tariffs), GSP_REGIONS.map(r => `_${r}`))
  assert.equal(go.single_register_electricity_tariffs._C.direct_debit_monthly.code, 'E-1R-GO-VAR-22-10-14-C')
  assert.deepStrictEqual(go.single_register_electricity_tariffs._C.direct_debit_monthly.links.map(l => l.rel), ['standing_charges', 'standard_unit_rates'])
  assert.deepStrictEqual([go.dual_register_electricity_tariffs, go.single_register_gas_tariffs], [{}, {}])
  for (const [product, tariff] of [['INTELLI-VAR-24-10-29', 'E-1R-INTELLI-VAR-24-10-29-C'], ['FLUX-IMPORT-23-02-14', 'E-1R-FLUX-IMPORT-23-02-14-C'], ['FLUX-EXPORT-23-02-14', 'E-1R-FLUX-EXPORT-23-02-14-C']]) {
    assert.equal((await groups(product)).single_register_electricity_tariffs._C.direct_debit_monthly.code, tariff)
  }
  const fixed = await groups('OE-FIX-12M-24-12-14')
  assert.equal(fixed.single_register_gas_tariffs._C.direct_debit_monthly.code, 'G-1R-OE-FIX-12M-24-12-14-C')
  assert.equal((await groups('SILVER-24-12-31')).single_register_gas_tariffs._C.direct_debit_monthly.code, 'G-1R-SILVER-24-12-31-C')
  assert.equal((await groups('VAR-22-11-01')).single_register_gas_tariffs._C.varying.code, 'G-1R-VAR-22-11-01-C')
})

test('Octopus Go: cheap exactly 00:30-04:30 London time on both clock-change days, one row per band across midnight, newest first', async t => {
  const { json } = await startSampleApi(t, { now: () => LATER })
  const go = (from: string, to: string): Promise<Paged<Rate>> => json(rates('GO-VAR-22-10-14', 'E-1R-GO-VAR-22-10-14-C', from, to))
  // Spring: 2024-03-31 lasts 23 hours; its cheap row 00:30 GMT to 04:30 BST is 3 hours long.
  const spring = await go('2024-03-31T00:00:00Z', '2024-03-31T23:00:00Z')
  assert.deepStrictEqual(rows(spring), [
    ['2024-03-31T03:30:00Z', '2024-03-31T23:30:00Z'],
    ['2024-03-31T00:30:00Z', '2024-03-31T03:30:00Z'],
    ['2024-03-30T04:30:00Z', '2024-03-31T00:30:00Z']
  ])
  const cheap = timeOfUseRate(42, quarter('2024-03-31'), 'GO-VAR-22-10-14', 'cheap')
  const day = timeOfUseRate(42, quarter('2024-03-31'), 'GO-VAR-22-10-14', 'standard')
  assert.deepStrictEqual(spring.results.map(r => [r.value_exc_vat, r.value_inc_vat, r.payment_method]), [
    [day.value_exc_vat, day.value_inc_vat, null], [cheap.value_exc_vat, cheap.value_inc_vat, null], [day.value_exc_vat, day.value_inc_vat, null]
  ])
  assert.ok(cheap.value_exc_vat < day.value_exc_vat)
  // Autumn: 2023-10-29 lasts 25 hours; its cheap row 00:30 BST to 04:30 GMT is 5 hours long.
  const autumn = await go('2023-10-28T23:00:00Z', '2023-10-30T00:00:00Z')
  assert.deepStrictEqual(rows(autumn), [
    ['2023-10-29T04:30:00Z', '2023-10-30T00:30:00Z'],
    ['2023-10-28T23:30:00Z', '2023-10-29T04:30:00Z'],
    ['2023-10-28T03:30:00Z', '2023-10-28T23:30:00Z']
  ])
  // The cheap rows (the middle ones) are 00:30-04:30 London time on both days.
  for (const r of [spring.results[1], autumn.results[1]]) assert.deepStrictEqual([local(r.valid_from), local(r.valid_to ?? '')], ['00:30', '04:30'])
  // Since 2024-10-01 the cheap window is five hours, 00:30-05:30.
  const summer = await go('2025-06-14T23:00:00Z', '2025-06-15T23:00:00Z')
  assert.deepStrictEqual(rows(summer), [
    ['2025-06-15T04:30:00Z', '2025-06-15T23:30:00Z'],
    ['2025-06-14T23:30:00Z', '2025-06-15T04:30:00Z'],
    ['2025-06-14T04:30:00Z', '2025-06-14T23:30:00Z']
  ])
  assert.deepStrictEqual([local(summer.results[1].valid_from), local(summer.results[1].valid_to ?? '')], ['00:30', '05:30'])
  // Nothing before the launch; the first row starts at it.
  const launch = await go('2022-10-13T00:00:00Z', '2022-10-14T12:00:00Z')
  assert.equal(launch.results.at(-1)?.valid_from, '2022-10-13T23:00:00Z')
})

test('Intelligent Octopus Go: cheap 23:30-05:30 London time', async t => {
  const { json } = await startSampleApi(t, { now: () => LATER })
  const page = await json<Paged<Rate>>(rates('INTELLI-VAR-24-10-29', 'E-1R-INTELLI-VAR-24-10-29-C', '2025-01-15T00:00:00Z', '2025-01-16T00:00:00Z'))
  assert.deepStrictEqual(rows(page), [
    ['2025-01-15T23:30:00Z', '2025-01-16T05:30:00Z'],
    ['2025-01-15T05:30:00Z', '2025-01-15T23:30:00Z'],
    ['2025-01-14T23:30:00Z', '2025-01-15T05:30:00Z']
  ])
  const bst = await json<Paged<Rate>>(rates('INTELLI-VAR-24-10-29', 'E-1R-INTELLI-VAR-24-10-29-C', '2025-06-15T04:00:00Z', '2025-06-15T05:00:00Z'))
  assert.deepStrictEqual(rows(bst), [['2025-06-15T04:30:00Z', '2025-06-15T22:30:00Z'], ['2025-06-14T22:30:00Z', '2025-06-15T04:30:00Z']])
  assert.deepStrictEqual([local(bst.results[1].valid_from), local(bst.results[1].valid_to ?? '')], ['23:30', '05:30'])
})

test('Flux import and export: the recorded three bands of 2023-03-27, the export without VAT', async t => {
  const { json } = await startSampleApi(t, { now: () => LATER })
  const recorded = [
    ['2023-03-27T18:00:00Z', '2023-03-28T01:00:00Z'],
    ['2023-03-27T15:00:00Z', '2023-03-27T18:00:00Z'],
    ['2023-03-27T04:00:00Z', '2023-03-27T15:00:00Z'],
    ['2023-03-27T01:00:00Z', '2023-03-27T04:00:00Z'],
    ['2023-03-26T18:00:00Z', '2023-03-27T01:00:00Z']
  ]
  const q = quarter('2023-03-27')
  const imp = await json<Paged<Rate>>(rates('FLUX-IMPORT-23-02-14', 'E-1R-FLUX-IMPORT-23-02-14-E', '2023-03-27T00:00:00Z', '2023-03-28T00:00:00Z'))
  assert.deepStrictEqual(rows(imp), recorded)
  const band = (b: 'cheap' | 'standard' | 'peak'): number => timeOfUseRate(42, q, 'FLUX-IMPORT-23-02-14', b).value_inc_vat
  assert.deepStrictEqual(imp.results.map(r => r.value_inc_vat), [band('standard'), band('peak'), band('standard'), band('cheap'), band('standard')])
  const exp = await json<Paged<Rate>>(rates('FLUX-EXPORT-23-02-14', 'E-1R-FLUX-EXPORT-23-02-14-E', '2023-03-27T00:00:00Z', '2023-03-28T00:00:00Z'))
  assert.deepStrictEqual(rows(exp), recorded)
  const peak = withoutVat(timeOfUseRate(42, q, 'FLUX-EXPORT-23-02-14', 'peak').value_exc_vat)
  assert.deepStrictEqual([exp.results[1].value_exc_vat, exp.results[1].value_inc_vat], [peak.value_exc_vat, peak.value_inc_vat])
  assert.equal(exp.results.every(r => r.value_exc_vat === r.value_inc_vat), true)
  assert.deepStrictEqual(await json(rates('FLUX-EXPORT-23-02-14', 'E-1R-FLUX-EXPORT-23-02-14-E', '2023-03-27T00:00:00Z', '2023-03-28T00:00:00Z', 'standing-charges')), EMPTY)
})

test('the 12-month fix: one price for its life, open-ended, both payment methods; gas too', async t => {
  const { json } = await startSampleApi(t, { now: () => LATER })
  const launchQ = quarter('2024-12-14')
  const unit = await json<Paged<Rate>>(rates('OE-FIX-12M-24-12-14', 'E-1R-OE-FIX-12M-24-12-14-C', '2025-06-01T00:00:00Z', '2025-07-01T00:00:00Z'))
  assert.deepStrictEqual(unit.results.map(r => [r.valid_from, r.valid_to, r.payment_method]), [
    ['2024-12-14T00:00:00Z', null, 'DIRECT_DEBIT'], ['2024-12-14T00:00:00Z', null, 'NON_DIRECT_DEBIT']
  ])
  assert.equal(unit.results[0].value_exc_vat, fixedRate(42, launchQ, 'OE-FIX-12M-24-12-14').value_exc_vat)
  const standing = await json<Paged<Rate>>(rates('OE-FIX-12M-24-12-14', 'E-1R-OE-FIX-12M-24-12-14-C', '2025-06-01T00:00:00Z', '2025-07-01T00:00:00Z', 'standing-charges'))
  assert.deepStrictEqual(standing.results.map(r => [r.value_exc_vat, r.valid_to]), [
    [standingCharge(42, launchQ, 'OE-FIX-12M-24-12-14', 'DIRECT_DEBIT').value_exc_vat, null],
    [standingCharge(42, launchQ, 'OE-FIX-12M-24-12-14', 'NON_DIRECT_DEBIT').value_exc_vat, null]
  ])
  const gas = await json<Paged<Rate>>(rates('OE-FIX-12M-24-12-14', 'G-1R-OE-FIX-12M-24-12-14-C', '2025-06-01T00:00:00Z', '2025-07-01T00:00:00Z', 'standard-unit-rates', 'gas'))
  assert.deepStrictEqual(gas.results.map(r => [r.value_exc_vat, r.valid_from, r.valid_to]).slice(0, 1), [[gasRate(42, launchQ, 'OE-FIX-12M-24-12-14').value_exc_vat, '2024-12-14T00:00:00Z', null]])
  assert.deepStrictEqual(await json(rates('OE-FIX-12M-24-12-14', 'E-1R-OE-FIX-12M-24-12-14-C', '2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z')), EMPTY)
})

test('Tracker gas: one rate per London day', async t => {
  const { json } = await startSampleApi(t, { now: () => LATER })
  const page = await json<Paged<Rate>>(rates('SILVER-24-12-31', 'G-1R-SILVER-24-12-31-C', '2025-03-30T00:00:00Z', '2025-03-30T22:00:00Z', 'standard-unit-rates', 'gas'))
  // The 23-hour clock-change day, and the day before (touching period_from, as every list answers).
  const rate = (date: string): number => trackerGasRate(42, 'SILVER-24-12-31', londonDay(date).startMs).value_exc_vat
  assert.deepStrictEqual(page.results.map(r => [r.valid_from, r.valid_to, r.value_exc_vat, r.payment_method]), [
    ['2025-03-30T00:00:00Z', '2025-03-30T23:00:00Z', rate('2025-03-30'), null],
    ['2025-03-29T00:00:00Z', '2025-03-30T00:00:00Z', rate('2025-03-29'), null]
  ])
})

test('grid-supply-points: the real shape for a postcode, an empty list for one it cannot map, all 14 without one', async t => {
  const { json, api } = await startSampleApi(t)
  assert.deepStrictEqual(await json(`${GSP}?postcode=SW1A1AA`), { count: 1, next: null, previous: null, results: [{ group_id: '_C' }] })
  for (const [postcode, group] of [['sw1a 1aa', '_C'], ['SW1A', '_C'], ['M1 1AE', '_G'], ['B1 1AA', '_E'], ['EH1 1YZ', '_N'], ['IV1 1AA', '_P'], ['CF10 1EP', '_K']]) {
    assert.deepStrictEqual((await json<Paged<{ group_id: string }>>(`${GSP}?postcode=${encodeURIComponent(postcode)}`)).results, [{ group_id: group }], postcode)
  }
  for (const postcode of ['ZZ99 9ZZ', 'BT1 1AA', 'JE2 3AB', 'not a postcode']) assert.deepStrictEqual(await json(`${GSP}?postcode=${encodeURIComponent(postcode)}`), EMPTY, postcode)
  const all = await json<Paged<{ group_id: string }>>(GSP)
  assert.deepStrictEqual(all.results.map(g => g.group_id), GSP_REGIONS.map(r => `_${r}`))
  assert.deepStrictEqual(api.requests.bySource, { catalogue: 13 })
  // Every postcode area of the sample's regions maps to a group, each of the 14 regions to its own.
  for (const [area, region] of POSTCODE_AREAS) assert.equal(gspOfPostcode(`${area}1 1AA`), GSP_OF_REGION[region], area)
  assert.deepStrictEqual(Object.values(GSP_OF_REGION).sort(), [...GSP_REGIONS])
})
