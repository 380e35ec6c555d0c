import pg from 'pg'
import type { Pool } from '../lib/db.ts'
import type { TaskCounters } from '../lib/stream/counters.ts'
import { storedFields, type FieldSpec } from '../processors/source/fields.ts'
import type { SourceDeclaration } from '../processors/source/types.ts'
import type { BilledDayFacts } from './billed.ts'
import type { DaySummary, MonthFigures, SummaryFields } from './types.ts'

// Every SQL statement of the API. Values reach Postgres only as bind parameters ($1, $2).

// DATE (oid 1082) stays its 'YYYY-MM-DD' text. pg's default parser builds a JS Date at local
// midnight of this process's time zone, and toISOString() of that is the previous day
// anywhere east of UTC. Set per query rather than with pg.types.setTypeParser, so other
// users of the pg module in the same process keep their parsers.
// FLOAT8 (oid 701) that is NaN or ±Infinity (rows written before the pipeline bounded its
// inputs) reads as null, "unknown": JSON has no such numbers and the answer must not fail.
const DATE_OID = 1082
const FLOAT8_OID = 701
const keepDateText = (text: string): string => text
const finiteOrNull = (text: string): number | null => {
  const n = Number(text)
  return Number.isFinite(n) ? n : null
}
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === DATE_OID ? keepDateText : oid === FLOAT8_OID ? finiteOrNull : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser
}

async function query<R extends pg.QueryResultRow> (pool: Pool, text: string, values: unknown[] = []): Promise<R[]> {
  const result = await pool.query<R>({ text, values, types })
  return result.rows
}

type SummaryRow = SummaryFields & { updated_at: Date }

/** The SELECT list of daily_summary: every column of the field table (names checked by createTopology), then updated_at. */
export function summaryColumns (fields: readonly FieldSpec[]): string {
  return [...storedFields(fields).map(f => f.name), 'updated_at'].join(', ')
}

function toSummary (row: SummaryRow): DaySummary {
  return { ...row, updated_at: row.updated_at.toISOString() }
}

/** The newest date in daily_summary, or null when it is empty. */
export async function newestDate (pool: Pool): Promise<string | null> {
  const rows = await query<{ newest: string | null }>(pool, 'SELECT max(date) AS newest FROM energy_usage.daily_summary')
  return rows[0].newest
}

/** Summaries from `from` to `to` inclusive, newest first. */
export async function summariesBetween (pool: Pool, columns: string, from: string, to: string): Promise<DaySummary[]> {
  const rows = await query<SummaryRow>(pool, `SELECT ${columns} FROM energy_usage.daily_summary
    WHERE date BETWEEN $1::date AND $2::date ORDER BY date DESC`, [from, to])
  return rows.map(toSummary)
}

export async function summaryOf (pool: Pool, columns: string, date: string): Promise<DaySummary | null> {
  const rows = await query<SummaryRow>(pool, `SELECT ${columns} FROM energy_usage.daily_summary WHERE date = $1::date`, [date])
  return rows.length === 0 ? null : toSummary(rows[0])
}

/** A day's rows of the seven source tables, keyed by slot start (ms). */
export interface DaySources {
  usage: Map<number, number>
  price: Map<number, number>
  intensity: Map<number, { forecast: number, actual: number | null }>
  mix: Map<number, Record<string, number>>
  /** export_readings: kWh exported and its rate (p/kWh, no VAT on export); a figure stored NaN/±Infinity reads null. */
  export: Map<number, { kwh: number | null, rate: number | null }>
  /** gas_readings: kWh, its unit rate (p/kWh inc VAT) and its gCO2e. */
  gas: Map<number, { kwh: number | null, rate_inc_vat: number | null, carbon_g: number | null }>
  /** regional_intensity: the region's forecast, gCO2/kWh. */
  regional: Map<number, number>
}

export async function sourcesOf (pool: Pool, date: string): Promise<DaySources> {
  const [usage, price, intensity, mix, exported, gas, regional] = await Promise.all([
    query<{ slot_start: Date, kwh: number }>(pool,
      'SELECT slot_start, kwh FROM energy_usage.consumption WHERE local_date = $1::date', [date]),
    query<{ slot_start: Date, value_inc_vat: number }>(pool,
      'SELECT slot_start, value_inc_vat FROM energy_usage.unit_rates WHERE local_date = $1::date', [date]),
    query<{ slot_start: Date, forecast: number, actual: number | null }>(pool,
      'SELECT slot_start, forecast, actual FROM energy_usage.carbon_intensity WHERE local_date = $1::date', [date]),
    query<{ slot_start: Date, fuel: string, perc: number }>(pool,
      'SELECT slot_start, fuel, perc FROM energy_usage.generation_mix WHERE local_date = $1::date ORDER BY slot_start, fuel', [date]),
    query<{ slot_start: Date, kwh: number | null, rate: number | null }>(pool,
      'SELECT slot_start, kwh, rate FROM energy_usage.export_readings WHERE local_date = $1::date', [date]),
    query<{ slot_start: Date, kwh: number | null, value_inc_vat: number | null, carbon_g: number | null }>(pool,
      'SELECT slot_start, kwh, value_inc_vat, carbon_g FROM energy_usage.gas_readings WHERE local_date = $1::date', [date]),
    query<{ slot_start: Date, forecast: number }>(pool,
      'SELECT slot_start, forecast FROM energy_usage.regional_intensity WHERE local_date = $1::date', [date])
  ])
  const sources: DaySources = {
    usage: new Map(usage.map(r => [r.slot_start.getTime(), r.kwh])),
    price: new Map(price.map(r => [r.slot_start.getTime(), r.value_inc_vat])),
    intensity: new Map(intensity.map(r => [r.slot_start.getTime(), { forecast: r.forecast, actual: r.actual }])),
    mix: new Map(),
    export: new Map(exported.map(r => [r.slot_start.getTime(), { kwh: r.kwh, rate: r.rate }])),
    gas: new Map(gas.map(r => [r.slot_start.getTime(), { kwh: r.kwh, rate_inc_vat: r.value_inc_vat, carbon_g: r.carbon_g }])),
    regional: new Map(regional.map(r => [r.slot_start.getTime(), r.forecast]))
  }
  for (const r of mix) {
    const ms = r.slot_start.getTime()
    let fuels = sources.mix.get(ms)
    if (fuels === undefined) sources.mix.set(ms, fuels = {})
    fuels[r.fuel] = r.perc
  }
  return sources
}

/** Sources whose table has a row per slot of a London date (slot_start, local_date): what slotCounts can count. */
export function slottedSources (sources: readonly SourceDeclaration[]): SourceDeclaration[] {
  return sources.filter(s => s.sink.spec.columns.includes('slot_start') && s.sink.spec.columns.includes('local_date'))
}

/**
 * Per source, how many of the day's slots (their starts) its table has a row for, in one
 * statement. Table names come from the topology's declarations, never from a request.
 */
export async function slotCounts (pool: Pool, sources: readonly SourceDeclaration[], date: string, starts: readonly number[]): Promise<Map<string, number>> {
  if (sources.length === 0) return new Map()
  const text = sources.map((s, i) => `SELECT ${i} AS source, count(DISTINCT slot_start)::int AS n FROM ${s.sink.spec.table}
    WHERE local_date = $1::date AND slot_start = ANY($2::timestamptz[])`).join(' UNION ALL ')
  const rows = await query<{ source: number, n: number }>(pool, text, [date, starts.map(ms => new Date(ms))])
  return new Map(rows.map(r => [sources[r.source].name, r.n]))
}

export interface SinkOffsetRow {
  sink: string
  topic: string
  partition: number
  nextOffset: bigint
}

/** Consecutive London dates with consumption but no unit rate at all: days that could not be priced. */
export interface UnpricedRun { from: string, to: string, days: number }

export interface PipelineProgress {
  newestCompleteDate: string | null
  sinkOffsets: SinkOffsetRow[]
  /** The newest runs of unpriced days (at most UNPRICED_RUNS_LISTED), newest first. */
  unpricedRuns: UnpricedRun[]
  /** Unpriced days in all, listed or not. */
  unpricedDays: number
  /** The task runtime's counters as each process last published them (energy_usage.task_status); none: not read. */
  tasks?: TaskStatusRow[]
}

/** A row of energy_usage.task_status: a task's counters (lib/stream/counters.ts) and when they were published. */
export interface TaskStatusRow {
  instance: string
  counters: TaskCounters
  publishedAt: Date
}

export const UNPRICED_RUNS_LISTED = 20

// Dates minus their rank: consecutive dates share it, so each group is one run (gaps-and-islands).
const UNPRICED_RUNS = `WITH unpriced AS (
    SELECT DISTINCT local_date FROM energy_usage.consumption
    EXCEPT SELECT DISTINCT local_date FROM energy_usage.unit_rates
  ), grouped AS (
    SELECT local_date, local_date - (row_number() OVER (ORDER BY local_date))::int AS run FROM unpriced
  )
  SELECT to_char(min(local_date), 'YYYY-MM-DD') AS "from", to_char(max(local_date), 'YYYY-MM-DD') AS "to", count(*)::int AS days,
    sum(count(*)) OVER ()::int AS total
  FROM grouped GROUP BY run ORDER BY max(local_date) DESC LIMIT ${UNPRICED_RUNS_LISTED}`

/** What the status probe reads from Postgres: the newest complete day, every sink's position, the unpriced days. */
export async function pipelineProgress (pool: Pool): Promise<PipelineProgress> {
  const [newest, offsets, unpriced, tasks] = await Promise.all([
    query<{ newest: string | null }>(pool, 'SELECT max(date) AS newest FROM energy_usage.daily_summary WHERE complete'),
    // bigint (int8) arrives as text: pg does not risk losing precision in a JS number.
    query<{ sink: string, topic: string, partition: number, next_offset: string }>(pool,
      'SELECT sink, topic, partition, next_offset FROM energy_usage.sink_offsets'),
    query<UnpricedRun & { total: number }>(pool, UNPRICED_RUNS),
    query<{ instance: string, counters: TaskCounters, published_at: Date }>(pool,
      "SELECT instance, counters, published_at FROM energy_usage.task_status WHERE kind <> 'upstream' ORDER BY task, instance")
  ])
  return {
    unpricedRuns: unpriced.map(({ from, to, days }) => ({ from, to, days })),
    unpricedDays: unpriced[0]?.total ?? 0,
    newestCompleteDate: newest[0].newest,
    sinkOffsets: offsets.map(r => ({ sink: r.sink, topic: r.topic, partition: r.partition, nextOffset: BigInt(r.next_offset) })),
    tasks: tasks.map(r => ({ instance: r.instance, counters: r.counters, publishedAt: r.published_at }))
  }
}

/** A row of energy_usage.forecast (the next 48 hours; docs/api.md "GET /api/ahead"). */
export interface ForecastRow {
  slot_start: Date
  price_inc_vat: number | null
  intensity_forecast: number | null
  intensity_index: string | null
  region: string | null
  tariff_code: string | null
  fetched_at: Date
}

/** The forecast's half-hours starting in [fromMs, toMs), ascending. */
export async function forecastBetween (pool: Pool, fromMs: number, toMs: number): Promise<ForecastRow[]> {
  return await query<ForecastRow>(pool, `SELECT slot_start, price_inc_vat, intensity_forecast, intensity_index, region, tariff_code, fetched_at
    FROM energy_usage.forecast WHERE slot_start >= $1 AND slot_start < $2 ORDER BY slot_start`, [new Date(fromMs), new Date(toMs)])
}

/** A month's sums over the daily_summary rows it has (api/months.ts adds what derives from them). */
export type MonthRow = Omit<MonthFigures, 'whole'> & { month: string }

// Sums over the days present; a figure that is null on some days (bill, carbon) is summed over
// the days that have it, and its *_days count says over how many.
export const MONTH_SUMS = `
  (m.month + interval '1 month')::date - m.month AS calendar_days,
  count(d.date)::int AS days,
  count(d.date) FILTER (WHERE d.complete)::int AS days_complete,
  count(d.date) FILTER (WHERE d.bill_complete)::int AS days_bill_complete,
  coalesce(sum(d.kwh), 0) AS import_kwh,
  coalesce(sum(d.cost_inc_vat), 0) AS import_cost_inc_vat,
  coalesce(sum(d.standing_charge_inc_vat), 0) AS standing_charge_inc_vat,
  coalesce(sum(d.export_kwh), 0) AS export_kwh,
  coalesce(sum(d.export_value), 0) AS export_value,
  coalesce(sum(d.gas_kwh), 0) AS gas_kwh,
  coalesce(sum(d.gas_cost_inc_vat), 0) AS gas_cost_inc_vat,
  coalesce(sum(d.gas_standing_charge_inc_vat), 0) AS gas_standing_charge_inc_vat,
  coalesce(sum(d.bill_inc_vat), 0) AS bill_inc_vat,
  count(d.bill_inc_vat)::int AS bill_days,
  coalesce(sum(d.carbon_g), 0) AS carbon_g,
  count(d.carbon_g)::int AS carbon_days,
  coalesce(sum(d.carbon_g_regional), 0) AS carbon_g_regional,
  count(d.carbon_g_regional)::int AS regional_days,
  coalesce(sum(d.gas_carbon_g), 0) AS gas_carbon_g,
  coalesce(sum(d.billed_inc_vat), 0) AS billed_inc_vat,
  count(d.billed_inc_vat)::int AS billed_days,
  coalesce(sum(d.cost_inc_vat + d.standing_charge_inc_vat) FILTER (WHERE d.billed_difference IS NOT NULL), 0) AS billed_computed_inc_vat,
  coalesce(sum(d.billed_difference), 0) AS billed_difference,
  count(d.billed_difference)::int AS billed_compared_days`

/**
 * Calendar months from the month of `from` to the month of `to` (first days, YYYY-MM-01), each
 * with its sums over daily_summary, oldest first; a month without rows is there with zeros. One
 * range scan of the primary key (docs/api.md has the timing over ten years).
 */
export async function monthsBetween (pool: Pool, from: string, to: string): Promise<MonthRow[]> {
  return await query<MonthRow>(pool, `
    WITH months AS (SELECT generate_series($1::date, $2::date, interval '1 month')::date AS month)
    SELECT to_char(m.month, 'YYYY-MM') AS month, ${MONTH_SUMS}
    FROM months m
    LEFT JOIN energy_usage.daily_summary d ON d.date >= m.month AND d.date < (m.month + interval '1 month')::date
    GROUP BY m.month ORDER BY m.month`, [from, to])
}

/** The oldest and newest dates in daily_summary (null when it is empty). */
export async function summarySpan (pool: Pool): Promise<{ oldest: string | null, newest: string | null }> {
  const rows = await query<{ oldest: string | null, newest: string | null }>(pool, 'SELECT min(date) AS oldest, max(date) AS newest FROM energy_usage.daily_summary')
  return rows[0]
}

// ---------- computed vs billed (GET /api/billed) ----------

/** The range's days with a billed figure, compared and differing, and their sums (pence). */
export interface BilledTotals {
  days_billed: number
  days_compared: number
  days_differing: number
  /** Over the compared days: Octopus's figure and the difference from the computed one. */
  billed_inc_vat: number
  computed_inc_vat: number
  difference: number
}

export async function billedTotals (pool: Pool, from: string, to: string, tolerance: number): Promise<BilledTotals> {
  const rows = await query<BilledTotals>(pool, `SELECT count(billed_inc_vat)::int AS days_billed, count(billed_difference)::int AS days_compared,
      count(*) FILTER (WHERE abs(billed_difference) > $3)::int AS days_differing,
      coalesce(sum(billed_inc_vat) FILTER (WHERE billed_difference IS NOT NULL), 0) AS billed_inc_vat,
      coalesce(sum(cost_inc_vat + standing_charge_inc_vat) FILTER (WHERE billed_difference IS NOT NULL), 0) AS computed_inc_vat,
      coalesce(sum(billed_difference), 0) AS difference
    FROM energy_usage.daily_summary WHERE date BETWEEN $1::date AND $2::date`, [from, to, tolerance])
  return rows[0]
}

/** Whether energy_usage.billed has any row: the billed source has run (and Octopus answered). */
export async function billedLanded (pool: Pool): Promise<boolean> {
  const rows = await query<{ landed: boolean }>(pool, 'SELECT EXISTS (SELECT 1 FROM energy_usage.billed) AS landed')
  return rows[0].landed
}

/** The newest date whose billed figure is in, or null when none is. */
export async function newestBilledDate (pool: Pool): Promise<string | null> {
  const rows = await query<{ newest: string | null }>(pool, 'SELECT max(date) AS newest FROM energy_usage.daily_summary WHERE billed_inc_vat IS NOT NULL')
  return rows[0].newest
}

/** A half-hour Octopus priced otherwise: both costs known, not a smart-charge half-hour, beyond the 2-decimal rounding. */
const REPRICED = 'b.consumption_cost IS NOT NULL AND r.value_inc_vat IS NOT NULL AND NOT coalesce(ds.smart_home, false) AND abs(b.consumption_cost - b.kwh * r.value_inc_vat) > 0.01'

// Per differing day, its half-hours (each table read by its local_date index, so a year of
// differing days reads only its own rows: 0.3-0.7 s for 366 days on this shared 2-core box, where joining on
// slot_start alone scanned the tables once per day): every slot that billed or consumption has, with the unit
// rate the pipeline used and whether a smart charge at home re-priced it (dispatch_slots). A
// half-hour's computed cost is kWh × unit rate (before any dispatch re-pricing, which the
// dispatch reason accounts for). kWh differ beyond the readings' 3 decimals (0.0005 kWh); a
// billed cost differs from billed kWh × rate beyond its 2 decimals (0.01p: api/billed.ts).
const BILLED_DAYS = `
  SELECT to_char(d.date, 'YYYY-MM-DD') AS date, d.slots_expected, d.cost_inc_vat, d.standing_charge_inc_vat, d.billed_inc_vat, d.billed_difference,
    d.dispatch_kwh, d.dispatch_saving, d.dispatch_note, s.*,
    (SELECT coalesce(array_agg(t.tariff_code ORDER BY t.first), '{}') FROM (SELECT r.tariff_code, min(r.slot_start) AS first
      FROM energy_usage.unit_rates r WHERE r.local_date = d.date GROUP BY r.tariff_code) t) AS tariffs,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('type', o.type, 'label', o.label, 'slots', o.slots, 'cost_pence', o.cost) ORDER BY o.type, o.label), '[]')
      FROM (SELECT e->>'type' AS type, e->>'label' AS label, count(*)::int AS slots, sum((e->>'cost_pence')::float8) AS cost
        FROM energy_usage.billed b CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(b.other_statistics) = 'array' THEN b.other_statistics ELSE '[]' END) e
        WHERE b.local_date = d.date GROUP BY 1, 2) o) AS other_statistics
  FROM energy_usage.daily_summary d
  CROSS JOIN LATERAL (
    SELECT count(b.slot_start)::int AS billed_slots, count(c.slot_start)::int AS usage_slots,
      count(*) FILTER (WHERE c.slot_start IS NULL)::int AS unread_slots,
      coalesce(sum(b.consumption_cost) FILTER (WHERE c.slot_start IS NULL), 0) AS unread_cost,
      count(*) FILTER (WHERE b.slot_start IS NULL)::int AS unmeasured_slots,
      coalesce(sum(c.kwh * r.value_inc_vat) FILTER (WHERE b.slot_start IS NULL), 0) AS unmeasured_cost,
      count(*) FILTER (WHERE abs(b.kwh - c.kwh) > 0.0005)::int AS kwh_differs_slots,
      coalesce(sum(b.kwh - c.kwh) FILTER (WHERE abs(b.kwh - c.kwh) > 0.0005), 0) AS kwh_difference,
      coalesce(sum((b.kwh - c.kwh) * r.value_inc_vat) FILTER (WHERE abs(b.kwh - c.kwh) > 0.0005), 0) AS kwh_difference_cost,
      count(*) FILTER (WHERE b.kwh > 0 AND b.consumption_cost IS NULL)::int AS uncosted_slots,
      coalesce(sum(b.kwh * r.value_inc_vat) FILTER (WHERE b.kwh > 0 AND b.consumption_cost IS NULL), 0) AS uncosted_cost,
      count(*) FILTER (WHERE ${REPRICED})::int AS repriced_slots,
      coalesce(sum(b.consumption_cost - b.kwh * r.value_inc_vat) FILTER (WHERE ${REPRICED}), 0) AS repriced_pence,
      (array_agg(jsonb_build_object('start', to_char(k.slot_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'billed_rate', b.consumption_cost / b.kwh, 'computed_rate', r.value_inc_vat)
        ORDER BY abs(b.consumption_cost - b.kwh * r.value_inc_vat) DESC, k.slot_start) FILTER (WHERE ${REPRICED} AND b.kwh > 0))[1] AS repriced_example,
      count(b.standing_cost)::int AS standing_slots,
      coalesce(sum(b.standing_cost), 0) AS billed_standing
    FROM (SELECT slot_start FROM energy_usage.billed WHERE local_date = d.date
          UNION SELECT slot_start FROM energy_usage.consumption WHERE local_date = d.date) k
    LEFT JOIN energy_usage.billed b ON b.slot_start = k.slot_start AND b.local_date = d.date
    LEFT JOIN energy_usage.consumption c ON c.slot_start = k.slot_start AND c.local_date = d.date
    LEFT JOIN energy_usage.unit_rates r ON r.slot_start = k.slot_start AND r.local_date = d.date
    LEFT JOIN energy_usage.dispatch_slots ds ON ds.slot_start = k.slot_start AND ds.local_date = d.date
  ) s
  WHERE d.date BETWEEN $1::date AND $2::date AND abs(d.billed_difference) > $3
  ORDER BY d.date DESC`

/** Days from `from` to `to` whose |billed_difference| exceeds `tolerance` pence, newest first, with their facts. */
export async function billedDays (pool: Pool, from: string, to: string, tolerance: number): Promise<BilledDayFacts[]> {
  return await query<BilledDayFacts>(pool, BILLED_DAYS, [from, to, tolerance])
}
