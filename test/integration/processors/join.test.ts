import assert from 'node:assert/strict'
import { randomBytes, randomInt } from 'node:crypto'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka'
import type { Environment } from '../../../lib/environment.ts'
import { startChild, waitFor, type Child } from '../../../lib/processes.ts'
import type { Codec } from '../../../lib/avro.ts'
import type { Config } from '../../../lib/config.ts'
import { createAdmin, createConsumer, createProducer, READ_COMMITTED } from '../../../lib/kafka.ts'
import { addDays, datesBetween, isoUtc, londonDay, SLOT_MS, slotStarts } from '../../../lib/london-day.ts'
import { partitionForDate } from '../../../lib/partition.ts'
import { joinGroup, topicIn, topology } from '../../../processors/topology.ts'
import type { Co2Record } from '../../../processors/source/types.ts'
import type { EnergyRequest } from '../../../processors/source/types.ts'
import type { DailyAggregate } from '../../../processors/join/types.ts'
import { agileRate, carbonIntensity, consumption, generationMix, standingCharge, type SampleApi } from '../../../sample-api/index.ts'
import { seed } from '../../../processors/ingest/seed.ts'
import { consumeAll, NO_BILLED, NO_EXPORT_OR_GAS, NO_DISPATCHES, NO_REGIONAL, plain, produceMessages, silentLog } from '../../helpers.ts'
import { captureLog, createTestEnvironment, defer, SAMPLE_NOW, SAMPLE_SEED, startSampleServer, type CapturedLog } from '../../pipeline.ts'

/** The sources of the topology: without OCTOPUS_ACCOUNT export and gas are zeros (meters.test.ts has them). */
type Source = 'co2' | 'mix' | 'pricing' | 'usage' | 'export' | 'gas'
const SOURCES = topology.sourceNames as readonly Source[]

// Issue 4, the join, end to end on the real broker and registry: the sample API in this process
// (ephemeral port, clock fixed at SAMPLE_NOW so every 2024 date used here is settled: actuals
// known, consumption read), the source processors and the join as child processes
// (scripts/start.ts), each test on its own namespace and database (lib/environment.ts).
//
// Expected figures are recomputed from sample-api/data.ts slot by slot, in slot order, with the
// same operations as the contract's formulas (Σ u·p, Σ u·i, Σ u·perc / kwh), so they are
// compared with a tolerance of 0: every figure must be bit-for-bit the recomputation.
//
// Transactional topics (completion, energy.dlq, the join's inputs) are read with readCommitted
// below, independently of lib/kafka.ts: @platformatic/kafka (1.35, 2.12) alone lets aborted transactions
// through (lib/read-committed.ts works around it; the tests at the end check that), which after
// a crash would look like the join emitting a day twice.

const PARTITIONS = 4
/** No new completion record for this long (after the expected ones arrived) = settled. */
const QUIET_MS = 2500

type Figures = Omit<DailyAggregate, 'batches' | 'computed_at'>

type PaymentMethod = 'DIRECT_DEBIT' | 'NON_DIRECT_DEBIT'
const TARIFF = 'E-1R-AGILE-FLEX-22-11-25-C'

/**
 * The sample API's standing charge for the London date (p/day): it lists one period per quarter
 * from local midnight of Jan/Apr/Jul/Oct 1st, so the day's first slot is in the date's quarter.
 */
function expectedStandingCharge (date: string, method: PaymentMethod): { value_inc_vat: number, value_exc_vat: number } {
  const quarter = Number(date.slice(0, 4)) * 4 + Math.floor((Number(date.slice(5, 7)) - 1) / 3)
  return standingCharge(SAMPLE_SEED, quarter, 'AGILE-FLEX-22-11-25', method)
}

/** The day's figures recomputed from the sample API's generators (usage at `revision`). */
function expectedFigures (date: string, revision = 0, method: PaymentMethod = 'DIRECT_DEBIT'): Figures {
  const day = londonDay(date)
  let kwh = 0
  let costInc = 0
  let costExc = 0
  let carbon = 0
  let forecastSlots = 0
  const fuels = new Map<string, number>()
  for (const start of slotStarts(day)) {
    const u = consumption(SAMPLE_SEED, start, revision)
    const { actual, forecast } = carbonIntensity(SAMPLE_SEED, start)
    // The sample API nulls `actual` only for slots ending less than 3 h before its clock;
    // SAMPLE_NOW is weeks after every date here, so actual is what the API served.
    const known = start + SLOT_MS <= SAMPLE_NOW - 3 * 3600 * 1000
    const intensity = known ? actual : forecast
    if (!known) forecastSlots++
    // The default tariff (OCTOPUS_TARIFF, E-1R-AGILE-FLEX-22-11-25-C) is Agile: one rate per slot.
    const price = agileRate(SAMPLE_SEED, start)
    kwh += u
    costInc += u * price.value_inc_vat
    costExc += u * price.value_exc_vat
    carbon += u * intensity
    for (const { fuel, perc } of generationMix(SAMPLE_SEED, start)) fuels.set(fuel, (fuels.get(fuel) ?? 0) + u * perc)
  }
  // DESIGN.md "The account": the standing charge in force at the day's first slot, no gas and
  // no export yet; bill = cost + standing charge + gas cost + gas standing charge − export.
  const standing = expectedStandingCharge(date, method)
  return {
    date,
    kwh,
    cost_inc_vat: costInc,
    cost_exc_vat: costExc,
    carbon_g: carbon,
    avg_intensity: kwh > 0 ? carbon / kwh : null,
    mix: kwh > 0 ? Object.fromEntries([...fuels].map(([fuel, sum]) => [fuel, sum / kwh])) : {},
    slots_expected: day.slots,
    slots_joined: day.slots,
    complete: true,
    forecast_slots: forecastSlots,
    import_tariff_code: TARIFF,
    standing_charge_inc_vat: standing.value_inc_vat,
    standing_charge_exc_vat: standing.value_exc_vat,
    ...NO_EXPORT_OR_GAS,
    ...NO_REGIONAL,
    bill_inc_vat: costInc + standing.value_inc_vat + 0 + 0 - 0,
    bill_complete: true,
    carbon_slots: day.slots,
    missing_readings: [],
    ...NO_DISPATCHES,
    ...NO_BILLED
  }
}

function figuresOf (aggregate: DailyAggregate): Figures {
  const { batches: _batches, computed_at: _at, ...figures } = aggregate
  return figures
}

// ---------------------------------------------------------------------------------------------
// Fixtures (test/pipeline.ts): cleanup runs last-registered first (children stop before their topics go).

interface Setup {
  env: Environment
  codec: Codec
  sample: SampleApi
  /** Base URL of the sample API (admin under /_admin). */
  base: string
}

/** The sample API on an ephemeral port and a throwaway environment pointing at it. */
async function setUp (t: TestContext, name: string, extra: Record<string, string> = {}): Promise<Setup> {
  const server = await startSampleServer(t)
  const env = await createTestEnvironment(t, `join_${name}`, server, extra)
  assert.equal(env.config.topicPartitions, PARTITIONS)
  return { env, codec: env.codec, sample: server.api, base: server.base }
}

/** `scripts/start.ts --only <only> [--instance <id>]` on the environment, logging at info. */
function startPipeline (t: TestContext, s: Setup, only: string, output: CapturedLog, instance = '1'): Child {
  const child = startChild(`${only}#${instance}`, 'scripts/start.ts', ['--only', only, '--instance', instance], { ...s.env.env, LOG_LEVEL: 'info' }, output.stream)
  defer(t, () => child.stop())
  return child
}

async function seedDates (s: Setup, from: string, to = from, sources: Source[] = []): Promise<void> {
  await seed({ config: s.env.config, codec: s.codec, log: silentLog }, { from, to }, sources)
}

// ---------------------------------------------------------------------------------------------
// Reading topics

interface LogRecord {
  key: string
  value: Buffer
  headers: Record<string, string>
  partition: number
  offset: bigint
}

/**
 * Every committed record of a topic, in partition then offset order, decided from the log itself:
 * read uncommitted (every batch and every transaction marker), a transactional batch kept only
 * once its producer's next marker says COMMIT, non-transactional records kept as they are, an
 * open transaction left out. This is what a read_committed Java consumer returns. The stream
 * consumers of @platformatic/kafka (1.35, 2.12) keep only the last aborted transaction per producer out
 * of each fetch and let earlier ones through, and every restart of a transactional processor
 * reuses its producer id; lib/kafka.ts's consumers drop the rest (lib/read-committed.ts), and
 * this reader stays independent of that workaround so the tests can check it.
 */
async function readCommitted (config: Readonly<Config>, topic: string): Promise<LogRecord[]> {
  const consumer = createConsumer(config, { clientId: 'energy-test-read-committed', groupId: `${config.namespace}energy-test-read-committed` })
  try {
    const info = (await consumer.metadata({ topics: [topic] })).topics.get(topic)
    const starts = (await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic)
    const ends = (await consumer.listOffsets({ topics: [topic], isolationLevel: 0 })).get(topic)
    if (info === undefined || starts === undefined || ends === undefined) throw new Error(`topic ${topic} not found`)
    const out: LogRecord[] = []
    for (let partition = 0; partition < info.partitionsCount; partition++) {
      const pending = new Map<bigint, LogRecord[]>()
      let offset = starts[partition]
      for (let empty = 0; offset < ends[partition];) {
        const response = await consumer.fetch({
          node: info.partitions[partition].leader,
          isolationLevel: 0,
          maxWaitTime: 10,
          topics: [{ topicId: info.id, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }]
        })
        const batches = response.responses[0]?.partitions[0]?.records ?? []
        if (batches.length === 0 && ++empty > 50) throw new Error(`no records at ${topic}:${partition}@${offset} below the high watermark ${ends[partition]}`)
        for (const batch of batches) {
          const last = batch.firstOffset + BigInt(batch.lastOffsetDelta)
          if (last < offset) continue
          if ((batch.attributes & IS_CONTROL) !== 0) {
            // Control record key: int16 version, int16 type (0 = ABORT, 1 = COMMIT).
            if (batch.records[0]?.key?.readInt16BE(2) === 1) out.push(...(pending.get(batch.producerId) ?? []))
            pending.delete(batch.producerId)
          } else {
            const records = batch.records.map(r => ({
              key: r.key?.toString('utf8') ?? '',
              value: r.value ?? Buffer.alloc(0),
              headers: Object.fromEntries(r.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v?.toString('utf8') ?? ''])),
              partition,
              offset: batch.firstOffset + BigInt(r.offsetDelta)
            })).filter(r => r.offset >= offset)
            if ((batch.attributes & IS_TRANSACTIONAL) !== 0) pending.set(batch.producerId, [...(pending.get(batch.producerId) ?? []), ...records])
            else out.push(...records)
          }
          offset = last + 1n
        }
      }
    }
    return out.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1))
  } finally {
    await consumer.close(true)
  }
}

interface Completion {
  key: string
  partition: number
  offset: bigint
  value: DailyAggregate
}

/** The completion topic, read committed (readCommitted) or, when asked, every record (aborted ones too). */
async function readCompletion (s: Setup, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<Completion[]> {
  const topic = s.env.config.topics.completion
  const messages: Array<{ key: string, partition: number, offset: bigint, value: Buffer }> = isolation === 'read_committed'
    ? await readCommitted(s.env.config, topic)
    : await consumeAll(topic, { config: s.env.config, isolation, timeoutMs: 60000 })
  const out: Completion[] = []
  for (const m of messages) out.push({ key: m.key, partition: m.partition, offset: m.offset, value: plain(await s.codec.decode<DailyAggregate>(topic, m.value)) })
  return out
}

/** The upsert view: per key, the last record of its partition (consumeAll sorts by partition, offset). */
function latestPerDate (completions: Completion[]): Map<string, DailyAggregate> {
  const latest = new Map<string, DailyAggregate>()
  for (const c of completions) latest.set(c.key, c.value)
  return latest
}

/** Request ids per date on energy_processor (a request is every date of its span's), oldest first. */
async function requestIds (s: Setup): Promise<Map<string, string[]>> {
  const topic = s.env.config.topics.requests
  const requests: EnergyRequest[] = []
  for (const m of await consumeAll(topic, { config: s.env.config, timeoutMs: 60000 })) requests.push(await s.codec.decode<EnergyRequest>(topic, m.value))
  const ids = new Map<string, string[]>()
  for (const request of requests.sort((a, b) => a.requested_at - b.requested_at)) {
    for (let i = 0; i < request.days; i++) {
      const date = addDays(request.date, i)
      ids.set(date, [...(ids.get(date) ?? []), request.request_id])
    }
  }
  return ids
}

const allFrom = (id: string): Record<Source, string> => ({ co2: id, mix: id, pricing: id, usage: id, export: id, gas: id })

/**
 * Waits until every date of `expected` has a latest completion from exactly those batches, then
 * until no new completion record has appeared for QUIET_MS; returns every completion record.
 */
async function settle (s: Setup, expected: Map<string, Record<string, string>>, timeoutMs: number): Promise<Completion[]> {
  let seen: Completion[] = []
  await waitFor(`completion for ${expected.size} dates`, async () => {
    seen = await readCompletion(s)
    const latest = latestPerDate(seen)
    return [...expected].every(([date, batches]) => JSON.stringify(sortKeys(latest.get(date)?.batches)) === JSON.stringify(sortKeys(batches)))
  }, timeoutMs, 500)
  for (;;) {
    await sleep(QUIET_MS)
    const again = await readCompletion(s)
    if (again.length === seen.length) return again
    seen = again
  }
}

function sortKeys (o: Record<string, string> | undefined): Array<[string, string]> {
  return Object.entries(o ?? {}).sort(([a], [b]) => a < b ? -1 : 1)
}

/**
 * The join group's lag on its four inputs: records (not transaction markers) past its
 * committed offset, per topic:partition with any. Empty = caught up.
 */
async function joinLag (s: Setup): Promise<Record<string, string>> {
  const { config } = s.env
  const group = joinGroup(config.namespace)
  const admin = createAdmin(config, 'energy-test-admin')
  const lag: Record<string, string> = {}
  try {
    for (const source of SOURCES) {
      const topic = topicIn(config, topology.source(source).topic)
      // A transactional partition ends with a commit marker the group never commits past, so
      // the end is taken from the last record read, not from the end offset.
      const next = new Map<number, bigint>()
      for (const m of await readCommitted(config, topic)) next.set(m.partition, m.offset + 1n)
      const [listed] = await admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: [...Array(PARTITIONS).keys()] }] }] })
      for (const [partition, end] of next) {
        const committed = listed?.topics.find(x => x.name === topic)?.partitions.find(p => p.partitionIndex === partition)?.committedOffset ?? -1n
        if (committed < end) lag[`${topic}:${partition}`] = `committed ${committed} < ${end}`
      }
    }
  } finally {
    await admin.close()
  }
  return lag
}

/**
 * The checks every scenario ends with: one completion per (date, batches) pair (two would be the
 * same inputs emitted twice), and the latest completion per date equal to the recomputation,
 * from the expected batches. Returns the latest per date.
 */
/**
 * Money never waits for carbon: a day is emitted once its pricing is whole and again as each
 * other input's batch becomes whole in a later poll, so a seeded date has one record per input
 * at most (six here: co2, mix, pricing, usage, export, gas), never the same inputs twice
 * (assertCompletion), and at least one.
 */
function assertPerDate (completions: Completion[], dates: readonly string[]): void {
  const perDate = new Map<string, number>()
  for (const c of completions) perDate.set(c.key, (perDate.get(c.key) ?? 0) + 1)
  assert.deepStrictEqual([...perDate.keys()].sort(), [...dates].sort(), 'a record for every seeded date, none for another')
  assert.deepStrictEqual([...perDate].filter(([, n]) => n > 6), [], 'at most one record per date and input')
}

function assertCompletion (completions: Completion[], expected: Map<string, { batches: Record<string, string>, figures: Figures }>): Map<string, DailyAggregate> {
  const pairs = new Map<string, number>()
  for (const c of completions) {
    assert.equal(c.key, c.value.date, 'key = date')
    assert.equal(c.partition, partitionForDate(c.key, PARTITIONS), `${c.key} on its co-partition`)
    const pair = `${c.key} ${JSON.stringify(sortKeys(c.value.batches))}`
    pairs.set(pair, (pairs.get(pair) ?? 0) + 1)
  }
  assert.deepStrictEqual([...pairs].filter(([, n]) => n > 1), [], 'no (date, batches) pair emitted twice')
  const latest = latestPerDate(completions)
  assert.deepStrictEqual([...latest.keys()].sort(), [...expected.keys()].sort(), 'exactly the seeded dates')
  for (const [date, want] of expected) {
    const got = latest.get(date) as DailyAggregate
    assert.deepStrictEqual(got.batches, want.batches, `${date}: batches`)
    assert.deepStrictEqual(figuresOf(got), want.figures, `${date}: figures (tolerance 0)`)
    assert.ok(got.computed_at > SAMPLE_NOW && got.computed_at <= Date.now(), `${date}: computed_at is the join's clock`)
  }
  return latest
}

/** Expected latest completion per date, all four sources from the date's latest request. */
async function expectedFromRequests (s: Setup, dates: string[], method: PaymentMethod = 'DIRECT_DEBIT'): Promise<Map<string, { batches: Record<string, string>, figures: Figures }>> {
  const ids = await requestIds(s)
  return new Map(dates.map(date => {
    const id = ids.get(date)?.at(-1)
    assert.ok(id !== undefined, `a request for ${date}`)
    return [date, { batches: allFrom(id), figures: expectedFigures(date, 0, method) }]
  }))
}

const batchesOnly = (expected: Map<string, { batches: Record<string, string> }>): Map<string, Record<string, string>> =>
  new Map([...expected].map(([d, e]) => [d, e.batches]))

function logLines (output: CapturedLog, msg: string): Array<Record<string, unknown>> {
  return output.lines().filter(l => l.msg === msg)
}

// ---------------------------------------------------------------------------------------------

test('end to end: a week including 2024-10-27, the latest aggregate per date equal to the sample data, no inputs emitted twice', { timeout: 120000 }, async t => {
  const s = await setUp(t, 'e2e')
  const out = captureLog()
  startPipeline(t, s, 'processors,join', out)
  const dates = datesBetween('2024-10-23', '2024-10-29')
  await seedDates(s, dates[0], dates.at(-1))
  const expected = await expectedFromRequests(s, dates)
  const completions = await settle(s, batchesOnly(expected), 60000)

  assertPerDate(completions, dates)
  const latest = assertCompletion(completions, expected)
  assert.deepStrictEqual([...latest.values()].map(a => [a.date, a.slots_expected, a.slots_joined, a.complete]).sort(),
    dates.map(d => [d, d === '2024-10-27' ? 50 : 48, d === '2024-10-27' ? 50 : 48, true]))
  // Nothing else was written and aborted around them either.
  assert.equal((await readCompletion(s, 'read_uncommitted')).length, completions.length)
  assert.deepStrictEqual(await joinLag(s), {})
  assert.deepStrictEqual([...new Set(logLines(out, 'day completed').map(l => l.date as string))].sort(), dates)
})

for (const method of ['DIRECT_DEBIT', 'NON_DIRECT_DEBIT'] as const) {
  test(`standing charge and bill, ${method}: a 46-slot day, the change on 2024-04-01 and a 50-slot day, each day with the charge in force at its first slot`, { timeout: 120000 }, async t => {
    const s = await setUp(t, `standing_${method === 'DIRECT_DEBIT' ? 'dd' : 'ndd'}`, { OCTOPUS_PAYMENT_METHOD: method })
    startPipeline(t, s, 'processors,join', captureLog())
    // 2024-03-30 (48 slots), 2024-03-31 (46), then 2024-04-01 and 2024-04-02 after the change at
    // London midnight (BST by then: 2024-03-31T23:00Z); and 2024-10-27 (50).
    const dates = [...datesBetween('2024-03-30', '2024-04-02'), '2024-10-27']
    await seedDates(s, '2024-03-30', '2024-04-02')
    await seedDates(s, '2024-10-27')
    const expected = await expectedFromRequests(s, dates, method)
    const latest = assertCompletion(await settle(s, batchesOnly(expected), 60000), expected)
    const charge = (date: string): number | null => latest.get(date)?.standing_charge_inc_vat ?? null
    assert.deepStrictEqual(dates.map(d => latest.get(d)?.slots_expected), [48, 46, 48, 48, 50])
    assert.equal(charge('2024-03-30'), charge('2024-03-31'), 'one charge for the first quarter')
    assert.notEqual(charge('2024-03-31'), charge('2024-04-01'), 'a new charge from 2024-04-01')
    assert.equal(charge('2024-04-01'), charge('2024-04-02'))
    // The payment method picked is the configured one: the other's figures differ.
    const other = method === 'DIRECT_DEBIT' ? 'NON_DIRECT_DEBIT' : 'DIRECT_DEBIT'
    for (const date of dates) {
      assert.notEqual(latest.get(date)?.bill_inc_vat, expectedFigures(date, 0, other).bill_inc_vat, `${date}: not the ${other} standing charge`)
      t.diagnostic(`${date}: cost ${latest.get(date)?.cost_inc_vat.toFixed(2)}p + standing charge ${charge(date)}p = bill ${latest.get(date)?.bill_inc_vat?.toFixed(2)}p`)
    }
  })
}

test('re-delivery: revised usage re-seeded for one date gives one new aggregate for that date only, with the new figures', { timeout: 120000 }, async t => {
  const s = await setUp(t, 'redeliver')
  const out = captureLog()
  startPipeline(t, s, 'processors,join', out)
  const dates = datesBetween('2024-06-10', '2024-06-13')
  await seedDates(s, dates[0], dates.at(-1))
  const first = await expectedFromRequests(s, dates)
  const before = await settle(s, batchesOnly(first), 60000)
  assertPerDate(before, dates)
  const revised = '2024-06-11'

  // Late consumption: the meter is re-read (revision 1) and usage alone is fetched again.
  const res = await fetch(`${s.base}/_admin/revise/${revised}`, { method: 'POST' })
  assert.deepStrictEqual(await res.json(), { date: revised, revision: 1 })
  await seedDates(s, revised, revised, ['usage'])
  const usageId = (await requestIds(s)).get(revised)?.at(-1) as string
  const oldBatches = first.get(revised)?.batches as Record<string, string>
  const second = new Map(first)
  second.set(revised, { batches: { ...oldBatches, usage: usageId }, figures: expectedFigures(revised, 1) })
  const afterUsage = await settle(s, batchesOnly(second), 60000)
  // Exactly one new record, for the revised date; the others untouched.
  assert.deepStrictEqual(afterUsage.filter(c => !before.some(b => b.partition === c.partition && b.offset === c.offset)).map(c => c.key), [revised])
  assertCompletion(afterUsage, second)
  assert.notEqual(expectedFigures(revised, 1).kwh, expectedFigures(revised, 0).kwh, 'the revision changes the usage')

  // A full re-seed (every source, revision 2): each source's new batch completes on its own,
  // so the date may be emitted once per input (every emission from different batches), the
  // last one from the new batches; still no other date.
  await fetch(`${s.base}/_admin/revise/${revised}`, { method: 'POST' })
  await seedDates(s, revised)
  const third = new Map(second)
  third.set(revised, { batches: allFrom((await requestIds(s)).get(revised)?.at(-1) as string), figures: expectedFigures(revised, 2) })
  const afterFull = await settle(s, batchesOnly(third), 60000)
  const added = afterFull.filter(c => !afterUsage.some(b => b.partition === c.partition && b.offset === c.offset))
  assert.ok(added.length >= 1 && added.length <= 6, `1 to 6 new aggregates (one per input at most), got ${added.length}`)
  assert.deepStrictEqual(new Set(added.map(c => c.key)), new Set([revised]))
  assertCompletion(afterFull, third)
  t.diagnostic(`full re-seed of ${revised}: ${added.length} new aggregate(s)`)
})

test('crash: SIGKILL the join at random moments during a 90-day seed; the final completion equals the sample data, nothing missing or doubled', { timeout: 180000 }, async t => {
  const s = await setUp(t, 'crash')
  startPipeline(t, s, 'processors', captureLog())
  const joinOut = captureLog()
  const offsets = createConsumer(s.env.config, { clientId: 'energy-test-offsets', groupId: `${s.env.config.namespace}energy-test-offsets` })
  defer(t, () => offsets.close(true))
  const completionTopic = s.env.config.topics.completion
  /** True while the join has completion records sent but not committed (high watermark > last stable offset). */
  const openTransaction = async (): Promise<boolean> => {
    const [hw, lso] = await Promise.all([0, READ_COMMITTED].map(async isolationLevel =>
      (await offsets.listOffsets({ topics: [completionTopic], isolationLevel })).get(completionTopic) ?? []))
    return hw.some((h, p) => h > lso[p])
  }
  const dates = datesBetween('2024-08-01', '2024-10-29')
  assert.equal(dates.length, 90)
  const KILLS = 4
  const chunk = Math.ceil(dates.length / KILLS)
  const started = Date.now()
  let child: Child | undefined
  let caughtOpen = 0
  const assignedLines = (): number => logLines(joinOut, 'partitions assigned').filter(l => (l.partitions as number[]).length > 0).length
  for (let k = 0; k < KILLS; k++) {
    const assignedBefore = assignedLines()
    child = startPipeline(t, s, 'join', joinOut)
    // The killed member stays in the group until its session times out (10 s); the new one
    // only works once it has its partitions again.
    await waitFor('the join to get its partitions', async () => assignedLines() > assignedBefore, 40000, 100)
    const part = dates.slice(k * chunk, (k + 1) * chunk)
    const seeded = Date.now()
    await seedDates(s, part[0], part.at(-1))
    let how: string
    if (k % 2 === 0) {
      // A chunk takes the sources and the join about a second: the kill lands before, during or
      // just after the join's restore and transactions for it.
      const delay = randomInt(50, 1500)
      await sleep(delay)
      how = `${delay} ms after seeding`
    } else {
      // Aimed: the moment the join's transaction has sent aggregates it has not committed.
      let open = false
      const deadline = Date.now() + 5000
      while (!open && Date.now() < deadline) open = await openTransaction()
      if (open) caughtOpen++
      how = `${Date.now() - seeded} ms after seeding, ${open ? 'inside an open transaction' : 'no open transaction seen'}`
    }
    await child.stop('SIGKILL')
    const completed = new Set(logLines(joinOut, 'day completed').map(l => l.date))
    t.diagnostic(`kill ${k + 1}: ${how} (${part[0]}..${part.at(-1)}); ` +
      `${part.filter(d => completed.has(d)).length} of its ${part.length} days logged completed, ${completed.size} in all`)
  }
  child = startPipeline(t, s, 'join', joinOut)
  const expected = await expectedFromRequests(s, dates)
  const completions = await settle(s, batchesOnly(expected), 90000)
  const uncommitted = await readCompletion(s, 'read_uncommitted')
  t.diagnostic(`settled ${Date.now() - started} ms after the first start; ${completions.length} completion records read committed, ` +
    `${uncommitted.length} read uncommitted (aborted ones included); ${logLines(joinOut, 'join state restored').length} restores logged; ` +
    `${caughtOpen} kills inside an open transaction`)

  assertCompletion(completions, expected)
  // Each date was seeded once, so exactly-once means one record per date and set of inputs
  // (assertCompletion: no pair twice): the day once its pricing is whole (money never waits for
  // carbon), again as each other input arrives in a later poll: at most one per input (six:
  // co2, mix, pricing, usage, export, gas); what a killed transaction had sent is aborted,
  // visible read-uncommitted only.
  const perDate = new Map<string, number>()
  for (const c of completions) perDate.set(c.key, (perDate.get(c.key) ?? 0) + 1)
  assert.deepStrictEqual([...perDate.values()].filter(n => n > 6), [], 'at most one record per date and input')
  assert.equal(perDate.size, dates.length)
  assert.deepStrictEqual(await joinLag(s), {})
  assert.ok(logLines(joinOut, 'join state restored').length >= 1, 'a restarted join restored its state')

  // What a downstream consumer built on lib/kafka.ts (the sinks, consumeAll) sees instead.
  const streamed = await consumeAll(completionTopic, { config: s.env.config, timeoutMs: 60000 })
  t.diagnostic(`consumeAll (read_committed stream consumer): ${streamed.length} records`)
  await t.test('a read_committed stream consumer (consumeAll) sees exactly these records', () => {
    assert.deepStrictEqual(streamed.map(m => `${m.partition}@${m.offset}`), completions.map(c => `${c.partition}@${c.offset}`))
  })
})

test('scale-out: two join instances split the partitions 2/2 and produce the same completion as one, across rebalances', { timeout: 120000 }, async t => {
  const s = await setUp(t, 'scale')
  startPipeline(t, s, 'processors', captureLog())
  const outs = [captureLog(), captureLog()]
  startPipeline(t, s, 'join', outs[0], '1')
  const second = startPipeline(t, s, 'join', outs[1], '2')
  const lastAssignment = (o: CapturedLog): number[] => (logLines(o, 'partitions assigned').at(-1)?.partitions as number[] | undefined) ?? []
  await waitFor('both instances to hold two partitions', async () => outs.every(o => lastAssignment(o).length === 2), 60000, 200)
  const [one, two] = outs.map(lastAssignment)
  assert.deepStrictEqual([...one, ...two].sort(), [0, 1, 2, 3], `co-partitioned split: ${JSON.stringify(one)} / ${JSON.stringify(two)}`)

  const dates = datesBetween('2024-10-20', '2024-11-02')
  assert.deepStrictEqual(new Set(dates.map(d => partitionForDate(d, PARTITIONS))), new Set([0, 1, 2, 3]), 'the dates cover every partition')
  await seedDates(s, dates[0], dates.at(-1))
  const expected = await expectedFromRequests(s, dates)
  const completions = await settle(s, batchesOnly(expected), 60000)
  // What one instance produces is the recomputation (the end-to-end test): the same here.
  assertCompletion(completions, expected)
  assertPerDate(completions, dates)
  // Each instance completed exactly the dates of its own partitions.
  for (const [i, o] of outs.entries()) {
    const mine = lastAssignment(o)
    const done = [...new Set(logLines(o, 'day completed').map(l => l.date as string))].sort()
    assert.deepStrictEqual(done, dates.filter(d => mine.includes(partitionForDate(d, PARTITIONS))), `instance ${i + 1} completed the dates of partitions ${mine}`)
  }
  assert.deepStrictEqual(await joinLag(s), {})

  // Rebalances: instance 2 leaves (instance 1 takes over its partitions and restores their
  // state), then comes back while the next two weeks are being joined.
  await second.stop()
  await waitFor('instance 1 to hold every partition', async () => lastAssignment(outs[0]).length === 4, 60000, 200)
  const more = datesBetween('2024-11-03', '2024-11-16')
  await seedDates(s, more[0], more.at(-1))
  await sleep(randomInt(100, 1000))
  startPipeline(t, s, 'join', outs[1], '2')
  const all = await expectedFromRequests(s, [...dates, ...more])
  const after = await settle(s, batchesOnly(all), 60000)
  assertCompletion(after, all)
  assertPerDate(after, [...dates, ...more])
  assert.ok(logLines(outs[0], 'join state restored').some(l => (l.partitions as number[]).some(p => two.includes(p))), 'instance 1 restored the partitions it gained')
  assert.deepStrictEqual(await joinLag(s), {})
})

test('poison records on energy.co2 go to the dlq with the reason; the join carries on', { timeout: 120000 }, async t => {
  const s = await setUp(t, 'poison')
  const out = captureLog()
  startPipeline(t, s, 'processors,join', out)
  const { topics } = s.env.config
  await seedDates(s, '2024-06-10')
  await settle(s, batchesOnly(await expectedFromRequests(s, ['2024-06-10'])), 60000)

  // 1. random bytes (not Confluent-framed); 2. framed, but a schema id the registry never gave;
  // 3. valid Avro whose slot (the first of 2024-06-12) is not in its local_date 2024-06-11.
  const garbage = randomBytes(64)
  garbage[0] = 0x7b
  const unknownId = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), randomBytes(40)])
  const slot = londonDay('2024-06-12').startMs
  const wrongDay: Co2Record = { local_date: '2024-06-11', slot_start: slot, slot_end: slot + SLOT_MS, batch_id: 'poison', batch_size: 48, forecast: 100, actual: 100, index: 'low' }
  const mismatched = await s.codec.encode(topicIn(s.env.config, 'energy.co2'), wrongDay)
  const poison = [
    { key: 'garbage', value: garbage, partition: 0, reason: `ENERGY_DECODE: not Confluent-framed Avro (64 bytes, first byte ${0x7b})` },
    { key: 'unknown-schema', value: unknownId, partition: 1, reason: `ENERGY_DECODE: schema id ${0x7ffffff0} is unknown to the registry` },
    {
      key: isoUtc(slot),
      value: mismatched,
      partition: partitionForDate('2024-06-11', PARTITIONS),
      reason: `ENERGY_INVALID_RECORD: slot ${new Date(slot).toISOString()} belongs to 2024-06-12, not to local_date 2024-06-11`
    }
  ]
  await produceMessages(topicIn(s.env.config, 'energy.co2'), poison.map(({ key, value, partition }) => ({ key, value, partition })), s.env.config)
  const offsets = new Map<string, bigint>()
  for (const m of await readCommitted(s.env.config, topicIn(s.env.config, 'energy.co2'))) offsets.set(m.key, m.offset)

  // Later dates still complete, including the one the mismatched record claimed.
  await seedDates(s, '2024-06-11', '2024-06-12')
  const expected = await expectedFromRequests(s, ['2024-06-10', '2024-06-11', '2024-06-12'])
  const completions = await settle(s, batchesOnly(expected), 60000)
  assertCompletion(completions, expected)
  assertPerDate(completions, ['2024-06-10', '2024-06-11', '2024-06-12'])

  const letters = (await readCommitted(s.env.config, topics.dlq)).map(m => {
    const headers = { ...m.headers }
    assert.ok(!Number.isNaN(Date.parse(headers['dlq.failed_at'])), 'dlq.failed_at is a time')
    delete headers['dlq.failed_at']
    return { key: m.key, value: m.value, headers }
  }).sort((a, b) => a.key < b.key ? -1 : 1)
  assert.deepStrictEqual(letters, poison.map(p => ({
    key: p.key,
    value: p.value,
    headers: {
      'dlq.source.topic': topicIn(s.env.config, 'energy.co2'),
      'dlq.source.partition': String(p.partition),
      'dlq.source.offset': String(offsets.get(p.key)),
      'dlq.error': p.reason,
      'dlq.error.code': p.reason.slice(0, p.reason.indexOf(':')),
      'dlq.processor': 'join'
    }
  })).sort((a, b) => a.key < b.key ? -1 : 1))
  // Carried on: the join session never failed and restarted.
  assert.deepStrictEqual(out.lines().filter(l => typeof l.msg === 'string' && l.msg.startsWith('join failed')), [])
  assert.equal(logLines(out, 'record rejected, sent to energy.dlq').length, 3)
  assert.deepStrictEqual(await joinLag(s), {})
})

test('a mix record listing new fuel names beyond its batch\'s columns is dead-lettered; other days keep theirs; the join carries on', {
  timeout: 120000
}, async t => {
  const s = await setUp(t, 'fuels')
  const out = captureLog()
  startPipeline(t, s, 'processors,join', out)
  const { topics } = s.env.config
  await seedDates(s, '2024-06-10')
  await settle(s, batchesOnly(await expectedFromRequests(s, ['2024-06-10'])), 60000)
  // A batch of 2024-06-20 naming sixteen junk fuels fills that batch's columns (its own, not
  // the other days'); a second record of the batch naming one more exceeds MAX_FUELS (16).
  const junk = async (i: number, names: number[]): Promise<{ key: string, value: Buffer, partition: number }> => {
    const slot = londonDay('2024-06-20').startMs + i * SLOT_MS
    const value = await s.codec.encode(topicIn(s.env.config, 'energy.mix'), {
      local_date: '2024-06-20',
      slot_start: slot,
      slot_end: slot + SLOT_MS,
      batch_id: 'junk',
      batch_size: 48,
      generationmix: names.map(f => ({ fuel: `junk${f}`, perc: 1 }))
    })
    return { key: isoUtc(slot), value, partition: partitionForDate('2024-06-20', PARTITIONS) }
  }
  await produceMessages(topicIn(s.env.config, 'energy.mix'), [await junk(0, Array.from({ length: 16 }, (_, f) => f)), await junk(1, [16])], s.env.config)
  await seedDates(s, '2024-06-11')
  const expected = await expectedFromRequests(s, ['2024-06-10', '2024-06-11'])
  try {
    // Normally a day completes within a second or two of its seed.
    await settle(s, batchesOnly(expected), 10000)
  } finally {
    const failures = out.lines().filter(l => typeof l.msg === 'string' && l.msg.startsWith('join failed'))
    t.diagnostic(`join session failures: ${failures.length}; first: ${String(failures[0]?.msg ?? '-')}`)
  }
  const letters = await readCommitted(s.env.config, topics.dlq)
  assert.equal(letters.length, 1)
  assert.match(letters[0].headers['dlq.error'] ?? '', /fuels junk16 would exceed the 16 fuel columns of batch junk/)
})

test('reading committed records: every aborted transaction of a producer is skipped', { timeout: 60000 }, async t => {
  const s = await setUp(t, 'aborts')
  // energy.dlq: one partition, not compacted. One transactional producer, so one producer id
  // throughout, as a processor keeps across restarts (same transactional id, epoch bumped).
  const topic = s.env.config.topics.dlq
  const producer = createProducer(s.env.config, { clientId: 'energy-test-aborts', transactionalId: `${s.env.namespace}energy-test-aborts` })
  defer(t, () => producer.close())
  for (const [key, commit] of [['aborted-1', false], ['aborted-2', false], ['committed-1', true], ['aborted-3', false], ['committed-2', true]] as const) {
    const tx = await producer.beginTransaction()
    await tx.send({ messages: [{ topic, partition: 0, key, value: Buffer.from(key) }] })
    if (commit) await tx.commit()
    else await tx.abort()
  }
  // The reader the join tests use.
  assert.deepStrictEqual((await readCommitted(s.env.config, topic)).map(r => r.key), ['committed-1', 'committed-2'])
  // lib/kafka.ts consumers (the join's inputs and restore, the sinks, consumeAll) read with @platformatic/kafka.
  await t.test('consumeAll read_committed skips them too (lib/read-committed.ts works around @platformatic/kafka 1.35 and 2.12)', async () => {
    assert.deepStrictEqual((await consumeAll(topic, { config: s.env.config })).map(m => m.key), ['committed-1', 'committed-2'])
  })
})

test('backfill with the inputs already on the topics: exactly one record per date; an input arriving late emits its date once more', { timeout: 180000 }, async t => {
  const s = await setUp(t, 'once')
  startPipeline(t, s, 'processors', captureLog())
  // A month: more records than one join batch (2000), so inputs of a date land in different batches.
  const dates = datesBetween('2024-03-10', '2024-04-08')
  // Every input but gas, which arrives later for one date.
  const early: Source[] = ['co2', 'mix', 'pricing', 'usage', 'export']
  await seedDates(s, dates[0], dates.at(-1), early)
  const slots = dates.reduce((n, d) => n + londonDay(d).slots, 0)
  for (const source of early) {
    const topic = topicIn(s.env.config, topology.source(source).topic)
    await waitFor(`${source} on its topic`, async () => (await readCommitted(s.env.config, topic)).length >= slots, 60000, 500)
  }
  const out = captureLog()
  startPipeline(t, s, 'join', out)
  const id = (await requestIds(s)).get(dates[0])?.at(-1) as string
  const { gas: _gas, ...withoutGas } = allFrom(id)
  const first = await settle(s, new Map(dates.map(d => [d, withoutGas])), 60000)
  const perDate = (completions: Completion[]): Array<[string, number]> =>
    dates.map(d => [d, completions.filter(c => c.key === d).length])
  assert.deepStrictEqual(perDate(first), dates.map(d => [d, 1]), 'one record per date: nothing was pending when the join read them')
  assert.deepStrictEqual(first.map(c => c.value.missing_readings.includes('gas')), dates.map(() => true))

  const late = dates[2]
  await seedDates(s, late, late, ['gas'])
  const gasId = (await requestIds(s)).get(late)?.at(-1) as string
  const second = await settle(s, new Map(dates.map(d => [d, d === late ? { ...withoutGas, gas: gasId } : withoutGas])), 60000)
  assert.deepStrictEqual(perDate(second), dates.map(d => [d, d === late ? 2 : 1]), 'the late input emits its date again, no other')
  assert.deepStrictEqual(latestPerDate(second).get(late)?.missing_readings, [])
})
