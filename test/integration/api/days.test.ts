// A zone 14 hours east of UTC, set before pg is used: a DATE parsed into a JS Date at local
// midnight would come back a day early here, so the dates below prove it is not.
process.env.TZ = 'Pacific/Kiritimati'

import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { createLogger } from '../../../lib/log.ts'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import type { DaysResponse } from '../../../api/types.ts'
import { createApiFixture, FUELS, slotValues, SUMMARIES } from './fixtures.ts'

// GET /api/days and /api/days/:date against a real, throwaway Postgres database.

const UPDATED_AT = '2024-10-28T09:00:00.000Z'
// Days written before the dispatches and billed sources carry their fields' defaults (sql/011_dispatches.sql, sql/012_billed.sql).
const expectedSummary = (s: typeof SUMMARIES[number]) => ({ ...s, mix: { ...s.mix }, dispatch_kwh: 0, dispatch_saving: 0, dispatch_note: null, billed_inc_vat: null, billed_difference: null, billed_other_statistics: 0, updated_at: UPDATED_AT })

test('GET /api/days returns the summaries in range, newest first, with the stored doubles exactly', async t => {
  const { app, pool } = await createApiFixture(t)
  assert.equal(new Date(2024, 9, 27).getTimezoneOffset(), -14 * 60, 'the test runs 14 h east of UTC')

  const res = await app.inject({ method: 'GET', url: '/api/days?from=2024-10-01&to=2024-10-31' })
  assert.equal(res.statusCode, 200)
  assert.match(String(res.headers['content-type']), /^application\/json/)
  const body: DaysResponse = res.json()
  // Full precision survives serialisation: no rounding to 15 significant digits.
  assert.equal(body.days[1].kwh, 14.401000000000003)
  assert.equal(body.days[1].mix.wind, 0.30000000000000004)
  assert.equal(res.body.includes('"kwh":14.401000000000003'), true)
  assert.deepStrictEqual(body, { from: '2024-10-01', to: '2024-10-31', days: SUMMARIES.map(expectedSummary) })
  // The bill and its parts, as stored: the tariff, the standing charge, null where unknown.
  assert.deepStrictEqual(body.days.map(d => [d.import_tariff_code, d.standing_charge_inc_vat, d.bill_inc_vat]),
    [['E-1R-AGILE-24-10-01-C', 60.194700000000005, 516.618867], ['E-1R-VAR-22-11-01-C', 52.5, 275.0817090000001 + 52.5], [null, null, null]])
  // The other meters: solar export and gas on the 27th (the bill nets the export), none before.
  assert.deepStrictEqual(body.days.map(d => [d.export_kwh, d.export_value, d.gas_kwh, d.gas_cost_inc_vat, d.gas_standing_charge_inc_vat, d.gas_carbon_g]),
    [[3.384, 50.76, 32.30000000000001, 199.08105000000003, 31.4265, 5907.670000000002], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])
  assert.equal(body.days[0].bill_inc_vat, 276.67661699999996 + 60.194700000000005 + 199.08105000000003 + 31.4265 - 50.76)

  // The same rows as Postgres has them (dates as text, figures as float8).
  const { rows } = await pool.query(`SELECT date::text AS date, kwh, cost_inc_vat, cost_exc_vat, carbon_g, avg_intensity, mix,
      slots_expected, slots_joined, complete, forecast_slots, import_tariff_code, standing_charge_inc_vat, standing_charge_exc_vat,
      export_kwh, export_value, gas_kwh, gas_cost_inc_vat, gas_cost_exc_vat, gas_standing_charge_inc_vat, gas_standing_charge_exc_vat,
      gas_carbon_g, bill_inc_vat, carbon_g_regional, avg_intensity_regional, bill_complete, carbon_slots, missing_readings, dispatch_kwh, dispatch_saving, dispatch_note, billed_inc_vat, billed_difference, billed_other_statistics, to_json(updated_at) #>> '{}' AS updated_at
    FROM energy_usage.daily_summary ORDER BY date DESC`)
  assert.deepStrictEqual(body.days.map(d => ({ ...d, updated_at: Date.parse(d.updated_at) })),
    rows.map(r => ({ ...r, updated_at: Date.parse(r.updated_at) })))
})

test('GET /api/days defaults to the 30 days ending at the newest date in daily_summary', async t => {
  const { app } = await createApiFixture(t)
  const res = await app.inject('/api/days')
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.equal(body.to, '2024-10-27')
  assert.equal(body.from, '2024-09-28')
  assert.deepStrictEqual(body.days.map((d: { date: string }) => d.date), ['2024-10-27', '2024-10-26', '2024-10-20'])

  const onlyTo = (await app.inject('/api/days?to=2024-10-26')).json()
  assert.deepStrictEqual([onlyTo.from, onlyTo.to], ['2024-09-27', '2024-10-26'])
  assert.deepStrictEqual(onlyTo.days.map((d: { date: string }) => d.date), ['2024-10-26', '2024-10-20'])

  const onlyFrom = (await app.inject('/api/days?from=2024-10-21')).json()
  assert.deepStrictEqual([onlyFrom.from, onlyFrom.to], ['2024-10-21', '2024-10-27'])
  assert.deepStrictEqual(onlyFrom.days.map((d: { date: string }) => d.date), ['2024-10-27', '2024-10-26'])
})

test('GET /api/days on an empty table answers an empty list ending today', async t => {
  const { app } = await createApiFixture(t, { rows: false })
  const res = await app.inject('/api/days')
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.deepStrictEqual(body.days, [])
  assert.match(body.to, /^\d{4}-\d{2}-\d{2}$/)
})

test('GET /api/days refuses bad dates and ranges with one clear message, never a stack trace', async t => {
  const { app } = await createApiFixture(t)
  const cases: Array<[string, string]> = [
    ['/api/days?from=2024-13-01', 'from "2024-13-01" is not a date (YYYY-MM-DD)'],
    ['/api/days?from=2024-02-30&to=2024-03-01', 'from "2024-02-30" is not a date (YYYY-MM-DD)'],
    ['/api/days?to=yesterday', 'to "yesterday" is not a date (YYYY-MM-DD)'],
    ['/api/days?from=2024-1-1', 'from "2024-1-1" is not a date (YYYY-MM-DD)'],
    ['/api/days?from=', 'from "" is not a date (YYYY-MM-DD)'],
    ['/api/days?from=2024-10-28&to=2024-10-01', 'from 2024-10-28 is after to 2024-10-01'],
    ['/api/days?from=2023-01-01&to=2024-01-02', 'from 2023-01-01 to 2024-01-02 is 367 days; at most 366 per request']
  ]
  for (const [url, error] of cases) {
    const res = await app.inject(url)
    assert.equal(res.statusCode, 400, url)
    assert.deepStrictEqual(res.json(), { error }, url)
  }
  // A whole leap year is allowed.
  assert.equal((await app.inject('/api/days?from=2024-01-01&to=2024-12-31')).statusCode, 200)
})

test('GET /api/days/:date returns the summary and every half-hour of the 50-slot autumn day', async t => {
  const { app } = await createApiFixture(t)
  const res = await app.inject('/api/days/2024-10-27')
  assert.equal(res.statusCode, 200)
  const body = res.json()
  const starts = slotStarts(londonDay('2024-10-27'))
  assert.equal(starts.length, 50)
  assert.deepStrictEqual(body, {
    date: '2024-10-27',
    slots_expected: 50,
    summary: expectedSummary(SUMMARIES[0]),
    slots: starts.map((ms, i) => {
      const v = slotValues(i, 50)
      return {
        start: new Date(ms).toISOString(),
        usage_kwh: v.kwh,
        price_inc_vat: v.inc,
        intensity: v.actual ?? v.forecast,
        intensity_is_forecast: v.actual === null,
        mix: Object.fromEntries(FUELS.map((f, k) => [f, v.mix[k]])),
        export_kwh: v.exportKwh,
        export_rate: v.exportRate,
        gas_kwh: v.gasKwh,
        gas_rate_inc_vat: v.gasInc,
        gas_carbon_g: v.gasCarbon,
        regional_intensity: v.regional
      }
    }),
    missing: [],
    source_slots: { usage: 50, price: 50, intensity: 50, mix: 50, export: 50, gas: 50, regional: 50, dispatches: 0, billed: 0 }
  })
  // Local midnight BST is 23:00 UTC the day before; the day ends at midnight GMT.
  assert.equal(body.slots[0].start, '2024-10-26T23:00:00.000Z')
  assert.equal(body.slots[49].start, '2024-10-27T23:30:00.000Z')
  assert.equal(body.slots[3].price_inc_vat, -1.2)
  // Export by day (slots 16-33), 0 at night with the meter in force; gas in every slot.
  assert.deepStrictEqual([body.slots[0], body.slots[20], body.slots[33]].map(s => [s.export_kwh, s.export_rate, s.gas_kwh, s.gas_rate_inc_vat, s.gas_carbon_g]),
    [[0, 15, 0.3, 6.1635, 54.87], [0.188, 15, 0.3, 6.1635, 54.87], [0.336, 15, 0.819, 6.1635, 0.819 * 182.9]])
  // The slots add up to the summary's figures.
  const total = (key: 'export_kwh' | 'gas_kwh'): number => body.slots.reduce((n: number, s: { export_kwh: number, gas_kwh: number }) => n + s[key], 0)
  assert.deepStrictEqual([total('export_kwh'), total('gas_kwh')], [body.summary.export_kwh, body.summary.gas_kwh])
  // Regional carbon: Σ usage × regional intensity of the slots is the summary's, beside the national figure.
  const regional = body.slots.reduce((n: number, s: { usage_kwh: number, regional_intensity: number }) => n + s.usage_kwh * s.regional_intensity, 0)
  const usage = body.slots.reduce((n: number, s: { usage_kwh: number }) => n + s.usage_kwh, 0)
  assert.deepStrictEqual([regional, regional / usage], [body.summary.carbon_g_regional, body.summary.avg_intensity_regional])
  assert.notEqual(body.summary.carbon_g_regional, body.summary.carbon_g)
})

test('GET /api/days/:date lists the slots lacking a source, and works without a summary', async t => {
  const { app } = await createApiFixture(t)
  const body = (await app.inject('/api/days/2024-06-15')).json()
  const starts = slotStarts(londonDay('2024-06-15')).map(ms => new Date(ms).toISOString())
  assert.equal(body.summary, null)
  assert.equal(body.slots_expected, 48)
  assert.equal(body.slots.length, 48)
  assert.deepStrictEqual(body.missing, [starts[20], starts[21], starts[47]])
  assert.equal(body.slots[20].price_inc_vat, null)
  assert.deepStrictEqual(body.slots[21].mix, {})
  assert.equal(body.slots[47].usage_kwh, null)
  assert.equal(body.slots[47].intensity_is_forecast, true)
  // No export meter in force: 0 kWh at rate 0, not null; a slot without a row is null. A
  // lacking export or gas row leaves `missing` (the electricity join's sources) as it was and
  // shows in source_slots.
  assert.deepStrictEqual(body.slots.map((s: { export_kwh: number | null }) => s.export_kwh),
    starts.map((_s, i) => i === 30 || i === 31 ? null : 0))
  assert.deepStrictEqual([body.slots[29].export_rate, body.slots[30].export_rate], [0, null])
  assert.deepStrictEqual([body.slots[5].gas_kwh, body.slots[5].gas_rate_inc_vat, body.slots[5].gas_carbon_g], [null, null, null])
  assert.deepStrictEqual([body.slots[6].gas_kwh, body.slots[6].gas_rate_inc_vat, body.slots[6].gas_carbon_g], [0.473, 6.1635, 0.473 * 182.9])
  assert.deepStrictEqual(body.source_slots, { usage: 47, price: 47, intensity: 48, mix: 47, export: 46, gas: 47, regional: 0, dispatches: 0, billed: 0 })
  // No region known for the day: no regional rows, every slot's regional intensity null.
  assert.ok(body.slots.every((s: { regional_intensity: number | null }) => s.regional_intensity === null))

  // A summary without source rows: every slot is missing.
  const bare = (await app.inject('/api/days/2024-10-26')).json()
  assert.deepStrictEqual(bare.summary, expectedSummary(SUMMARIES[1]))
  assert.equal(bare.missing.length, 48)
  assert.deepStrictEqual(bare.slots[0], {
    start: '2024-10-25T23:00:00.000Z',
    usage_kwh: null,
    price_inc_vat: null,
    intensity: null,
    intensity_is_forecast: null,
    mix: {},
    export_kwh: null,
    export_rate: null,
    gas_kwh: null,
    gas_rate_inc_vat: null,
    gas_carbon_g: null,
    regional_intensity: null
  })
  assert.deepStrictEqual(bare.source_slots, { usage: 0, price: 0, intensity: 0, mix: 0, export: 0, gas: 0, regional: 0, dispatches: 0, billed: 0 })
})

test('GET /api/days/:date answers a day that has only gas rows, with their slots and counts', async t => {
  const { app, pool } = await createApiFixture(t)
  const starts = slotStarts(londonDay('2024-03-01'))
  // One gas reading (SMETS1: kWh as read), nothing else for the day.
  await pool.query(`INSERT INTO energy_usage.gas_readings (slot_start, slot_end, local_date, consumption, unit, kwh, meter_serial, tariff_code,
      value_inc_vat, value_exc_vat, standing_charge_inc_vat, standing_charge_exc_vat, carbon_g, batch_id)
    VALUES ($1, $2, '2024-03-01', 1.25, 'kWh', 1.25, 'G4P0000001', 'G-1R-VAR-22-11-01-C', 6.89, 6.561904761904762, 29.11, 27.72, 228.625, 'b1')`,
  [new Date(starts[14]).toISOString(), new Date(starts[15]).toISOString()])
  const res = await app.inject('/api/days/2024-03-01')
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.equal(body.summary, null)
  assert.deepStrictEqual(body.source_slots, { usage: 0, price: 0, intensity: 0, mix: 0, export: 0, gas: 1, regional: 0, dispatches: 0, billed: 0 })
  assert.deepStrictEqual(body.slots[14], {
    start: '2024-03-01T07:00:00.000Z',
    usage_kwh: null,
    price_inc_vat: null,
    intensity: null,
    intensity_is_forecast: null,
    mix: {},
    export_kwh: null,
    export_rate: null,
    gas_kwh: 1.25,
    gas_rate_inc_vat: 6.89,
    gas_carbon_g: 228.625,
    regional_intensity: null
  })
  assert.equal(body.slots.filter((s: { gas_kwh: number | null }) => s.gas_kwh !== null).length, 1)
  assert.equal(body.missing.length, 48)
})

test('GET /api/days/:date answers 404 for a day without data and 400 for a bad date', async t => {
  const { app } = await createApiFixture(t)
  let res = await app.inject('/api/days/2024-01-01')
  assert.equal(res.statusCode, 404)
  assert.deepStrictEqual(res.json(), { error: 'no data for 2024-01-01' })
  res = await app.inject('/api/days/2024-13-01')
  assert.equal(res.statusCode, 400)
  assert.deepStrictEqual(res.json(), { error: 'date "2024-13-01" is not a date (YYYY-MM-DD)' })
  res = await app.inject('/api/days/%E0%A4%A')
  assert.equal(res.statusCode, 400)
  assert.deepStrictEqual(res.json(), { error: "'/api/days/%E0%A4%A' is not a valid url component" })
  res = await app.inject('/api/nothing-here')
  assert.equal(res.statusCode, 404)
  assert.deepStrictEqual(res.json(), { error: 'no route GET /api/nothing-here' })
})

test('SQL in a date parameter is refused with 400 and reaches no table', async t => {
  const { app, pool } = await createApiFixture(t)
  const attack = "2024-01-01'; DROP TABLE energy_usage.daily_summary; --"
  let res = await app.inject(`/api/days/${encodeURIComponent(attack)}`)
  assert.equal(res.statusCode, 400)
  assert.deepStrictEqual(res.json(), { error: `date "${attack}" is not a date (YYYY-MM-DD)` })
  res = await app.inject({ method: 'GET', url: '/api/days', query: { from: attack } })
  assert.equal(res.statusCode, 400)
  assert.deepStrictEqual(res.json(), { error: `from "${attack}" is not a date (YYYY-MM-DD)` })
  res = await app.inject({ method: 'GET', url: '/api/days', query: { from: '2024-10-01', to: attack } })
  assert.equal(res.statusCode, 400)
  assert.deepStrictEqual(res.json(), { error: `to "${attack}" is not a date (YYYY-MM-DD)` })

  const { rows } = await pool.query('SELECT count(*)::int AS n FROM energy_usage.daily_summary')
  assert.deepStrictEqual(rows, [{ n: SUMMARIES.length }])
})

test('a failing query answers 500 {"error":"internal error"} and logs the error', async t => {
  const lines: string[] = []
  const sink = new Writable({ write (chunk, _encoding, done) { lines.push(String(chunk)); done() } })
  const { app, pool } = await createApiFixture(t, { log: createLogger('info', sink) })
  await pool.query('ALTER TABLE energy_usage.daily_summary RENAME TO daily_summary_gone')
  const res = await app.inject('/api/days?from=2024-10-01&to=2024-10-31')
  assert.equal(res.statusCode, 500)
  assert.deepStrictEqual(res.json(), { error: 'internal error' })
  assert.equal(res.body.includes('daily_summary'), false)
  const logged = lines.map(l => JSON.parse(l)).filter(l => l.msg === 'request failed')
  assert.equal(logged.length, 1)
  assert.equal(logged[0].level, 50)
  assert.equal(logged[0].url, '/api/days?from=2024-10-01&to=2024-10-31')
  // Postgres's SQLSTATE travels with the error: 42P01 = undefined_table.
  assert.equal(logged[0].err.code, '42P01')
})

test('a stored non-finite figure (written before the bounds existed) never makes the API answer 500', async t => {
  const { app, pool } = await createApiFixture(t)
  await pool.query(`UPDATE energy_usage.daily_summary SET kwh = 'Infinity', cost_inc_vat = '-Infinity', avg_intensity = 'NaN',
    mix = '{"wind": 1e308}'::jsonb WHERE date = '2024-10-26'`)
  const list = await app.inject('/api/days?from=2024-10-01&to=2024-10-31')
  assert.equal(list.statusCode, 200, list.body)
  const day = (list.json() as DaysResponse).days.find(d => d.date === '2024-10-26')
  assert.deepStrictEqual([day?.kwh, day?.cost_inc_vat, day?.avg_intensity], [null, null, null], 'shown as unknown, not as a number')
  const one = await app.inject('/api/days/2024-10-26')
  assert.equal(one.statusCode, 200, one.body)
  assert.equal(one.json().summary.kwh, null)

  // The same in the export and gas rows of a slot: unknown, and the row still counts.
  const [first] = slotStarts(londonDay('2024-10-27'))
  await pool.query('UPDATE energy_usage.export_readings SET kwh = \'NaN\', rate = \'Infinity\' WHERE slot_start = $1', [new Date(first)])
  await pool.query('UPDATE energy_usage.gas_readings SET kwh = \'-Infinity\', value_inc_vat = \'NaN\', carbon_g = \'Infinity\' WHERE slot_start = $1', [new Date(first)])
  await pool.query('UPDATE energy_usage.daily_summary SET gas_kwh = \'NaN\', export_value = \'Infinity\' WHERE date = \'2024-10-27\'')
  const meters = await app.inject('/api/days/2024-10-27')
  assert.equal(meters.statusCode, 200, meters.body)
  const body = meters.json()
  assert.deepStrictEqual([body.slots[0].export_kwh, body.slots[0].export_rate, body.slots[0].gas_kwh, body.slots[0].gas_rate_inc_vat, body.slots[0].gas_carbon_g],
    [null, null, null, null, null])
  assert.deepStrictEqual([body.slots[1].export_kwh, body.slots[1].gas_kwh], [0, 0.473])
  assert.deepStrictEqual([body.summary.gas_kwh, body.summary.export_value], [null, null])
  assert.deepStrictEqual([body.source_slots.export, body.source_slots.gas], [50, 50])
})
