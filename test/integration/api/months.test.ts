import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Pool } from '../../../lib/db.ts'
import { londonDay } from '../../../lib/london-day.ts'
import type { MonthFigures, MonthsResponse } from '../../../api/types.ts'
import { createApiFixture } from './fixtures.ts'

// GET /api/months against a real, throwaway Postgres: each month's figures are recomputed here
// from the daily_summary rows the test wrote (not by the code under test), including the
// 46- and 50-slot days, a tariff switch, missing days, and days whose bill or carbon is unknown.

interface Day {
  date: string
  kwh: number
  cost_inc_vat: number
  standing_charge_inc_vat: number | null
  export_kwh: number
  export_value: number
  gas_kwh: number
  gas_cost_inc_vat: number
  gas_standing_charge_inc_vat: number
  bill_inc_vat: number | null
  carbon_g: number | null
  carbon_g_regional: number | null
  gas_carbon_g: number
  complete: boolean
  bill_complete: boolean
  slots: number
  tariff: string
  /** What Octopus billed (the billed source): from 2023-09 on, a few pence off the computed import bill; null before. */
  billed_inc_vat: number | null
  billed_difference: number | null
}

/** Dates from `from` to `to` inclusive, but the missing ones. */
function dates (from: string, to: string, missing: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (let ms = Date.parse(from); ms <= Date.parse(to); ms += 86400000) {
    const date = new Date(ms).toISOString().slice(0, 10)
    if (!missing.has(date)) out.push(date)
  }
  return out
}

// 2024-04-10..12 never landed; 2023-03-05 has no standing charge yet (bill unknown); carbon is
// unknown on the 1st of each month; 2024-03-15 switches from a fixed tariff to Agile.
const MISSING = new Set(['2024-04-10', '2024-04-11', '2024-04-12'])
const DAYS: Day[] = dates('2023-03-01', '2024-04-30', MISSING).map((date, i) => {
  const slots = londonDay(date).slots
  const agile = date >= '2024-03-15'
  const kwh = 5 + (i % 17) * 0.731 + slots / 100
  const rate = agile ? 18.3 + (i % 5) * 1.1 : 24.5
  const standing = date === '2023-03-05' ? null : agile ? 47.9 : 52.5
  const cost = kwh * rate
  const gasKwh = 20 + (i % 11) * 1.3
  const gasCost = gasKwh * 6.89
  const exportKwh = (i % 3) * 2.2
  const exportValue = exportKwh * 15
  const bill = standing === null ? null : cost + standing + gasCost + 29.6 - exportValue
  const carbon = date.endsWith('-01') ? null : kwh * 180 + i
  // Octopus's figure: from September 2023 (the billed source turned on), every day but each 6th.
  const billed = date < '2023-09-01' || i % 6 === 0 ? null : cost + (standing ?? 0) + ((i % 7) - 3) * 0.37
  return {
    date,
    kwh,
    cost_inc_vat: cost,
    standing_charge_inc_vat: standing,
    export_kwh: exportKwh,
    export_value: exportValue,
    gas_kwh: gasKwh,
    gas_cost_inc_vat: gasCost,
    gas_standing_charge_inc_vat: 29.6,
    bill_inc_vat: bill,
    carbon_g: carbon,
    carbon_g_regional: carbon === null ? null : carbon * 0.9,
    gas_carbon_g: gasKwh * 183,
    complete: carbon !== null && i % 13 !== 0,
    bill_complete: standing !== null && i % 29 !== 0,
    slots,
    tariff: agile ? 'E-1R-AGILE-24-10-01-C' : 'E-1R-VAR-22-11-01-C',
    billed_inc_vat: billed,
    // Unknown when the computed side is (no standing charge): billed − (cost + standing).
    billed_difference: billed === null || standing === null ? null : billed - (cost + standing)
  }
})

async function insertDays (pool: Pool, days: readonly Day[]): Promise<void> {
  for (const d of days) {
    await pool.query(`INSERT INTO energy_usage.daily_summary
        (date, kwh, cost_inc_vat, cost_exc_vat, carbon_g, avg_intensity, mix, slots_expected, slots_joined, complete, forecast_slots,
         import_tariff_code, standing_charge_inc_vat, standing_charge_exc_vat, export_kwh, export_value, gas_kwh, gas_cost_inc_vat, gas_cost_exc_vat,
         gas_standing_charge_inc_vat, gas_standing_charge_exc_vat, gas_carbon_g, bill_inc_vat, carbon_g_regional, avg_intensity_regional,
         bill_complete, carbon_slots, missing_readings, billed_inc_vat, billed_difference)
      VALUES ($1, $2, $3::float8, $3::float8 / 1.05, $4, NULL, '{}', $5, $5, $6, 0, $7, $8::float8, $8::float8 / 1.05, $9, $10, $11, $12::float8, $12::float8 / 1.05, $13::float8, $13::float8 / 1.05, $14, $15, $16, NULL, $17, $5, '[]', $18, $19)`,
    [d.date, d.kwh, d.cost_inc_vat, d.carbon_g, d.slots, d.complete, d.tariff, d.standing_charge_inc_vat, d.export_kwh, d.export_value, d.gas_kwh,
      d.gas_cost_inc_vat, d.gas_standing_charge_inc_vat, d.gas_carbon_g, d.bill_inc_vat, d.carbon_g_regional, d.bill_complete, d.billed_inc_vat, d.billed_difference])
  }
}

/** A month's figures summed here from the rows written. */
function expected (month: string): MonthFigures {
  const start = Date.parse(`${month}-01`)
  const next = new Date(start)
  next.setUTCMonth(next.getUTCMonth() + 1)
  const calendarDays = Math.round((next.getTime() - start) / 86400000)
  const days = DAYS.filter(d => d.date.startsWith(month))
  const sum = (f: (d: Day) => number | null): number => days.reduce((s, d) => s + (f(d) ?? 0), 0)
  const count = (f: (d: Day) => unknown): number => days.filter(d => f(d) !== null && f(d) !== false).length
  return {
    calendar_days: calendarDays,
    days: days.length,
    days_complete: count(d => d.complete),
    days_bill_complete: count(d => d.bill_complete),
    import_kwh: sum(d => d.kwh),
    import_cost_inc_vat: sum(d => d.cost_inc_vat),
    standing_charge_inc_vat: sum(d => d.standing_charge_inc_vat),
    export_kwh: sum(d => d.export_kwh),
    export_value: sum(d => d.export_value),
    gas_kwh: sum(d => d.gas_kwh),
    gas_cost_inc_vat: sum(d => d.gas_cost_inc_vat),
    gas_standing_charge_inc_vat: sum(d => d.gas_standing_charge_inc_vat),
    bill_inc_vat: sum(d => d.bill_inc_vat),
    bill_days: count(d => d.bill_inc_vat),
    carbon_g: sum(d => d.carbon_g),
    carbon_days: count(d => d.carbon_g),
    carbon_g_regional: sum(d => d.carbon_g_regional),
    regional_days: count(d => d.carbon_g_regional),
    gas_carbon_g: sum(d => d.gas_carbon_g),
    billed_inc_vat: sum(d => d.billed_inc_vat),
    billed_days: count(d => d.billed_inc_vat),
    billed_computed_inc_vat: sum(d => d.billed_difference === null ? null : d.cost_inc_vat + (d.standing_charge_inc_vat ?? 0)),
    billed_difference: sum(d => d.billed_difference),
    billed_compared_days: count(d => d.billed_difference),
    whole: days.length === calendarDays && days.every(d => d.bill_complete)
  }
}

/** Equal figures: counts exactly, sums to 1e-9 relative (Postgres adds the days in its own order). */
function assertFigures (actual: MonthFigures, wanted: MonthFigures, label: string): void {
  for (const [key, value] of Object.entries(wanted)) {
    const got = actual[key as keyof MonthFigures]
    if (typeof value === 'number' && !Number.isInteger(value)) {
      assert.ok(Math.abs((got as number) - value) <= 1e-9 * Math.max(1, Math.abs(value)), `${label} ${key}: ${String(got)} ≠ ${value}`)
    } else {
      assert.equal(got, value, `${label} ${key}`)
    }
  }
}

test('GET /api/months sums each month from its days, beside the same month a year before, with year totals', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false })
  await insertDays(pool, DAYS)

  const res = await app.inject('/api/months?from=2024-01&to=2024-04')
  assert.equal(res.statusCode, 200)
  const body: MonthsResponse = res.json()
  assert.deepStrictEqual([body.from, body.to, body.months.map(m => m.month)], ['2024-01', '2024-04', ['2024-01', '2024-02', '2024-03', '2024-04']])
  for (const m of body.months) {
    assertFigures(m, expected(m.month), m.month)
    const before = `${Number(m.month.slice(0, 4)) - 1}${m.month.slice(4)}`
    // 2023-01 and 2023-02 predate the rows: an empty month, not a missing one.
    assertFigures(m.year_before as MonthFigures, expected(before), `${before} (year before ${m.month})`)
  }
  // March 2024: 31 calendar days, the 46-slot clock change, a tariff switch on the 15th.
  const march = body.months[2]
  assert.equal(march.calendar_days, 31)
  assert.equal(march.days, 31)
  // April: three days never landed, so the month is not whole and says how many it has.
  const april = body.months[3]
  assert.deepStrictEqual([april.calendar_days, april.days, april.whole], [30, 27, false])
  assert.equal(body.months[1].year_before?.days, 0)

  // The year's totals are its asked months' sums; 2024 has 4 of 12 months, so it is not whole.
  assert.equal(body.years.length, 1)
  const year = body.years[0]
  assert.deepStrictEqual([year.year, year.months, year.whole], ['2024', 4, false])
  assert.ok(Math.abs(year.bill_inc_vat - body.months.reduce((s, m) => s + m.bill_inc_vat, 0)) < 1e-9)
  assert.equal(year.days, body.months.reduce((s, m) => s + m.days, 0))

  // The 50-slot day's month, and a month whose first day's bill is unknown.
  const autumn = (await app.inject('/api/months?from=2023-03&to=2023-10')).json() as MonthsResponse
  for (const m of autumn.months) assertFigures(m, expected(m.month), m.month)
  assert.equal(autumn.months[0].bill_days, 30, 'March 2023: the 5th has no known bill')
  // Billed from September 2023: none before, then all days but each 6th; computed over the same days.
  assert.deepStrictEqual(autumn.months.map(m => m.billed_days > 0), [false, false, false, false, false, false, true, true])
  const september = autumn.months[6]
  assert.ok(september.billed_days > 20 && september.billed_days < 30 && september.billed_compared_days === september.billed_days)
  assert.ok(Math.abs(september.billed_inc_vat - (september.billed_computed_inc_vat + september.billed_difference)) < 1e-9)
})

test('GET /api/months agrees with /api/days over the same dates', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false })
  await insertDays(pool, DAYS)
  const months = (await app.inject('/api/months?from=2023-10&to=2023-10')).json() as MonthsResponse
  const days = (await app.inject('/api/days?from=2023-10-01&to=2023-10-31')).json() as { days: Array<{ bill_inc_vat: number | null, kwh: number }> }
  assert.equal(days.days.length, 31)
  const bill = days.days.reduce((s, d) => s + (d.bill_inc_vat ?? 0), 0)
  assert.ok(Math.abs(months.months[0].bill_inc_vat - bill) < 1e-9, `${months.months[0].bill_inc_vat} vs ${bill}`)
})

test('GET /api/months defaults to the twelve months up to the newest day, and refuses bad months with a 400 naming them', async t => {
  const { app, pool } = await createApiFixture(t, { rows: false })
  await insertDays(pool, DAYS)
  const body = (await app.inject('/api/months')).json() as MonthsResponse
  assert.deepStrictEqual([body.from, body.to, body.months.length], ['2023-05', '2024-04', 12])
  const cases: Array<[string, string]> = [
    ['/api/months?from=2024-13', 'from "2024-13" is not a month (YYYY-MM)'],
    ['/api/months?to=2024-1', 'to "2024-1" is not a month (YYYY-MM)'],
    ['/api/months?from=2024-04-01', 'from "2024-04-01" is not a month (YYYY-MM)'],
    ['/api/months?from=1900-01', 'from "1900-01": year 1900 is out of range (1996-2100)'],
    ['/api/months?from=2024-05&to=2024-04', 'from 2024-05 is after to 2024-04'],
    ['/api/months?from=2000-01&to=2024-04', 'from 2000-01 to 2024-04 is 292 months; at most 240 per request']
  ]
  for (const [url, error] of cases) {
    const res = await app.inject(url)
    assert.deepStrictEqual([res.statusCode, res.json()], [400, { error }], url)
  }
})
