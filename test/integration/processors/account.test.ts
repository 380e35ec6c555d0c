import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import type { EnergyError } from '../../../lib/errors.ts'
import { londonDay, londonSpan } from '../../../lib/london-day.ts'
import { pipelineProgress } from '../../../api/queries.ts'
import { seed } from '../../../processors/ingest/seed.ts'
import type { DailyAggregate } from '../../../processors/join/types.ts'
import { pricingSource } from '../../../processors/pricing/index.ts'
import { createAccountRefresher } from '../../../processors/ingest/account-refresher.ts'
import type { Account } from '../../../clients/octopus/types.ts'
import { DEFAULTS } from '../../../lib/config.ts'
import { silentLog, testConfig } from '../../helpers.ts'
import { ACCOUNT, allResults, answer, covers, expectedDay, FIGURES, type AnswerAgreement, type AnswerProperty, type Rate } from './expected-bill.ts'
import { spanValues } from '../../../processors/source/span-values.ts'
import {
  captureLog, createTestEnvironment, readRaw, readRequests, readTopic, startPipeline, startSampleServer, testPool,
  waitFor, waitForPipeline, type SampleServer, type TestEnvironment
} from '../../pipeline.ts'

// Issue 13, the bill: with OCTOPUS_ACCOUNT every slot is priced by the import agreement in force
// at it, every day carries the standing charge in force at its first slot, and a back-dated
// agreement re-prices its days. Expected figures are computed here from the sample API's HTTP
// answers (the account, the unit rates and standing charges of each tariff, the consumption),
// with a reading of its own of which agreement is in force, never from the pipeline's code.

/** The sample account's import agreements, as its answer lists them. */
async function importAgreements (sample: SampleServer): Promise<AnswerAgreement[]> {
  const account: { properties: AnswerProperty[] } = await answer(`${sample.octopusApiUrl}/accounts/${ACCOUNT}/`)
  return account.properties.flatMap(p => p.electricity_meter_points).filter(p => p.is_export !== true).flatMap(p => p.agreements)
}

interface Running { sample: SampleServer, env: TestEnvironment, pool: pg.Pool }

/** Completion records per date, read committed. */
async function emissionsPerDate (run: Running): Promise<Map<string, number>> {
  const emitted = new Map<string, number>()
  for (const m of await readTopic<DailyAggregate>(run.env, run.env.config.topics.completion)) emitted.set(m.key, (emitted.get(m.key) ?? 0) + 1)
  return emitted
}

/** The sample API, an environment with OCTOPUS_ACCOUNT, and the whole pipeline in this process. */
async function runPipeline (t: TestContext, name: string): Promise<Running> {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, name, sample, { OCTOPUS_ACCOUNT: ACCOUNT })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)
  return { sample, env, pool }
}

type Summary = Record<string, unknown> & { import_tariff_code: string | null, standing_charge_inc_vat: number | null, slots_expected: number, complete: boolean }

async function summaries (pool: pg.Pool, dates: readonly string[]): Promise<Map<string, Summary>> {
  const { rows } = await pool.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, ${FIGURES.join(', ')}, slots_expected, complete
    FROM energy_usage.daily_summary WHERE to_char(date, 'YYYY-MM-DD') = ANY($1)`, [dates])
  return new Map(rows.map(({ date, ...figures }) => [date as string, figures as Summary]))
}

async function assertDays (run: Running, dates: readonly string[]): Promise<void> {
  const landed = await summaries(run.pool, dates)
  for (const date of dates) {
    assert.deepStrictEqual(landed.get(date), { ...await expectedDay(run.sample, date), slots_expected: londonDay(date).slots, complete: true }, date)
  }
}

test('with OCTOPUS_ACCOUNT each slot is priced by the agreement in force: a week across the 2024-10-01 switch, a standing charge change, 46 and 50 slots', async t => {
  const run = await runPipeline(t, 'account_week')
  const week = ['2024-09-28', '2024-09-29', '2024-09-30', '2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04']
  const others = ['2024-03-31', '2024-06-30', '2024-07-01', '2024-10-27']
  await seed({ config: run.env.config, codec: run.env.codec, log: silentLog }, { from: week[0], to: week.at(-1) as string })
  for (const date of others) await seed({ config: run.env.config, codec: run.env.codec, log: silentLog }, { from: date, to: date })
  await waitForPipeline(run.env, run.pool, [...week, ...others])
  await assertDays(run, [...week, ...others])
  const landed = await summaries(run.pool, [...week, ...others])
  // What the figures must show, in words: the switch, and the quarterly standing charge change.
  assert.deepStrictEqual(week.map(d => landed.get(d)?.import_tariff_code), [...Array(3).fill('E-1R-VAR-22-11-01-C'), ...Array(4).fill('E-1R-AGILE-24-10-01-C')])
  assert.notEqual(landed.get('2024-06-30')?.standing_charge_inc_vat, landed.get('2024-07-01')?.standing_charge_inc_vat)
  assert.deepStrictEqual(['2024-03-31', '2024-10-27'].map(d => landed.get(d)?.slots_expected), [46, 50])
  // The account is on its compacted topic, once (the second seed found it unchanged).
  const accounts = await readTopic<{ number: string }>(run.env, run.env.config.topics.account)
  assert.deepStrictEqual(accounts.map(m => [m.key, m.value?.number]), [[ACCOUNT, ACCOUNT]])
})

test('a back-dated agreement added while the pipeline runs re-prices its days, once each, mid-day switches included', async t => {
  const run = await runPipeline(t, 'account_backdated')
  const dates = ['2024-06-11', '2024-06-12', '2024-06-13', '2024-06-14', '2024-06-15']
  await seed({ config: run.env.config, codec: run.env.codec, log: silentLog }, { from: dates[0], to: dates.at(-1) as string })
  await waitForPipeline(run.env, run.pool, dates)
  await assertDays(run, dates)
  // A day is emitted once its electricity is joined and again as export and gas arrive: what
  // the change must add is one emission per re-priced day, none for the others.
  await sleep(2500)
  const emittedBefore = await emissionsPerDate(run)

  // Agile Flex from 12:00 BST on the 12th to 12:00 BST on the 14th, recorded after the fact.
  const res = await fetch(`${run.sample.base}/_admin/agreements`, {
    method: 'POST',
    body: JSON.stringify({ tariff_code: 'E-1R-AGILE-FLEX-22-11-25-C', valid_from: '2024-06-12T12:00:00+01:00', valid_to: '2024-06-14T12:00:00+01:00' })
  })
  assert.equal(res.status, 200, await res.clone().text())
  const captured = captureLog('info')
  // `npm run seed` re-reads the account first: here for one more day.
  await seed({ config: run.env.config, codec: run.env.codec, log: captured.log }, { from: '2024-06-20', to: '2024-06-20' })
  assert.ok(captured.lines().some(l => l.msg === 'days the account change moved requested again' && l.requests === 1 && l.days === 3 && l.first === '2024-06-12' && l.last === '2024-06-14' &&
    JSON.stringify(l.sources) === '["pricing"]'), captured.text())
  // The change and its requests went out together, the requests naming the account they need.
  const published = (await readTopic<{ fetched_at: number }>(run.env, run.env.config.topics.account)).map(m => m.value?.fetched_at)
  assert.equal(published.length, 2)
  const requests = await readRequests(run.env)
  const latest = (date: string): unknown[] => [requests.get(date)?.at(-1)?.value?.account_version, requests.get(date)?.at(-1)?.value?.sources]
  assert.deepStrictEqual(['2024-06-12', '2024-06-13', '2024-06-14', '2024-06-20'].map(latest),
    [...Array(3).fill([published[1], ['pricing']]), [published[1], []]])
  assert.deepStrictEqual(requests.get('2024-06-11')?.map(m => m.value?.account_version), [published[0]])
  await waitForPipeline(run.env, run.pool, [...dates, '2024-06-20'])
  await waitFor('the re-priced days to land', async () => (await summaries(run.pool, ['2024-06-13'])).get('2024-06-13')?.import_tariff_code === 'E-1R-AGILE-FLEX-22-11-25-C', 30000)
  // Nothing more arrives: each re-priced day was emitted once more, the others not again.
  await sleep(2500)
  await assertDays(run, [...dates, '2024-06-20'])
  const landed = await summaries(run.pool, dates)
  assert.deepStrictEqual(dates.map(d => landed.get(d)?.import_tariff_code),
    ['E-1R-VAR-22-11-01-C', 'E-1R-VAR-22-11-01-C', 'E-1R-AGILE-FLEX-22-11-25-C', 'E-1R-AGILE-FLEX-22-11-25-C', 'E-1R-VAR-22-11-01-C'])
  const emittedAfter = await emissionsPerDate(run)
  assert.deepStrictEqual(Object.fromEntries(dates.map(d => [d, (emittedAfter.get(d) ?? 0) - (emittedBefore.get(d) ?? 0)])),
    { '2024-06-11': 0, '2024-06-12': 1, '2024-06-13': 1, '2024-06-14': 1, '2024-06-15': 0 })
  // The mid-day switches: the 12th's slots before noon at the variable rate, after at Agile Flex.
  // energy.account landed: the account's rows replaced, one per agreement, as the answer lists them.
  const landedAgreements = await run.pool.query<{ tariff_code: string, valid_from: Date }>(
    "SELECT tariff_code, valid_from FROM energy_usage.agreements WHERE account = $1 AND kind = 'import' ORDER BY valid_from", [ACCOUNT])
  assert.deepStrictEqual(landedAgreements.rows.map(r => [r.tariff_code, r.valid_from.getTime()]),
    (await importAgreements(run.sample)).map(a => [a.tariff_code, Date.parse(a.valid_from)]).sort((a, b) => (a[1] as number) - (b[1] as number)))
  // The previous property's Economy 7 agreement, then the current one's five after the split.
  assert.equal(landedAgreements.rows.length, 6)
  const rates = await run.pool.query<{ tariff_code: string, n: string }>(
    "SELECT tariff_code, count(*) AS n FROM energy_usage.unit_rates WHERE local_date = '2024-06-12' GROUP BY tariff_code ORDER BY tariff_code")
  assert.deepStrictEqual(rates.rows.map(r => [r.tariff_code, Number(r.n)]), [['E-1R-AGILE-FLEX-22-11-25-C', 24], ['E-1R-VAR-22-11-01-C', 24]])
})

test('a day no agreement can price is unpriced: dead-lettered with the reason, listed by the status, the other days go on', async t => {
  const run = await runPipeline(t, 'account_unpriced')
  // A back-dated agreement onto a product that launched later (Agile 24-10-01 from June 2024):
  // no rates exist for those days, as on the real API.
  const res = await fetch(`${run.sample.base}/_admin/agreements`, {
    method: 'POST',
    body: JSON.stringify({ tariff_code: 'E-1R-AGILE-24-10-01-C', valid_from: '2024-06-01T00:00:00+01:00', valid_to: '2024-06-03T00:00:00+01:00' })
  })
  assert.equal(res.status, 200, await res.clone().text())
  await seed({ config: run.env.config, codec: run.env.codec, log: silentLog }, { from: '2024-05-31', to: '2024-06-03' })
  await waitFor('the unpriced days to show', async () => (await pipelineProgress(run.pool)).unpricedDays === 2, 60000)
  await waitFor('the others to land', async () => [...(await summaries(run.pool, ['2024-05-31', '2024-06-03'])).values()].filter(d => d.complete).length === 2, 60000)
  await assertDays(run, ['2024-05-31', '2024-06-03'])
  const progress = await pipelineProgress(run.pool)
  assert.deepStrictEqual(progress.unpricedRuns, [{ from: '2024-06-01', to: '2024-06-02', days: 2 }])
  const letters = (await readRaw(run.env, run.env.config.topics.dlq)).map(m => Object.fromEntries(m.headers ?? new Map()))
  assert.deepStrictEqual(letters.map(h => [h['dlq.processor'], h['dlq.date'], h['dlq.error']]).sort(), ['2024-06-01', '2024-06-02'].map(date =>
    ['pricing', date, `ENERGY_UNPRICED: ${date}: tariff E-1R-AGILE-24-10-01-C has no unit rates for this day (not published yet, or before the product launched)`]))

  // The account answer turns malformed: the seed warns and prices by the last account published.
  await run.sample.api.setFaults([{ source: 'account', kind: 'malformed' }])
  const captured = captureLog('info')
  await seed({ config: run.env.config, codec: run.env.codec, log: captured.log }, { from: '2024-06-04', to: '2024-06-04' })
  assert.ok(captured.lines().some(l => l.msg === 'account not re-read, pricing by the last one published' && String(l.err).includes('malformed JSON')), captured.text())
  await waitFor('2024-06-04 to land', async () => (await summaries(run.pool, ['2024-06-04'])).get('2024-06-04')?.complete === true, 60000)
  run.sample.api.setFaults([])
  await assertDays(run, ['2024-06-04'])
})

test('no agreement in force (before the first, between two properties): pricing says so for that day', async () => {
  const config = testConfig({ ...DEFAULTS, OCTOPUS_ACCOUNT: ACCOUNT })
  const account: Account = {
    number: ACCOUNT,
    fetched_at: 0,
    properties: [{
      moved_in_at: Date.parse('2020-01-01T00:00:00Z'),
      moved_out_at: null,
      postcode: null,
      gas_meter_points: [],
      electricity_meter_points: [{ mpan: '1900000000001', is_export: false, meters: ['21L0000001'], agreements: [{ tariff_code: 'E-1R-VAR-22-11-01-C', valid_from: Date.parse('2022-11-01T00:00:00Z'), valid_to: null }] }]
    }]
  }
  const context = { config, log: silentLog, signal: AbortSignal.timeout(5000), account }
  assert.deepStrictEqual(await spanValues(pricingSource.fetchSpan(londonSpan('2021-06-15', 1), context)), [])
  assert.deepStrictEqual(codeAndMessage(pricingSource.whyMissing?.(londonDay('2021-06-15'), context)), {
    code: 'ENERGY_UNPRICED', message: `2021-06-15: no import agreement of account ${ACCOUNT} is in force on this day`
  })
  await assert.rejects(spanValues(pricingSource.fetchSpan(londonSpan('2021-06-15', 1), { config, log: silentLog, signal: AbortSignal.timeout(5000) })), {
    code: 'ENERGY_UNPRICED', message: `2021-06-15: account ${ACCOUNT} is not on energy.account yet (\`npm run seed\` reads it first)`
  })
})

test('both payment methods: the rates and standing charges of the method, from the sample API, and a product before its launch is unpriced', async t => {
  const sample = await startSampleServer(t)
  const signal = AbortSignal.timeout(30000)
  for (const method of ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const) {
    // No broker needed: the pricing source's fetch alone, on the sample API's identities.
    const config = testConfig({ ...DEFAULTS, OCTOPUS_API_URL: sample.octopusApiUrl, OCTOPUS_PAYMENT_METHOD: method })
    const day = londonDay('2024-06-30')
    const values = await spanValues(pricingSource.fetchSpan(londonSpan(day.date, 1), { config, log: silentLog, signal }))
    const rates = await allResults<Rate>(`${sample.octopusApiUrl}/products/AGILE-FLEX-22-11-25/electricity-tariffs/E-1R-AGILE-FLEX-22-11-25-C/standing-charges/?period_from=${new Date(day.startMs).toISOString()}&period_to=${new Date(day.endMs).toISOString()}`)
    const charge = rates.find(r => r.payment_method === method && covers(r.valid_from, r.valid_to, day.startMs))
    assert.ok(charge !== undefined)
    assert.deepStrictEqual([...new Set(values.map(v => v.standing_charge_inc_vat))], [charge.value_inc_vat], method)
    // Before the default Agile Flex product launched (2022-11-25) there are no rates to price by.
    assert.deepStrictEqual(await spanValues(pricingSource.fetchSpan(londonSpan('2022-11-24', 1), { config, log: silentLog, signal })), [])
    assert.deepStrictEqual(codeAndMessage(pricingSource.whyMissing?.(londonDay('2022-11-24'), { config, log: silentLog, signal })), {
      code: 'ENERGY_UNPRICED',
      message: '2022-11-24: tariff E-1R-AGILE-FLEX-22-11-25-C has no unit rates for this day (not published yet, or before the product launched)'
    })
  }
})

test('a running pipeline reads the account at start and stops at once when asked', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'account_refresher', sample, { OCTOPUS_ACCOUNT: ACCOUNT })
  const captured = captureLog('info')
  const refresher = createAccountRefresher({ config: env.config, codec: env.codec, log: captured.log })
  await refresher.start()
  await waitFor('the account on energy.account', async () => (await readTopic(env, env.config.topics.account)).length === 1, 30000)
  const started = Date.now()
  await refresher.stop()
  // The next read is ACCOUNT_REFRESH_HOURS away: stopping does not wait for it.
  assert.ok(Date.now() - started < 2000, `stopped in ${Date.now() - started} ms`)
  assert.ok(captured.lines().some(l => l.msg === 'account changed, publishing it to energy.account' && l.agreements === 8), captured.text())
})

function codeAndMessage (err: EnergyError | undefined): { code?: string, message?: string } {
  return { code: err?.code, message: err?.message }
}
