import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Config } from '../lib/config.ts'
import type { Pool } from '../lib/db.ts'
import { addDays, isLocalDate, londonDay } from '../lib/london-day.ts'
import type { Codec } from '../lib/avro.ts'
import { MAX_SPAN_DAYS } from '../processors/ingest/spans.ts'
import type { EnergyRequest } from '../processors/source/types.ts'
import type { Logger } from '../lib/log.ts'
import { readRanges, type RangeRecord } from '../lib/range-reader.ts'
import type { Topology } from '../processors/topology.ts'
import { METRIC_FAMILIES, type MetricFamily } from './metric-names.ts'
import { parseDeadLetter, readStatus, settle, type KafkaSnapshot, type StatusProbes, type WatchedGroup } from './status.ts'

// GET /metrics (Prometheus text format, prom-client): the pipeline as one scrape. The API is the
// one place that sees all of it: group lag and dead letters from Kafka (the probes /api/status
// uses), freshness and backfill from Postgres, the task runtime's counters as each process
// last published them (energy_usage.task_status), and its own HTTP durations and process
// figures. One snapshot serves every family of a scrape; each part has the probe timeout.

/** Distinct label sets a family may take from upstream-influenced values (dead letters). */
const MAX_SERIES = 200

export interface MetricsDeps {
  pool: Pool
  /** Decodes energy_processor's requests (the days asked). */
  codec: Codec
  config: Readonly<Config>
  log: Logger
  probes: StatusProbes
  groups: WatchedGroup[]
  topology: Topology
  timeoutMs: number
  now?: () => number
}

export interface ApiMetrics {
  registry: Registry
  /** Records one answered request (route: the route's pattern, never the raw URL). */
  observe (method: string, route: string, status: number, seconds: number): void
}

interface Snapshot {
  lag: Array<{ group: string, lag: number }>
  freshness: Array<{ source: string, newestDay: number | null, newestAgeS: number | null }>
  deadLetters: ReadonlyMap<string, number>
  backfill: { requested: number, landed: number } | null
  tasks: TaskRow[]
}

interface TaskRow { task: string, kind: string, counters: Record<string, unknown> }

export function createApiMetrics (deps: MetricsDeps): ApiMetrics {
  const { pool, codec, config, log, probes, groups, topology, timeoutMs } = deps
  const now = deps.now ?? Date.now
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const help = (name: MetricFamily): { name: MetricFamily, help: string, registers: Registry[] } => ({ name, help: METRIC_FAMILIES[name], registers: [registry] })

  // Dead letters counted once each, reading energy.dlq forward from where the last scrape stopped.
  const dlqPositions = new Map<number, bigint>()
  const deadLetters = new Map<string, number>()
  const components = new Set<string>([...topology.sourceNames, 'join', 'account', ...topology.sinkTargets.map(t => t.name)])
  // Dates ever requested (energy_processor), read forward the same way.
  const requestPositions = new Map<number, bigint>()
  const requested = new Set<string>()

  let pending: Promise<Snapshot> | undefined
  let taken = 0
  /** One snapshot per scrape: every family's collect() awaits the same one. */
  async function snapshot (): Promise<Snapshot> {
    if (pending !== undefined && now() - taken < 1000) return await pending
    taken = now()
    pending = takeSnapshot()
    return await pending
  }

  async function takeSnapshot (): Promise<Snapshot> {
    const [status, freshness, tasks] = await Promise.all([
      readStatus(probes, groups, config.topics.dlq, timeoutMs, log, now()).catch(() => undefined),
      settle(() => readFreshness(), timeoutMs, 'Postgres (freshness)'),
      settle(() => readTasks(), timeoutMs, 'Postgres (task status)')
    ])
    const kafka = await settle(() => probes.kafka(), timeoutMs, 'Kafka')
    if (kafka.ok) {
      await settle(() => readForward(kafka.value, config.topics.dlq, dlqPositions, records => { records.forEach(countDeadLetter) }), timeoutMs, 'Kafka (dead letters)')
      await settle(() => readForward(kafka.value, config.topics.requests, requestPositions, noteRequests), timeoutMs, 'Kafka (requests)')
    }
    const landed = await settle(() => countLanded(), timeoutMs, 'Postgres (landed days)')
    return {
      lag: (status?.groups ?? []).map(g => ({ group: g.group, lag: g.lag })).filter((g): g is { group: string, lag: number } => typeof g.lag === 'number'),
      freshness: freshness.ok ? freshness.value : [],
      deadLetters,
      backfill: kafka.ok && landed.ok ? { requested: requested.size, landed: landed.value } : null,
      tasks: tasks.ok ? tasks.value : []
    }
  }

  /** Reads each partition of `topic` from where it stopped to its last stable offset. */
  async function readForward (kafka: KafkaSnapshot, topic: string, positions: Map<number, bigint>, onRecords: (records: RangeRecord[]) => void | Promise<void>): Promise<void> {
    const offsets = kafka.topics.get(topic)
    if (offsets === undefined) return
    const ranges = offsets.latest.map((until, partition) => ({ topic, partition, from: positions.get(partition) ?? offsets.earliest[partition] ?? 0n, until }))
    await readRanges(config, ranges, async records => {
      await onRecords(records)
      for (const r of records) positions.set(r.partition, r.offset + 1n)
    })
    for (const r of ranges) if ((positions.get(r.partition) ?? 0n) < r.until) positions.set(r.partition, r.until)
  }

  function countDeadLetter (record: RangeRecord): void {
    const letter = parseDeadLetter(record)
    const component = letter.component !== null && components.has(letter.component) ? letter.component : 'other'
    const code = /^[A-Z][A-Z_]{0,40}$/.test(letter.code) ? letter.code : 'OTHER'
    let key = `${component}\u0000${code}`
    if (!deadLetters.has(key) && deadLetters.size >= MAX_SERIES) key = 'other\u0000OTHER'
    deadLetters.set(key, (deadLetters.get(key) ?? 0) + 1)
  }

  async function noteRequests (records: RangeRecord[]): Promise<void> {
    const values = await codec.decodeMany<EnergyRequest>(config.topics.requests, records.map(r => r.value ?? Buffer.alloc(0)))
    for (const request of values) {
      if (request instanceof Error || !isLocalDate(request.date)) continue
      const days = Number.isInteger(request.days) ? Math.min(Math.max(request.days, 1), MAX_SPAN_DAYS) : 1
      for (let i = 0; i < days; i++) requested.add(addDays(request.date, i))
    }
  }

  async function countLanded (): Promise<number> {
    const dates = [...requested]
    if (dates.length === 0) return 0
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM energy_usage.daily_summary WHERE date = ANY($1::date[])', [dates])
    return rows[0].n
  }

  /** Per source table: its newest day with every half-hour, and the age of its newest half-hour. */
  async function readFreshness (): Promise<Snapshot['freshness']> {
    return await Promise.all(topology.sources.map(async source => {
      const table = source.sink.spec.table
      const { rows } = await pool.query<{ date: string, slots: number, newest: Date }>(`SELECT to_char(local_date, 'YYYY-MM-DD') AS date, count(DISTINCT slot_start)::int AS slots, max(slot_start) AS newest
        FROM ${table} WHERE local_date >= (SELECT max(local_date) FROM ${table}) - 7 GROUP BY local_date ORDER BY local_date DESC`)
      const complete = rows.find(r => r.slots >= londonDay(r.date).slots)
      const newest = rows[0]?.newest
      return {
        source: source.name,
        newestDay: complete === undefined ? null : londonDay(complete.date).startMs / 1000,
        newestAgeS: newest === undefined ? null : Math.max(0, (now() - newest.getTime()) / 1000)
      }
    }))
  }

  async function readTasks (): Promise<TaskRow[]> {
    const { rows } = await pool.query<TaskRow>('SELECT task, kind, counters FROM energy_usage.task_status')
    // Rows of a process that stopped keep their last figures: a counter then stays where it was.
    return rows
  }

  // ---- families: each registers itself in `registry` (registers option) ----
  const families: Array<Gauge | Counter> = []
  families.push(new Gauge({
    ...help('energy_source_newest_complete_day_timestamp_seconds'),
    labelNames: ['source'],
    async collect () {
      this.reset()
      for (const f of (await snapshot()).freshness) if (f.newestDay !== null) this.set({ source: f.source }, f.newestDay)
    }
  }))
  families.push(new Gauge({
    ...help('energy_source_newest_record_age_seconds'),
    labelNames: ['source'],
    async collect () {
      this.reset()
      for (const f of (await snapshot()).freshness) if (f.newestAgeS !== null) this.set({ source: f.source }, f.newestAgeS)
    }
  }))
  families.push(new Gauge({
    ...help('energy_consumer_lag_records'),
    labelNames: ['group'],
    async collect () {
      this.reset()
      for (const g of (await snapshot()).lag) this.set({ group: g.group }, g.lag)
    }
  }))
  families.push(new Gauge({
    ...help('energy_dead_letters'),
    labelNames: ['component', 'code'],
    async collect () {
      this.reset()
      for (const [key, n] of (await snapshot()).deadLetters) {
        const [component, code] = key.split('\u0000')
        this.set({ component, code }, n)
      }
    }
  }))
  families.push(new Gauge({
    ...help('energy_backfill_dates'),
    labelNames: ['state'],
    async collect () {
      this.reset()
      const backfill = (await snapshot()).backfill
      if (backfill === null) return
      this.set({ state: 'requested' }, backfill.requested)
      this.set({ state: 'landed' }, backfill.landed)
    }
  }))
  // The runtime's counters, per task, as last published (summed over instances); a counter of
  // a process that restarted starts again from 0, which Prometheus's rate() reads as a reset.
  const taskValues = (tasks: readonly TaskRow[], read: (counters: Record<string, unknown>) => unknown): Array<{ labels: { task: string, kind: string }, value: number }> => {
    const sums = new Map<string, { labels: { task: string, kind: string }, value: number }>()
    for (const t of tasks) {
      const value = read(t.counters)
      if (typeof value !== 'number' || !Number.isFinite(value)) continue
      const key = `${t.task}\u0000${t.kind}`
      const sum = sums.get(key) ?? { labels: { task: t.task, kind: t.kind }, value: 0 }
      sum.value += value
      sums.set(key, sum)
    }
    return [...sums.values()]
  }
  const taskCounter = (name: MetricFamily, field: string): void => {
    families.push(new Counter({
      ...help(name),
      labelNames: ['task', 'kind'],
      async collect () {
        this.reset()
        for (const { labels, value } of taskValues((await snapshot()).tasks, c => c[field])) this.inc(labels, value)
      }
    }))
  }
  taskCounter('energy_task_records_in_total', 'recordsIn')
  taskCounter('energy_task_records_out_total', 'recordsOut')
  taskCounter('energy_task_commits_total', 'commits')
  taskCounter('energy_task_dead_letters_total', 'deadLetters')
  families.push(new Gauge({
    ...help('energy_task_restore_progress_ratio'),
    labelNames: ['task', 'kind'],
    async collect () {
      this.reset()
      const ratio = (c: Record<string, unknown>): number | undefined => {
        const r = c.restore as { records?: unknown, offsets?: unknown, done?: unknown } | null | undefined
        if (r === null || r === undefined) return undefined
        if (r.done === true) return 1
        return typeof r.records === 'number' && typeof r.offsets === 'number' && r.offsets > 0 ? Math.min(1, r.records / r.offsets) : undefined
      }
      for (const { labels, value } of taskValues((await snapshot()).tasks, ratio)) this.set(labels, value)
    }
  }))
  families.push(new Gauge({
    ...help('energy_join_state_dates'),
    async collect () {
      this.reset()
      const days = taskValues((await snapshot()).tasks.filter(t => t.kind === 'join'), c => c.storeEntries)
      if (days.length > 0) this.set(days.reduce((n, d) => n + d.value, 0))
    }
  }))
  // Upstream calls, per host, from the processes' HTTP counters (lib/http.ts), published with the tasks'.
  const upstream = (tasks: readonly TaskRow[]): Array<{ host: string, counts: Record<string, number> }> => {
    const sums = new Map<string, Record<string, number>>()
    for (const t of tasks) {
      const hosts = t.counters.upstream as Record<string, Record<string, unknown>> | undefined
      if (typeof hosts !== 'object' || hosts === null) continue
      for (const [host, counts] of Object.entries(hosts)) {
        const sum = sums.get(host) ?? {}
        for (const [k, v] of Object.entries(counts)) if (typeof v === 'number' && Number.isFinite(v)) sum[k] = (sum[k] ?? 0) + v
        sums.set(host, sum)
      }
    }
    return [...sums].map(([host, counts]) => ({ host, counts }))
  }
  families.push(new Counter({
    ...help('energy_upstream_requests_total'),
    labelNames: ['host', 'outcome'],
    async collect () {
      this.reset()
      for (const { host, counts } of upstream((await snapshot()).tasks)) {
        for (const outcome of ['ok', 'error', 'rate_limited'] as const) this.inc({ host, outcome }, counts[outcome] ?? 0)
      }
    }
  }))
  families.push(new Counter({
    ...help('energy_upstream_retries_total'),
    labelNames: ['host'],
    async collect () {
      this.reset()
      for (const { host, counts } of upstream((await snapshot()).tasks)) this.inc({ host }, counts.retries ?? 0)
    }
  }))

  const duration = new Histogram({
    ...help('energy_api_request_duration_seconds'),
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
  })
  return {
    registry,
    observe (method, route, status, seconds) {
      duration.observe({ method, route, status_code: String(status) }, seconds)
    }
  }
}
