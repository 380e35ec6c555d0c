import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { isoUtc, londonDay, SLOT_MS, slotStarts } from '../../../lib/london-day.ts'
import { partitionForDate } from '../../../lib/partition.ts'
import type { DailyAggregate } from '../../../processors/join/types.ts'
import { topicIn, topology } from '../../../processors/topology.ts'
import { tableChecksum } from '../../../sinks/checksum.ts'
import type { SinkTarget } from '../../../sinks/index.ts'
import { replayTable } from '../../../sinks/replay.ts'
import { NO_BILLED, NO_DISPATCHES, produceMessages, silentLog, type TestMessage } from '../../helpers.ts'
import {
  captureLog, createTestEnvironment, readRaw, sinksCaughtUp, sortRows, startSampleServer, startSinks, tableRows, testPool,
  waitFor, type CapturedLog, type TestEnvironment
} from '../../pipeline.ts'
import type { Pool } from '../../../lib/db.ts'

// Issue "Hostile upstream answers", item 2: a record whose values Postgres refuses for any
// reason retrying cannot fix (a NUL byte in text, \u0000 in jsonb, a fuel listed twice) is
// narrowed down and dead-lettered with its SQLSTATE; the records around it and after it land.
// A table-level error (a missing table) dead-letters nothing and is resumed once put right.

const mixTarget = topology.findTarget('generation_mix') as SinkTarget
const summaryTarget = topology.findTarget('daily_summary') as SinkTarget
const consumptionTarget = topology.findTarget('consumption') as SinkTarget
const DATE = '2024-06-15'
const FUELS = ['biomass', 'coal', 'imports', 'gas', 'nuclear', 'other', 'hydro', 'solar', 'wind']

interface MixRecord { local_date: string, slot_start: number, slot_end: number, batch_id: string, batch_size: number, generationmix: Array<{ fuel: string, perc: number }> }

function mixRecord (start: number, fuels: string[] = FUELS): MixRecord {
  return { local_date: DATE, slot_start: start, slot_end: start + SLOT_MS, batch_id: 'hostile', batch_size: 48, generationmix: fuels.map((fuel, i) => ({ fuel, perc: i + 1 })) }
}

function aggregate (date: string, mix: Record<string, number> = { gas: 40, wind: 60 }): DailyAggregate {
  const figures = { kwh: 7.5, cost_inc_vat: 180.25, cost_exc_vat: 171.67, carbon_g: 1500, avg_intensity: 200 }
  const counts = { slots_expected: 48, slots_joined: 48, complete: true, forecast_slots: 0, bill_complete: true, carbon_slots: 48, missing_readings: [] }
  const standing = { import_tariff_code: 'E-1R-AGILE-24-10-01-C', standing_charge_inc_vat: 52.5, standing_charge_exc_vat: 50, bill_inc_vat: 232.75 }
  const noMeter = { export_kwh: 0, export_value: 0, gas_kwh: 0, gas_cost_inc_vat: 0, gas_cost_exc_vat: 0, gas_standing_charge_inc_vat: 0, gas_standing_charge_exc_vat: 0, gas_carbon_g: 0 }
  const bill = { ...standing, ...noMeter, carbon_g_regional: null, avg_intensity_regional: null }
  return { date, ...figures, mix, ...counts, batches: { co2: 'b' }, computed_at: Date.UTC(2024, 5, 20), ...bill }
}

interface Letter { offset: string, sqlstate: string | undefined, error: string, sink: string | undefined, value: Buffer | undefined }

async function lettersFrom (env: TestEnvironment, topic: string): Promise<Letter[]> {
  const letters = await readRaw(env, env.config.topics.dlq, 'read_uncommitted')
  return letters.filter(m => m.headers.get('dlq.source.topic') === topic).map(m => ({
    offset: m.headers.get('dlq.source.offset') ?? '',
    sqlstate: m.headers.get('dlq.error.sqlstate'),
    error: m.headers.get('dlq.error') ?? '',
    sink: m.headers.get('dlq.sink'),
    value: m.value ?? undefined
  })).sort((a, b) => Number(a.offset) - Number(b.offset))
}

async function landAll (env: TestEnvironment, pool: Pool, target: SinkTarget): Promise<void> {
  await waitFor(`the ${target.name} sink`, () => sinksCaughtUp(env, pool, [target]), 30000, 200)
}

/** Every error-level line is a rejected record: nothing was retried, no session restarted. */
function assertOnlyRejections (t: TestContext, captured: CapturedLog, rejections: number): void {
  const errors = captured.lines().filter(l => Number(l.level) >= 50)
  t.diagnostic(errors.map(l => `${String(l.msg)}: ${String(l.err)}`).join('\n'))
  assert.deepStrictEqual(errors.map(l => l.msg), Array(rejections).fill('record rejected, sent to energy.dlq'))
}

test('a mix record with U+0000 in a fuel name, or a fuel listed twice, is dead-lettered once with its SQLSTATE; the others land, and so do later ones', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_hostile_mix', sample)
  const pool = testPool(t, env)
  const captured = captureLog()
  await startSinks(t, env, pool, [mixTarget], captured.log)
  const mix = topicIn(env.config, mixTarget.topic)
  const partition = partitionForDate(DATE, env.config.topicPartitions)
  const starts = slotStarts(londonDay(DATE))
  const nul = mixRecord(starts[1], FUELS.map(f => f === 'gas' ? 'ga\u0000s' : f))
  const twice = mixRecord(starts[3], [...FUELS, 'wind'])
  const records = [mixRecord(starts[0]), nul, mixRecord(starts[2]), twice, mixRecord(starts[4])]
  const message = async (r: MixRecord): Promise<TestMessage> => ({ key: isoUtc(r.slot_start), value: await env.codec.encode(mix, r), partition })
  // One send: the sink takes them as one batch, which halving narrows down.
  await produceMessages(mix, await Promise.all(records.map(message)), env.config)
  await landAll(env, pool, mixTarget)
  const later = mixRecord(starts[5])
  await produceMessages(mix, [await message(later)], env.config)
  await landAll(env, pool, mixTarget)

  const good = [records[0], records[2], records[4], later]
  assert.deepStrictEqual(await tableRows(pool, mixTarget), sortRows(mixTarget, good.flatMap(r => mixTarget.toRows(r))), 'the good records landed, before and after the bad ones')
  const offsets = (await readRaw(env, mix)).map(m => String(m.offset))
  const letters = await lettersFrom(env, mix)
  assert.deepStrictEqual(letters.map(({ error: _e, ...l }) => l), [
    { offset: offsets[1], sqlstate: '22021', sink: 'generation_mix', value: await env.codec.encode(mix, nul) },
    { offset: offsets[3], sqlstate: '21000', sink: 'generation_mix', value: await env.codec.encode(mix, twice) }
  ], 'each bad record dead-lettered once, with its bytes and SQLSTATE')
  assert.match(letters[0].error, /^SQLSTATE 22021: invalid byte sequence for encoding "UTF8": 0x00; where: COPY staging_energy_usage_generation_mix, line \d+, column fuel$/)
  assert.equal(letters[1].error, 'SQLSTATE 21000: ON CONFLICT DO UPDATE command cannot affect row a second time')
  assertOnlyRejections(t, captured, 2)

  // A replay meets the same records and skips them as the sink did.
  const before = await tableChecksum(pool, mixTarget.spec)
  const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, mixTarget)
  assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, before, 'replay of generation_mix reproduces its checksum')
})

test('a completion record whose mix has a key with U+0000 is dead-lettered once with SQLSTATE 22P05; the other days land, and so do later ones', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_hostile_summary', sample)
  const pool = testPool(t, env)
  const captured = captureLog()
  await startSinks(t, env, pool, [summaryTarget], captured.log)
  const completion = topicIn(env.config, summaryTarget.topic)
  const dates = ['2024-06-14', '2024-06-15', '2024-06-16']
  const bad = aggregate(dates[1], { gas: 40, 'wi\u0000nd': 60 })
  const records = [aggregate(dates[0]), bad, aggregate(dates[2])]
  const message = async (a: DailyAggregate): Promise<TestMessage> => ({ key: a.date, value: await env.codec.encode(completion, a), partition: partitionForDate(a.date, env.config.topicPartitions) })
  // One partition for all, so that they share a batch: the partition of the bad day.
  const partition = partitionForDate(dates[1], env.config.topicPartitions)
  await produceMessages(completion, (await Promise.all(records.map(message))).map(m => ({ ...m, partition })), env.config)
  await landAll(env, pool, summaryTarget)
  const later = aggregate('2024-06-17')
  await produceMessages(completion, [{ ...await message(later), partition }], env.config)
  await landAll(env, pool, summaryTarget)

  // As decoded: the fields the sources add (dispatches) at their Avro defaults.
  const expected = [records[0], records[2], later].flatMap(a => summaryTarget.toRows({ ...a, ...NO_DISPATCHES, ...NO_BILLED })).map(row => row.map((v, i) => summaryTarget.spec.types[i] === 'jsonb' ? JSON.parse(v as string) : v))
  assert.deepStrictEqual(await tableRows(pool, summaryTarget), sortRows(summaryTarget, expected), 'the other days landed, before and after the bad one')
  const offsets = (await readRaw(env, completion)).filter(m => m.partition === partition).map(m => String(m.offset))
  const letters = await lettersFrom(env, completion)
  assert.deepStrictEqual(letters.map(({ error: _e, ...l }) => l), [
    { offset: offsets[1], sqlstate: '22P05', sink: 'daily_summary', value: await env.codec.encode(completion, bad) }
  ], 'the bad day dead-lettered once, with its bytes and SQLSTATE')
  assert.match(letters[0].error, /^SQLSTATE 22P05: unsupported Unicode escape sequence; detail: \\u0000 cannot be converted to text\.; where: JSON data, line 1: .* \/ COPY staging_energy_usage_daily_summary, line \d+, column mix$/)
  assertOnlyRejections(t, captured, 1)

  const before = await tableChecksum(pool, summaryTarget.spec)
  const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, summaryTarget)
  assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, before, 'replay of daily_summary reproduces its checksum')
})

test('a missing table (42P01) dead-letters nothing: the sink restarts its session until the table is there, then lands every record', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'sinks_hostile_table', sample)
  const pool = testPool(t, env)
  const captured = captureLog()
  const table = 'energy_usage.consumption_elsewhere'
  const target: SinkTarget = { ...consumptionTarget, name: 'consumption_elsewhere', spec: { ...consumptionTarget.spec, table } }
  await startSinks(t, env, pool, [target], captured.log)
  const usage = topicIn(env.config, target.topic)
  const partition = partitionForDate(DATE, env.config.topicPartitions)
  const starts = slotStarts(londonDay(DATE))
  const records = [0, 1, 2].map(i => ({ local_date: DATE, slot_start: starts[i], slot_end: starts[i] + SLOT_MS, batch_id: 'b', batch_size: 48, consumption: 0.1 * (i + 1), meter_serial: null }))
  await produceMessages(usage, await Promise.all(records.map(async r => ({ key: isoUtc(r.slot_start), value: await env.codec.encode(usage, r), partition }))), env.config)

  const restarts = (): Array<Record<string, unknown>> => captured.lines().filter(l => String(l.msg).startsWith('sink consumption_elsewhere failed, restarting from committed positions'))
  await waitFor('two session restarts', async () => restarts().length >= 2, 30000, 100)
  assert.match(String(restarts()[0].msg), /relation "energy_usage\.consumption_elsewhere" does not exist$/)
  assert.equal((restarts()[0].err as { code?: string }).code, '42P01')
  assert.deepStrictEqual(await lettersFrom(env, usage), [], 'no record dead-lettered for a table error')
  assert.ok(!captured.lines().some(l => l.msg === 'batch did not land in Postgres, retrying'), 'not retried as a transient error')

  await pool.query(`CREATE TABLE ${table} (LIKE energy_usage.consumption INCLUDING ALL)`)
  await landAll(env, pool, target)
  assert.deepStrictEqual(await tableRows(pool, target), records.map(r => target.toRows(r)[0]), 'every record landed once the table was there')
  assert.deepStrictEqual(await lettersFrom(env, usage), [])
})
