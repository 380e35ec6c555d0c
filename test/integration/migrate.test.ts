import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { test } from 'node:test'
import pg from 'pg'
import { migrate, SQL_DIR } from '../../lib/migrate.ts'
import { connectTestDatabase, createTestDatabase, silentLog } from '../helpers.ts'

// The Postgres contract (DESIGN.md "Postgres"): schema energy_usage, daily_summary with its
// contract columns, one table per source keyed by slot_start (mix by slot and fuel) with
// local_date, and sink_offsets keyed by (sink, topic, partition).

const ALL_VERSIONS = readdirSync(SQL_DIR).filter(f => /^\d+_.*\.sql$/.test(f)).sort().map(f => f.slice(0, -'.sql'.length))

/** column name -> data type, for one table of energy_usage. */
async function columns (client: pg.Client, table: string): Promise<Record<string, string>> {
  const { rows } = await client.query<{ column_name: string, data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'energy_usage' AND table_name = $1 ORDER BY ordinal_position`, [table])
  return Object.fromEntries(rows.map(r => [r.column_name, r.data_type]))
}

async function primaryKey (client: pg.Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey, a.attnum)`, [`energy_usage.${table}`])
  return rows.map(r => r.attname)
}

/** Asserts that `actual` has every contract column with its type (extra columns are allowed). */
function assertHasColumns (actual: Record<string, string>, contract: Record<string, string>, table: string): void {
  const picked = Object.fromEntries(Object.keys(contract).map(c => [c, actual[c]]))
  assert.deepStrictEqual(picked, contract, `contract columns of ${table}`)
}

test('migrations create every contract table on an empty database, and a second run applies nothing', async t => {
  const url = await createTestDatabase(t)
  const client = await connectTestDatabase(t, url)

  assert.ok(ALL_VERSIONS.length > 0)
  assert.deepStrictEqual(await migrate(client, silentLog), ALL_VERSIONS)

  const { rows: tables } = await client.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = \'energy_usage\' AND table_type = \'BASE TABLE\'')
  const names = tables.map(r => r.table_name)
  for (const table of ['daily_summary', 'carbon_intensity', 'generation_mix', 'unit_rates', 'consumption', 'sink_offsets', 'schema_migrations']) {
    assert.ok(names.includes(table), `energy_usage.${table} exists (found ${names.sort().join(', ')})`)
  }

  assertHasColumns(await columns(client, 'daily_summary'), {
    date: 'date',
    kwh: 'double precision',
    cost_inc_vat: 'double precision',
    cost_exc_vat: 'double precision',
    carbon_g: 'double precision',
    avg_intensity: 'double precision',
    mix: 'jsonb',
    slots_expected: 'smallint',
    slots_joined: 'smallint',
    complete: 'boolean',
    updated_at: 'timestamp with time zone'
  }, 'daily_summary')
  assert.deepStrictEqual(await primaryKey(client, 'daily_summary'), ['date'])

  for (const table of ['carbon_intensity', 'unit_rates', 'consumption']) {
    assertHasColumns(await columns(client, table), {
      slot_start: 'timestamp with time zone',
      slot_end: 'timestamp with time zone',
      local_date: 'date'
    }, table)
    assert.deepStrictEqual(await primaryKey(client, table), ['slot_start'], `primary key of ${table}`)
  }
  assertHasColumns(await columns(client, 'generation_mix'), {
    slot_start: 'timestamp with time zone', fuel: 'text', perc: 'double precision', local_date: 'date'
  }, 'generation_mix')
  assert.deepStrictEqual(await primaryKey(client, 'generation_mix'), ['slot_start', 'fuel'])
  assertHasColumns(await columns(client, 'carbon_intensity'), { forecast: 'integer', actual: 'integer' }, 'carbon_intensity')
  assertHasColumns(await columns(client, 'unit_rates'), { value_exc_vat: 'double precision', value_inc_vat: 'double precision' }, 'unit_rates')
  assertHasColumns(await columns(client, 'consumption'), { kwh: 'double precision' }, 'consumption')

  assertHasColumns(await columns(client, 'sink_offsets'), {
    sink: 'text', topic: 'text', partition: 'integer', next_offset: 'bigint'
  }, 'sink_offsets')
  assert.deepStrictEqual(await primaryKey(client, 'sink_offsets'), ['sink', 'topic', 'partition'])

  // Second run: nothing to apply, bookkeeping unchanged.
  assert.deepStrictEqual(await migrate(client, silentLog), [])
  const { rows: done } = await client.query<{ version: string }>('SELECT version FROM energy_usage.schema_migrations ORDER BY version')
  assert.deepStrictEqual(done.map(r => r.version), ALL_VERSIONS)
})

test('the migration files themselves are idempotent: re-applying them over existing tables succeeds', async t => {
  const url = await createTestDatabase(t, { migrate: true })
  const client = await connectTestDatabase(t, url)
  await client.query('INSERT INTO energy_usage.sink_offsets (sink, topic, partition, next_offset) VALUES (\'test\', \'energy.co2\', 0, 42)')
  await client.query('DELETE FROM energy_usage.schema_migrations')
  assert.deepStrictEqual(await migrate(client, silentLog), ALL_VERSIONS)
  const { rows } = await client.query('SELECT sink, topic, partition, next_offset FROM energy_usage.sink_offsets')
  assert.deepStrictEqual(rows, [{ sink: 'test', topic: 'energy.co2', partition: 0, next_offset: '42' }])
})

test('daily_summary refuses a slot count other than 46, 48 or 50', async t => {
  const url = await createTestDatabase(t, { migrate: true })
  const client = await connectTestDatabase(t, url)
  await assert.rejects(client.query(
    `INSERT INTO energy_usage.daily_summary (date, kwh, cost_inc_vat, cost_exc_vat, carbon_g, mix, slots_expected, slots_joined, complete)
     VALUES ('2024-06-15', 1, 1, 1, 1, '{}', 47, 47, true)`), { code: '23514', constraint: 'daily_summary_slots_expected_check' })
})
