import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { MessageToProduce } from '@platformatic/kafka'
import { createProducer } from '../../../lib/kafka.ts'
import { datesBetween, isoUtc, londonDay, SLOT_MS, slotStarts } from '../../../lib/london-day.ts'
import { partitionForDate } from '../../../lib/partition.ts'
import type { DailyAggregate } from '../../../processors/join/types.ts'
import { tableChecksum } from '../../../sinks/checksum.ts'
import { replayTable } from '../../../sinks/replay.ts'
import type { SinkTarget } from '../../../sinks/index.ts'
import { configuredSources, topicIn, topology } from '../../../processors/topology.ts'
import { silentLog, uniqueName } from '../../helpers.ts'
import {
  captureLog, countsByDate, createTestEnvironment, expectedRows, readRaw, readTopic, seedDates, sinksCaughtUp, startPipelineChild,
  slotsOf, sortRows, startSampleServer, startSinks, tableRows, testPool, waitFor, waitForPipeline, type TestEnvironment
} from '../../pipeline.ts'
import type { Pool } from '../../../lib/db.ts'

const consumptionTarget = topology.findTarget('consumption') as SinkTarget
const generationMixTarget = topology.findTarget('generation_mix') as SinkTarget

// Issue 5: the COPY sinks, on a throwaway namespace and database per test. The whole pipeline
// runs as one child process (scripts/start.ts) against the sample API in this process.

const ALL = 'processors,join,sinks'
const SOURCE_TABLES = ['energy_usage.carbon_intensity', 'energy_usage.unit_rates', 'energy_usage.consumption', 'energy_usage.export_readings', 'energy_usage.gas_readings']

/** Asserts that every table holds exactly the rows its topic's latest records give. */
async function assertTablesEqualTopics (env: TestEnvironment, pool: Pool, targets: readonly SinkTarget[] = topology.sinkTargets): Promise<void> {
  for (const target of targets) {
    const messages = await readTopic<unknown>(env, topicIn(env.config, target.topic))
    assert.deepStrictEqual(await tableRows(pool, target), expectedRows(target, messages), `${target.spec.table} equals ${topicIn(env.config, target.topic)}`)
  }
}

/** Replays every table and asserts each rebuild has the checksum the table had. */
async function assertReplayKeepsChecksums (env: TestEnvironment, pool: Pool): Promise<void> {
  for (const target of topology.sinkTargets) {
    const before = await tableChecksum(pool, target.spec)
    const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, target)
    assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, before, `replay of ${target.name} reproduces its checksum`)
    // Every table has rows, but agreements without OCTOPUS_ACCOUNT (energy.account is empty then),
    // the forecast and the dispatch snapshots (their timer components do not run in these tests).
    if (target.name === 'forecast' || target.name === 'dispatches') continue
    // regional_intensity and dispatch_slots too when their source cannot run (no region, no account).
    const running = configuredSources(topology, env.config)
    const empty = (target.name === 'agreements' && env.config.octopusAccount === '') ||
      (target.name === 'regional_intensity' && !running.includes('regional')) || (target.name === 'dispatch_slots' && !running.includes('dispatches')) ||
      (target.name === 'billed' && !running.includes('billed'))
    assert.equal(replayed.rows > 0, !empty, `${target.name}: ${replayed.rows} rows`)
  }
}

function expectedCounts (dates: string[], perSlot = 1): Record<string, number> {
  return Object.fromEntries(dates.map(d => [d, londonDay(d).slots * perSlot]))
}

test('a week through the whole pipeline lands every slot once, daily_summary as the join computed it, and replay reproduces every table', async t => {
  const sample = await startSampleServer(t)
  // With the account, so every table has rows (agreements from energy.account among them).
  const env = await createTestEnvironment(t, 'sinks_week', sample, { OCTOPUS_ACCOUNT: 'A-1234ABCD' })
  const pool = testPool(t, env)
  const output = captureLog()
  startPipelineChild(t, env, ALL, output.stream)
  const dates = datesBetween('2024-10-24', '2024-10-30')
  await seedDates(env, dates[0], dates[dates.length - 1])
  await waitForPipeline(env, pool, dates)

  for (const table of SOURCE_TABLES) {
    assert.deepStrictEqual(await countsByDate(pool, table), expectedCounts(dates), `${table}: the slots of each day`)
  }
  assert.deepStrictEqual(Object.values(expectedCounts(dates)), [48, 48, 48, 50, 48, 48, 48])
  assert.deepStrictEqual(await countsByDate(pool, 'energy_usage.generation_mix'), expectedCounts(dates, 9), 'generation_mix: nine fuels per slot')
  // With the account, regional asks for the property's region (SW1A).
  assert.deepStrictEqual(await countsByDate(pool, 'energy_usage.regional_intensity'), expectedCounts(dates), 'regional_intensity: the slots of each day')
  const { rows: starts } = await pool.query<{ ms: number }>('SELECT (extract(epoch from slot_start) * 1000)::float8 AS ms FROM energy_usage.consumption ORDER BY 1')
  assert.deepStrictEqual(starts.map(r => r.ms), dates.flatMap(d => slotStarts(londonDay(d))), 'consumption holds exactly the slots of those days')

  // daily_summary: one row per date, equal to the completion topic's latest record per date.
  const { rows: days } = await pool.query<{ date: string, slots_expected: number, slots_joined: number, complete: boolean }>(
    "SELECT to_char(date, 'YYYY-MM-DD') AS date, slots_expected, slots_joined, complete FROM energy_usage.daily_summary ORDER BY date")
  assert.deepStrictEqual(days, dates.map(date => ({ date, slots_expected: londonDay(date).slots, slots_joined: londonDay(date).slots, complete: true })))
  const completion = await readTopic<DailyAggregate>(env, env.config.topics.completion)
  const latest = new Map(completion.map(m => [m.key, m.value as DailyAggregate]))
  assert.deepStrictEqual([...latest.keys()].sort(), dates)
  const { rows: figures } = await pool.query<Record<string, unknown>>(
    `SELECT to_char(date, 'YYYY-MM-DD') AS date, kwh, cost_inc_vat, cost_exc_vat, carbon_g, avg_intensity, mix, slots_expected, slots_joined, complete, forecast_slots,
      import_tariff_code, standing_charge_inc_vat, standing_charge_exc_vat, export_kwh, export_value, gas_kwh, gas_cost_inc_vat, gas_cost_exc_vat,
      gas_standing_charge_inc_vat, gas_standing_charge_exc_vat, gas_carbon_g, bill_inc_vat, carbon_g_regional, avg_intensity_regional,
      bill_complete, carbon_slots, missing_readings, dispatch_kwh, dispatch_saving, dispatch_note, billed_inc_vat, billed_difference, billed_other_statistics FROM energy_usage.daily_summary ORDER BY date`)
  assert.deepStrictEqual(figures, dates.map(date => {
    const { batches: _b, computed_at: _c, ...aggregate } = latest.get(date) as DailyAggregate
    return aggregate
  }), 'daily_summary figures are the join\'s, at full precision')
  // The pricing sink lands each slot's standing charge; the join's day has the first slot's.
  const { rows: charges } = await pool.query<{ date: string, inc: number, exc: number, slots: string }>(
    `SELECT to_char(local_date, 'YYYY-MM-DD') AS date, min(standing_charge_inc_vat) AS inc, min(standing_charge_exc_vat) AS exc, count(standing_charge_inc_vat) AS slots
     FROM energy_usage.unit_rates GROUP BY 1 ORDER BY 1`)
  assert.deepStrictEqual(charges, dates.map(date => {
    const day = latest.get(date) as DailyAggregate
    return { date, inc: day.standing_charge_inc_vat, exc: day.standing_charge_exc_vat, slots: String(londonDay(date).slots) }
  }), 'unit_rates: every slot with the standing charge of its day')

  await assertTablesEqualTopics(env, pool)
  await assertReplayKeepsChecksums(env, pool)
  await assertTablesEqualTopics(env, pool)
})

test('replay while the pipeline runs leaves consistent tables: each equals its topic and a fresh replay', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_replay', sample)
  const pool = testPool(t, env)
  const output = captureLog()
  startPipelineChild(t, env, ALL, output.stream, { SINK_BATCH_SIZE: '200' })
  const first = datesBetween('2024-10-01', '2024-10-07')
  await seedDates(env, first[0], first[first.length - 1])
  await waitForPipeline(env, pool, first)

  // Three more weeks arrive (each answer 100 ms late, so they take a while) while every table is
  // rebuilt, round after round, until they have all landed.
  sample.api.setFaults([{ source: '*', kind: 'slow', delayMs: 100 }])
  const more = datesBetween('2024-10-08', '2024-10-28')
  const dates = [...first, ...more]
  const landed = async (): Promise<number> => Number((await pool.query<{ n: string }>(
    `SELECT ${topology.sinkTargets.map(x => `(SELECT count(*) FROM ${x.spec.table})`).join(' + ')} AS n`)).rows[0].n)
  // Per slot: co2, nine mix rows, pricing, usage, export and gas (zeros without the account).
  const total = (slotsOf(dates) * (1 + 9 + 1 + 1 + 1 + 1)) + dates.length
  const seeding = seedDates(env, more[0], more[more.length - 1])
  const overlapped = new Set<string>()
  for (let round = 0; round === 0 || await landed() < total; round++) {
    assert.ok(round < 30, 'the new days land within 30 rounds of replays')
    for (const target of topology.sinkTargets) {
      const at = await landed()
      await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, target)
      if (await landed() !== at) overlapped.add(target.name)
    }
  }
  await seeding
  await waitForPipeline(env, pool, dates)
  t.diagnostic(`replays during which rows landed: ${[...overlapped].join(', ')}`)
  assert.ok(overlapped.size > 0, 'rows landed while a replay ran')
  const moved = output.lines().filter(l => l.msg === 'position moved (another instance or a replay), reloading it').map(l => l.sink)
  t.diagnostic(`sinks that found their position moved by a replay: ${moved.join(', ')}`)

  await assertTablesEqualTopics(env, pool)
  for (const table of SOURCE_TABLES) assert.deepStrictEqual(await countsByDate(pool, table), expectedCounts(dates), `${table}: the slots of each day`)
  await assertReplayKeepsChecksums(env, pool)
})

interface UsageRecord { local_date: string, slot_start: number, slot_end: number, batch_id: string, batch_size: number, consumption: number, meter_serial: string | null }

function usageRecord (start: number, kwh: number): UsageRecord {
  return { local_date: '2024-06-15', slot_start: start, slot_end: start + SLOT_MS, batch_id: 'test-batch', batch_size: 48, consumption: kwh, meter_serial: '21L0000001' }
}

type Outgoing = MessageToProduce<string, Buffer, string, string>

async function produce (env: TestEnvironment, messages: Outgoing[]): Promise<void> {
  const producer = createProducer(env.config, { clientId: uniqueName('test-producer') })
  try {
    await producer.send({ messages })
  } finally {
    await producer.close()
  }
}

test('poison records go to the dlq topic and the rows around them land; a tombstone deletes its row; replay agrees', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_poison', sample)
  const pool = testPool(t, env)
  const captured = captureLog()
  await startSinks(t, env, pool, [consumptionTarget, generationMixTarget] as SinkTarget[], captured.log)
  const usage = topicIn(env.config, 'energy.usage')
  const partition = partitionForDate('2024-06-15', 4)
  const starts = slotStarts(londonDay('2024-06-15'))
  const good = [0, 1, 2, 4].map(i => usageRecord(starts[i], 0.1 * (i + 1)))
  const random = randomBytes(32)
  random[0] = 0xff
  const co2 = await env.codec.encode(topicIn(env.config, 'energy.co2'), { local_date: '2024-06-15', slot_start: starts[2], slot_end: starts[2] + SLOT_MS, batch_id: 'b', batch_size: 48, forecast: 100, actual: 90, index: 'low' })
  const negative = await env.codec.encode(usage, usageRecord(starts[3], -0.5))
  const message = (key: string, value: Buffer): Outgoing => ({ topic: usage, partition, key, value })
  // One send: the sink takes them as one batch, so the good rows around each poison record share its batch.
  await produce(env, [
    message(isoUtc(starts[0]), await env.codec.encode(usage, good[0])),
    message(isoUtc(starts[1]), random),
    message(isoUtc(starts[1]), await env.codec.encode(usage, good[1])),
    message(isoUtc(starts[2]), co2),
    message(isoUtc(starts[2]), await env.codec.encode(usage, good[2])),
    message(isoUtc(starts[3]), negative),
    message(isoUtc(starts[4]), await env.codec.encode(usage, good[3]))
  ])
  await waitFor('the consumption sink', () => sinksCaughtUp(env, pool, [consumptionTarget as SinkTarget]), 20000, 200)

  assert.deepStrictEqual(await tableRows(pool, consumptionTarget as SinkTarget), good.map(r => consumptionTarget.toRows(r)[0]), 'the good records landed, the poison ones did not')
  const letters = await readRaw(env, env.config.topics.dlq, 'read_uncommitted')
  const summary = letters.map(m => ({ key: m.key, value: m.value, headers: Object.fromEntries(m.headers) }))
  const offsets = (await readRaw(env, usage)).map(m => String(m.offset))
  const expected = [[1, random], [3, co2], [5, negative]] as const
  for (const [i, value] of expected) {
    const found = summary.filter(s => s.headers['dlq.source.offset'] === offsets[i])
    assert.ok(found.length >= 1, `record at offset ${offsets[i]} is dead-lettered`)
    assert.deepStrictEqual(found[0].value, value, 'with its original bytes')
    assert.equal(found[0].key, isoUtc(starts[[1, 2, 3][expected.findIndex(e => e[0] === i)]]))
    assert.equal(found[0].headers['dlq.source.topic'], usage)
    assert.equal(found[0].headers['dlq.source.partition'], String(partition))
    assert.equal(found[0].headers['dlq.sink'], 'consumption')
  }
  const errorAt = (i: number): string => summary.find(s => s.headers['dlq.source.offset'] === offsets[i])?.headers['dlq.error'] ?? ''
  assert.equal(errorAt(1), 'ENERGY_DECODE: not Confluent-framed Avro (32 bytes, first byte 255)')
  assert.match(errorAt(3), new RegExp(`^ENERGY_DECODE: writer schema ${await env.codec.writerId(topicIn(env.config, 'energy.co2'))} cannot be read as ${usage.replaceAll('.', '\\.')}'s schema: `))
  assert.match(errorAt(5), /violates check constraint "consumption_kwh_check"/)

  // A tombstone deletes its row; on the mix table, all nine rows of the slot.
  await produce(env, [{ topic: usage, partition, key: isoUtc(starts[1]) }])
  const mix = topicIn(env.config, 'energy.mix')
  const fuels = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind'].map((fuel, i) => ({ fuel, perc: i === 0 ? 92 : 1 }))
  const mixRecord = (start: number): object => ({ local_date: '2024-06-15', slot_start: start, slot_end: start + SLOT_MS, batch_id: 'b', batch_size: 48, generationmix: fuels })
  await produce(env, await Promise.all([0, 1].map(async i => ({ topic: mix, partition, key: isoUtc(starts[i]), value: await env.codec.encode(mix, mixRecord(starts[i])) }))))
  await waitFor('the mix sink', () => sinksCaughtUp(env, pool, [generationMixTarget as SinkTarget]), 20000, 200)
  assert.equal((await pool.query('SELECT 1 FROM energy_usage.generation_mix')).rowCount, 18)
  await produce(env, [{ topic: mix, partition, key: isoUtc(starts[0]) }])
  await waitFor('the tombstones', () => sinksCaughtUp(env, pool, [consumptionTarget, generationMixTarget] as SinkTarget[]), 20000, 200)

  assert.deepStrictEqual(await tableRows(pool, consumptionTarget as SinkTarget), [good[0], good[2], good[3]].map(r => consumptionTarget.toRows(r)[0]), 'the tombstoned row is gone')
  assert.deepStrictEqual(await tableRows(pool, generationMixTarget as SinkTarget), sortRows(generationMixTarget as SinkTarget, generationMixTarget.toRows(mixRecord(starts[1]) as never)), 'the tombstoned slot lost its nine rows')

  // A rebuild applies the same tombstones and re-deliveries.
  const before = await tableChecksum(pool, generationMixTarget.spec)
  const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, generationMixTarget as SinkTarget)
  assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, before, 'replay of generation_mix')
  const errors = captured.lines().filter(l => Number(l.level) >= 50)
  assert.ok(errors.length >= 3 && errors.every(l => l.msg === 'record rejected, sent to energy.dlq'), 'one clear log line per rejected record, no other error')
})

test('replay skips the records the sink dead-lettered, a constraint violation included, and reproduces the checksum', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_replay_reject', sample)
  const pool = testPool(t, env)
  await startSinks(t, env, pool, [consumptionTarget as SinkTarget])
  const usage = topicIn(env.config, 'energy.usage')
  const partition = partitionForDate('2024-06-15', 4)
  const starts = slotStarts(londonDay('2024-06-15'))
  await produce(env, await Promise.all([0.1, -1, 0.3].map(async (kwh, i) => ({ topic: usage, partition, key: isoUtc(starts[i]), value: await env.codec.encode(usage, usageRecord(starts[i], kwh)) }))))
  await waitFor('the consumption sink', () => sinksCaughtUp(env, pool, [consumptionTarget as SinkTarget]), 20000, 200)
  const before = await tableChecksum(pool, consumptionTarget.spec)
  assert.equal(before.rows, 2)
  const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, consumptionTarget as SinkTarget)
  assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, before)
})

test('each poison record is dead-lettered once, even when its batch also holds a constraint violation', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_dlq_once', sample)
  const pool = testPool(t, env)
  await startSinks(t, env, pool, [consumptionTarget as SinkTarget])
  const usage = topicIn(env.config, 'energy.usage')
  const partition = partitionForDate('2024-06-15', 4)
  const starts = slotStarts(londonDay('2024-06-15'))
  const random = randomBytes(16)
  random[0] = 0xff
  await produce(env, [
    { topic: usage, partition, key: isoUtc(starts[0]), value: random },
    { topic: usage, partition, key: isoUtc(starts[1]), value: await env.codec.encode(usage, usageRecord(starts[1], 0.2)) },
    { topic: usage, partition, key: isoUtc(starts[2]), value: await env.codec.encode(usage, usageRecord(starts[2], -1)) },
    { topic: usage, partition, key: isoUtc(starts[3]), value: await env.codec.encode(usage, usageRecord(starts[3], 0.4)) }
  ])
  await waitFor('the consumption sink', () => sinksCaughtUp(env, pool, [consumptionTarget as SinkTarget]), 20000, 200)
  const letters = await readRaw(env, env.config.topics.dlq, 'read_uncommitted')
  assert.deepStrictEqual(letters.map(m => m.headers.get('dlq.source.offset')).sort(), ['0', '2'], 'one dead letter per poison record')
})
