import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import type { Pool } from '../../../lib/db.ts'
import { configuredSources, pipelineGroups, topology } from '../../../processors/topology.ts'
import type { EnergyRequest } from '../../../processors/source/types.ts'
import type { RequestCounters } from '../../../sample-api/types.ts'
import { ACCOUNT } from './expected-bill.ts'
import {
  createTestEnvironment, groupsCaughtUp, readTopic, seedDates, sinksCaughtUp, startPipeline, startSampleServer, testPool, transactionsSettled,
  waitFor, type SampleServer, type TestEnvironment
} from '../../pipeline.ts'

// Spans (processors/ingest/spans.ts) change how a processor asks the upstream APIs, never what
// lands: a year fetched as one 366-day request must leave every table exactly as 366 one-day
// requests do. Two fresh environments, each with a sample server of its own (same seed, same
// clock) so each side's upstream counters are its own, the sample account (all six sources,
// the 2024-10-01 tariff and export switches, gas), the same year seeded in spans on one side and
// day by day on the other; then checksums of every table, batch ids and write times left out.

const YEAR = 2024
const FROM = `${YEAR}-01-01`
const TO = `${YEAR}-12-31`
/** The sample server's clock: after the whole year (consumption is a day late, Agile rates a day ahead), so every day is settled. */
const NOW = Date.parse(`${YEAR + 1}-01-15T12:00:00Z`)
/** Generous politeness limits: the day-by-day side makes thousands of upstream calls. */
const HTTP_LIMITS = { HTTP_MAX_IN_FLIGHT: '16', HTTP_MAX_PER_SECOND: '1000' }
/** Columns that say when or in which batch a row was written, not what it holds. */
const NOT_COMPARED = ['batch_id', 'updated_at']
/** Sink tables and their row key: the order checksums read them in. */
const TABLES: ReadonlyArray<{ table: string, order: string, perSlot: boolean }> = [
  { table: 'energy_usage.daily_summary', order: 'date', perSlot: false },
  { table: 'energy_usage.carbon_intensity', order: 'slot_start', perSlot: true },
  { table: 'energy_usage.generation_mix', order: 'slot_start, fuel', perSlot: true },
  { table: 'energy_usage.unit_rates', order: 'slot_start', perSlot: true },
  { table: 'energy_usage.consumption', order: 'slot_start', perSlot: true },
  { table: 'energy_usage.export_readings', order: 'slot_start', perSlot: true },
  { table: 'energy_usage.gas_readings', order: 'slot_start', perSlot: true }
]
const SLOT_MS = 30 * 60 * 1000

/** The dates of [from, to], by UTC calendar arithmetic (no lib/london-day.ts). */
function calendarDates (from: string, to: string): string[] {
  const dates: string[] = []
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += 86400000) dates.push(new Date(ms).toISOString().slice(0, 10))
  return dates
}

/**
 * Half-hour slots per London date of [from, to], counted with Intl's Europe/London rules rather
 * than lib/london-day.ts: every UTC half-hour from a day before to a day after, by its London date.
 */
function londonSlotCounts (from: string, to: string): Map<string, number> {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' })
  const counts = new Map(calendarDates(from, to).map(d => [d, 0]))
  const end = Date.parse(`${to}T00:00:00Z`) + 2 * 86400000
  for (let ms = Date.parse(`${from}T00:00:00Z`) - 86400000; ms < end; ms += SLOT_MS) {
    const date = format.format(ms)
    const n = counts.get(date)
    if (n !== undefined) counts.set(date, n + 1)
  }
  return counts
}

interface Side {
  name: string
  sample: SampleServer
  env: TestEnvironment
  pool: Pool
  requests: number
  settledMs: number
  upstream: RequestCounters
}

/** What a table holds, as text: one JSON object per row (minus NOT_COMPARED), in row-key order. */
function rowsAsText (table: string, order: string): string {
  return `SELECT (to_jsonb(t) - '{${NOT_COMPARED.join(',')}}'::text[])::text AS row FROM ${table} t ORDER BY ${order}`
}

async function checksum (pool: Pool, table: string, order: string): Promise<{ rows: number, md5: string }> {
  const { rows } = await pool.query<{ rows: number, md5: string }>(`SELECT count(*)::int AS rows, md5(coalesce(string_agg(row, E'\\n'), '')) AS md5 FROM (${rowsAsText(table, order)}) r`)
  return rows[0]
}

/** The first row where two sides' tables differ, and which columns differ in it. */
async function firstDifference (a: Side, b: Side, table: string, order: string): Promise<string> {
  const [left, right] = await Promise.all([a, b].map(async s => (await s.pool.query<{ row: string }>(rowsAsText(table, order))).rows.map(r => r.row)))
  const index = left.findIndex((row, i) => row !== right[i])
  if (index === -1) return `${table}: ${a.name} has ${left.length} rows, ${b.name} ${right.length}; the first ${left.length} are equal`
  const x = JSON.parse(left[index]) as Record<string, unknown>
  const y = JSON.parse(right[index] ?? '{}') as Record<string, unknown>
  const columns = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter(k => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
  return `${table}: row ${index} (of ${left.length}/${right.length}) differs in ${columns.join(', ')}: ` +
    columns.map(k => `${k} ${a.name}=${JSON.stringify(x[k])} ${b.name}=${JSON.stringify(y[k])}`).join('; ') +
    `\n  ${a.name}: ${left[index]}\n  ${b.name}: ${right[index]}`
}

/** Rows (and distinct slots) per local_date of a per-slot table. */
async function perDate (pool: Pool, table: string): Promise<Map<string, { rows: number, slots: number }>> {
  const { rows } = await pool.query<{ d: string, rows: number, slots: number }>(
    `SELECT to_char(local_date, 'YYYY-MM-DD') AS d, count(*)::int AS rows, count(DISTINCT slot_start)::int AS slots FROM ${table} GROUP BY 1`)
  return new Map(rows.map(r => [r.d, { rows: r.rows, slots: r.slots }]))
}

/** A cheap reading of a side's progress from Postgres alone: complete days and slots per table. */
async function progress (pool: Pool): Promise<{ complete: number, slots: Record<string, number> }> {
  const days = await pool.query<{ n: number }>('SELECT count(*) FILTER (WHERE complete)::int AS n FROM energy_usage.daily_summary WHERE date BETWEEN $1 AND $2', [FROM, TO])
  const slots: Record<string, number> = {}
  for (const { table } of TABLES.filter(x => x.perSlot)) {
    slots[table.split('.')[1]] = (await pool.query<{ n: number }>(`SELECT count(DISTINCT slot_start)::int AS n FROM ${table}`)).rows[0].n
  }
  return { complete: days.rows[0].n, slots }
}

/** A sample server, an environment with the account, the whole pipeline, the year seeded; resolves once it has all landed. */
async function runSide (t: TestContext, name: string, spanDays: number | undefined, totalSlots: number, days: number, timeoutMs: number): Promise<Side> {
  const sample = await startSampleServer(t, { now: () => NOW })
  const env = await createTestEnvironment(t, name, sample, { OCTOPUS_ACCOUNT: ACCOUNT, ...HTTP_LIMITS })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)
  const started = performance.now()
  const requests = await seedDates(env, FROM, TO, [], spanDays)
  // Postgres first (cheap, polled), then once the figures are all in, Kafka: every request
  // handled, the join at the end of its inputs, every sink at the end of its topic, no
  // transaction open (reading whole topics on every poll would slow both pipelines down).
  let last = await progress(pool)
  try {
    await waitFor(`${name}: ${days} complete days and ${totalSlots} slots in every table`, async () => {
      last = await progress(pool)
      return last.complete === days && Object.values(last.slots).every(n => n >= totalSlots)
    }, timeoutMs, 2000)
  } catch (err) {
    throw new Error(`${(err as Error).message}; last seen ${JSON.stringify(last)}`, { cause: err })
  }
  // Sinks keep their positions in sink_offsets (sinksCaughtUp), the others in Kafka.
  const groups = pipelineGroups(topology, env.config, configuredSources(topology, env.config))
  let behind = ''
  try {
    await waitFor(`${name}: every group at the end of its topics`, async () => {
      for (const { group, topics, kind } of groups) {
        if (kind === 'sink') continue
        for (const topic of topics) {
          behind = `${group} on ${topic}`
          if (!await groupsCaughtUp(env.config, [group], topic)) return false
        }
      }
      behind = 'an open transaction'
      if (!await transactionsSettled(env.config, groups.flatMap(g => g.topics))) return false
      behind = 'a sink'
      return await sinksCaughtUp(env, pool)
    }, 180000, 1000)
  } catch (err) {
    throw new Error(`${(err as Error).message}; behind: ${behind}`, { cause: err })
  }
  const settledMs = performance.now() - started
  const upstream = await (await fetch(`${sample.base}/_admin/requests`)).json() as RequestCounters
  return { name, sample, env, pool, requests, settledMs, upstream }
}

test('per-day figures of a seeded year are identical whether fetched in spans or day by day (checksums)', { timeout: 45 * 60000 }, async t => {
  const dates = calendarDates(FROM, TO)
  const slotCounts = londonSlotCounts(FROM, TO)
  const totalSlots = [...slotCounts.values()].reduce((a, b) => a + b, 0)
  // The year as the expectations assume it: a leap year, 46 slots on the last Sunday of March,
  // 50 on the last Sunday of October, 48 on every other day.
  assert.equal(dates.length, 366)
  assert.deepStrictEqual(Object.fromEntries([...slotCounts].filter(([, n]) => n !== 48)), { '2024-03-31': 46, '2024-10-27': 50 })
  assert.equal(totalSlots, 366 * 48)

  const timeoutMs = 35 * 60000
  // Both sides at once: each has its own sample server, namespace and database.
  const [daily, spans] = await Promise.all([
    runSide(t, 'span_sums_daily', 1, totalSlots, dates.length, timeoutMs),
    runSide(t, 'span_sums_spans', undefined, totalSlots, dates.length, timeoutMs)
  ])
  for (const side of [daily, spans]) {
    t.diagnostic(`${side.name}: ${side.requests} request(s) on energy_processor, settled ${(side.settledMs / 1000).toFixed(1)} s after seeding; ` +
      `upstream total ${side.upstream.total}, by source ${JSON.stringify(side.upstream.bySource)}`)
  }

  // What each side put on energy_processor: one request a day, or the whole year in one.
  assert.equal(daily.requests, dates.length)
  assert.equal(spans.requests, Math.ceil(dates.length / 731))
  const [dailyRequests, spanRequests] = await Promise.all([daily, spans].map(async s => (await readTopic<EnergyRequest>(s.env, s.env.config.topics.requests)).map(m => m.value as EnergyRequest)))
  assert.deepStrictEqual(dailyRequests.map(r => [r.date, r.days]).sort(), dates.map(d => [d, 1]))
  assert.deepStrictEqual(spanRequests.map(r => [r.date, r.days]), [[FROM, dates.length]])

  // Every table: the same rows on both sides, batch ids and write times aside.
  for (const { table, order } of TABLES) {
    const [a, b] = await Promise.all([daily, spans].map(s => checksum(s.pool, table, order)))
    t.diagnostic(`${table}: ${a.rows} rows, md5 ${a.md5} (day by day) / ${b.rows} rows, md5 ${b.md5} (spans)`)
    if (a.md5 !== b.md5 || a.rows !== b.rows) assert.fail(await firstDifference(daily, spans, table, order))
  }

  // The counts, against the slots of each London day counted independently.
  for (const side of [daily, spans]) {
    const { rows } = await side.pool.query<{ date: string, slots_expected: number, complete: boolean }>(
      "SELECT to_char(date, 'YYYY-MM-DD') AS date, slots_expected, complete FROM energy_usage.daily_summary ORDER BY date")
    assert.deepStrictEqual(rows.map(r => [r.date, r.slots_expected, r.complete]), dates.map(d => [d, slotCounts.get(d), true]), side.name)
    for (const { table, order } of TABLES.filter(x => x.perSlot)) {
      const counts = await perDate(side.pool, table)
      assert.deepStrictEqual(Object.fromEntries([...counts].map(([d, c]) => [d, c.slots])), Object.fromEntries(slotCounts), `${side.name} ${table}: slots per day`)
      // One row per slot, but for the mix: one per fuel of each slot.
      if (order === 'slot_start') assert.deepStrictEqual([...counts.values()].filter(c => c.rows !== c.slots), [], `${side.name} ${table}: one row per slot`)
    }
  }

  // Upstream: spans ask each data source far fewer times (the account is read once per seed on
  // both sides, GraphQL's facts only while energy.account lacks them; the catalogue once per
  // product, by the seed, on both: the six products of the account's history, kept on
  // energy.products for the processors).
  assert.deepStrictEqual([daily.upstream.bySource.catalogue, spans.upstream.bySource.catalogue], [6, 6])
  const sources = (Object.keys(daily.upstream.bySource) as Array<keyof RequestCounters['bySource']>).filter(s => s !== 'account' && s !== 'graphql' && s !== 'catalogue')
  assert.ok(sources.length >= 6, JSON.stringify(daily.upstream.bySource))
  for (const source of sources) {
    const d = daily.upstream.bySource[source] ?? 0
    const s = spans.upstream.bySource[source] ?? 0
    assert.ok(d >= dates.length && s * 10 <= d, `${source}: ${s} upstream requests in spans, ${d} day by day`)
  }
})
