import assert from 'node:assert/strict'
import { test } from 'node:test'
import { build } from '../../../api/app.ts'
import { fnv1a } from '../../../lib/hash.ts'
import { addDays, londonDay } from '../../../lib/london-day.ts'
import { DISPATCHES_TOPIC, readSnapshots, snapshotKey } from '../../../processors/dispatches/index.ts'
import { topicIn } from '../../../processors/names.ts'
import { REAL_DEVICE_ID } from '../../../sample-api/dispatches.ts'
import { TOKEN_LIFETIME_S } from '../../../sample-api/graphql.ts'
import { REAL_ACCOUNT } from '../../../sample-api/index.ts'
import { silentLog } from '../../helpers.ts'
import {
  captureLog, createTestEnvironment, readRaw, SAMPLE_SEED, seedDates, startPipeline, startPipelineChild, startSampleServer, testPool, waitFor, type SampleRequest
} from '../../pipeline.ts'

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

// Issue 23, "Done when": the key in no output. The pipeline (source processors, join, sinks and
// the dispatches poller, as `npm start` runs them, at debug level) with the dispatches and billed
// sources and a distinctive key, through a rate limit and a refused token request: every log
// line, energy.dlq's records (key, value, headers), /api/status and every text column of
// energy_usage hold neither the key, its Basic authorisation, nor any token or refresh token the
// sample API issued.
test('the key and the tokens in no output: logs, dead letters, /api/status, energy_usage text columns', async t => {
  const key = 'sk_live_Dispatch7Qz0rkSecret4Uniq9'
  let now = Date.parse('2026-01-16T14:30:00Z')
  const sample = await startSampleServer(t, { now: () => now, apiKeys: [key] })
  const env = await createTestEnvironment(t, 'key_output', sample, {
    OCTOPUS_API_KEY: key,
    OCTOPUS_ACCOUNT: REAL_ACCOUNT,
    OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`,
    GAS_METER_UNITS: 'G4P10000000017=kWh',
    SOURCES: 'co2,mix,pricing,usage,export,gas,regional,dispatches,billed'
  })
  const pool = testPool(t, env)
  // The first GraphQL answers are Kraken's rate limit (KT-CT-1199): retried, and logged.
  sample.api.setFaults([{ source: 'graphql', kind: '429', times: 2 }])
  const out = captureLog()
  // `processors` is every available source, which leaves the opt-in ones out: they are named.
  startPipelineChild(t, env, 'processors,dispatches,billed,join,sinks,dispatches-poller', out.stream, { LOG_LEVEL: 'debug' })
  const daytime = snapshotKey(REAL_DEVICE_ID, Date.parse('2026-01-16T13:00:00Z'))
  await waitFor('the poller kept the daytime smart charge', async () => (await readSnapshots(env.config, env.codec, topicIn(env.config, DISPATCHES_TOPIC), silentLog)).has(daytime), 60000, 500)

  // Days settled; 2026-01-16 joined with its dispatch and its billed figure.
  now = Date.parse('2026-01-20T12:00:00Z')
  await seedDates(env, '2026-01-16')
  await waitFor('2026-01-16 with dispatches and billed', async () => {
    const { rows } = await pool.query<{ kwh: number, billed: number | null }>("SELECT dispatch_kwh AS kwh, billed_inc_vat AS billed FROM energy_usage.daily_summary WHERE date = '2026-01-16'")
    return rows.length === 1 && rows[0].kwh > 0 && rows[0].billed !== null
  }, 180000, 500)
  // Then Octopus refuses the token (KT-CT-1111; a new one, KT-CT-1139) while the billed source
  // fetches another day: the failure goes through the error paths, the day to energy.dlq.
  sample.api.setFaults([{ source: 'graphql', kind: '401' }])
  await seedDates(env, '2026-01-15', '2026-01-15', ['billed'])
  await waitFor('the refused day dead-lettered', async () => (await readRaw(env, env.config.topics.dlq)).length > 0, 60000, 500)
  sample.api.setFaults([])

  // Every secret the run handled: the key, its Basic authorisation, every token the client sent
  // and the refresh token the sample issued with each.
  const tokens = [...new Set(sample.requests.filter(r => isGraphql(r) && r.authorization !== undefined).map(r => r.authorization as string))]
  assert.ok(tokens.length >= 1)
  // The REST requests carried the key as Basic authorisation (user = key, no password).
  assert.ok(sample.requests.some(r => r.authorization === `Basic ${Buffer.from(`${key}:`).toString('base64')}`))
  const secrets = [key, Buffer.from(`${key}:`).toString('base64'), ...tokens, ...tokens.map(tk => `refresh.${fnv1a(`${SAMPLE_SEED}:refresh:${tk.split('.')[1]}`).toString(16)}`)]

  // The outputs.
  const logs = out.text()
  const dead = (await readRaw(env, env.config.topics.dlq)).map(m => JSON.stringify({ key: m.key, value: m.value?.toString('latin1'), headers: [...(m.headers ?? new Map())].map(([k, v]) => `${String(k)}=${String(v)}`) }))
  const app = build({ pool, config: env.config, log: silentLog })
  t.after(() => app.close())
  const status = await app.inject('/api/status')
  assert.equal(status.statusCode, 200)
  const { rows: columns } = await pool.query<{ table_name: string, column_name: string }>(`SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'energy_usage' AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY') ORDER BY table_name, column_name`)
  const tables: string[] = []
  for (const c of columns) {
    const { rows } = await pool.query<{ text: string | null }>(`SELECT string_agg(${quote(c.column_name)}::text, E'\\n') AS text FROM energy_usage.${quote(c.table_name)}`)
    tables.push(`${c.table_name}.${c.column_name}: ${rows[0].text ?? ''}`)
  }
  // The outputs hold what the run did (not vacuous): its log lines, the status's GraphQL row, the dispatches and billed tables.
  assert.ok(out.lines().some(l => l.msg === 'dispatches changed: snapshots kept, days requested again'), 'the poller logged')
  assert.ok(out.lines().length > 50, `${out.lines().length} log lines`)
  assert.ok(out.lines().some(l => typeof l.err === 'string' && l.err.startsWith('ENERGY_AUTH')), 'the refusal logged')
  assert.ok(columns.some(c => c.table_name === 'dispatches') && columns.some(c => c.table_name === 'billed'))
  for (const [name, text] of [['logs', logs], ['energy.dlq', dead.join('\n')], ['/api/status', status.body], ['energy_usage', tables.join('\n')]] as const) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${name} holds a secret (${secret === key ? 'the key' : secret.slice(0, 8)}…)`)
  }
})

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`
