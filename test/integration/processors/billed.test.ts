import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../../../api/app.ts'
import { londonDay } from '../../../lib/london-day.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'
import { silentLog } from '../../helpers.ts'
import { createTestEnvironment, seedDates, startPipeline, startSampleServer, testPool, waitFor } from '../../pipeline.ts'
import { answer, covers, type AnswerProperty } from './expected-bill.ts'

// Issue 23, the bill as billed: the billed source reads Octopus's half-hourly measurements of the
// import meter point (GraphQL) to energy.billed and energy_usage.billed, and the join adds the
// day's billed figure and its difference from bill_inc_vat. Expected figures are summed here from
// the sample API's own GraphQL answer (token mutation, then measurements), not from the pipeline.

const DATE = '2026-01-16'

interface Stat { label: string | null, type: string, costInclTax: { estimatedAmount: string } | null }
interface Node { startAt: string, metaData: { statistics: Stat[] } | null }

/** Octopus's figures for the day, summed from the raw GraphQL JSON: consumption cost and standing charge, pence. */
async function billedFromGraphql (url: string, key: string, mpan: string): Promise<{ consumption: number, standing: number, slots: number }> {
  const post = async (query: string, variables: object, token?: string): Promise<Record<string, any>> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: token }) }, body: JSON.stringify({ query, variables }) })
    return await res.json() as Record<string, any>
  }
  const token: string = (await post('mutation T($key: String!) { obtainKrakenToken(input: {APIKey: $key}) { token } }', { key })).data.obtainKrakenToken.token
  const day = londonDay(DATE)
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
  const inDay = nodes.filter(n => Date.parse(n.startAt) >= day.startMs && Date.parse(n.startAt) < day.endMs)
  const sum = (type: string): number => inDay.flatMap(n => n.metaData?.statistics ?? []).filter(s => s.type === type && s.label === null)
    .reduce((total, s) => total + Number(s.costInclTax?.estimatedAmount ?? 0), 0)
  return { consumption: sum('CONSUMPTION_COST'), standing: sum('STANDING_CHARGE_COST'), slots: new Set(inDay.map(n => n.startAt)).size }
}

test('billed: Octopus\'s measurements of 2026-01-16 on energy_usage.billed, billed_inc_vat and billed_difference on the day and through the API', async t => {
  const now = Date.parse('2026-01-20T12:00:00Z')
  const sample = await startSampleServer(t, { now: () => now })
  const graphql = `${sample.base}/octopus/v1/graphql/`
  const env = await createTestEnvironment(t, 'billed', sample, { OCTOPUS_ACCOUNT: REAL_ACCOUNT, OCTOPUS_GRAPHQL_URL: graphql, GAS_METER_UNITS: 'G4P10000000017=kWh', SOURCES: 'co2,mix,pricing,usage,export,gas,regional,dispatches,billed' })
  const pool = testPool(t, env)

  // The import meter point in force that day, from the REST account answer.
  const account: { properties: AnswerProperty[] } = await answer(`${sample.octopusApiUrl}/accounts/${REAL_ACCOUNT}/`)
  const noon = Date.parse(`${DATE}T12:00:00Z`)
  const mpan = account.properties.flatMap(p => p.electricity_meter_points).find(p => p.is_export !== true && p.agreements.some(a => covers(a.valid_from, a.valid_to, noon)))?.mpan as string
  const expected = await billedFromGraphql(graphql, env.config.octopusApiKey, mpan)
  // The sample's figures for the day (docs: measurements' CONSUMPTION_COST 473.20p, standing charge 63.1152p).
  assert.ok(Math.abs(expected.consumption - 473.20) < 1e-6, `consumption ${expected.consumption}`)
  assert.ok(Math.abs(expected.standing - 63.1152) < 0.01, `standing ${expected.standing}`)

  await startPipeline(t, env, pool)
  await seedDates(env, DATE)
  interface Row { billed_inc_vat: number | null, billed_difference: number | null, bill_inc_vat: number | null, cost_inc_vat: number, standing_charge_inc_vat: number, billed_other_statistics: number, slots: string }
  let row: Row | undefined
  await waitFor('the day with its billed figure', async () => {
    const { rows } = await pool.query<Row>(`SELECT billed_inc_vat, billed_difference, bill_inc_vat, cost_inc_vat, standing_charge_inc_vat, billed_other_statistics,
      (SELECT count(*) FROM energy_usage.billed b WHERE b.local_date = d.date)::text AS slots FROM energy_usage.daily_summary d WHERE date = $1`, [DATE])
    row = rows[0]
    return row !== undefined && row.billed_inc_vat !== null && Number(row.slots) === expected.slots
  }, 120000, 500)
  const day = row as Row
  assert.equal(expected.slots, londonDay(DATE).slots)
  assert.ok(Math.abs((day.billed_inc_vat as number) - (expected.consumption + expected.standing)) < 1e-6, `billed ${day.billed_inc_vat} vs ${expected.consumption + expected.standing}`)
  assert.ok(day.bill_inc_vat !== null)
  // The import meter billed against the import meter computed (not the bill, which adds gas).
  assert.ok(Math.abs((day.billed_difference as number) - ((day.billed_inc_vat as number) - (day.cost_inc_vat + day.standing_charge_inc_vat))) < 1e-9)
  assert.equal(day.billed_other_statistics, 0)
  const { rows: stored } = await pool.query<{ mpan: string, other: unknown[] }>('SELECT DISTINCT mpan, other_statistics AS other FROM energy_usage.billed WHERE local_date = $1', [DATE])
  assert.deepStrictEqual(stored, [{ mpan, other: [] }])

  // Through the API: the day carries the same figures.
  const app = build({ pool, config: env.config, log: silentLog })
  t.after(() => app.close())
  const res = await app.inject(`/api/days/${DATE}`)
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.deepStrictEqual([body.summary.billed_inc_vat, body.summary.billed_difference, body.summary.billed_other_statistics], [day.billed_inc_vat, day.billed_difference, 0])
})
