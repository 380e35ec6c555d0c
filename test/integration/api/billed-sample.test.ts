import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../../../api/app.ts'
import type { BilledResponse } from '../../../api/types.ts'
import { londonDay } from '../../../lib/london-day.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'
import { silentLog } from '../../helpers.ts'
import { createTestEnvironment, seedDates, startPipeline, startSampleServer, testPool, waitFor } from '../../pipeline.ts'
import { answer, covers, type AnswerProperty } from '../processors/expected-bill.ts'

// Computed vs billed end to end on the sample account (issue 23, "computed vs billed equal on the
// sample account's days and the difference explained where a reading is missing"): the pipeline
// with the billed source lands three days of its Intelligent Octopus Go months, seeded on the
// 20th. The 15th agrees. The 16th has a daytime smart charge 13:00-14:00 (sample-api/dispatches.ts:
// dates whose hash is 0 mod 3) that Octopus billed off-peak, long gone from completedDispatches
// when the pipeline first looked (priced without dispatches). On the 17th the sample's REST
// consumption leaves out the last three half-hours (a `missing` fault) while its GraphQL
// measurements keep them. Expected figures come from the sample's own GraphQL answer, read here.

const WHOLE = '2026-01-15'
const DISPATCHED = '2026-01-16'
const SHORT = '2026-01-17'
const MISSING = 3

interface Stat { label: string | null, type: string, costInclTax: { estimatedAmount: string } | null }
interface Node { startAt: string, metaData: { statistics: Stat[] } | null }

/** The import meter point's measurements of a day, from the raw GraphQL JSON: per half-hour its consumption cost, pence. */
async function consumptionCosts (url: string, key: string, mpan: string, date: string): Promise<Map<number, number>> {
  const post = async (query: string, variables: object, token?: string): Promise<Record<string, any>> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: token }) }, body: JSON.stringify({ query, variables }) })
    return await res.json() as Record<string, any>
  }
  const token: string = (await post('mutation T($key: String!) { obtainKrakenToken(input: {APIKey: $key}) { token } }', { key })).data.obtainKrakenToken.token
  const day = londonDay(date)
  const nodes: Node[] = []
  let after: string | null = null
  do {
    const page: Record<string, any> = await post(`query M($account: String!, $from: DateTime!, $to: DateTime!, $after: String) { account(accountNumber: $account) { properties {
      measurements(first: 96, after: $after, startAt: $from, endAt: $to, utilityFilters: [{electricityFilters: {readingFrequencyType: HALF_HOURLY, marketSupplyPointId: "${mpan}"}}]) {
        edges { node { ... on IntervalMeasurementType { startAt } metaData { statistics { label type costInclTax { estimatedAmount } } } } } pageInfo { hasNextPage endCursor } } } } }`,
    { account: REAL_ACCOUNT, from: new Date(day.startMs).toISOString(), to: new Date(day.endMs).toISOString(), after }, token)
    const connection = (page.data.account.properties as Array<{ measurements: { edges: Array<{ node: Node }>, pageInfo: { hasNextPage: boolean, endCursor: string } } | null }>).find(p => p.measurements !== null)?.measurements
    nodes.push(...(connection?.edges ?? []).map(e => e.node))
    after = connection?.pageInfo.hasNextPage === true ? connection.pageInfo.endCursor : null
  } while (after !== null)
  const costs = new Map<number, number>()
  for (const n of nodes) {
    const ms = Date.parse(n.startAt)
    if (ms < day.startMs || ms >= day.endMs) continue
    const cost = (n.metaData?.statistics ?? []).filter(s => s.type === 'CONSUMPTION_COST' && s.label === null).reduce((sum, s) => sum + Number(s.costInclTax?.estimatedAmount ?? 0), 0)
    costs.set(ms, (costs.get(ms) ?? 0) + cost)
  }
  return costs
}

test('computed vs billed on the sample account: a whole day agrees within 1p; a day priced without its daytime dispatch names it; a day missing readings is listed as readings_missing, explained by Octopus\'s cost of those half-hours', async t => {
  const now = Date.parse('2026-01-20T12:00:00Z')
  const sample = await startSampleServer(t, { now: () => now, faults: [{ source: 'usage', date: SHORT, kind: 'missing', missingSlots: MISSING }] })
  const graphql = `${sample.base}/octopus/v1/graphql/`
  const env = await createTestEnvironment(t, 'billed_view', sample, { OCTOPUS_ACCOUNT: REAL_ACCOUNT, OCTOPUS_GRAPHQL_URL: graphql, GAS_METER_UNITS: 'G4P10000000017=kWh', SOURCES: 'co2,mix,pricing,usage,export,gas,regional,dispatches,billed' })
  const pool = testPool(t, env)
  // The import meter point in force that day, from the REST account answer.
  const account: { properties: AnswerProperty[] } = await answer(`${sample.octopusApiUrl}/accounts/${REAL_ACCOUNT}/`)
  const noon = Date.parse(`${SHORT}T12:00:00Z`)
  const mpan = account.properties.flatMap(p => p.electricity_meter_points).find(p => p.is_export !== true && p.agreements.some(a => covers(a.valid_from, a.valid_to, noon)))?.mpan as string
  const short = await consumptionCosts(graphql, env.config.octopusApiKey, mpan, SHORT)
  assert.equal(short.size, 48, 'Octopus measured every half-hour of the short day')
  const unreadCost = [...short.entries()].sort((a, b) => a[0] - b[0]).slice(-MISSING).reduce((sum, [, cost]) => sum + cost, 0)
  assert.ok(unreadCost > 1, `the unread half-hours cost ${unreadCost}p`)

  await startPipeline(t, env, pool)
  await seedDates(env, WHOLE, SHORT)
  await waitFor('the three days with their billed figures', async () => {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM energy_usage.daily_summary d WHERE date BETWEEN $1 AND $2 AND billed_difference IS NOT NULL
      AND (SELECT count(*) FROM energy_usage.billed b WHERE b.local_date = d.date) = 48`, [WHOLE, SHORT])
    return Number(rows[0].n) === 3
  }, 180000, 500)

  const app = build({ pool, config: env.config, log: silentLog })
  t.after(() => app.close())
  const body: BilledResponse = (await app.inject(`/api/billed?from=${WHOLE}&to=${SHORT}`)).json()
  assert.deepStrictEqual([body.source.running, body.source.in_sources, body.days_billed, body.days_compared], [true, true, 3, 3])
  // The 15th: Octopus's figure and the computed one agree within 1p (not listed).
  assert.deepStrictEqual(body.days.map(d => d.date), [SHORT, DISPATCHED])
  const { rows: [whole] } = await pool.query<{ billed_difference: number }>('SELECT billed_difference FROM energy_usage.daily_summary WHERE date = $1', [WHOLE])
  assert.ok(Math.abs(whole.billed_difference) <= 48 * 0.005 + 0.0025, `${WHOLE}: ${whole.billed_difference}`)
  // The 16th: priced without its dispatches; Octopus billed 13:00-14:00 at less than the pipeline's rate.
  const dispatched = body.days[1]
  assert.deepStrictEqual(dispatched.reasons.map(r => r.code), ['dispatches_unknown', 'priced_differently'])
  assert.match(dispatched.reasons[1].text, /^Octopus priced 2 half-hours at another rate than the pipeline \(−\d+\.\d\dp\), e\.g\. 13:[03]0: billed/)
  assert.ok(Math.abs(dispatched.difference - (dispatched.reasons[1].pence as number)) <= 48 * 0.005 + 0.0025, 'the two half-hours explain the day')
  const day = body.days[0]
  assert.deepStrictEqual([day.usage_slots, day.billed_slots, day.slots_expected], [48 - MISSING, 48, 48])
  assert.deepStrictEqual(day.reasons.map(r => r.code), ['readings_missing'])
  // Octopus's consumption cost of the three half-hours the pipeline has no reading of, from its GraphQL answer.
  assert.ok(Math.abs((day.reasons[0].pence as number) - unreadCost) < 1e-9, `${day.reasons[0].pence} vs ${unreadCost}`)
  // …and they account for the whole difference, but for Octopus's 2-decimal rounding of the day's half-hours.
  assert.ok(Math.abs(day.difference - unreadCost) <= 48 * 0.005 + 0.0025, `difference ${day.difference} vs ${unreadCost}`)
})
