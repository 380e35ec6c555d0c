import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTariffCatalogue, type ProductRecord } from '../../../clients/octopus/catalogue.ts'
import { DEFAULTS, type Config } from '../../../lib/config.ts'
import { londonDay, londonSpan, slotStarts } from '../../../lib/london-day.ts'
import { fetchAccount } from '../../../clients/octopus/account.ts'
import { seed, seedAccount } from '../../../processors/ingest/seed.ts'
import type { Account } from '../../../clients/octopus/types.ts'
import { exportSource } from '../../../processors/export/index.ts'
import { gasSource } from '../../../processors/gas/index.ts'
import type { FetchContext, GasValues, SlotValues, SourceDeclaration } from '../../../processors/source/types.ts'
import { pricingSource } from '../../../processors/pricing/index.ts'
import { usageSource } from '../../../processors/usage/index.ts'
import {
  REAL_ACCOUNT, REAL_EXPORT_AGREEMENTS, REAL_GAS_AGREEMENTS, REAL_GAS_EXCHANGE_DATE, REAL_GAS_GAP, REAL_GAS_SMETS1_SERIAL, REAL_GAS_SMETS2_SERIAL,
  REAL_IMPORT_AGREEMENTS, REAL_IMPORT_GAP, REAL_LEGACY_SERIAL, REAL_SERIAL
} from '../../../sample-api/index.ts'
import { captureLog, createTestEnvironment, readRaw, readTopic, startPipeline, startSampleServer, testPool, waitFor, type SampleServer } from '../../pipeline.ts'
import { silentLog, testConfig } from '../../helpers.ts'
import { expectedDay, expectedImportRates, expectedImportUsage, FIGURES } from './expected-bill.ts'
import { spanValues } from '../../../processors/source/span-values.ts'

// Issue 21, real accounts: the second sample account (A-REAL2026) carries what real households
// carry: a legacy E1R code, a product missing from the catalogue, E-FLAT2R listed by no product,
// Cosy's time-of-use rows, a tracker, Intelligent Octopus Go 2026 on day/night rates only, V2G
// and Intelligent Flux export (found by searching the catalogue), a legacy meter answering 404, a
// SMETS1 → SMETS2 gas exchange and days without readings. Each source's fetchSpan is called alone
// against the sample API (no Kafka); every figure is compared with expected-bill.ts's reading of
// the sample API's answers, on 46-, 48- and 50-slot days of each structure.

/** After every agreement began: the tracker and Intelligent Go days have rates. */
const NOW = Date.parse('2026-11-20T12:00:00Z')
const GAS_UNITS = { [REAL_GAS_SMETS1_SERIAL]: 'kWh' } as const

function configFor (sample: SampleServer, extra: Record<string, string> = {}): Readonly<Config> {
  return testConfig({
    ...DEFAULTS,
    CARBON_API_URL: sample.carbonApiUrl,
    OCTOPUS_API_URL: sample.octopusApiUrl,
    OCTOPUS_ACCOUNT: REAL_ACCOUNT,
    GAS_METER_UNITS: `${REAL_GAS_SMETS1_SERIAL}=kWh`,
    ...extra
  })
}

async function contextFor (sample: SampleServer, extra: Record<string, string> = {}, log = silentLog): Promise<FetchContext> {
  const config = configFor(sample, extra)
  const { account } = await fetchAccount({ config, log })
  return { config, log, signal: AbortSignal.timeout(60000), account, tariffs: createTariffCatalogue() }
}

async function fetchDay<V extends SlotValues> (source: SourceDeclaration<V>, date: string, context: FetchContext): Promise<Map<number, V>> {
  return new Map((await spanValues(source.fetchSpan(londonSpan(date, 1), context))).map(v => [v.slot_start, v]))
}

const requestsTo = (sample: SampleServer, pattern: RegExp): number => sample.requests.filter(r => pattern.test(r.path)).length

test('the account answer keeps every real shape: no code, number or serial is refused', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const config = configFor(sample)
  const { account, problems } = await fetchAccount({ config, log: silentLog })
  assert.deepStrictEqual(problems, [])
  const codes = (a: Account, kind: 'import' | 'export'): string[] => a.properties[0].electricity_meter_points.filter(p => p.is_export === (kind === 'export')).flatMap(p => p.agreements.map(x => x.tariff_code))
  assert.deepStrictEqual(codes(account, 'import'), REAL_IMPORT_AGREEMENTS.map(a => a.tariff_code))
  assert.deepStrictEqual(codes(account, 'export'), REAL_EXPORT_AGREEMENTS.map(a => a.tariff_code))
  assert.deepStrictEqual(account.properties[0].gas_meter_points[0].agreements.map(a => a.tariff_code), REAL_GAS_AGREEMENTS.map(a => a.tariff_code))
  assert.deepStrictEqual(account.properties[0].electricity_meter_points.find(p => !p.is_export)?.meters, [REAL_SERIAL, REAL_LEGACY_SERIAL])
})

// A 46-, 48- and 50-slot day (where the agreement spans them) of every import rate structure.
const IMPORT_DAYS: Array<[string, string]> = [
  ['legacy E1R, single rate', '2018-03-25'], ['legacy E1R, single rate', '2018-06-15'], ['legacy E1R, single rate', '2018-10-28'],
  ['variable', '2020-03-29'], ['variable', '2021-10-31'],
  ['E-FLAT2R day/night, not listed by its product (smart Economy 7, UTC)', '2023-03-26'], ['E-FLAT2R', '2023-06-15'], ['E-FLAT2R', '2023-10-29'],
  ['Cosy, several rows a day', '2024-03-31'], ['Cosy', '2024-06-15'], ['Cosy', '2024-10-27'],
  ['tracker, one row a day', '2025-06-15'], ['tracker', '2025-10-26'],
  ['Intelligent Go 2026, day/night only (23:30-05:30 London)', '2026-03-29'], ['Intelligent Go 2026', '2026-06-15'], ['Intelligent Go 2026', '2026-10-25']
]

test('every import rate structure is priced per half-hour as its catalogue entry links it, on 46-, 48- and 50-slot days', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const context = await contextFor(sample)
  for (const [structure, date] of IMPORT_DAYS) {
    const priced = await fetchDay(pricingSource, date, context)
    const expected = await expectedImportRates(sample, date, { account: REAL_ACCOUNT })
    assert.equal(expected.size, londonDay(date).slots, `${date}: the sample API prices every slot`)
    assert.deepStrictEqual(new Map([...priced].map(([ms, p]) => [ms, [p.value_inc_vat, p.value_exc_vat, p.standing_charge_inc_vat, p.standing_charge_exc_vat]])), expected, `${structure} ${date}`)
  }
  // Intelligent Go 2026 publishes no standard rates: the catalogue's day/night links are used, never standard-unit-rates.
  assert.equal(requestsTo(sample, /IOG-SMB-TOU-25-12-12-E\/standard-unit-rates/), 0)
  // Time-of-use: Cosy's day has three price levels, the tracker's one, Intelligent Go's two; E-FLAT2R
  // (a flat rate on two registers) one. Intelligent Go's night follows the London clock: 22:30-04:30 UTC in BST.
  const levels = async (date: string): Promise<number> => new Set([...(await fetchDay(pricingSource, date, context)).values()].map(p => p.value_inc_vat)).size
  assert.deepStrictEqual([await levels('2024-06-15'), await levels('2025-06-15'), await levels('2026-06-15'), await levels('2023-06-15')], [3, 1, 2, 1])
  const iog = await fetchDay(pricingSource, '2026-06-15', context)
  const nightRate = iog.get(Date.parse('2026-06-15T00:00:00Z'))?.value_inc_vat
  assert.deepStrictEqual(['2026-06-14T23:00:00Z', '2026-06-15T04:00:00Z', '2026-06-15T04:30:00Z', '2026-06-15T21:30:00Z', '2026-06-15T22:00:00Z', '2026-06-15T22:30:00Z']
    .map(t => iog.get(Date.parse(t))?.value_inc_vat === nightRate), [true, true, false, false, false, true])
})

test('a product missing from the catalogue: its days are unpriced saying what was tried; OCTOPUS_TARIFF_PRODUCTS prices them', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const date = '2019-06-15'
  const context = await contextFor(sample)
  assert.deepStrictEqual([...(await fetchDay(pricingSource, date, context)).values()], [])
  const why = pricingSource.whyMissing?.(londonDay(date), context)
  assert.equal(why?.code, 'ENERGY_UNPRICED')
  assert.match(why?.message ?? '', /^2019-06-15: tariff E-1R-GONE-19-06-01-E cannot be priced: no product lists tariff E-1R-GONE-19-06-01-E \(product GONE-19-06-01: not found \(404\); \d+ products available at 2019-0[56]-[0-9T:]+Z, \d alike searched \(.*\); set OCTOPUS_TARIFF_PRODUCTS=E-1R-GONE-19-06-01-E=<product code>$/)
  // Asked once: the answer is kept, a second day costs no catalogue request.
  const catalogueCalls = requestsTo(sample, /\/products\/[^/]*\/?$/)
  await fetchDay(pricingSource, '2019-06-16', context)
  assert.equal(requestsTo(sample, /\/products\/[^/]*\/?$/), catalogueCalls)

  const mapped = await contextFor(sample, { OCTOPUS_TARIFF_PRODUCTS: 'E-1R-GONE-19-06-01-E=HIDDEN-19-06-01' })
  const priced = await fetchDay(pricingSource, date, mapped)
  const expected = await expectedImportRates(sample, date, { account: REAL_ACCOUNT })
  assert.deepStrictEqual(new Map([...priced].map(([ms, p]) => [ms, [p.value_inc_vat, p.value_exc_vat, p.standing_charge_inc_vat, p.standing_charge_exc_vat]])), expected)
})

test('export on V2G (no fuel prefix) and Intelligent Flux (its product 404s, found by searching the catalogue) earns what the answers say', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const capture = captureLog('info')
  const context = await contextFor(sample, {}, capture.log)
  for (const date of ['2023-03-26', '2023-06-15', '2023-10-29', '2024-03-31', '2024-06-15', '2024-10-27']) {
    const values = await fetchDay(exportSource, date, context)
    assert.equal(values.size, londonDay(date).slots, date)
    const expected = await expectedDay(sample, date, { account: REAL_ACCOUNT, gasUnits: GAS_UNITS })
    const earned = [...values.values()].reduce((sum, v) => sum + v.kwh * v.rate, 0)
    const exported = [...values.values()].reduce((sum, v) => sum + v.kwh, 0)
    assert.deepStrictEqual([exported, earned], [expected.export_kwh, expected.export_value], date)
    assert.ok(exported > 0, date)
  }
  assert.ok(capture.lines().some(l => l.msg === 'tariff found by searching the product catalogue' && l.tariff === 'E-1R-INTELLI-FLUX-EXPORT-23-07-14-E' && l.product === 'INTELLI-FLUX-EXPORT-BB-23-07-14'))
})

test('import readings: a legacy meter answering 404 is a meter without readings; days without readings are left to the join', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const context = await contextFor(sample)
  for (const date of ['2024-03-31', '2024-06-15', '2024-10-27']) {
    const usage = await fetchDay(usageSource, date, context)
    assert.deepStrictEqual(new Map([...usage].map(([ms, u]) => [ms, u.consumption])), await expectedImportUsage(sample, date, REAL_ACCOUNT), date)
    assert.ok([...usage.values()].every(u => u.meter_serial === REAL_SERIAL))
  }
  assert.ok(requestsTo(sample, new RegExp(`/meters/${REAL_LEGACY_SERIAL}/consumption`)) > 0)
  assert.equal((await fetchDay(usageSource, REAL_IMPORT_GAP.from, context)).size, 0)
})

test('gas: each meter in its own unit across the SMETS1 → SMETS2 exchange; a day without readings owes its standing charge', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const context = await contextFor(sample)
  const gasDay = async (date: string): Promise<GasValues[]> => [...(await fetchDay(gasSource, date, context)).values()]
  for (const date of ['2023-03-26', REAL_GAS_EXCHANGE_DATE, '2023-10-29', '2024-01-15']) {
    const values = await gasDay(date)
    const expected = await expectedDay(sample, date, { account: REAL_ACCOUNT, gasUnits: GAS_UNITS })
    assert.equal(values.length, londonDay(date).slots, date)
    assert.deepStrictEqual([values.reduce((s, v) => s + v.kwh, 0), values.reduce((s, v) => s + v.kwh * v.value_inc_vat, 0)], [expected.gas_kwh, expected.gas_cost_inc_vat], date)
  }
  // The exchange day: SMETS1 (kWh) until 10:00, SMETS2 (m³, listed first) from 10:00.
  const exchange = await gasDay(REAL_GAS_EXCHANGE_DATE)
  const exchangeStart = londonDay(REAL_GAS_EXCHANGE_DATE).startMs
  assert.deepStrictEqual([...new Set(exchange.map(v => `${v.meter_serial} ${v.unit}`))], [`${REAL_GAS_SMETS1_SERIAL} kWh`, `${REAL_GAS_SMETS2_SERIAL} m3`])
  assert.equal(exchange.findIndex(v => v.meter_serial === REAL_GAS_SMETS2_SERIAL), (Date.parse(`${REAL_GAS_EXCHANGE_DATE}T09:00:00Z`) - exchangeStart) / 1800000)
  // The gap: every slot unread, kWh 0, the agreement's standing charge on each.
  const gap = await gasDay(REAL_GAS_GAP.from)
  assert.equal(gap.length, 48)
  assert.ok(gap.every(v => !v.read && v.kwh === 0 && v.tariff_code === 'G-1R-VAR-22-11-01-E' && v.standing_charge_inc_vat !== null && v.standing_charge_inc_vat > 0))
  assert.deepStrictEqual(slotStarts(londonDay(REAL_GAS_GAP.from)), gap.map(v => v.slot_start))
})

// The same account through the whole pipeline (Kafka, the registry, the join, Postgres).
test('the real account end to end: every day billed as the answers give it, money before carbon, standing charges without readings, a flaky account answer changes nothing, a missing product names itself', async t => {
  const sample = await startSampleServer(t, { now: () => NOW })
  const env = await createTestEnvironment(t, 'real_account', sample, { OCTOPUS_ACCOUNT: REAL_ACCOUNT, GAS_METER_UNITS: `${REAL_GAS_SMETS1_SERIAL}=kWh` })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)
  const deps = { config: env.config, codec: env.codec, log: silentLog }
  // Before the Carbon Intensity history (2017-06-15); one day of each structure on 46, 48, 50
  // slots; the import gap, the gas gap; and a day of the tariff missing from the catalogue.
  const billed = ['2017-06-15', '2018-03-25', '2018-10-28', '2023-06-15', '2024-03-31', '2024-10-27', '2025-06-15', '2026-10-25',
    REAL_IMPORT_GAP.from, REAL_GAS_GAP.from]
  const unpriced = '2019-06-15'
  for (const date of [...billed, unpriced]) await seed(deps, { from: date, to: date })
  const summary = async (): Promise<Map<string, Record<string, unknown>>> => new Map((await pool.query(
    `SELECT to_char(date, 'YYYY-MM-DD') AS date, ${FIGURES.join(', ')}, slots_expected, complete, bill_complete, carbon_g, carbon_slots, missing_readings
     FROM energy_usage.daily_summary`)).rows.map(r => [r.date as string, r]))
  // Every day lands as soon as it is priced and again as each input arrives: wait for the figures
  // the answers give (the assertions below show any difference).
  const expected = new Map(await Promise.all(billed.map(async d => [d, await expectedDay(sample, d, { account: REAL_ACCOUNT, gasUnits: GAS_UNITS })] as const)))
  const figuresOf = (row: Record<string, unknown> | undefined): Record<string, unknown> => Object.fromEntries(FIGURES.map(k => [k, row?.[k]]))
  await waitFor('every day billed as the answers give it', async () => {
    const rows = await summary()
    return billed.every(d => JSON.stringify(figuresOf(rows.get(d))) === JSON.stringify(figuresOf(expected.get(d))))
  }, 120000).catch(() => {})
  const rows = await summary()
  for (const date of billed) assert.deepStrictEqual(figuresOf(rows.get(date)), figuresOf(expected.get(date)), date)
  const get = (date: string, ...fields: string[]): unknown[] => fields.map(f => rows.get(date)?.[f])
  // Money never waits for carbon: before the history the bill lands, carbon null.
  assert.deepStrictEqual(get('2017-06-15', 'carbon_g', 'carbon_slots', 'bill_complete', 'complete'), [null, 0, true, false])
  assert.deepStrictEqual(get('2024-03-31', 'carbon_g', 'carbon_slots', 'complete'), [rows.get('2024-03-31')?.carbon_g, 46, rows.get('2024-03-31')?.complete])
  assert.ok((get('2024-03-31', 'carbon_g')[0] as number) > 0)
  // Standing charges every day an agreement is in force: the import gap's day is its standing
  // charge (and gas) alone; the gas gap's day has its gas standing charge with no gas.
  assert.deepStrictEqual(get(REAL_IMPORT_GAP.from, 'kwh', 'missing_readings', 'bill_complete'), [0, ['usage'], false])
  assert.ok((get(REAL_IMPORT_GAP.from, 'standing_charge_inc_vat')[0] as number) > 0)
  assert.deepStrictEqual(get(REAL_GAS_GAP.from, 'gas_kwh', 'missing_readings', 'bill_complete'), [0, ['gas'], false])
  assert.ok((get(REAL_GAS_GAP.from, 'gas_standing_charge_inc_vat')[0] as number) > 0)
  // The day of a product missing from the catalogue is not billed, and says why.
  assert.equal(rows.has(unpriced), false)
  let why: Record<string, string> | undefined
  await waitFor('the unpriced day\'s dead letter', async () => {
    const letters = (await readRaw(env, env.config.topics.dlq)).map(m => Object.fromEntries(m.headers ?? new Map()) as Record<string, string>)
    why = letters.find(h => h['dlq.date'] === unpriced && h['dlq.processor'] === 'pricing')
    return why !== undefined
  }, 60000)
  assert.equal(why?.['dlq.error.code'], 'ENERGY_UNPRICED')
  assert.match(why?.['dlq.error'] ?? '', /no product lists tariff E-1R-GONE-19-06-01-E .*set OCTOPUS_TARIFF_PRODUCTS=E-1R-GONE-19-06-01-E=<product code>/)

  // Octopus drops the export meter point from an answer: nothing is re-requested, history stays.
  const requestsBefore = (await readTopic(env, env.config.topics.requests)).length
  const offsetsBefore = await readTopic(env, env.config.topics.account)
  const drop = await fetch(`${sample.base}/_admin/account`, { method: 'POST', body: JSON.stringify({ drop: { mpan: '1430000000002' } }) })
  assert.equal(drop.status, 200)
  const capture = captureLog('warn')
  const refresh = await seedAccount({ ...deps, log: capture.log })
  assert.ok(refresh !== undefined)
  assert.equal(refresh.changed, false)
  assert.ok(refresh.account.properties[0].electricity_meter_points.some(p => p.mpan === '1430000000002' && p.is_export))
  assert.ok(capture.lines().some(l => l.msg === 'the account answer omits what an earlier one listed: kept as known (no day re-requested for it)'))
  assert.equal((await readTopic(env, env.config.topics.requests)).length, requestsBefore)
  assert.equal((await readTopic(env, env.config.topics.account)).length, offsetsBefore.length)
  assert.deepStrictEqual((await summary()).get('2024-10-27'), rows.get('2024-10-27'))

  // energy.products keeps what the catalogue answered: the seed published every tariff it resolved.
  const records = (await readTopic<ProductRecord>(env, env.config.topics.products)).map(m => m.value as ProductRecord)
  const tariffOf = (product: string, tariff: string): unknown => records.find(r => r.code === product)?.tariffs.find(x => x.code === tariff)
  assert.deepStrictEqual(tariffOf('INTELLI-FLUX-EXPORT-BB-23-07-14', 'E-1R-INTELLI-FLUX-EXPORT-23-07-14-E'), {
    code: 'E-1R-INTELLI-FLUX-EXPORT-23-07-14-E',
    fuel: 'electricity',
    standard_unit_rates: '/products/INTELLI-FLUX-EXPORT-BB-23-07-14/electricity-tariffs/E-1R-INTELLI-FLUX-EXPORT-23-07-14-E/standard-unit-rates/',
    day_unit_rates: null,
    night_unit_rates: null,
    standing_charges: '/products/INTELLI-FLUX-EXPORT-BB-23-07-14/electricity-tariffs/E-1R-INTELLI-FLUX-EXPORT-23-07-14-E/standing-charges/',
    listed: true
  })
  assert.equal((tariffOf('VAR-22-11-01', 'E-FLAT2R-VAR-22-11-01-E') as { listed: boolean } | undefined)?.listed, false)
  assert.equal(records.some(r => r.tariffs.some(x => x.code === 'E-1R-GONE-19-06-01-E')), false, 'a tariff no product lists is not kept')
  // With the catalogue down (every product answer a 500), a processor's catalogue prices from energy.products alone.
  const days = ['2023-06-15', '2024-10-27', '2026-10-25']
  const rates = await Promise.all(days.map(async d => await expectedImportRates(sample, d, { account: REAL_ACCOUNT })))
  sample.api.setFaults([{ source: 'catalogue', kind: '500' }])
  const productAsks = (): number => requestsTo(sample, /^\/octopus\/v1\/products\/[^/]*\/?$/)
  const asked = productAsks()
  const context = { ...(await contextFor(sample)), tariffs: createTariffCatalogue({ products: () => records }) }
  for (const [i, date] of days.entries()) {
    const priced = await fetchDay(pricingSource, date, context)
    assert.deepStrictEqual(new Map([...priced].map(([ms, p]) => [ms, [p.value_inc_vat, p.value_exc_vat, p.standing_charge_inc_vat, p.standing_charge_exc_vat]])), rates[i], date)
  }
  assert.equal(productAsks(), asked, 'no product asked')
  sample.api.setFaults([])
})
