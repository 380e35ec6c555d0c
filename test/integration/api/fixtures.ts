import { randomBytes } from 'node:crypto'
import type { TestContext } from 'node:test'
import pg from 'pg'
import { build, type ApiOptions } from '../../../api/app.ts'
import type { StatusProbes } from '../../../api/status.ts'
import type { ApiApp } from '../../../api/types.ts'
import { loadConfig, type Config } from '../../../lib/config.ts'
import { createPool, type Pool } from '../../../lib/db.ts'
import { createLogger, type Logger } from '../../../lib/log.ts'
import { londonDay, slotStarts } from '../../../lib/london-day.ts'
import { migrate } from '../../../lib/migrate.ts'
import { NO_EXPORT_OR_GAS, NO_REGIONAL } from '../../helpers.ts'

// Fixtures of the API tests (kept here rather than in test/helpers.ts): a throwaway migrated
// database per test with known rows, and build() over it.

export const silentLog = createLogger('silent')

function urlOf (databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function maintenance<T> (databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlOf(databaseUrl, 'postgres'), application_name: 'energy-api-test' })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export interface ApiFixture {
  config: Readonly<Config>
  pool: Pool
  app: ApiApp
  databaseUrl: string
}

export interface FixtureOptions {
  status?: StatusProbes
  log?: Logger
  options?: Partial<ApiOptions>
  env?: Record<string, string>
  /** Insert the known rows (default true). */
  rows?: boolean
  /** The API's clock (GET /api/ahead); default Date.now. */
  now?: () => number
}

/**
 * A database `energy_api_<random>` on the configured server, migrated, with the known rows,
 * and build() over it. t.after closes the app and the pool, then drops the database.
 */
export async function createApiFixture (t: TestContext, options: FixtureOptions = {}): Promise<ApiFixture> {
  const base = loadConfig()
  const name = `energy_api_${randomBytes(6).toString('hex')}`
  const databaseUrl = urlOf(base.databaseUrl, name)
  await maintenance(base.databaseUrl, c => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`))
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ...options.env })
  const pool = createPool(databaseUrl, silentLog)
  const app = build({ pool, config, log: options.log ?? silentLog, status: options.status, options: options.options, now: options.now })
  t.after(async () => {
    await app.close()
    await pool.end()
    await maintenance(base.databaseUrl, c => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`))
  })
  const client = await pool.connect()
  try {
    await migrate(client, silentLog)
  } finally {
    client.release()
  }
  if (options.rows !== false) await insertKnownRows(pool)
  return { config, pool, app, databaseUrl }
}

// ---------- known rows ----------

/** The export and gas meters of the known rows (DESIGN.md "The account"). */
export const EXPORT_TARIFF = 'E-1R-OUTGOING-FIX-12M-19-05-13-C'
export const GAS_TARIFF = 'G-1R-VAR-22-11-01-C'
/** Gas standing charge, p/day. */
export const GAS_STANDING = { inc: 31.4265, exc: 29.93 }

/**
 * The export and gas figures of a day whose slots all have the slotValues() rows, summed
 * slot by slot as the join sums them (processors/join/aggregate.ts), so the doubles match.
 */
export function meterFigures (slots: number): { export_kwh: number, export_value: number, gas_kwh: number, gas_cost_inc_vat: number, gas_cost_exc_vat: number, gas_standing_charge_inc_vat: number, gas_standing_charge_exc_vat: number, gas_carbon_g: number } {
  const f = { export_kwh: 0, export_value: 0, gas_kwh: 0, gas_cost_inc_vat: 0, gas_cost_exc_vat: 0, gas_standing_charge_inc_vat: GAS_STANDING.inc, gas_standing_charge_exc_vat: GAS_STANDING.exc, gas_carbon_g: 0 }
  for (let i = 0; i < slots; i++) {
    const v = slotValues(i, slots)
    f.export_kwh += v.exportKwh
    f.export_value += v.exportKwh * v.exportRate
    f.gas_kwh += v.gasKwh
    f.gas_cost_inc_vat += v.gasKwh * v.gasInc
    f.gas_cost_exc_vat += v.gasKwh * v.gasExc
    f.gas_carbon_g += v.gasCarbon
  }
  return f
}

const METERS_1027 = meterFigures(50)

/** The regional figures of a day whose slots all have the slotValues() rows, summed slot by slot as the join sums them. */
export function regionalFigures (slots: number): { carbon_g_regional: number, avg_intensity_regional: number } {
  let carbon = 0
  let kwh = 0
  for (let i = 0; i < slots; i++) {
    const v = slotValues(i, slots)
    carbon += v.kwh * v.regional
    kwh += v.kwh
  }
  return { carbon_g_regional: carbon, avg_intensity_regional: carbon / kwh }
}

/**
 * daily_summary rows: 2024-10-27 is the 50-slot autumn day, 2024-10-26 has a summary but no
 * source rows, 2024-10-20 is incomplete. Figures are awkward doubles on purpose: the API must
 * return them exactly.
 */
export const SUMMARIES = [
  {
    date: '2024-10-27',
    kwh: 11.648000000000001,
    cost_inc_vat: 276.67661699999996,
    cost_exc_vat: 263.50154,
    carbon_g: 2476.801,
    avg_intensity: 212.63744848901095,
    mix: { gas: 44.979764766483505, wind: 17.065169986263736, nuclear: 37.95506524725276 },
    slots_expected: 50,
    slots_joined: 50,
    complete: true,
    forecast_slots: 4,
    import_tariff_code: 'E-1R-AGILE-24-10-01-C',
    standing_charge_inc_vat: 60.194700000000005,
    standing_charge_exc_vat: 57.328,
    // A household with solar export and gas: the day's export and gas rows summed.
    ...METERS_1027,
    bill_inc_vat: 276.67661699999996 + 60.194700000000005 + METERS_1027.gas_cost_inc_vat + METERS_1027.gas_standing_charge_inc_vat - METERS_1027.export_value,
    // With a region: the regional forecast's figures beside the national ones.
    ...regionalFigures(50),
    bill_complete: true,
    carbon_slots: 50,
    missing_readings: []
  },
  {
    date: '2024-10-26',
    kwh: 14.401000000000003,
    cost_inc_vat: 275.0817090000001,
    cost_exc_vat: 261.98258,
    carbon_g: 2125.7030000000004,
    avg_intensity: 147.60801333240735,
    mix: { gas: 30.1, wind: 0.1 + 0.2, nuclear: 69.6 },
    slots_expected: 48,
    slots_joined: 48,
    complete: true,
    forecast_slots: 0,
    import_tariff_code: 'E-1R-VAR-22-11-01-C',
    standing_charge_inc_vat: 52.5,
    standing_charge_exc_vat: 50,
    // Before the solar panels and the gas meter: zeros.
    ...NO_EXPORT_OR_GAS,
    ...NO_REGIONAL,
    bill_inc_vat: 275.0817090000001 + 52.5,
    bill_complete: true,
    carbon_slots: 48,
    missing_readings: []
  },
  {
    date: '2024-10-20',
    kwh: 0,
    cost_inc_vat: 0,
    cost_exc_vat: 0,
    carbon_g: 0,
    avg_intensity: null,
    mix: {},
    slots_expected: 48,
    slots_joined: 40,
    complete: false,
    forecast_slots: 0,
    // Joined before standing charges were fetched (a version 1 completion): unknown.
    import_tariff_code: null,
    standing_charge_inc_vat: null,
    standing_charge_exc_vat: null,
    ...NO_EXPORT_OR_GAS,
    ...NO_REGIONAL,
    bill_inc_vat: null,
    // Joined before version 4: carbon_slots unknown; no usage read for 8 priced slots.
    bill_complete: false,
    carbon_slots: null,
    missing_readings: ['usage']
  }
] as const

export const FUELS = ['gas', 'nuclear', 'wind'] as const

export interface SlotValues {
  kwh: number
  inc: number
  exc: number
  forecast: number
  actual: number | null
  mix: number[]
  /** Solar export, kWh: slots 16-33 (daytime), 0 otherwise. */
  exportKwh: number
  /** p/kWh, flat (Outgoing Fixed). */
  exportRate: number
  gasKwh: number
  /** Gas unit rate, p/kWh. */
  gasInc: number
  gasExc: number
  gasCarbon: number
  /** The region's forecast, gCO2/kWh (regional_intensity). */
  regional: number
}

/** The source values of slot i of a day: deterministic, with negative prices and forecasts. */
export function slotValues (i: number, slots: number): SlotValues {
  const kwh = Math.round((0.05 + (i % 7) * 0.061) * 1000) / 1000
  const inc = i === 3 ? -1.2 : 10 + i * 0.37
  const gasKwh = Math.round((0.3 + (i % 5) * 0.173) * 1000) / 1000
  return {
    kwh,
    inc,
    exc: inc / 1.05,
    forecast: 150 + i,
    // The last four slots only have a forecast (actuals arrive later).
    actual: i >= slots - 4 ? null : 140 + i,
    mix: [40 + (i % 3), 30, 30 - (i % 3)],
    exportKwh: i >= 16 && i < 34 ? Math.round((0.04 + ((i - 16) % 9) * 0.037) * 1000) / 1000 : 0,
    exportRate: 15,
    gasKwh,
    gasInc: 6.1635,
    gasExc: 6.1635 / 1.05,
    gasCarbon: gasKwh * 182.9,
    regional: 160 + (i % 9) * 7
  }
}

export interface SourceSkips {
  price?: number[]
  mix?: number[]
  usage?: number[]
  co2?: number[]
  export?: number[]
  gas?: number[]
  /** No export meter in force: export rows of 0 kWh with null meter and tariff (default: a meter). */
  noExportMeter?: boolean
  /** No region known: no regional_intensity rows at all (default: London's). */
  noRegion?: boolean
}

/** Rows of the seven source tables for a day, optionally leaving some out. */
export async function insertSources (pool: Pool, date: string, skip: SourceSkips = {}): Promise<void> {
  const day = londonDay(date)
  const starts = slotStarts(day)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    for (let i = 0; i < starts.length; i++) {
      const start = new Date(starts[i]).toISOString()
      const end = new Date(starts[i] + 30 * 60 * 1000).toISOString()
      const v = slotValues(i, starts.length)
      if (skip.usage?.includes(i) !== true) {
        await client.query(`INSERT INTO energy_usage.consumption (slot_start, slot_end, local_date, kwh, batch_id)
          VALUES ($1, $2, $3, $4, 'b1')`, [start, end, date, v.kwh])
      }
      if (skip.price?.includes(i) !== true) {
        await client.query(`INSERT INTO energy_usage.unit_rates (slot_start, slot_end, local_date, tariff_code, value_exc_vat, value_inc_vat, batch_id)
          VALUES ($1, $2, $3, 'E-1R-TEST-C', $4, $5, 'b1')`, [start, end, date, v.exc, v.inc])
      }
      if (skip.co2?.includes(i) !== true) {
        await client.query(`INSERT INTO energy_usage.carbon_intensity (slot_start, slot_end, local_date, forecast, actual, intensity_index, batch_id)
          VALUES ($1, $2, $3, $4, $5, 'moderate', 'b1')`, [start, end, date, v.forecast, v.actual])
      }
      if (skip.mix?.includes(i) !== true) {
        for (let f = 0; f < FUELS.length; f++) {
          await client.query(`INSERT INTO energy_usage.generation_mix (slot_start, fuel, perc, slot_end, local_date, batch_id)
            VALUES ($1, $2, $3, $4, $5, 'b1')`, [start, FUELS[f], v.mix[f], end, date])
        }
      }
      if (skip.export?.includes(i) !== true) {
        const meter = skip.noExportMeter !== true
        await client.query(`INSERT INTO energy_usage.export_readings (slot_start, slot_end, local_date, kwh, meter_serial, tariff_code, rate, batch_id)
          VALUES ($1, $2, $3, $4, $5, $6, $7, 'b1')`, [start, end, date, meter ? v.exportKwh : 0, meter ? '21E5000001' : null, meter ? EXPORT_TARIFF : null, meter ? v.exportRate : 0])
      }
      if (skip.gas?.includes(i) !== true) {
        // SMETS2 reads m³: kWh = m³ × 1.02264 × calorific value (39.5) ÷ 3.6.
        await client.query(`INSERT INTO energy_usage.gas_readings (slot_start, slot_end, local_date, consumption, unit, kwh, meter_serial, tariff_code,
            value_inc_vat, value_exc_vat, standing_charge_inc_vat, standing_charge_exc_vat, carbon_g, batch_id)
          VALUES ($1, $2, $3, $4, 'm3', $5, 'G4P0000001', $6, $7, $8, $9, $10, $11, 'b1')`,
        [start, end, date, v.gasKwh * 3.6 / (1.02264 * 39.5), v.gasKwh, GAS_TARIFF, v.gasInc, v.gasExc, GAS_STANDING.inc, GAS_STANDING.exc, v.gasCarbon])
      }
      if (skip.noRegion !== true) {
        await client.query(`INSERT INTO energy_usage.regional_intensity (slot_start, slot_end, local_date, region_id, region, forecast, intensity_index, mix, batch_id)
          VALUES ($1, $2, $3, 13, 'London', $4, 'moderate', $5, 'b1')`, [start, end, date, v.regional, JSON.stringify({ gas: 50, wind: 50 })])
      }
    }
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    throw err
  } finally {
    client.release()
  }
}

/** SUMMARIES, full source rows for 2024-10-27 (solar and gas), and 2024-06-15 without a summary, without an export meter and with gaps. */
export async function insertKnownRows (pool: Pool): Promise<void> {
  for (const s of SUMMARIES) {
    await pool.query(`INSERT INTO energy_usage.daily_summary
        (date, kwh, cost_inc_vat, cost_exc_vat, carbon_g, avg_intensity, mix, slots_expected, slots_joined, complete, forecast_slots,
         import_tariff_code, standing_charge_inc_vat, standing_charge_exc_vat, export_kwh, export_value, gas_kwh, gas_cost_inc_vat, gas_cost_exc_vat,
         gas_standing_charge_inc_vat, gas_standing_charge_exc_vat, gas_carbon_g, bill_inc_vat, carbon_g_regional, avg_intensity_regional,
         bill_complete, carbon_slots, missing_readings, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, '2024-10-28T09:00:00Z')`,
    [s.date, s.kwh, s.cost_inc_vat, s.cost_exc_vat, s.carbon_g, s.avg_intensity, JSON.stringify(s.mix), s.slots_expected, s.slots_joined, s.complete, s.forecast_slots,
      s.import_tariff_code, s.standing_charge_inc_vat, s.standing_charge_exc_vat, s.export_kwh, s.export_value, s.gas_kwh, s.gas_cost_inc_vat, s.gas_cost_exc_vat,
      s.gas_standing_charge_inc_vat, s.gas_standing_charge_exc_vat, s.gas_carbon_g, s.bill_inc_vat, s.carbon_g_regional, s.avg_intensity_regional,
      s.bill_complete, s.carbon_slots, JSON.stringify(s.missing_readings)])
  }
  await insertSources(pool, '2024-10-27')
  // No export meter yet (zeros), and gaps: export rows missing at 15:00 and 15:30, gas at 02:30.
  await insertSources(pool, '2024-06-15', { price: [20], mix: [21], usage: [47], export: [30, 31], gas: [5], noExportMeter: true, noRegion: true })
}

// ---------- a household's quarter (tariff comparison) ----------
/** A household's import per half-hour (kWh), by the slot's start. */
export const kwhOf = (ms: number): number => 0.05 + ((ms / 1800000) % 37) * 0.021

/** Half-hourly import readings and a daily_summary row (actual cost 20p/kWh, 50p standing) for each date. */
export async function insertHousehold (pool: Pool, dates: readonly string[]): Promise<void> {
  for (const date of dates) {
    const starts = slotStarts(londonDay(date))
    await pool.query(`INSERT INTO energy_usage.consumption (slot_start, slot_end, local_date, kwh, batch_id)
      SELECT to_timestamp(s / 1000.0), to_timestamp(s / 1000.0) + interval '30 minutes', $2::date, k, 'b' FROM unnest($1::float8[], $3::float8[]) AS t (s, k)`,
    [starts, date, starts.map(kwhOf)])
    const kwh = starts.reduce((s, ms) => s + kwhOf(ms), 0)
    await pool.query(`INSERT INTO energy_usage.daily_summary (date, kwh, cost_inc_vat, cost_exc_vat, carbon_g, avg_intensity, mix, slots_expected, slots_joined,
        complete, forecast_slots, standing_charge_inc_vat, standing_charge_exc_vat, export_kwh, export_value, gas_kwh, gas_cost_inc_vat, gas_cost_exc_vat,
        gas_standing_charge_inc_vat, gas_standing_charge_exc_vat, gas_carbon_g, bill_inc_vat, bill_complete)
      VALUES ($1, $2, $3::float8, $3::float8, NULL, NULL, '{}', $4, $4, true, 0, 50, 47.6, 0, 0, 0, 0, 0, 0, 0, 0, $3::float8 + 50, true)`, [date, kwh, kwh * 20, starts.length])
  }
}
