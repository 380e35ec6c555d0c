import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { build } from '../../../api/app.ts'
import { londonDay } from '../../../lib/london-day.ts'
import { createStatusPublisher } from '../../../lib/stream/publish.ts'
import { createJoinProcessor } from '../../../processors/join/index.ts'
import { createSourceProcessor } from '../../../processors/ingest/index.ts'
import { configuredSources, joinInputsOf, topology } from '../../../processors/topology.ts'
import { createTestEnvironment, defer, seedDates, startSampleServer, startSinks, startSourceProcessors, testPool } from '../../pipeline.ts'
import { silentLog } from './fixtures.ts'

// GET /metrics on a running pipeline (every part in this process, publishing its task counters
// as `npm start` does), after a seed: the text passes `promtool check metrics`, and the values
// are the ones the pipeline's own tables and the sample API's request log say. Then the usage
// processor stops: its freshness stays where it was and its lag grows, the others move on.

type Samples = Map<string, number>

/** The samples of a text exposition: `name{labels}` → value (labels as written, sorted by the client). */
function parse (text: string): Samples {
  const samples: Samples = new Map()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    samples.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return samples
}

async function promtool (text: string): Promise<{ code: number | null, output: string }> {
  const child = spawn('promtool', ['check', 'metrics'])
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  child.stdin.end(text)
  return { code: await new Promise<number | null>(resolve => child.once('exit', resolve)), output }
}

async function until (what: string, check: () => Promise<boolean>, ms = 90000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

test('GET /metrics after a seed: every family, values that match the tables and the upstream log; a stopped source falls behind', { timeout: 240000 }, async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'metrics', sample)
  const pool = testPool(t, env)
  const sources = configuredSources(topology, env.config)
  await startSourceProcessors(t, env, silentLog, sources.filter(s => s !== 'usage'))
  const usage = createSourceProcessor({ config: env.config, source: topology.source('usage'), codec: env.codec, log: silentLog, options: { restartDelayMs: 300 } })
  await usage.start()
  let usageRunning = true
  defer(t, async () => { if (usageRunning) await usage.stop() })
  const join = createJoinProcessor({ config: env.config, codec: env.codec, log: silentLog, inputs: joinInputsOf(topology, sources) })
  await join.start()
  defer(t, () => join.stop())
  await startSinks(t, env, pool, topology.sinkTargets)
  const publisher = createStatusPublisher({ pool, instance: '1', log: silentLog, intervalMs: 200, role: 'test' })
  publisher.start()
  defer(t, () => publisher.stop())
  const app = build({ pool, config: env.config, log: silentLog, codec: env.codec })
  defer(t, () => app.close())
  const scrape = async (): Promise<{ text: string, samples: Samples }> => {
    const res = await app.inject('/metrics')
    assert.equal(res.statusCode, 200)
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/)
    return { text: res.body, samples: parse(res.body) }
  }

  await seedDates(env, '2024-10-26', '2024-10-28')
  await until('three days in daily_summary', async () => (await pool.query('SELECT count(*)::int AS n FROM energy_usage.daily_summary WHERE bill_complete')).rows[0].n === 3)
  await publisher.publish()
  // The lag the sinks report is read from Kafka and Postgres: wait until every group is at its end.
  await until('no lag', async () => [...(await scrape()).samples].filter(([k]) => k.startsWith('energy_consumer_lag_records')).every(([, v]) => v === 0))

  const { text, samples } = await scrape()
  // The text parses; the pipeline's own families pass promtool's naming lint (prom-client's
  // default nodejs_* families carry a _total on gauges, which is the library's naming).
  const checked = await promtool(text)
  assert.doesNotMatch(checked.output, /error while linting|parse error/i, checked.output)
  const ours = checked.output.split('\n').filter(l => /\benergy_/.test(l))
  assert.deepStrictEqual(ours, [], checked.output)
  for (const family of ['energy_source_newest_complete_day_timestamp_seconds', 'energy_source_newest_record_age_seconds', 'energy_task_records_in_total',
    'energy_task_records_out_total', 'energy_task_commits_total', 'energy_task_dead_letters_total', 'energy_task_restore_progress_ratio', 'energy_consumer_lag_records',
    'energy_upstream_requests_total', 'energy_upstream_retries_total', 'energy_backfill_dates', 'energy_join_state_dates', 'energy_api_request_duration_seconds', 'process_cpu_user_seconds_total']) {
    assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family)
  }
  const day28 = londonDay('2024-10-28').startMs / 1000
  for (const source of sources) assert.equal(samples.get(`energy_source_newest_complete_day_timestamp_seconds{source="${source}"}`), day28, source)
  assert.equal(samples.get('energy_backfill_dates{state="requested"}'), 3)
  assert.equal(samples.get('energy_backfill_dates{state="landed"}'), 3)
  assert.equal(samples.get('energy_join_state_dates'), 3)
  // The usage processor's records out are the consumption rows of the three days (48 + 50 + 48 half-hours).
  const { rows: [{ n: consumption }] } = await pool.query('SELECT count(*)::int AS n FROM energy_usage.consumption')
  assert.equal(consumption, 146)
  assert.equal(samples.get('energy_task_records_out_total{task="processor usage",kind="processor"}'), consumption)
  assert.equal(samples.get('energy_task_records_out_total{task="sink consumption",kind="sink"}'), consumption)
  // Every upstream request this process made is one the sample API logged, all answered.
  const host = new URL(sample.base).host
  const upstream = ['ok', 'error', 'rate_limited'].map(o => samples.get(`energy_upstream_requests_total{host="${host}",outcome="${o}"}`))
  assert.deepStrictEqual(upstream, [sample.requests.length, 0, 0])
  assert.equal([...samples].filter(([k]) => k.startsWith('energy_dead_letters{')).length, 0)

  // Stop usage and seed another day: the others reach it, usage stays at the 28th and its
  // processor group has the new request pending.
  await usage.stop()
  usageRunning = false
  await seedDates(env, '2024-10-29')
  const others = sources.filter(s => s !== 'usage')
  const day29 = londonDay('2024-10-29').startMs / 1000
  await until('the other sources at the 29th', async () => {
    const s = (await scrape()).samples
    return others.every(o => s.get(`energy_source_newest_complete_day_timestamp_seconds{source="${o}"}`) === day29)
  })
  const after = (await scrape()).samples
  assert.equal(after.get('energy_source_newest_complete_day_timestamp_seconds{source="usage"}'), day28)
  assert.equal(after.get(`energy_consumer_lag_records{group="${env.config.namespace}energy-usage-processor"}`), 1)
  assert.equal(after.get('energy_backfill_dates{state="requested"}'), 4)
  assert.ok((after.get('energy_api_request_duration_seconds_count{method="GET",route="/metrics",status_code="200"}') ?? 0) >= 3)
})
