import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { promisify } from 'node:util'
import avro from 'avsc'
import { loadLocalSchemas, SCHEMAS_DIR } from '../../../lib/avro.ts'
import { createProducer } from '../../../lib/kafka.ts'
import { isoUtc, londonDay, SLOT_MS, slotStarts } from '../../../lib/london-day.ts'
import { partitionForDate } from '../../../lib/partition.ts'
import { checkSchemas } from '../../../lib/schemas.ts'
import { valueSubject } from '../../../lib/topics.ts'
import { tableChecksum } from '../../../sinks/checksum.ts'
import { replayTable } from '../../../sinks/replay.ts'
import type { SinkTarget } from '../../../sinks/index.ts'
import { topicIn, topology } from '../../../processors/topology.ts'
import { NO_EXPORT_OR_GAS, silentLog, subjectVersions, testRegistry, uniqueName } from '../../helpers.ts'
import {
  createTestEnvironment, defer, readTopic, sinksCaughtUp, sortRows, startSampleServer, startSinks, tableRows, testPool, waitFor, type TestEnvironment
} from '../../pipeline.ts'

const consumptionTarget = topology.findTarget('consumption') as SinkTarget

// Issue 5, schema evolution: energy.usage-value version 1 had no meter_serial; version 2 (the
// current schemas/energy.usage.avsc) adds it with default null, and migration 002 adds the
// column. Records of both versions must land side by side and survive a replay.

const execFileAsync = promisify(execFile)
const ROOT = new URL('../../../', import.meta.url).pathname
const SERIAL = '21L0000001'

/** energy.usage.avsc as it was before meter_serial (git show c03c205^:schemas/energy.usage.avsc). */
const USAGE_V1 = {
  type: 'record',
  name: 'ConsumptionSlot',
  namespace: 'energy',
  doc: 'Metered electricity import for one half-hour. Key: slot start, ISO-8601 UTC.',
  fields: [
    { name: 'local_date', type: 'string' },
    { name: 'slot_start', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'slot_end', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'batch_id', type: 'string' },
    { name: 'batch_size', type: 'int' },
    { name: 'consumption', type: 'double', doc: 'kWh' }
  ]
}

/** Confluent wire format by hand: magic byte 0, 4-byte big-endian schema id, Avro body. */
function confluentFrame (id: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.writeUInt8(0, 0)
  header.writeInt32BE(id, 1)
  return Buffer.concat([header, body])
}

/**
 * An environment whose usage subject got v1 before setup registered v2, as in the real history:
 * the namespace is chosen here (createEnvironment takes it from `extra`), v1 registered under it,
 * then createEnvironment runs setup.
 */
async function evolvedEnvironment (t: TestContext, name: string): Promise<{ env: TestEnvironment, v1Id: number }> {
  const sample = await startSampleServer(t)
  const namespace = `${name}_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}.`
  const subject = valueSubject(`${namespace}energy.usage`)
  const registry = testRegistry()
  // Registered before the environment exists: removed here too in case setup fails.
  defer(t, () => registry.deleteSubject(subject))
  await registry.setCompatibility(subject, 'BACKWARD')
  const v1Id = await registry.register(subject, JSON.stringify(USAGE_V1))
  const env = await createTestEnvironment(t, name, sample, { PIPELINE_NAMESPACE: namespace })
  return { env, v1Id }
}

test('usage records written with schema v1 and v2 land side by side (meter_serial NULL for v1); replay across versions keeps them', async t => {
  const { env, v1Id } = await evolvedEnvironment(t, 'sinks_evolution')
  const usage = topicIn(env.config, 'energy.usage')
  const subject = valueSubject(usage)
  assert.deepStrictEqual(await subjectVersions(subject), [1, 2], 'setup registered v2 after v1')
  const latest = await testRegistry().latest(subject)
  assert.deepStrictEqual(JSON.parse(latest?.schema ?? '{}'), JSON.parse(loadLocalSchemas().get('energy.usage') as string), 'v2 is the latest version')
  const v2Id = await env.codec.writerId(usage)
  assert.notEqual(v2Id, v1Id)

  const pool = testPool(t, env)
  await startSinks(t, env, pool, [consumptionTarget as SinkTarget])

  // 2024-06-15 written by an old producer (v1), 2024-06-16 by the current one (v2); then one
  // 2024-06-15 slot re-delivered with v2, as a re-fetch after the upgrade does.
  const v1Type = avro.Type.forSchema(USAGE_V1 as avro.Schema)
  const record = (date: string, start: number, kwh: number): Record<string, unknown> =>
    ({ local_date: date, slot_start: start, slot_end: start + SLOT_MS, batch_id: `batch-${date}`, batch_size: londonDay(date).slots, consumption: kwh })
  const old = slotStarts(londonDay('2024-06-15')).map((start, i) => record('2024-06-15', start, 0.01 * i))
  const current = slotStarts(londonDay('2024-06-16')).map((start, i) => ({ ...record('2024-06-16', start, 0.02 * i), meter_serial: SERIAL }))
  const redelivered = { ...old[5], consumption: 1.5, batch_id: 'batch-refetch', meter_serial: SERIAL }
  const producer = createProducer(env.config, { clientId: uniqueName('test-producer') })
  try {
    const send = async (values: Array<Record<string, unknown>>, encode: (v: Record<string, unknown>) => Promise<Buffer> | Buffer): Promise<void> => {
      await producer.send({
        messages: await Promise.all(values.map(async v => ({
          topic: usage, partition: partitionForDate(v.local_date as string, 4), key: isoUtc(v.slot_start as number), value: await encode(v)
        })))
      })
    }
    await send(old, v => confluentFrame(v1Id, v1Type.toBuffer(v)))
    await send(current, v => env.codec.encode(usage, v))
    await send([redelivered], v => env.codec.encode(usage, v))
  } finally {
    await producer.close()
  }
  await waitFor('the consumption sink', () => sinksCaughtUp(env, pool, [consumptionTarget as SinkTarget]), 20000, 200)

  // The topic holds both versions; decoding resolves v1 to v2 with the default.
  const messages = await readTopic<Record<string, unknown>>(env, usage)
  assert.deepStrictEqual(new Set(messages.map(m => m.raw.value.readInt32BE(1))), new Set([v1Id, v2Id]))
  const expected = sortRows(consumptionTarget as SinkTarget, [
    ...old.map((v, i) => i === 5 ? redelivered : { ...v, meter_serial: null }),
    ...current
  ].map(v => consumptionTarget.toRows(v as never)[0]))
  assert.deepStrictEqual(await tableRows(pool, consumptionTarget as SinkTarget), expected, 'v1 rows with meter_serial NULL, v2 rows with the serial')
  const { rows } = await pool.query<{ date: string, with_serial: string, without: string }>(
    "SELECT to_char(local_date, 'YYYY-MM-DD') AS date, count(meter_serial) AS with_serial, count(*) - count(meter_serial) AS without FROM energy_usage.consumption GROUP BY 1 ORDER BY 1")
  assert.deepStrictEqual(rows, [{ date: '2024-06-15', with_serial: '1', without: '47' }, { date: '2024-06-16', with_serial: '48', without: '0' }])

  const before = await tableChecksum(pool, consumptionTarget.spec)
  const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, consumptionTarget as SinkTarget)
  assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, before, 'replay across versions gives the same checksum')
  assert.deepStrictEqual(await tableRows(pool, consumptionTarget as SinkTarget), expected, 'and the same rows')
})

// Issue 13: completion-value and energy.pricing-value version 2 add the standing charge and the
// bill columns (DESIGN.md "The account"), with defaults; migration 003 adds the columns.
// Version 1 of each is the current schema without the fields version 2 appended.

const PRICING_V2_FIELDS = ['standing_charge_exc_vat', 'standing_charge_inc_vat']
const COMPLETION_V2_FIELDS = [
  'import_tariff_code', 'standing_charge_inc_vat', 'standing_charge_exc_vat', 'export_kwh', 'export_value', 'gas_kwh', 'gas_cost_inc_vat',
  'gas_cost_exc_vat', 'gas_standing_charge_inc_vat', 'gas_standing_charge_exc_vat', 'gas_carbon_g', 'bill_inc_vat'
]
/** Version 3 of completion-value (issue 16): the regional figures, default null; migration 006 adds the columns. */
const COMPLETION_V3_FIELDS = ['carbon_g_regional', 'avg_intensity_regional']
/** Version 4 (issue 21, money never waits for carbon): carbon_g nullable (it was a double), and three fields; migration 008. */
const COMPLETION_V4_FIELDS = ['bill_complete', 'carbon_slots', 'missing_readings']
/** Version 5 (issue 23, Intelligent Octopus dispatches): defaults 0, 0, null; migration 011. */
const COMPLETION_V5_FIELDS = ['dispatch_kwh', 'dispatch_saving', 'dispatch_note']
/** Version 6 (issue 23, the bill as billed): defaults null, null, 0; migration 012. */
const COMPLETION_V6_FIELDS = ['billed_inc_vat', 'billed_difference', 'billed_other_statistics']

function versionOne (topic: string, added: string[]): { fields: Array<{ name: string, type?: unknown, default?: unknown }> } {
  const schema = JSON.parse(loadLocalSchemas().get(topic) as string) as { fields: Array<{ name: string, type?: unknown, default?: unknown }> }
  assert.deepStrictEqual(schema.fields.slice(-added.length).map(f => f.name), added, `${topic}: version 2 appended ${added.join(', ')}`)
  // Before version 4, carbon_g was a plain double: the registry takes the change to a nullable one as BACKWARD.
  const fields = schema.fields.slice(0, -added.length).map(f => topic === 'completion' && f.name === 'carbon_g' ? { name: f.name, type: 'double' } : f)
  return { ...schema, fields }
}

test('completion and unit rates written before the standing charge (v1) and after (v2) land side by side: NULL = unknown, 0 = no meter; replay keeps them', async t => {
  const sample = await startSampleServer(t)
  const namespace = `sinks_bill_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}.`
  const registry = testRegistry()
  const v1 = new Map([['completion', versionOne('completion', [...COMPLETION_V2_FIELDS, ...COMPLETION_V3_FIELDS, ...COMPLETION_V4_FIELDS, ...COMPLETION_V5_FIELDS, ...COMPLETION_V6_FIELDS])], ['energy.pricing', versionOne('energy.pricing', PRICING_V2_FIELDS)]])
  const v1Ids = new Map<string, number>()
  for (const [topic, schema] of v1) {
    const subject = valueSubject(`${namespace}${topic}`)
    defer(t, () => registry.deleteSubject(subject))
    await registry.setCompatibility(subject, 'BACKWARD')
    v1Ids.set(topic, await registry.register(subject, JSON.stringify(schema)))
  }
  const env = await createTestEnvironment(t, 'sinks_bill', sample, { PIPELINE_NAMESPACE: namespace })
  for (const topic of v1.keys()) assert.deepStrictEqual(await subjectVersions(valueSubject(topicIn(env.config, topic))), [1, 2], `${topic}: setup registered v2 after v1`)
  const targets = [topology.findTarget('daily_summary'), topology.findTarget('unit_rates')] as SinkTarget[]
  const pool = testPool(t, env)
  await startSinks(t, env, pool, targets)

  const completion = topicIn(env.config, 'completion')
  const pricing = topicIn(env.config, 'energy.pricing')
  const figures = { kwh: 10, cost_inc_vat: 250.5, cost_exc_vat: 238.5, carbon_g: 1500, avg_intensity: 150, mix: { gas: 40, wind: 60 } }
  const counts = { slots_expected: 48, slots_joined: 48, complete: true, forecast_slots: 0 }
  const day = (date: string): Record<string, unknown> => ({ date, ...figures, ...counts, batches: { pricing: `batch-${date}` }, computed_at: Date.UTC(2024, 5, 20) })
  const bill = {
    import_tariff_code: 'E-1R-AGILE-24-10-01-C',
    standing_charge_inc_vat: 52.5,
    standing_charge_exc_vat: 50,
    ...NO_EXPORT_OR_GAS,
    bill_inc_vat: 303
  }
  const rate = (date: string, start: number): Record<string, unknown> =>
    ({ local_date: date, slot_start: start, slot_end: start + SLOT_MS, batch_id: `batch-${date}`, batch_size: londonDay(date).slots, tariff_code: 'E-1R-AGILE-24-10-01-C', value_exc_vat: 20, value_inc_vat: 21 })
  const oldRates = slotStarts(londonDay('2024-06-15')).map(start => rate('2024-06-15', start))
  const newRates = slotStarts(londonDay('2024-06-16')).map(start => ({ ...rate('2024-06-16', start), standing_charge_exc_vat: 50, standing_charge_inc_vat: 52.5 }))
  const producer = createProducer(env.config, { clientId: uniqueName('test-producer') })
  try {
    const send = async (topic: string, values: Array<Record<string, unknown>>, encode: (v: Record<string, unknown>) => Promise<Buffer> | Buffer): Promise<void> => {
      await producer.send({
        messages: await Promise.all(values.map(async v => {
          const date = (v.local_date ?? v.date) as string
          return { topic, partition: partitionForDate(date, 4), key: v.slot_start === undefined ? date : isoUtc(v.slot_start as number), value: await encode(v) }
        }))
      })
    }
    const v1Encoder = (topic: string) => {
      const type = avro.Type.forSchema(v1.get(topic) as avro.Schema)
      return (v: Record<string, unknown>): Buffer => confluentFrame(v1Ids.get(topic) as number, type.toBuffer(v))
    }
    await send(completion, [day('2024-06-15')], v1Encoder('completion'))
    await send(completion, [{ ...day('2024-06-16'), ...bill, carbon_g_regional: 1425.5, avg_intensity_regional: 142.55 }], v => env.codec.encode(completion, v))
    await send(pricing, oldRates, v1Encoder('energy.pricing'))
    await send(pricing, newRates, v => env.codec.encode(pricing, v))
  } finally {
    await producer.close()
  }
  await waitFor('the daily_summary and unit_rates sinks', () => sinksCaughtUp(env, pool, targets), 20000, 200)

  const { rows } = await pool.query(`SELECT to_char(date, 'YYYY-MM-DD') AS date, cost_inc_vat, import_tariff_code, standing_charge_inc_vat, standing_charge_exc_vat,
    export_kwh, export_value, gas_kwh, gas_cost_inc_vat, gas_cost_exc_vat, gas_standing_charge_inc_vat, gas_standing_charge_exc_vat, gas_carbon_g, bill_inc_vat
    FROM energy_usage.daily_summary ORDER BY date`)
  const noMeter = { export_kwh: 0, export_value: 0, gas_kwh: 0, gas_cost_inc_vat: 0, gas_cost_exc_vat: 0, gas_standing_charge_inc_vat: 0, gas_standing_charge_exc_vat: 0, gas_carbon_g: 0 }
  assert.deepStrictEqual(rows, [
    { date: '2024-06-15', cost_inc_vat: 250.5, import_tariff_code: null, standing_charge_inc_vat: null, standing_charge_exc_vat: null, ...noMeter, bill_inc_vat: null },
    { date: '2024-06-16', cost_inc_vat: 250.5, ...bill }
  ], 'v1: standing charge, tariff and bill unknown (NULL), export and gas 0; v2: as written')
  const { rows: regional } = await pool.query("SELECT to_char(date, 'YYYY-MM-DD') AS date, carbon_g_regional, avg_intensity_regional FROM energy_usage.daily_summary ORDER BY date")
  assert.deepStrictEqual(regional, [
    { date: '2024-06-15', carbon_g_regional: null, avg_intensity_regional: null },
    { date: '2024-06-16', carbon_g_regional: 1425.5, avg_intensity_regional: 142.55 }
  ], 'v1: no regional data (NULL); v3: as written')
  const { rows: v4 } = await pool.query("SELECT to_char(date, 'YYYY-MM-DD') AS date, carbon_g, bill_complete, carbon_slots, missing_readings FROM energy_usage.daily_summary ORDER BY date")
  assert.deepStrictEqual(v4, [
    { date: '2024-06-15', carbon_g: 1500, bill_complete: false, carbon_slots: null, missing_readings: [] },
    { date: '2024-06-16', carbon_g: 1500, bill_complete: false, carbon_slots: null, missing_readings: [] }
  ], 'v1 and v3 records read with version 4\'s defaults: bill_complete false, carbon_slots unknown')
  const { rows: rates } = await pool.query<{ date: string, with_charge: string, without: string }>(
    "SELECT to_char(local_date, 'YYYY-MM-DD') AS date, count(standing_charge_inc_vat) AS with_charge, count(*) - count(standing_charge_exc_vat) AS without FROM energy_usage.unit_rates GROUP BY 1 ORDER BY 1")
  assert.deepStrictEqual(rates, [{ date: '2024-06-15', with_charge: '0', without: '48' }, { date: '2024-06-16', with_charge: '48', without: '0' }])

  for (const target of targets) {
    const before = await tableChecksum(pool, target.spec)
    const replayed = await replayTable({ config: env.config, codec: env.codec, pool, log: silentLog }, target)
    assert.deepStrictEqual({ table: replayed.table, rows: replayed.rows, md5: replayed.md5 }, before, `${target.name}: replay across versions gives the same checksum`)
  }
})

/** A copy of schemas/ with two breaking changes: usage's consumption becomes a string, co2 gains a field without a default. */
function brokenSchemasDir (t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'energy-schemas-'))
  defer(t, () => rmSync(dir, { recursive: true, force: true }))
  cpSync(SCHEMAS_DIR, dir, { recursive: true })
  const usage = JSON.parse(readFileSync(join(dir, 'energy.usage.avsc'), 'utf8')) as { fields: Array<{ name: string, type: unknown }> }
  for (const f of usage.fields) if (f.name === 'consumption') f.type = 'string'
  writeFileSync(join(dir, 'energy.usage.avsc'), JSON.stringify(usage, null, 2))
  const co2 = JSON.parse(readFileSync(join(dir, 'energy.co2.avsc'), 'utf8')) as { fields: Array<{ name: string, type: unknown }> }
  co2.fields.push({ name: 'region', type: 'string' })
  writeFileSync(join(dir, 'energy.co2.avsc'), JSON.stringify(co2, null, 2))
  return dir
}

const USAGE_BREAKING = 'field "consumption" changed type from "double" to "string", which cannot be read from the old data'
const CO2_BREAKING = 'field "region" was added without a default'

test('schemas check (lib): a deliberately broken copy is breaking, naming the fields; nothing is registered', async t => {
  const { env } = await evolvedEnvironment(t, 'sinks_check')
  const dir = brokenSchemasDir(t)
  const ns = env.config.namespace
  const checks = await checkSchemas(testRegistry(), loadLocalSchemas(dir), ns)
  assert.deepStrictEqual(checks, [...loadLocalSchemas(dir).keys()].map(topic => ({
    subject: valueSubject(ns + topic),
    status: topic === 'energy.usage' || topic === 'energy.co2' ? 'breaking' : 'registered',
    reasons: topic === 'energy.usage' ? [USAGE_BREAKING] : topic === 'energy.co2' ? [CO2_BREAKING] : []
  })))
  assert.deepStrictEqual(await subjectVersions(valueSubject(`${ns}energy.usage`)), [1, 2], 'nothing registered')
  assert.deepStrictEqual(await subjectVersions(valueSubject(`${ns}energy.co2`)), [1])
})

async function schemasCli (env: TestEnvironment, args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['scripts/schemas.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env.env }, timeout: 30000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

test('`schemas check --dir <broken copy>` exits 1 and prints breaking with the field named', async t => {
  const { env } = await evolvedEnvironment(t, 'sinks_cli')
  const { code, stdout } = await schemasCli(env, ['check', '--dir', brokenSchemasDir(t)])
  t.diagnostic(stdout.trim())
  assert.equal(code, 1)
  assert.match(stdout, /^\S*energy\.usage-value\s+breaking: field "consumption" changed type from "double" to "string"/m)
  assert.match(stdout, /^\S*energy\.co2-value\s+breaking: field "region" was added without a default/m)
})

test('`schemas check` compares with the subjects of PIPELINE_NAMESPACE', async t => {
  const { env } = await evolvedEnvironment(t, 'sinks_cli_ns')
  const ns = env.config.namespace
  const { code, stdout } = await schemasCli(env, ['check', '--dir', brokenSchemasDir(t)])
  assert.equal(code, 1)
  const lines = stdout.trim().split('\n')
  assert.deepStrictEqual(lines.map(l => l.split(/\s+/)[0]).sort(), [...loadLocalSchemas().keys()].map(topic => valueSubject(ns + topic)).sort())
  assert.ok(lines.includes(`${valueSubject(`${ns}energy.usage`).padEnd(28)} breaking: ${USAGE_BREAKING}`), stdout)
})
