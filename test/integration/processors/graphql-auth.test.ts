import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addDays, londonDay } from '../../../lib/london-day.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'
import { TOKEN_LIFETIME_S } from '../../../sample-api/graphql.ts'
import { createTestEnvironment, seedDates, startPipeline, startSampleServer, testPool, waitFor, type SampleRequest } from '../../pipeline.ts'

// Issue 23, "Done when": a token expiring mid-backfill renewed once. The billed source backfills
// a week of Octopus's measurements over GraphQL; after the backfill's second query the sample
// API's clock passes the token's hour (this machine's clock does not), so the server refuses the
// token the client still holds (KT-CT-1124): the client obtains exactly one new token and every
// day lands. Counted on the sample server's request log: a GraphQL request without an
// Authorization header is obtainKrakenToken (the client sends the token on every other).

const FROM = '2026-01-10'
const TO = '2026-01-16'
const HOUR = 3600 * 1000

const isGraphql = (r: SampleRequest): boolean => r.path.endsWith('/graphql/')

test('billed backfill: the token the sample API calls expired in the middle is renewed once, every day lands', async t => {
  const base = Date.parse('2026-01-20T12:00:00Z')
  // Queries before the backfill (Infinity: not started yet).
  let backfillFrom = Infinity
  let jumpedAt: number | undefined
  const queries = (): SampleRequest[] => sample.requests.filter(r => isGraphql(r) && r.authorization !== undefined)
  const sample = await startSampleServer(t, {
    now: () => {
      // Evaluated per request, after the server logged it: once the backfill's second query is
      // logged, every request sees the clock two hours on.
      if (jumpedAt === undefined && queries().length >= backfillFrom + 2) jumpedAt = sample.requests.indexOf(queries()[backfillFrom + 1])
      return base + (jumpedAt === undefined ? 0 : 2 * HOUR)
    }
  })
  const env = await createTestEnvironment(t, 'token_backfill', sample, {
    OCTOPUS_ACCOUNT: REAL_ACCOUNT,
    OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`,
    GAS_METER_UNITS: 'G4P10000000017=kWh',
    SOURCES: 'co2,mix,pricing,usage,export,gas,regional,billed'
  })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)
  backfillFrom = queries().length
  await seedDates(env, FROM, TO)

  const dates = Array.from({ length: 7 }, (_, i) => addDays(FROM, i))
  await waitFor('every day of the backfill with its billed figure', async () => {
    const { rows } = await pool.query<{ date: string, billed: number | null, slots: string }>(`SELECT to_char(date, 'YYYY-MM-DD') AS date, billed_inc_vat AS billed,
      (SELECT count(*) FROM energy_usage.billed b WHERE b.local_date = d.date)::text AS slots FROM energy_usage.daily_summary d WHERE date BETWEEN $1 AND $2`, [FROM, TO])
    return dates.every(date => rows.some(r => r.date === date && r.billed !== null && Number(r.slots) === londonDay(date).slots))
  }, 180000, 500)

  assert.ok(jumpedAt !== undefined, 'the sample clock moved on mid-backfill')
  const before = sample.requests.slice(0, jumpedAt)
  const after = sample.requests.slice(jumpedAt)
  // The backfill asked before and after the expiry: the expiry came in its middle.
  assert.ok(before.filter(r => isGraphql(r) && r.authorization !== undefined).length >= backfillFrom + 1)
  assert.ok(after.some(r => isGraphql(r) && r.authorization !== undefined))
  // One token before the expiry (obtained at start or by the backfill's first query), exactly one after.
  const tokenRequests = (list: SampleRequest[]): number => list.filter(r => isGraphql(r) && r.authorization === undefined).length
  assert.equal(tokenRequests(before), 1, `token requests before the expiry: ${tokenRequests(before)}`)
  assert.equal(tokenRequests(after), 1, `token requests after the expiry: ${tokenRequests(after)}`)
  // The request that met the expiry carried the old token; every later one the new token.
  const used = [...new Set(sample.requests.filter(r => isGraphql(r) && r.authorization !== undefined).map(r => r.authorization as string))]
  assert.equal(used.length, 2, `tokens used: ${used.length}`)
  const issuedAt = (token: string): number => Number(token.split('.')[1]) * 1000
  assert.ok(issuedAt(used[0]) <= base && issuedAt(used[1]) >= base + 2 * HOUR - 1000)
  assert.ok(issuedAt(used[0]) + TOKEN_LIFETIME_S * 1000 <= base + 2 * HOUR, 'the first token expired on the sample clock')
  assert.equal(after.filter(isGraphql)[0].authorization, used[0], 'the first query after the jump carried the old token and was refused')
})
