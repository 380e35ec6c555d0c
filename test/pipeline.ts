import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import type { TestContext } from 'node:test'
import type pg from 'pg'
import { createEnvironment, type Environment } from '../lib/environment.ts'
import { startChild, waitFor, type Child } from '../lib/processes.ts'
import { createCodec, type Codec } from '../lib/avro.ts'
import { DEFAULTS, type Config } from '../lib/config.ts'
import { createPool, type Pool } from '../lib/db.ts'
import { createAdmin, createConsumer, READ_COMMITTED } from '../lib/kafka.ts'
import { createLogger, type Logger } from '../lib/log.ts'
import { addDays, londonDay, SLOT_MS } from '../lib/london-day.ts'
import { createRegistryClient } from '../lib/registry.ts'
import { configuredSources, createJoinProcessor, createSourceProcessor, joinInputsOf, processorGroup as sourceProcessorGroup, topicIn, topology, type Topology } from '../processors/index.ts'
import type { EnergyRequest } from '../processors/source/types.ts'
import { createSampleApi, type SampleApi, type SampleApiOptions } from '../sample-api/index.ts'
import { seed } from '../processors/ingest/seed.ts'
import { createSink, type SinkTarget } from '../sinks/index.ts'
import { consumeAll, plain, silentLog, type ConsumedMessage } from './helpers.ts'

// Fixtures of the pipeline tests (ingestion, sinks): the sample API in the test process on an
// ephemeral port, a throwaway environment per test (lib/environment.ts: its own
// PIPELINE_NAMESPACE, so its own topics, groups and transactional ids, and its own database),
// processors in-process or as child processes, and readers of topics and tables.

export { waitFor }

/** 2024-12-01 12:00 UTC: every 2024 date used by the tests is settled (actuals, consumption). */
export const SAMPLE_NOW = Date.parse('2024-12-01T12:00:00Z')
export const SAMPLE_SEED = 42

// ---------------------------------------------------------------------------------------------
// Cleanup in reverse order of creation: t.after hooks run in the order they were registered,
// but a pipeline must stop before its topics are deleted and before the sample API closes.

const stacks = new WeakMap<TestContext, Array<() => unknown>>()

/** Runs `fn` when the test ends, after everything deferred later (LIFO). */
export function defer (t: TestContext, fn: () => unknown): void {
  let stack = stacks.get(t)
  if (stack === undefined) {
    const fns: Array<() => unknown> = []
    stack = fns
    stacks.set(t, fns)
    t.after(async () => {
      let first: unknown
      while (fns.length > 0) {
        try {
          await (fns.pop() as () => unknown)()
        } catch (err) {
          first ??= err
        }
      }
      if (first !== undefined) throw first
    })
  }
  stack.push(fn)
}

// ---------------------------------------------------------------------------------------------
// The sample API

export interface SampleRequest {
  /** performance.now() when the request arrived. */
  at: number
  path: string
  query: URLSearchParams
  authorization: string | undefined
}

export interface SampleServer {
  api: SampleApi
  base: string
  carbonApiUrl: string
  octopusApiUrl: string
  /** Every non-admin request, in arrival order. */
  requests: SampleRequest[]
}

/** createSampleApi on 127.0.0.1:<ephemeral>, every request recorded; closed when the test ends. */
export async function startSampleServer (t: TestContext, options: Partial<SampleApiOptions> = {}): Promise<SampleServer> {
  const api = createSampleApi({ seed: SAMPLE_SEED, now: () => SAMPLE_NOW, ...options })
  const requests: SampleRequest[] = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (!url.pathname.startsWith('/_admin/')) {
      requests.push({ at: performance.now(), path: url.pathname, query: url.searchParams, authorization: req.headers.authorization })
    }
    api.handler(req, res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  defer(t, () => new Promise<void>(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { api, base, carbonApiUrl: `${base}/carbon`, octopusApiUrl: `${base}/octopus/v1`, requests }
}

/**
 * Whether a recorded upstream request asks for slots of London `date`: an Octopus list by its
 * [period_from, period_to), a Carbon range (/carbon/{intensity,generation}/{from}/{to}) by the
 * slots whose end lies in [from, to].
 */
export function requestCovers (request: SampleRequest, date: string): boolean {
  const day = londonDay(date)
  const from = request.query.get('period_from')
  const to = request.query.get('period_to')
  if (from !== null && to !== null) return Date.parse(from) < day.endMs && Date.parse(to) > day.startMs
  const [, mount, , first, last] = request.path.split('/')
  if (mount !== 'carbon' || last === undefined) return false
  return Date.parse(first) - SLOT_MS < day.endMs && Date.parse(last) > day.startMs
}

/** The London date a recorded Octopus request is about (the day holding period_from). */
export function periodDate (request: SampleRequest): string | undefined {
  const from = request.query.get('period_from')
  if (from === null) return undefined
  const ms = Date.parse(from)
  for (const offset of [-1, 0, 1]) {
    const date = new Date(ms + offset * 86400000).toISOString().slice(0, 10)
    const day = londonDay(date)
    if (ms >= day.startMs && ms < day.endMs) return date
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// The environment

export interface TestEnvironment extends Environment {
  codec: Codec
}

/**
 * A throwaway environment (createEnvironment: namespace, database, setup) whose API URLs point
 * at `sample`; its consumer groups, topics, subjects and database are deleted when the test ends.
 */
export async function createTestEnvironment (t: TestContext, name: string, sample: SampleServer, extra: Record<string, string> = {}, plan: Topology = topology): Promise<TestEnvironment> {
  const environment = await createEnvironment(`${name}_${randomBytes(2).toString('hex')}`, silentLog, plan, {
    // The sample API's identities and the defaults the expectations assume, whatever a
    // developer's .env says (only the stack's addresses come from there).
    ...Object.fromEntries(PINNED.map(name => [name, DEFAULTS[name]])),
    CARBON_API_URL: sample.carbonApiUrl,
    OCTOPUS_API_URL: sample.octopusApiUrl,
    // The account refresh asks GraphQL too (gas meters' units, payment method, devices): the
    // sample's, never whatever listens on the default port.
    OCTOPUS_GRAPHQL_URL: `${sample.base}/octopus/v1/graphql/`,
    ...extra
  })
  defer(t, async () => {
    await deleteGroups(environment.config).catch(() => {})
    await environment.dispose()
  })
  const codec = createCodec(createRegistryClient(environment.config.schemaRegistryUrl), plan.schemas, environment.config.namespace)
  return { ...environment, codec }
}

const PINNED = [
  'OCTOPUS_API_KEY', 'OCTOPUS_MPAN', 'OCTOPUS_SERIAL', 'OCTOPUS_PRODUCT', 'OCTOPUS_TARIFF', 'OCTOPUS_PAYMENT_METHOD', 'OCTOPUS_ACCOUNT',
  'TOPIC_PARTITIONS', 'SOURCES', 'HTTP_TIMEOUT_MS', 'HTTP_RETRIES', 'SINK_BATCH_SIZE', 'SINK_BATCH_MS', 'CARBON_REGION_ID', 'CARBON_POSTCODE'
]

/** Deletes the consumer groups of a namespace (empty ones: every member has left). */
async function deleteGroups (config: Readonly<Config>): Promise<void> {
  const admin = createAdmin(config, 'energy-test-admin')
  try {
    const groups = [...(await admin.listGroups()).keys()].filter(g => g.startsWith(config.namespace))
    if (groups.length > 0) await admin.deleteGroups({ groups })
  } finally {
    await admin.close()
  }
}

/** A pool on the environment's database, ended when the test ends. */
export function testPool (t: TestContext, env: TestEnvironment): Pool {
  const pool = createPool(env.config.databaseUrl, silentLog, 6)
  defer(t, () => pool.end())
  return pool
}

// ---------------------------------------------------------------------------------------------
// Logs

export interface CapturedLog {
  log: Logger
  /** A stream for child processes' stdout and stderr. */
  stream: Writable
  text (): string
  /** Parsed JSON lines (lines that are not JSON are skipped). */
  lines (): Array<Record<string, unknown>>
}

/** A pino logger (and a plain stream) writing into memory. */
export function captureLog (level = 'debug'): CapturedLog {
  const chunks: string[] = []
  const stream = new Writable({
    write (chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString())
      callback()
    }
  })
  const text = (): string => chunks.join('')
  return {
    log: createLogger(level, stream),
    stream,
    text,
    lines: () => text().split('\n').flatMap(line => {
      try {
        return [JSON.parse(line) as Record<string, unknown>]
      } catch {
        return []
      }
    })
  }
}

// ---------------------------------------------------------------------------------------------
// Running the pipeline

/**
 * Starts source processors in this process (default: those `npm start` would run for the
 * environment: regional only with a region to ask for); stopped when the test ends.
 */
export async function startSourceProcessors (t: TestContext, env: TestEnvironment, log: Logger, sources: readonly string[] = configuredSources(topology, env.config)): Promise<void> {
  for (const source of sources) {
    const processor = createSourceProcessor({
      config: env.config, source: topology.source(source), codec: env.codec, log, options: { restartDelayMs: 300 }
    })
    await processor.start()
    defer(t, () => processor.stop())
  }
}

/** Starts a sink per target in this process; stopped when the test ends. */
export async function startSinks (t: TestContext, env: TestEnvironment, pool: Pool, targets: readonly SinkTarget[], log: Logger = silentLog): Promise<void> {
  for (const target of targets) {
    const sink = createSink({ config: env.config, codec: env.codec, log, pool, target, options: { restartDelayMs: 300 } })
    await sink.start()
    defer(t, () => sink.stop())
  }
}

/** Every source processor the environment runs, the join and every sink in this process; stopped when the test ends. */
export async function startPipeline (t: TestContext, env: TestEnvironment, pool: Pool, log: Logger = silentLog): Promise<void> {
  await startSourceProcessors(t, env, log)
  const join = createJoinProcessor({ config: env.config, codec: env.codec, log, inputs: joinInputsOf(topology, configuredSources(topology, env.config)) })
  await join.start()
  defer(t, () => join.stop())
  await startSinks(t, env, pool, topology.sinkTargets, log)
}

/** Starts `scripts/start.ts --only <only>` as a child process on the environment; stopped (SIGTERM) when the test ends. */
export function startPipelineChild (t: TestContext, env: TestEnvironment, only: string, output: Writable, extra: Record<string, string> = {}): Child {
  const child = startChild(only, 'scripts/start.ts', ['--only', only], { ...env.env, LOG_LEVEL: 'info', ...extra }, output)
  defer(t, () => child.stop())
  return child
}

/** Requests every date of [from, to] on the environment's energy_processor, in spans of up to `spanDays` (as `npm run seed`). */
export async function seedDates (env: TestEnvironment, from: string, to = from, sources: string[] = [], spanDays?: number): Promise<number> {
  return await seed({ config: env.config, codec: env.codec, log: silentLog }, { from, to }, sources, spanDays)
}

/** The consumer group of a source processor (processors/topology.ts). */
export function processorGroup (env: TestEnvironment, source: string): string {
  return sourceProcessorGroup(source, env.config.namespace)
}

/** A source's topic in the environment's namespace. */
export function sourceTopic (env: TestEnvironment, source: string): string {
  return topicIn(env.config, topology.source(source).topic)
}

/**
 * True when every group has committed offsets at the end of the topic (read_committed), i.e.
 * has handled everything produced so far.
 */
export async function groupsCaughtUp (config: Readonly<Config>, groups: string[], topic: string): Promise<boolean> {
  // The last committed record per partition, read: a transaction's marker takes an offset no
  // consumer ever commits past (the seed writes an account change's requests in a transaction).
  const next = new Map<number, bigint>()
  for (const m of await consumeAll(topic, { config, isolation: 'read_committed', timeoutMs: 60000 })) next.set(m.partition, m.offset + 1n)
  const admin = createAdmin(config, 'energy-test-admin')
  try {
    const partitionIndexes = [...next.keys()]
    if (partitionIndexes.length === 0) return true
    const listed = await admin.listConsumerGroupOffsets({ groups: groups.map(groupId => ({ groupId, topics: [{ name: topic, partitionIndexes }] })) })
    return groups.every(group => {
      const found = listed.find(g => g.groupId === group)?.topics.find(x => x.name === topic)
      return [...next].every(([p, end]) => (found?.partitions.find(x => x.partitionIndex === p)?.committedOffset ?? -1n) >= end)
    })
  } finally {
    await admin.close()
  }
}

/**
 * True when no transaction is open on the topics (last stable offset = high watermark). A
 * transaction's offsets commit and its markers reach the data partitions one after the other,
 * so a group can show as caught up a moment before a read_committed reader sees its records.
 */
export async function transactionsSettled (config: Readonly<Config>, topics: readonly string[]): Promise<boolean> {
  for (const topic of topics) {
    const [stable, high] = await Promise.all([endOffsets(config, topic, 'read_committed'), endOffsets(config, topic, 'read_uncommitted')])
    if (stable.some((end, p) => end !== high[p])) return false
  }
  return true
}

/** End offset per partition: the high watermark (read_uncommitted) or the last stable offset. */
export async function endOffsets (config: Readonly<Config>, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<bigint[]> {
  const consumer = createConsumer(config, { clientId: 'energy-test-offsets', groupId: 'energy-test-offsets-unused' })
  try {
    const ends = (await consumer.listOffsets({ topics: [topic], isolationLevel: isolation === 'read_committed' ? READ_COMMITTED : 0 })).get(topic)
    if (ends === undefined) throw new Error(`topic ${topic} has no partitions`)
    return ends
  } finally {
    await consumer.close(true)
  }
}

// ---------------------------------------------------------------------------------------------
// Reading topics

export interface DecodedMessage<T> {
  key: string
  partition: number
  offset: bigint
  headers: Record<string, string>
  /** null for a tombstone. */
  value: T | null
  raw: ConsumedMessage
}

/** Every message of a topic (read_committed unless asked), values decoded to plain objects. */
export async function readTopic<T> (env: TestEnvironment, topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<Array<DecodedMessage<T>>> {
  const messages = await readRaw(env, topic, isolation)
  const decoded: Array<DecodedMessage<T>> = []
  for (const m of messages) {
    const empty = m.value === undefined || m.value === null || m.value.length === 0
    decoded.push({
      key: m.key,
      partition: m.partition,
      offset: m.offset,
      headers: Object.fromEntries(m.headers ?? new Map()),
      value: empty ? null : plain(await env.codec.decode<T>(topic, m.value)),
      raw: m
    })
  }
  return decoded
}

/** Every message of a topic, values as bytes (the DLQ holds other topics' bytes). */
export async function readRaw (env: TestEnvironment, topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<ConsumedMessage[]> {
  return await consumeAll(topic, { config: env.config, isolation, timeoutMs: 60000 })
}

/** The requests on energy_processor by date (a date seeded twice has two). */
export async function readRequests (env: TestEnvironment): Promise<Map<string, Array<DecodedMessage<EnergyRequest>>>> {
  const byDate = new Map<string, Array<DecodedMessage<EnergyRequest>>>()
  for (const m of await readTopic<EnergyRequest>(env, env.config.topics.requests)) {
    // A request covers its span: it is the request of every date in it.
    const { date: first, days } = m.value as EnergyRequest
    for (let i = 0; i < days; i++) {
      const date = addDays(first, i)
      byDate.set(date, [...(byDate.get(date) ?? []), m])
    }
  }
  // Oldest first: a date's requests may sit in different partitions (a span is keyed by its first date).
  for (const list of byDate.values()) list.sort((a, b) => (a.value as EnergyRequest).requested_at - (b.value as EnergyRequest).requested_at)
  return byDate
}

// ---------------------------------------------------------------------------------------------
// Tables

/**
 * A table's rows in the shape SinkTarget.toRows produces (timestamps as ms, dates as
 * YYYY-MM-DD, jsonb parsed), sorted by row key, so a table compares to its topic directly.
 */
export async function tableRows (pool: Pool | pg.ClientBase, target: SinkTarget): Promise<unknown[][]> {
  const { spec } = target
  const select = spec.columns.map((c, i) => {
    switch (spec.types[i]) {
      case 'timestamptz': return `(extract(epoch from ${c}) * 1000)::float8 AS ${c}`
      case 'date': return `to_char(${c}, 'YYYY-MM-DD') AS ${c}`
      default: return c
    }
  })
  const { rows } = await pool.query({ text: `SELECT ${select.join(', ')} FROM ${spec.table}`, rowMode: 'array' })
  return sortRows(target, rows as unknown[][])
}

/**
 * The rows a table must hold for a topic's messages: the latest record per Kafka key (a
 * tombstone deletes), each through target.toRows; `skip` leaves out records the sink rejects.
 */
export function expectedRows (target: SinkTarget, messages: Array<DecodedMessage<unknown>>, skip: (m: DecodedMessage<unknown>) => boolean = () => false): unknown[][] {
  const latest = new Map<string, unknown>()
  const ordered = [...messages].sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))
  for (const m of ordered) {
    if (skip(m)) continue
    if (m.value === null) latest.delete(m.key)
    else latest.set(m.key, m.value)
  }
  const jsonColumns = target.spec.types.flatMap((type, i) => type === 'jsonb' ? [i] : [])
  const rows = [...latest.values()].flatMap(record => target.toRows(record).map(row => {
    const copy = [...row]
    for (const i of jsonColumns) copy[i] = copy[i] === null ? null : JSON.parse(copy[i] as string)
    return copy
  }))
  return sortRows(target, rows)
}

/** Rows sorted by the table's row key, as tableRows and expectedRows return them. */
export function sortRows (target: SinkTarget, rows: unknown[][]): unknown[][] {
  const keyIndexes = target.spec.rowKey.map(k => target.spec.columns.indexOf(k))
  const keyOf = (row: unknown[]): string => JSON.stringify(keyIndexes.map(i => row[i]))
  return rows.sort((a, b) => {
    for (const i of keyIndexes) {
      const x = a[i] as string | number
      const y = b[i] as string | number
      if (x < y) return -1
      if (x > y) return 1
    }
    return keyOf(a) < keyOf(b) ? -1 : 0
  })
}

/** Row count per local_date (per date for daily_summary). */
export async function countsByDate (pool: Pool, table: string, column = 'local_date'): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ d: string, n: string }>(`SELECT to_char(${column}, 'YYYY-MM-DD') AS d, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY 1`)
  return Object.fromEntries(rows.map(r => [r.d, Number(r.n)]))
}

/**
 * True when every sink's stored position (sink_offsets) is past the last record of its topic
 * (read_committed): everything produced so far has landed. The topics are read to find their
 * last records because a transactional topic ends with a commit marker, which no sink sees.
 */
export async function sinksCaughtUp (env: TestEnvironment, pool: Pool, targets: readonly SinkTarget[] = topology.sinkTargets): Promise<boolean> {
  const { rows } = await pool.query<{ sink: string, topic: string, partition: number, next_offset: string }>('SELECT sink, topic, partition, next_offset FROM energy_usage.sink_offsets')
  for (const target of targets) {
    const topic = topicIn(env.config, target.topic)
    const next = new Map<number, bigint>()
    for (const m of await readRaw(env, topic)) next.set(m.partition, m.offset + 1n)
    for (const [partition, offset] of next) {
      const stored = rows.find(r => r.sink === target.name && r.topic === topic && r.partition === partition)
      if (stored === undefined || BigInt(stored.next_offset) < offset) return false
    }
  }
  return true
}

/** Slots of a list of dates. */
export function slotsOf (dates: readonly string[]): number {
  return dates.reduce((sum, d) => sum + londonDay(d).slots, 0)
}

/**
 * Waits until the whole pipeline has settled for `dates`: every request handled, every day
 * complete in daily_summary, every source table at its slot count, every sink at the end of
 * its topic.
 */
export async function waitForPipeline (env: TestEnvironment, pool: Pool, dates: readonly string[], timeoutMs = 60000): Promise<void> {
  const slots = slotsOf(dates)
  const running = configuredSources(topology, env.config)
  // One row per slot in every table of a running source whose record makes one row (mix makes one per fuel).
  const singleRow = topology.sources.filter(s => running.includes(s.name) && s.sink.spec.recordKey === undefined).map(s => s.sink)
  await waitFor(`the pipeline to settle for ${dates.length} days`, async () => {
    const counts = await pool.query<{ n: string }>(singleRow.map(t => `SELECT count(*) AS n FROM ${t.spec.table}`).join(' UNION ALL '))
    if (counts.rows.some(r => Number(r.n) < slots)) return false
    const days = await pool.query<{ n: string }>("SELECT count(*) FILTER (WHERE complete) AS n FROM energy_usage.daily_summary WHERE to_char(date, 'YYYY-MM-DD') = ANY($1)", [dates])
    if (Number(days.rows[0].n) < dates.length) return false
    if (!await groupsCaughtUp(env.config, running.map(s => processorGroup(env, s)), env.config.topics.requests)) return false
    return await sinksCaughtUp(env, pool)
  }, timeoutMs, 300)
}
