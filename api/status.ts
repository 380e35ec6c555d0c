import type { Admin } from '@platformatic/kafka'
import { redactUrls, type Config } from '../lib/config.ts'
import type { Pool } from '../lib/db.ts'
import { describeError } from '../lib/errors.ts'
import { createAdmin, READ_COMMITTED } from '../lib/kafka.ts'
import type { Logger } from '../lib/log.ts'
import type { RangeRecord } from '../lib/range-reader.ts'
import { basicAuthorization } from '../lib/registry.ts'
import { configuredSources, pipelineGroups, topology, type PipelineGroup } from '../processors/topology.ts'
import { DEFAULT_API_OPTIONS } from './options.ts'
import { totalLag } from '../lib/stream/counters.ts'
import { positionKey } from '../lib/stream/positions.ts'
import { pipelineProgress, type PipelineProgress, type TaskStatusRow, type UnpricedRun } from './queries.ts'
import { createRangeCountReader, createRangeRecordReader, createRecentRecords, createRecordCounter, rangeKey, type CountRange } from './record-counter.ts'
import type { GraphqlStatus, GroupLag, ProbeReport, RecentDeadLetter, StatusResponse, TaskStatus } from './types.ts'

// GET /api/status: three probes (broker, registry, Postgres), each bounded by a timeout so a
// dead dependency shows as ok:false instead of hanging or failing the request. The probes do
// the I/O; summariseStatus() is pure and turns their results into the response. Lag and the
// DLQ count are records. A group's lag is what its own running tasks count (lib/stream/lag.ts,
// published to energy_usage.task_status, read by the Postgres probe), partition by partition;
// only a partition no fresh task gives (its process is down) is counted from outside, by
// reading the range from the group's position (api/record-counter.ts): a fourth step after the
// probes, counting the ranges statusRanges() finds. Alongside the count, the newest dead
// letters are read (the DLQ ranges), so failed and empty days show per source and date.

export type { CountRange } from './record-counter.ts'
export { rangeKey } from './record-counter.ts'

/** Offsets of one topic, by partition. */
export interface TopicOffsets {
  earliest: bigint[]
  /** Last stable offset (read_committed): what a read-committed consumer can reach. */
  latest: bigint[]
}

export interface KafkaSnapshot {
  /** Topics that exist, with their offsets. */
  topics: Map<string, TopicOffsets>
  /** group → topic → committed offset by partition (-1n: nothing committed). */
  committed: Map<string, Map<string, bigint[]>>
}

export interface StatusProbes {
  kafka (): Promise<KafkaSnapshot>
  registry (): Promise<void>
  postgres (): Promise<PipelineProgress>
  /**
   * Committed records in each range, by rangeKey(); a range left out is reported by its
   * offsets, marked inexact. Without this probe every figure is offsets.
   */
  records? (ranges: CountRange[]): Promise<ReadonlyMap<string, number>>
  /**
   * The newest committed dead letters in the DLQ ranges (from the log start to the last
   * stable offset), at most DEAD_LETTERS_LISTED, newest first. Without it the list is null.
   */
  deadLetters? (ranges: CountRange[]): Promise<RecentDeadLetter[]>
  close? (): Promise<void>
}

export type WatchedGroup = PipelineGroup

type GroupConfig = Pick<Config, 'namespace' | 'topics' | 'sources' | 'carbonRegionId' | 'carbonPostcode' | 'octopusAccount' | 'octopusApiKey'>

/**
 * Every consumer the pipeline runs, in the configured namespace (processors/topology.ts):
 * the ingest processors of the configured sources, the join, and a sink per topic.
 */
export function watchedGroups (config: GroupConfig): WatchedGroup[] {
  const sources = configuredSources(topology, config)
  return pipelineGroups(topology, config, sources)
}

export interface StatusProbeDeps {
  config: Pick<Config, 'kafkaBrokers' | 'schemaRegistryUrl' | 'schemaRegistryAuth'> & GroupConfig
  pool: Pool
  log: Logger
  /** Bounds the registry request; the caller bounds every probe as a whole too. */
  timeoutMs: number
  /** Most offsets one status reads to count records; default ApiOptions.maxCountedOffsets. */
  maxCountedOffsets?: number
}

// Counts are kept between requests; this long at most, in case compaction removed records.
const COUNT_TTL_MS = 10 * 60 * 1000

/** The real probes. One admin client is kept between calls and replaced after a failure. */
export function createStatusProbes (deps: StatusProbeDeps): StatusProbes {
  const { config, pool, timeoutMs } = deps
  const counter = createRecordCounter({ read: createRangeCountReader(config), maxOffsets: deps.maxCountedOffsets ?? DEFAULT_API_OPTIONS.maxCountedOffsets, ttlMs: COUNT_TTL_MS })
  const recent = createRecentRecords({
    read: createRangeRecordReader(config, parseDeadLetter),
    keep: DEAD_LETTERS_LISTED,
    maxOffsets: deps.maxCountedOffsets ?? DEFAULT_API_OPTIONS.maxCountedOffsets,
    ttlMs: COUNT_TTL_MS
  })
  const groups = watchedGroups(config)
  const wanted = [...new Set([...groups.flatMap(g => g.topics), config.topics.dlq])]
  let admin: Admin | undefined

  /** Closes `which` (default: the current client) and forgets it if it is still the current one. */
  async function dropAdmin (which = admin): Promise<void> {
    if (which === admin) admin = undefined
    await which?.close().catch(() => {})
  }

  async function kafka (): Promise<KafkaSnapshot> {
    const client = admin ??= createAdmin(config, 'energy-api-status')
    try {
      return await readKafka(client, groups, wanted)
    } catch (err) {
      // A failed client may still be retrying other calls: the next probe starts afresh. A
      // later probe may already have replaced it, so only this client is closed.
      await dropAdmin(client)
      throw err
    }
  }

  async function registry (): Promise<void> {
    // schemaRegistryUrl carries no credentials (lib/config.ts); they go in the header.
    const auth = config.schemaRegistryAuth
    const headers: Record<string, string> = auth === undefined ? {} : { authorization: basicAuthorization(auth) }
    const res = await fetch(`${config.schemaRegistryUrl}/subjects`, { headers, signal: AbortSignal.timeout(timeoutMs) })
    await res.arrayBuffer()
    if (!res.ok) throw new Error(`registry answered ${res.status}`)
  }

  async function deadLetters (ranges: CountRange[]): Promise<RecentDeadLetter[]> {
    const lists = await recent.recent(ranges)
    return newestFirst(lists.map(list => list.map(r => r.item)), DEAD_LETTERS_LISTED)
  }

  return { kafka, registry, postgres: () => pipelineProgress(pool), records: ranges => counter.count(ranges), deadLetters, close: () => dropAdmin() }
}

async function readKafka (admin: Admin, groups: WatchedGroup[], wanted: string[]): Promise<KafkaSnapshot> {
  const existing = new Set(await admin.listTopics())
  const names = wanted.filter(t => existing.has(t))
  const metadata = await admin.metadata({ topics: names })
  const partitionsOf = (topic: string): number[] => {
    const count = metadata.topics.get(topic)?.partitionsCount ?? 0
    return Array.from({ length: count }, (_, p) => p)
  }
  // ListOffsets timestamps: -1 = latest, -2 = earliest.
  const request = (timestamp: bigint) => names.map(name => ({ name, partitions: partitionsOf(name).map(partitionIndex => ({ partitionIndex, timestamp })) }))
  const kafkaGroups = groups.filter(g => g.sink === undefined)
  const [latest, earliest, committed] = await Promise.all([
    admin.listOffsets({ topics: request(-1n), isolationLevel: READ_COMMITTED }),
    admin.listOffsets({ topics: request(-2n) }),
    admin.listConsumerGroupOffsets({
      groups: kafkaGroups.map(g => ({
        groupId: g.group,
        topics: g.topics.filter(t => existing.has(t)).map(name => ({ name, partitionIndexes: partitionsOf(name) }))
      }))
    })
  ])
  const byPartition = (partitions: Array<{ partitionIndex: number, offset: bigint }>, count: number, fill: bigint): bigint[] => {
    const out = new Array<bigint>(count).fill(fill)
    for (const p of partitions) out[p.partitionIndex] = p.offset
    return out
  }
  const topics = new Map<string, TopicOffsets>()
  for (const name of names) {
    const count = partitionsOf(name).length
    topics.set(name, {
      earliest: byPartition(earliest.find(t => t.name === name)?.partitions ?? [], count, 0n),
      latest: byPartition(latest.find(t => t.name === name)?.partitions ?? [], count, 0n)
    })
  }
  const committedMap = new Map<string, Map<string, bigint[]>>()
  for (const g of committed) {
    const perTopic = new Map<string, bigint[]>()
    for (const t of g.topics) {
      const count = partitionsOf(t.name).length
      const out = new Array<bigint>(count).fill(-1n)
      for (const p of t.partitions) out[p.partitionIndex] = p.committedOffset
      perTopic.set(t.name, out)
    }
    committedMap.set(g.groupId, perTopic)
  }
  return { topics, committed: committedMap }
}

export type Outcome<T> = { ok: true, value: T } | { ok: false, error: string }

/** Settles a probe within `ms`: its value, or the reason it failed or took too long. */
export async function settle<T> (probe: () => Promise<T>, ms: number, what: string): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)
  })
  try {
    return { ok: true, value: await Promise.race([probe(), timeout]) }
  } catch (err) {
    // The status is unauthenticated: no URL credentials in it, whatever a probe's error says.
    return { ok: false, error: redactUrls(describeError(err)) }
  } finally {
    clearTimeout(timer)
  }
}

/** Runs the three probes concurrently, each within `timeoutMs`, and summarises them. */
export async function readStatus (probes: StatusProbes, groups: WatchedGroup[], dlqTopic: string, timeoutMs: number,
  log: Logger, now = Date.now()): Promise<StatusResponse> {
  const [kafka, registry, postgres] = await Promise.all([
    settle(() => probes.kafka(), timeoutMs, 'Kafka'),
    settle(() => probes.registry(), timeoutMs, 'the schema registry'),
    settle(() => probes.postgres(), timeoutMs, 'Postgres')
  ])
  for (const [probe, outcome] of [['broker', kafka], ['registry', registry], ['postgres', postgres]] as const) {
    if (!outcome.ok) log.warn({ probe, error: outcome.error }, 'status probe failed')
  }
  // Counting needs the positions of both Kafka groups and sinks (Postgres), so it follows the
  // probes, with a timeout of its own; if it fails, the figures are offsets, marked inexact.
  // The dead letters are read alongside, from the same DLQ ranges, with a timeout of their own.
  const ranges = statusRanges({ kafka, postgres }, groups, dlqTopic, now)
  const dlq = dlqRanges(kafka, dlqTopic) ?? []
  const count = probes.records
  const listLetters = probes.deadLetters
  const [counted, letters] = await Promise.all([
    ranges.length > 0 && count !== undefined ? settle(() => count(ranges), timeoutMs, 'Kafka (counting records)') : undefined,
    dlq.length > 0 && listLetters !== undefined ? settle(() => listLetters(dlq), timeoutMs, 'Kafka (reading dead letters)') : undefined
  ])
  let records: ReadonlyMap<string, number> | undefined
  if (counted?.ok === true) records = counted.value
  else if (counted !== undefined) log.warn({ probe: 'records', error: counted.error }, 'status probe failed')
  let deadLetters: RecentDeadLetter[] | undefined
  if (letters?.ok === true) deadLetters = letters.value
  else if (letters !== undefined) log.warn({ probe: 'dead letters', error: letters.error }, 'status probe failed')
  return summariseStatus({ kafka, registry, postgres, records, deadLetters }, groups, dlqTopic, now)
}

const report = (outcome: Outcome<unknown>): ProbeReport => outcome.ok ? { ok: true } : { ok: false, error: outcome.error }

/**
 * The ranges from each partition's position to its end (the last stable offset); no
 * position (-1), or one below the earliest offset, counts from the earliest offset.
 */
function rangesBehind (topic: string, offsets: TopicOffsets, positions: Array<bigint | undefined>): CountRange[] {
  const ranges: CountRange[] = []
  offsets.latest.forEach((until, partition) => {
    const position = positions[partition] ?? -1n
    const from = position < 0n || position < offsets.earliest[partition] ? offsets.earliest[partition] : position
    if (until > from) ranges.push({ topic, partition, from, until })
  })
  return ranges
}

type ProbeOutcomes = { kafka: Outcome<KafkaSnapshot>, registry: Outcome<void>, postgres: Outcome<PipelineProgress> }

/**
 * What each group has still to read, by partition, apart from the partitions whose lag a task
 * of the group gives (`fromTasks`); null when that cannot be known.
 */
function groupRanges (g: WatchedGroup, outcomes: Pick<ProbeOutcomes, 'kafka' | 'postgres'>, fromTasks: ReadonlyMap<string, TaskLag>): CountRange[] | null {
  const { kafka, postgres } = outcomes
  if (!kafka.ok) return null
  const ranges: CountRange[] = []
  for (const topic of g.topics) {
    const offsets = kafka.value.topics.get(topic)
    if (offsets === undefined) return null
    let positions: Array<bigint | undefined>
    if (g.sink === undefined) {
      positions = kafka.value.committed.get(g.group)?.get(topic) ?? []
    } else {
      if (!postgres.ok) return null
      positions = []
      for (const row of postgres.value.sinkOffsets) {
        if (row.sink === g.sink && row.topic === topic) positions[row.partition] = row.nextOffset
      }
    }
    ranges.push(...rangesBehind(topic, offsets, positions).filter(r => !fromTasks.has(positionKey(topic, r.partition))))
  }
  return ranges
}

function dlqRanges (kafka: Outcome<KafkaSnapshot>, dlqTopic: string): CountRange[] | null {
  const dlq = kafka.ok ? kafka.value.topics.get(dlqTopic) : undefined
  return dlq === undefined ? null : rangesBehind(dlqTopic, dlq, [])
}

/**
 * Every range whose records the status counts: each group's backlog where no fresh task of
 * the group gives its lag, and the whole DLQ.
 */
export function statusRanges (outcomes: Pick<ProbeOutcomes, 'kafka' | 'postgres'>, groups: WatchedGroup[], dlqTopic: string, now = Date.now()): CountRange[] {
  const fromTasks = groupTaskLags(outcomes.postgres, now)
  const all = [...groups.map(g => groupRanges(g, outcomes, fromTasks.get(g.group) ?? NO_TASK_LAGS)), dlqRanges(outcomes.kafka, dlqTopic)]
  return all.flatMap(ranges => ranges ?? [])
}

/** One partition's lag as the newest fresh row of a task of its group published it. */
interface TaskLag {
  /** Records (lib/stream/lag.ts). */
  lag: number
  exact: boolean
  publishedAt: number
}

const NO_TASK_LAGS: ReadonlyMap<string, TaskLag> = new Map()

/**
 * By group, then `topic:partition`: the lag the group's own tasks give, from their newest
 * fresh rows (a stale row's process stopped; a stopped task publishes no partitions). Pure.
 */
export function taskLags (rows: readonly TaskStatusRow[], now: number): Map<string, Map<string, TaskLag>> {
  const out = new Map<string, Map<string, TaskLag>>()
  for (const { counters: c, publishedAt } of rows) {
    const at = publishedAt.getTime()
    if (now - at > TASK_STALE_MS) continue
    let byPartition = out.get(c.group)
    if (byPartition === undefined) out.set(c.group, byPartition = new Map())
    for (const [key, lag] of Object.entries(c.lag)) {
      const known = byPartition.get(key)
      // A row without lagExact (an older runtime) gave offsets: an upper bound.
      if (known === undefined || known.publishedAt < at) byPartition.set(key, { lag, exact: c.lagExact === true, publishedAt: at })
    }
  }
  return out
}

const groupTaskLags = (postgres: Outcome<PipelineProgress>, now: number): Map<string, Map<string, TaskLag>> =>
  postgres.ok ? taskLags(postgres.value.tasks ?? [], now) : new Map()

/**
 * Records in the ranges: the counted figure where `records` has one, else the offsets (an
 * upper bound: markers and aborted records take offsets too) and exact: false.
 */
function recordsIn (ranges: CountRange[], records: ReadonlyMap<string, number>): { records: number, exact: boolean } {
  let total = 0
  let exact = true
  for (const range of ranges) {
    const counted = records.get(rangeKey(range))
    if (counted === undefined) exact = false
    total += counted ?? Number(range.until - range.from)
  }
  return { records: total, exact }
}

/**
 * The status response from the probes' outcomes and the records counted in statusRanges()
 * (by rangeKey(); a range without a count is reported by its offsets, as an upper bound), and
 * the dead letters read (null when they were not). Pure.
 */
export function summariseStatus (outcomes: ProbeOutcomes & { records?: ReadonlyMap<string, number>, deadLetters?: RecentDeadLetter[] },
  groups: WatchedGroup[], dlqTopic: string, now = Date.now()): StatusResponse {
  const { kafka, registry, postgres } = outcomes
  const records = outcomes.records ?? new Map<string, number>()
  const fromTasks = groupTaskLags(postgres, now)
  const lagOf = (g: WatchedGroup): Pick<GroupLag, 'lag' | 'lag_exact' | 'lag_source'> => {
    const own = fromTasks.get(g.group) ?? NO_TASK_LAGS
    const ranges = groupRanges(g, outcomes, own)
    if (ranges === null || !kafka.ok) return { lag: null, lag_exact: false, lag_source: null }
    const partitions = g.topics.flatMap(topic => (kafka.value.topics.get(topic)?.latest ?? []).map((_, p) => positionKey(topic, p)))
    const given = partitions.flatMap(key => own.get(key) ?? [])
    const counted = recordsIn(ranges, records)
    return {
      lag: given.reduce((sum, t) => sum + t.lag, counted.records),
      lag_exact: counted.exact && given.every(t => t.exact),
      lag_source: given.length === 0 ? 'broker' : given.length === partitions.length ? 'task' : 'mixed'
    }
  }
  const dlq = dlqRanges(kafka, dlqTopic)
  const dlqCount = dlq === null ? null : recordsIn(dlq, records)
  return {
    broker: report(kafka),
    registry: report(registry),
    postgres: report(postgres),
    groups: groups.map(g => ({ group: g.group, kind: g.kind, topics: g.topics, ...lagOf(g) })),
    newest_complete_date: postgres.ok ? postgres.value.newestCompleteDate : null,
    dlq_records: dlqCount?.records ?? null,
    dlq_exact: dlqCount?.exact ?? false,
    // An empty DLQ has no dead letters to read; otherwise only what was read is known.
    dead_letters: dlq === null ? null : dlq.length === 0 ? [] : outcomes.deadLetters?.slice(0, DEAD_LETTERS_LISTED) ?? null,
    tasks: postgres.ok ? taskStatus(postgres.value.tasks ?? [], now) : null,
    graphql: postgres.ok ? graphqlStatus(postgres.value.tasks ?? [], now) : null,
    unpriced: postgres.ok ? { days: postgres.value.unpricedDays, runs: postgres.value.unpricedRuns.map(run => ({ ...run, reason: unpricedReason(run, outcomes.deadLetters ?? []) })) } : null,
    checked_at: new Date(now).toISOString()
  }
}

// ---------- task counters ----------

/** A task whose counters are older than this is shown as stale (its process publishes every 5 s). */
export const TASK_STALE_MS = 60 * 1000

/** The published task counters as the status shows them. Pure. */
export function taskStatus (rows: readonly TaskStatusRow[], now: number): TaskStatus[] {
  return rows.map(({ instance, counters: c, publishedAt }) => ({
    task: c.task,
    instance,
    kind: c.kind,
    group: c.group,
    records_in: c.recordsIn,
    records_out: c.recordsOut,
    commits: c.commits,
    dead_letters: c.deadLetters,
    lag: totalLag(c),
    lag_exact: c.lagExact === true,
    restore: c.restore,
    sessions: c.sessions,
    published_at: publishedAt.toISOString(),
    stale: now - publishedAt.getTime() > TASK_STALE_MS
  }))
}

/** The task whose polls say whether Octopus's GraphQL API can be used (processors/dispatches/poller.ts). */
export const GRAPHQL_TASK = 'dispatches-poller'
/** The task whose refreshes say which account facts GraphQL could not check (processors/ingest/account-refresher.ts). */
export const FACTS_TASK = 'account-refresher'

/** The newest fresh row of a task, if any. */
function newestFresh (rows: readonly TaskStatusRow[], task: string, now: number): TaskStatusRow | undefined {
  return rows.filter(r => r.counters.task === task && now - r.publishedAt.getTime() <= TASK_STALE_MS)
    .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime())[0]
}

/**
 * Whether the pipeline could use Octopus's GraphQL API, as its users last found it (their
 * newest fresh rows): the dispatches poller (ok, or what it could not check and why) and the
 * account refresher (`facts`: which facts it could not check and why). ok only when every
 * running one could; `unchecked` joins their reasons. Pure.
 */
export function graphqlStatus (rows: readonly TaskStatusRow[], now: number): GraphqlStatus {
  const poller = newestFresh(rows, GRAPHQL_TASK, now)
  const refresher = newestFresh(rows, FACTS_TASK, now)
  const facts = refresher === undefined
    ? null
    : refresher.counters.unchecked === undefined
      ? { unchecked: ['gas meter units', 'payment method', 'devices'], reason: 'not checked yet: the account has not been refreshed' }
      : { unchecked: refresher.counters.uncheckedFacts ?? [], reason: refresher.counters.unchecked }
  if (poller === undefined && refresher === undefined) return { ok: false, unchecked: 'not checked: no dispatches-poller is running (npm start runs it on instance 1 when OCTOPUS_ACCOUNT is set)', facts }
  const reasons: string[] = []
  if (poller !== undefined) {
    const unchecked = poller.counters.unchecked
    if (unchecked === undefined) reasons.push('not checked yet: the dispatches poller has not polled')
    else if (unchecked !== null) reasons.push(unchecked)
  }
  if (facts !== null && facts.reason !== null) reasons.push(`account facts (${facts.unchecked.join(', ')}): ${facts.reason}`)
  return { ok: reasons.length === 0, unchecked: reasons.length === 0 ? null : reasons.join('; '), facts }
}

// ---------- dead letters ----------

/** The newest pricing dead letter saying why a day of the run could not be priced. */
function unpricedReason (run: UnpricedRun, letters: RecentDeadLetter[]): string | null {
  const letter = letters.find(l => l.code === 'ENERGY_UNPRICED' && l.date !== null && run.from <= l.date && l.date <= run.to)
  return letter?.error ?? null
}

/** How many dead letters the status lists: the newest, by DLQ offset. */
export const DEAD_LETTERS_LISTED = 50
/** Characters of a dead letter's error the status shows: enough to read, bounded per letter. */
export const DEAD_LETTER_ERROR_CHARS = 200
// The other headers are short when the pipeline writes them, but a request's date comes
// from the request topic as sent: an impossible date may be any string (ENERGY_BAD_DATE).
const HEADER_CHARS = 60

/**
 * `text` on one line (each run of whitespace and control characters one space) and cut to
 * at most `max` characters, ending in '…' when cut; never half a surrogate pair. Pure.
 */
export function cutText (text: string, max: number): string {
  const line = text.replace(/[\s\p{Cc}]+/gu, ' ').trim()
  if (line.length <= max) return line
  let end = Math.max(0, max - 1)
  // A high surrogate at the cut would leave half a character.
  const last = line.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${line.slice(0, end)}…`
}

const headerOf = (headers: ReadonlyMap<string, string>, name: string): string | null => {
  const value = headers.get(name)
  return value === undefined || value === '' ? null : cutText(value, HEADER_CHARS)
}

/** A dead letter as the status lists it, from its record's headers (lib/dlq.ts). Pure. */
export function parseDeadLetter (record: Pick<RangeRecord, 'headers'>): RecentDeadLetter {
  const { headers } = record
  const failedAt = Date.parse(headers.get('dlq.failed_at') ?? '')
  const code = headerOf(headers, 'dlq.error.code') ?? 'UNKNOWN'
  // dlq.error is describeError()'s "CODE: message": the code is listed on its own.
  const error = headers.get('dlq.error') ?? ''
  return {
    at: Number.isFinite(failedAt) ? new Date(failedAt).toISOString() : null,
    // Ingest processors and the join write dlq.processor, sinks dlq.sink.
    component: headerOf(headers, 'dlq.processor') ?? headerOf(headers, 'dlq.sink'),
    date: headerOf(headers, 'dlq.date'),
    code,
    error: cutText(error.startsWith(`${code}: `) ? error.slice(code.length + 2) : error, DEAD_LETTER_ERROR_CHARS)
  }
}

/**
 * The newest `limit` of several partitions' dead letters, each list newest first (by offset):
 * merged by `at`, each partition's own order kept. Pure.
 */
export function newestFirst (lists: RecentDeadLetter[][], limit: number): RecentDeadLetter[] {
  const heads = lists.map(() => 0)
  const out: RecentDeadLetter[] = []
  while (out.length < limit) {
    let best = -1
    lists.forEach((list, i) => {
      const candidate = list[heads[i]]
      if (candidate === undefined) return
      if (best === -1 || (candidate.at ?? '') > (lists[best][heads[best]].at ?? '')) best = i
    })
    if (best === -1) break
    out.push(lists[best][heads[best]++])
  }
  return out
}
