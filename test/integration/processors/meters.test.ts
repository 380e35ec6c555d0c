import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seed } from '../../../processors/ingest/seed.ts'
import { silentLog } from '../../helpers.ts'
import {
  createTestEnvironment, readRaw, startPipeline, startSampleServer, testPool, waitFor
} from '../../pipeline.ts'
import { ACCOUNT, expectedDay, FIGURES } from './expected-bill.ts'

// Issue 14, every meter of the account: solar export, gas (m³), a two-rate tariff at the
// previous property, a meter exchange, a move. Each day's figures are computed here from the
// sample API's answers alone (the account, every meter's readings, every tariff's rates), with
// this file's own reading of which meter point, meter and agreement is in force at each slot.

test('every meter of the account: export, gas, a two-rate tariff, a meter exchange and a move, each day as the API answers give it; a failing gas API leaves its day incomplete', async t => {
  const sample = await startSampleServer(t)
  const env = await createTestEnvironment(t, 'meters', sample, { OCTOPUS_ACCOUNT: ACCOUNT, HTTP_RETRIES: '0' })
  const pool = testPool(t, env)
  await startPipeline(t, env, pool)

  // 46, 48, 50 slots (export on Outgoing Fixed, then Agile Outgoing from 2024-10-01); the meter
  // exchange; Economy 7 at the previous property on 46, 48 and 50 slots (no export, no gas), its
  // last day and the first at the current one, all before the Carbon Intensity history (from
  // 2017-09-26): billed without carbon; and a day whose gas meter's API refuses.
  const complete = ['2024-03-31', '2024-06-15', '2024-10-27', '2019-03-14']
  const billed = ['2015-03-29', '2015-06-15', '2015-10-25', '2015-12-31', '2016-01-01']
  const failing = '2024-06-16'
  sample.api.setFaults([{ source: 'gas', date: failing, kind: '401' }])
  for (const date of [...complete, ...billed, failing]) await seed({ config: env.config, codec: env.codec, log: silentLog }, { from: date, to: date })
  const summary = async (): Promise<Map<string, Record<string, unknown>>> => new Map((await pool.query(
    `SELECT to_char(date, 'YYYY-MM-DD') AS date, ${FIGURES.join(', ')}, slots_expected, slots_joined, complete, bill_complete, carbon_g, carbon_slots, missing_readings
     FROM energy_usage.daily_summary`)).rows.map(r => [r.date as string, r]))
  await waitFor('every day in daily_summary, complete but the failing one, the days before the carbon history billed', async () => {
    const rows = await summary()
    return complete.every(d => rows.get(d)?.complete === true) && billed.every(d => rows.get(d)?.bill_complete === true) && rows.has(failing)
  }, 90000)
  sample.api.setFaults([])

  const rows = await summary()
  // Money never waits for carbon: the days before the history are billed, carbon null, incomplete.
  assert.deepStrictEqual(billed.map(d => [d, rows.get(d)?.carbon_g, rows.get(d)?.carbon_slots, rows.get(d)?.complete, rows.get(d)?.missing_readings]),
    billed.map(d => [d, null, 0, false, []]))
  for (const date of [...complete, ...billed]) {
    const row = rows.get(date) as Record<string, unknown>
    assert.deepStrictEqual(Object.fromEntries(FIGURES.map(k => [k, row[k]])), await expectedDay(sample, date), date)
  }
  // In words: export and gas show where the meters are, zeros where they are not.
  const get = (date: string, field: string): unknown => rows.get(date)?.[field]
  assert.ok((get('2024-06-15', 'export_kwh') as number) > 0 && (get('2024-06-15', 'gas_kwh') as number) > 0)
  assert.deepStrictEqual(['2015-06-15', '2015-12-31'].map(d => [get(d, 'export_kwh'), get(d, 'gas_kwh'), get(d, 'gas_standing_charge_inc_vat')]), [[0, 0, 0], [0, 0, 0]])
  assert.deepStrictEqual(['2015-06-15', '2016-01-01'].map(d => get(d, 'import_tariff_code')), ['E-2R-VAR-13-06-01-N', 'E-1R-VAR-16-01-01-C'])
  assert.deepStrictEqual(['2024-03-31', '2024-06-15', '2024-10-27', '2015-03-29', '2015-10-25'].map(d => get(d, 'slots_expected')), [46, 48, 50, 46, 50])

  // Smart-meter Economy 7: the night register's rate from 00:30 to 07:30 UTC (01:30-08:30 on
  // this BST day's London clock), the day's otherwise.
  const e7 = await pool.query<{ night: boolean, rates: string }>(`SELECT (to_char(slot_start AT TIME ZONE 'UTC', 'HH24:MI') >= '00:30'
      AND to_char(slot_start AT TIME ZONE 'UTC', 'HH24:MI') < '07:30') AS night, count(DISTINCT value_inc_vat) AS rates
    FROM energy_usage.unit_rates WHERE local_date = '2015-06-15' GROUP BY 1 ORDER BY 1`)
  assert.deepStrictEqual(e7.rows.map(r => [r.night, Number(r.rates)]), [[false, 1], [true, 1]])

  // The exchange: each slot counted once, from the first meter listed that read it.
  const exchange = await pool.query<{ meter_serial: string, first: string, last: string, n: string }>(`SELECT meter_serial,
      min(to_char(slot_start AT TIME ZONE 'Europe/London', 'HH24:MI')) AS first, max(to_char(slot_start AT TIME ZONE 'Europe/London', 'HH24:MI')) AS last, count(*) AS n
    FROM energy_usage.consumption WHERE local_date = '2019-03-14' GROUP BY 1 ORDER BY 2`)
  assert.deepStrictEqual(exchange.rows.map(r => [r.meter_serial, r.first, r.last, Number(r.n)]), [['19E0000001', '00:00', '09:30', 20], ['21L0000001', '10:00', '23:30', 28]])

  // The failing gas API: the day's electricity and export as for any day, its gas 0, incomplete,
  // and gas's dead letter says why.
  const expected = await expectedDay(sample, failing)
  assert.deepStrictEqual([get(failing, 'kwh'), get(failing, 'cost_inc_vat'), get(failing, 'export_value'), get(failing, 'gas_kwh'), get(failing, 'slots_joined'), get(failing, 'complete')],
    [expected.kwh, expected.cost_inc_vat, expected.export_value, 0, 0, false])
  const letters = (await readRaw(env, env.config.topics.dlq)).map(m => Object.fromEntries(m.headers ?? new Map()))
  assert.deepStrictEqual(letters.filter(h => h['dlq.error.code'] !== 'ENERGY_NO_DATA').map(h => [h['dlq.processor'], h['dlq.date'], h['dlq.error.code']]), [['gas', failing, 'ENERGY_AUTH']])
  // Carbon's dead letters: the days before its history, each saying so.
  const noCarbon = letters.filter(h => h['dlq.error.code'] === 'ENERGY_NO_DATA')
  assert.ok(noCarbon.length > 0 && noCarbon.every(h => billed.includes(h['dlq.date']) && /Carbon Intensity (national|regional) history starts/.test(h['dlq.error'])),
    JSON.stringify(noCarbon.map(h => [h['dlq.processor'], h['dlq.date'], h['dlq.error']])))
})
